"""Closed-form and exact accuracy of linear GCNs on the cSBM. Imports no torch."""

from gnnrg.theory.accuracy import (
    NORMS,
    graph_average_accuracy,
    one_layer_accuracy,
    two_layer_tree_accuracy,
)
from gnnrg.theory.baselines import (
    features_only_accuracy,
    gcn_beats_features,
    it_threshold_mu,
    weak_recovery_statistic,
)
from gnnrg.theory.graph_only import (
    amp_labels,
    graph_only_bayes_accuracy,
    graph_only_spectral_accuracy,
)
from gnnrg.theory.joint import joint_bayes_accuracy
from gnnrg.theory.linear_gcn import linear_gcn_accuracy
from gnnrg.theory.linearisation import cross_entropy, linearised_margin, odd_part, relu_gcn_margin
from gnnrg.theory.neighbourhood import neighbourhood_accuracy
from gnnrg.theory.nodewise import filter_matrix, nodewise_accuracy
from gnnrg.theory.regions import gcn_gain
from gnnrg.theory.two_layer import two_layer_accuracy, two_layer_moments

__all__ = [
    "NORMS",
    "amp_labels",
    "cross_entropy",
    "features_only_accuracy",
    "filter_matrix",
    "gcn_beats_features",
    "gcn_gain",
    "graph_average_accuracy",
    "graph_only_bayes_accuracy",
    "graph_only_spectral_accuracy",
    "it_threshold_mu",
    "joint_bayes_accuracy",
    "linear_gcn_accuracy",
    "linearised_margin",
    "neighbourhood_accuracy",
    "nodewise_accuracy",
    "odd_part",
    "one_layer_accuracy",
    "relu_gcn_margin",
    "two_layer_accuracy",
    "two_layer_moments",
    "two_layer_tree_accuracy",
    "weak_recovery_statistic",
]
