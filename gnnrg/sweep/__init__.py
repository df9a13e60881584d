"""Parameter sweeps: YAML configs, resumable result store, thresholds."""

from gnnrg.sweep.config import ConfigError, SweepConfig, load_config
from gnnrg.sweep.recoverability import extra_axes, summarize, thresholds
from gnnrg.sweep.runner import SweepFailed, run_sweep
from gnnrg.sweep.store import load_results

__all__ = [
    "ConfigError",
    "SweepConfig",
    "SweepFailed",
    "extra_axes",
    "load_config",
    "load_results",
    "run_sweep",
    "summarize",
    "thresholds",
]
