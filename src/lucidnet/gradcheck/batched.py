"""The entry-wise gradient check with many perturbations per forward pass.

The numbers of :func:`lucidnet.core.gradient_check.check_entries` (the text's
loop of two cost evaluations per entry, kept as the readable reference), at a
fraction of its cost on a network.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.gradient_check import GradCheckReport, report
from ..core.layers import Dense  # the rank-one shortcut uses Dense's Z = W A_prev + b

__all__ = ["check_entries_batched"]


def check_entries_batched(net, X, Y, layer_idx, param, *, eps=1e-5, tol=1e-4, abs_tol=1e-7,
                          max_elements=2 ** 16, work=None) -> GradCheckReport:
    """The entry-wise check, with many perturbations evaluated in one pass.

    Gives the numbers of :func:`check_entries` (the readable reference, a loop
    of two cost evaluations per entry) at a fraction of its cost.  Perturbing
    entry ``(i, j)`` of ``W[l]`` by ``+-eps`` changes only row ``i`` of ``Z[l]``,
    by ``+-eps A[l-1][j, :]`` (an entry ``i`` of ``b[l]``: by ``+-eps``), so the
    perturbed networks share everything below layer ``l``.  A block of K of
    them (both signs of K/2 entries) then runs side by side:

    - row ``i`` of ``A[l]`` is ``sigma(Z[l][i] +- delta)``: one row per copy
      when sigma is element-wise;
    - if layer ``l+1`` is Dense, its ``Z`` in copy ``k`` is the unperturbed
      ``Z[l+1]`` plus the rank-one change ``W[l+1][:, i] (A'[l][i] - A[l][i])``;
    - every layer above goes through its own ``forward`` on ``K N`` columns
      (copy ``k`` in columns ``k N .. k N + N - 1``);
    - J of each copy is the cost of its own N columns (plus the penalty), from
      the logits ``Z[L]`` for a fused pair (so the output's sigma is skipped).

    ``net`` is a float64 network (as for every check); ``X``, ``Y`` are checked
    ``(d0, N)`` and ``(dL, N)`` arrays.  Dropout masks must be fixed (as in
    :func:`lucidnet.gradcheck.network.run_checks`).  ``max_elements`` bounds
    the widest ``(d, K, N)`` array of a block: 2**16 float64 values (512 KiB)
    stay in the CPU's cache; measured here, blocks of 4 MiB were 3-4x slower.
    ``work`` (a dict, optional) keeps the work arrays for the next call.
    """
    layers = net.layers
    layer = layers[layer_idx]
    theta = layer.params[param]
    grad = np.asarray(layer.grads[param], dtype=np.float64)
    net.forward_checked(X, training=True)                  # caches at the unperturbed theta
    N = X.shape[1]
    A_prev, Z0, A0 = layer.A_prev, layer.Z.copy(), layer.A.copy()
    nxt = layers[layer_idx + 1] if layer_idx + 1 < len(layers) else None
    rank_one = layer.activation.elementwise and isinstance(nxt, Dense)
    out = net.output_layer
    fused = net.fused_output
    above = layers[layer_idx + (2 if rank_one else 1):]
    if rank_one:
        W1, Z1_0 = nxt.params["W"], nxt.Z.copy()
    # K copies per block, so that the widest (d, K, N) array of the block stays small
    widest = max(lay.units for lay in layers[layer_idx + (1 if rank_one else 0):])
    K_max = min(2 * theta.size, max(2, max_elements // (widest * N) // 2 * 2))
    work = {} if work is None else work

    def buffer(name, *shape):
        """Work array ``name``: made once and reused by the next blocks (and the
        next tensors when the caller passes ``work``), since fresh memory costs
        page faults about as much as the arithmetic on it."""
        size = math.prod(shape)
        if work.get(name) is None or work[name].size < size:
            work[name] = np.empty(size)
        return work[name][:size].reshape(shape)

    entries = np.array(list(np.ndindex(theta.shape)))                   # (P, 2): (i, j)
    numeric = np.zeros(theta.shape, dtype=np.float64)
    for start in range(0, len(entries), K_max // 2):
        block = entries[start:start + K_max // 2]
        half, K = len(block), 2 * len(block)
        i, j = block[:, 0], block[:, 1]
        rows = np.concatenate([i, i])               # copies 0..K/2-1: +eps, then -eps
        # The changed row of Z[l] in each copy: Z[l][i] +- delta, with
        # delta = eps A[l-1][j] for an entry of W, eps for an entry of b.
        Zrows = buffer("Zrows", K, N)
        Zp, Zm = Zrows[:half], Zrows[half:]
        np.take(Z0, i, axis=0, out=Zp)
        if param == "W":
            delta = np.take(A_prev, j, axis=0, out=buffer("delta", half, N))
            delta *= eps
        else:
            delta = eps
        np.subtract(Zp, delta, out=Zm)
        Zp += delta
        if rank_one:
            # Z[l+1] of copy k = Z[l+1] + W[l+1][:, i] (A'[l][i] - A[l][i]): rank one.
            dA_rows = layer.activation.forward(Zrows, out=buffer("A_rows", K, N))
            A0_rows = np.take(A0, i, axis=0, out=buffer("A0_rows", half, N))
            dA_rows[:half] -= A0_rows
            dA_rows[half:] -= A0_rows                                    # (K, N)
            first = nxt
            Z = buffer("Z", first.units, K, N)
            np.multiply(W1[:, rows, None], dA_rows, out=Z)
            Z += Z1_0[:, None, :]                                        # (d_{l+1}, K, N)
        else:
            first = layer
            Z = buffer("Z", first.units, K, N)
            Z[...] = Z0[:, None, :]                                      # (d_l, K, N)
            Z[rows, np.arange(K)] = Zrows
        # The first changed layer's sigma, then every layer above on K N columns.
        Z = Z.reshape(first.units, K * N)
        if not (first is out and fused):
            A = first.activation.forward(Z, out=buffer("A", first.units, K * N))
        for lay in above:
            if lay is out and fused:  # J comes from the logits: Z[L] alone, no sigma
                Z = np.matmul(lay.params["W"], A, out=buffer("Z_out", lay.units, K * N))
                Z += lay.params["b"]                                     # W[L] A[L-1] + b[L]
            else:
                A = lay.forward(A, training=True)
        if fused:
            losses = net.loss_obj.loss_from_logits(Y[:, None, :], Z.reshape(-1, K, N))
        else:
            losses = net.loss_obj.loss(Y[:, None, :], A.reshape(-1, K, N))
        J = losses.sum(axis=(0, 2)) / N                                  # (K,)
        diff = J[:half] - J[half:]                   # J(theta + eps) - J(theta - eps)
        idx = tuple(block.T)
        if param == "W" and (net.l2 or net.l1):      # the penalty's share of the difference
            w = theta[idx]
            diff = diff + (0.5 * net.l2 * ((w + eps) ** 2 - (w - eps) ** 2)
                           + net.l1 * (np.abs(w + eps) - np.abs(w - eps))) / N
        numeric[idx] = diff / (2 * eps)
    net.forward_checked(X, training=True)                   # caches (and work arrays) back to N columns
    return report("entries", grad, numeric, tol, abs_tol, layer_idx=layer_idx,
                  layer_name=layer.name, param=param)
