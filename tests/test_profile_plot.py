"""The graph profile figure reports the statistics it draws, for labelled and unlabelled graphs."""

import json
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pytest

from gnnrg import csbm, from_networkx, stats
from gnnrg.cli import main
from gnnrg.datasets import load_graph_files
from gnnrg.plot import plot_graph_profile


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_profile_of_a_motif_planted_graph_shows_mixing_and_extra_triangles():
    graph = csbm(1500, lam=1.5, mu=1.0, seed=3, motif="triangle", motif_count=300,
                 motif_classes="mixed")  # fmt: skip
    summary = stats(graph)
    axes = plot_graph_profile(graph, seed=1).axes
    share = np.asarray(axes[1].images[0].get_array())
    assert np.allclose(share.sum(1), 1.0)
    # balanced classes: the mean of the diagonal is the edge homophily
    assert abs(np.diag(share).mean() - summary["edge_homophily"]) < 0.01
    title = axes[2].get_title()  # "T triangles (matched cSBM M)"
    mine, matched = int(title.split()[0]), int(title.split()[-1].rstrip(")"))
    assert mine == summary["triangles"] and mine > matched + 250  # the 300 planted ones
    assert [line.get_label() for line in axes[0].get_lines()] == ["this graph", "matched cSBM"]


def test_profile_without_labels_skips_mixing_and_the_matched_model():
    data = from_networkx(nx.barabasi_albert_graph(300, 3, seed=0))
    axes = plot_graph_profile(data).axes
    assert not axes[1].images and axes[1].texts[0].get_text() == "no labels"
    labels = axes[0].get_legend_handles_labels()[1]
    assert labels == ["this graph", "no matched cSBM: needs labels of two or more classes"]


FIXTURE = Path(__file__).parent / "fixtures" / "tiny"


def test_profile_of_a_labelled_graph_without_edges_fits_no_edge_parameters(tmp_path, capsys):
    """Found by the fuzz test: a self loop alone (dropped) left no edges, and the SBM fit
    raised; now the statistics come without p_in, p_out, d and λ."""
    (tmp_path / "e.txt").write_text("0 0\n")
    (tmp_path / "y.txt").write_text("0\n0\n1\n")
    code = main(["profile", str(tmp_path / "e.txt"), "--labels", str(tmp_path / "y.txt"), "--json"])
    printed = json.loads(capsys.readouterr().out.splitlines()[0])
    assert code == 0 and printed["num_edges"] == 0 and printed["classes"] == 2
    assert "lam" not in printed and "p_in" not in printed


def test_cli_profile_prints_statistics_and_draws(tmp_path, capsys):
    files = ["--labels", str(FIXTURE / "labels.txt"), "--features", str(FIXTURE / "features.txt")]
    figure = tmp_path / "profile.png"
    code = main(["profile", str(FIXTURE / "edges.txt"), *files, "--json", "--plot", str(figure)])
    assert code == 0 and figure.stat().st_size > 0
    printed = json.loads(capsys.readouterr().out.splitlines()[0])
    graph = load_graph_files(*(FIXTURE / f"{n}.txt" for n in ("edges", "labels", "features")))
    assert printed == json.loads(json.dumps(stats(graph)))
    assert printed["num_nodes"] == 40 and printed["classes"] == 2


def test_cli_profile_names_a_missing_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["profile", str(FIXTURE / "edges.txt"), "--labels", str(tmp_path / "none.txt")])
    assert exit_.value.code == 2
    assert "labels file" in capsys.readouterr().err
