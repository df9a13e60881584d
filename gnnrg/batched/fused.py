"""Fused CPU kernels for neighbour attention (numba): one pass over the edges per step.

Attention built from torch operations makes a dozen passes over the edge list per layer
(gathers, LeakyReLU, row maxima, exponentials, an SpMM with a column of ones, and as many in
the backward pass). These kernels walk each CSR row once: scores and the row maximum, the
softmax, the weighted sum of neighbour values, and in the backward pass every gradient in one
sweep. The exponentials are left to torch (vectorised), between two kernels.

Two score functions are covered, with the same softmax and aggregation:

- ``additive`` (GATConv): ``s_ij = LeakyReLU(a_i + b_j)``;
- ``dot`` (TransformerConv): ``s_ij = scale * <q_i, k_j>``.

The kernels work on float32 numpy views of CPU tensors, single-threaded (the engine runs one
torch thread per worker); :mod:`gnnrg.batched.attention` chooses them or the torch path.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "additive_backward",
    "additive_scores",
    "dot_backward",
    "dot_scores",
    "softmax_aggregate",
]

_F32 = np.float32
# reassociation and contraction let sums vectorise; no "no NaN / no inf" assumptions, so a
# diverged model's NaNs come out as NaNs, as in the torch path
_FAST = {"reassoc", "contract", "arcp", "nsz"}


@njit(cache=True, nogil=True, fastmath=_FAST, inline="always")
def _dot(x, i, y, j):  # pragma: no cover - compiled
    """``<x[i], y[j]>``."""
    total = _F32(0.0)
    for c in range(x.shape[1]):
        total += x[i, c] * y[j, c]
    return total


@njit(cache=True, nogil=True, fastmath=_FAST, inline="always")
def _score_gradient(i, j, w, base, grad, v, g_v, want_v):  # pragma: no cover - compiled
    """The loss gradient of entry ``(i, j)``'s score, ``w (<grad_i, v_j> - base)`` with
    ``base = <grad_i, out_i>``; adds ``w grad_i`` to ``g_v[j]`` when ``want_v``."""
    if want_v:
        for c in range(v.shape[1]):
            g_v[j, c] += w * grad[i, c]
    return w * (_dot(grad, i, v, j) - base)


@njit(cache=True, nogil=True, fastmath=_FAST, inline="always")
def _subtract_peak(shifted, start, stop):  # pragma: no cover - compiled
    """Subtract the largest of ``shifted[start:stop]`` (one row's scores) from each."""
    if start == stop:
        return
    peak = shifted[start]
    for e in range(start + 1, stop):
        peak = max(peak, shifted[e])
    for e in range(start, stop):
        shifted[e] -= peak


@njit(cache=True, nogil=True, fastmath=_FAST)
def additive_scores(crow, col, a, b, slope, shifted):  # pragma: no cover - compiled
    """``shifted[e] = s_e - max_row s``, with ``s_e = LeakyReLU(a[row] + b[col])``."""
    for i in range(crow.shape[0] - 1):
        ai = a[i]
        for e in range(crow[i], crow[i + 1]):
            s = ai + b[col[e]]
            shifted[e] = max(s, slope * s)
        _subtract_peak(shifted, crow[i], crow[i + 1])


@njit(cache=True, nogil=True, fastmath=_FAST)
def dot_scores(crow, col, q, k, scale, shifted):  # pragma: no cover - compiled
    """``shifted[e] = s_e - max_row s``, with ``s_e = scale * <q[row], k[col]>``."""
    for i in range(crow.shape[0] - 1):
        for e in range(crow[i], crow[i + 1]):
            shifted[e] = scale * _dot(q, i, k, col[e])
        _subtract_peak(shifted, crow[i], crow[i + 1])


@njit(cache=True, nogil=True, fastmath=_FAST)
def softmax_aggregate(crow, col, weights, v, out):  # pragma: no cover - compiled
    """Normalise ``weights`` (exponentials) per row in place, ``out[i] = sum_e w_e v[col_e]``.

    The normalisation is PyG's ``exp / (sum + 1e-16)``; ``out`` must start at zero.
    """
    width = v.shape[1]
    for i in range(crow.shape[0] - 1):
        start, stop = crow[i], crow[i + 1]
        total = _F32(0.0)
        for e in range(start, stop):
            total += weights[e]
        inv = _F32(1.0) / (total + _F32(1e-16))
        for e in range(start, stop):
            w = weights[e] * inv
            weights[e] = w
            j = col[e]
            for c in range(width):
                out[i, c] += w * v[j, c]


@njit(cache=True, nogil=True, fastmath=_FAST)
def additive_backward(
    crow, col, a, b, slope, alpha, v, out, grad, g_a, g_b, g_v, want_b, want_v
):  # pragma: no cover - compiled
    """Gradients of the additive attention (accumulated into zeroed ``g_a``, ``g_b``, ``g_v``).

    With ``d_e = <grad_i, v_j>``: ``ds_e = alpha_e (d_e - <grad_i, out_i>)``, times LeakyReLU's
    slope where ``a_i + b_j <= 0``; ``g_a[i]`` and ``g_b[j]`` sum ``ds_e``, and ``g_v[j]`` sums
    ``alpha_e grad_i``. The scatters into ``g_b`` and ``g_v`` run only where ``want_b`` and
    ``want_v`` ask for them (the values of a first layer are fixed features).
    """
    for i in range(crow.shape[0] - 1):
        start, stop = crow[i], crow[i + 1]
        base = _dot(grad, i, out, i)
        ai = a[i]
        total = _F32(0.0)
        for e in range(start, stop):
            j = col[e]
            ds = _score_gradient(i, j, alpha[e], base, grad, v, g_v, want_v)
            ds *= _F32(1.0) if ai + b[j] > 0 else slope
            total += ds
            if want_b:
                g_b[j] += ds
        g_a[i] = total


@njit(cache=True, nogil=True, fastmath=_FAST)
def dot_backward(
    crow, col, q, k, scale, alpha, v, out, grad, g_q, g_k, g_v, want_k, want_v
):  # pragma: no cover - compiled
    """Gradients of the dot-product attention (accumulated into zeroed ``g_q``, ``g_k``, ``g_v``).

    ``ds_e = alpha_e (<grad_i, v_j> - <grad_i, out_i>)``; ``g_q[i]`` sums ``scale ds_e k_j``,
    ``g_k[j]`` sums ``scale ds_e q_i`` and ``g_v[j]`` sums ``alpha_e grad_i``; the scatters into
    ``g_k`` and ``g_v`` run only where ``want_k`` and ``want_v`` ask for them.
    """
    keys = q.shape[1]
    for i in range(crow.shape[0] - 1):
        start, stop = crow[i], crow[i + 1]
        base = _dot(grad, i, out, i)
        for e in range(start, stop):
            j = col[e]
            ds = scale * _score_gradient(i, j, alpha[e], base, grad, v, g_v, want_v)
            for c in range(keys):
                g_q[i, c] += ds * k[j, c]
            if want_k:
                for c in range(keys):
                    g_k[j, c] += ds * q[i, c]
