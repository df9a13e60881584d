import networkx as nx
import numpy as np
import pytest

from gnnrg import csbm, from_edge_list, from_networkx, stats, to_networkx


def test_networkx_round_trip_keeps_everything():
    data = csbm(300, lam=1.0, seed=0)
    G = to_networkx(data)
    assert G.number_of_edges() == data.edge_index.shape[1] // 2
    assert G.graph["params"]["lam"] == 1.0
    assert len(G.graph["partition"]) == 2
    back = from_networkx(G)
    assert back.edge_index.equal(data.edge_index)
    assert back.y.equal(data.y) and back.x.equal(data.x)


def test_from_networkx_relabels_nodes_and_classes():
    G = nx.Graph([("a", "b"), ("b", "c"), ("c", "c")])
    nx.set_node_attributes(G, {"a": "red", "b": "blue", "c": "red"}, "colour")
    data = from_networkx(G, label="colour")
    assert data.node_names == ["a", "b", "c"]
    assert data.y.tolist() == [1, 0, 1]  # sorted classes: blue=0, red=1
    assert data.edge_index.shape[1] == 4  # self loop dropped


def test_from_networkx_partial_labels_is_an_error():
    G = nx.path_graph(3)
    G.nodes[0]["y"] = 1
    with pytest.raises(ValueError, match=r"label attribute 'y' is missing on 2 of 3 nodes"):
        from_networkx(G)


def test_from_edge_list_checks_shapes_and_ranges():
    d = from_edge_list(np.array([[0, 1, 1], [1, 2, 0]]), x=np.zeros((4, 2)), y=[0, 1, 0, 1])
    assert d.num_nodes == 4 and d.edge_index.shape[1] == 4
    with pytest.raises(ValueError, match=r"edges name nodes outside 0\.\.2"):
        from_edge_list([(0, 5)], y=[0, 1, 0])
    with pytest.raises(ValueError, match=r"y has 2 rows; expected num_nodes=3"):
        from_edge_list([(0, 1)], num_nodes=3, y=[0, 1])
    with pytest.raises(ValueError, match=r"edges has shape \(3,\)"):
        from_edge_list([0, 1, 2])


def test_stats_recovers_parameters_and_matches_networkx():
    data = csbm(20_000, classes=3, avg_degree=12, lam=1.2, mu=0.7, sigma=1.3, seed=1)
    s = stats(data)
    assert s["classes"] == 3
    assert abs(s["lam"] - 1.2) < 0.05 and abs(s["avg_degree"] - 12) < 0.15
    assert abs(s["mu"] - 0.7) < 0.05 and abs(s["sigma"] - 1.3) < 0.01
    small = csbm(400, avg_degree=15, lam=2.0, seed=2, motif="triangle", motif_count=60)
    s, G = stats(small), to_networkx(small)
    assert s["triangles"] == sum(nx.triangles(G).values()) // 3
    assert s["transitivity"] == pytest.approx(nx.transitivity(G))
    assert s["avg_clustering"] == pytest.approx(nx.average_clustering(G))
    assert stats(G)["edge_homophily"] == pytest.approx(s["edge_homophily"])


def test_adjusted_homophily_is_zero_for_class_blind_edges():
    s = stats(csbm(20_000, avg_degree=10, lam=0.0, seed=3))
    assert abs(s["adjusted_homophily"]) < 0.02
    s = stats(csbm(20_000, avg_degree=10, lam=-2.0, seed=3))
    assert s["adjusted_homophily"] < -0.5


def test_karate_club_from_networkx():
    data = from_networkx(nx.karate_club_graph(), label="club")
    s = stats(data)
    assert s["num_nodes"] == 34 and s["num_edges"] == 78
    assert s["triangles"] == 45
