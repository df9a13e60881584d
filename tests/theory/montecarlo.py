"""Monte Carlo reference: sample graphs and features from gnnrg's generator, apply the linear
filter, classify with the oracle readout, and average; standard errors over independent graphs."""

import math

import numpy as np

from gnnrg import csbm
from gnnrg.edgelist import edge_array
from gnnrg.theory.nodewise import filter_matrix


def simulate_accuracy(n, p_in, p_out, mu, sigma=1.0, *, layers, norm, graphs, seed=0):
    values = []
    for ss in np.random.SeedSequence(seed).spawn(graphs):
        data = csbm(n, p_in=p_in, p_out=p_out, mu=mu, sigma=sigma, num_features=1, seed=ss)
        e, _ = edge_array(data)
        f = filter_matrix(e, n, norm)
        h = data.x.numpy()[:, 0].astype(np.float64)
        for _ in range(layers):
            h = f @ h
        u = float(data.class_means[1, 0])  # +1 or -1 for F = 1
        v = np.where(data.y.numpy() == 1, 1.0, -1.0)
        score = v * h * u
        values.append(np.mean((score > 0) + 0.5 * (score == 0)))
    values = np.array(values)
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(graphs))
