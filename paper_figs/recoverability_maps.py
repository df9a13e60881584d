"""Run the study's sweep configs and draw their phase diagrams.

    python paper_figs/recoverability_maps.py [--config sweeps/paper_recoverability.yaml ...]
                                            [--jobs 2] [--out paper_figs/output]

Each config runs through ``gnnrg sweep`` (resumable: re-run to continue an interrupted one) and
``gnnrg plot``; figures land in ``OUT/<name>/phase_diagrams.{png,pdf}``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gnnrg.cli import main as gnnrg

DEFAULT = [
    "sweeps/paper_recoverability.yaml",
    "sweeps/paper_degree_corrected.yaml",
    "sweeps/paper_classes.yaml",
    "sweeps/paper_motifs.yaml",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", nargs="+", default=DEFAULT)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default="paper_figs/output")
    args = parser.parse_args()
    for config in args.config:
        name = Path(config).stem
        out = str(Path(args.out) / name)
        status = gnnrg(["sweep", config, "--out", out, "--jobs", str(args.jobs)])
        if status == 0:
            status = gnnrg(["plot", out])
        if status != 0:
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
