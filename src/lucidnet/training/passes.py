"""Passes over all the training examples outside the steps, a block of columns at a time.

Before training, ``train`` runs one forward pass over ``X`` to tell inputs that
overflow (the data's fault) from a learning rate that diverges; after it, the
diagnosis needs ``A[L]`` for every example.  Both go through
:func:`forward_in_batches`, for two reasons, both measured:

- memory: an inference pass makes new ``Z`` and ``A`` arrays for every layer
  (and leaves the last ones cached on the layers), beside the training work
  arrays that the steps keep; over all N columns at once that took the peak of
  a full-batch run from 5 to 9 arrays of ``(64, N)`` (2-64-64-1, N = 10^6:
  2.5 to 4.4 GiB in float64).  Blocks of :data:`PASS_COLUMNS` columns add a few MB.
- threads: a mini-batch run's passes go in its own batches, so they make the
  same matrix products as its steps.  One product over all N columns is large
  enough for OpenBLAS to wake a second thread that the steps never use, and on
  a busy 2-core machine that thread then competed with every step after it
  (run M took 1.8x as long).
"""

from __future__ import annotations

import numpy as np

from ..core import activation_functions as af

__all__ = ["forward_in_batches", "forward_cannot_overflow", "PASS_COLUMNS"]

PASS_COLUMNS = 4096  # columns per block of a full-batch run's pass (64 rows: 2 MB in float64)


def forward_in_batches(net, X, batch_size=None) -> np.ndarray:
    """``A[L]`` ``(dL, N)`` for the checked ``X`` ``(d0, N)``: an inference pass,
    ``batch_size`` columns at a time (a full-batch run's: :data:`PASS_COLUMNS`)."""
    N = X.shape[1]
    block = batch_size if batch_size is not None and batch_size < N else PASS_COLUMNS
    if block >= N:
        return net.forward_checked(X)
    return np.concatenate([net.forward_checked(X[:, start:start + block])
                           for start in range(0, N, block)], axis=1)


# ------------------------------------------------------------ the overflow test, proved
def _activation_bound(activation, z: np.ndarray, dtype):
    """An upper bound on ``|sigma(z)|`` given ``|Z| <= z`` (per unit), or None for an
    activation this function does not know (a user's own): then the pass is run."""
    kind = type(activation)
    if kind in (af.Sigmoid, af.Tanh, af.Softmax):
        return np.ones_like(z)                             # |sigma| <= 1
    if kind in (af.ReLU, af.Identity):
        return z
    if kind is af.LeakyReLU:
        return max(1.0, abs(float(activation.alpha))) * z
    if kind is af.ELU:
        return np.maximum(z, abs(float(activation.alpha)))
    if kind is af.Softplus:
        return z + np.log(2.0)
    if kind is af.Exp:
        return np.exp(np.minimum(z, 0.5 * af._exp_limit(dtype)))  # exp_clipped's clip
    return None


def forward_cannot_overflow(net, X) -> bool:
    """True when no value of the inference pass over ``X`` can overflow ``net.dtype``,
    by the bound ``|Z| <= |W| a + |b|`` with ``a`` each unit's largest ``|A_prev|``.

    Every partial sum of ``W A_prev`` is at most that bound, and each activation
    is finite for finite ``Z`` (they silence their own ``exp``), so a bound below
    a quarter of the dtype's largest number proves the overflow test's pass would
    find nothing.  It costs two reductions over ``X`` ``(d0, N)`` instead of a forward
    pass over every layer (28% of a 3-epoch full-batch fit of 2-256-256-1).  False
    means "not proved": the pass itself decides.
    """
    from ..core.dense import Dense
    from ..core.dropout import Dropout
    from ..core.layer import Input

    limit = 0.25 * float(np.finfo(net.dtype).max)
    with np.errstate(all="ignore"):  # a bound that overflows is inf: not proved
        # largest |A[0]| of each feature, by two reductions: no (d0, N) copy of |X|
        a = np.maximum(X.max(axis=1), -X.min(axis=1)).astype(np.float64)
        for layer in net.layers:
            if type(layer) in (Input, Dropout):           # A = A_prev in an inference pass
                continue
            if type(layer) is not Dense:
                return False
            W, b = layer.params["W"], layer.params["b"][:, 0]
            z = np.abs(W).astype(np.float64) @ a + np.abs(b).astype(np.float64)
            if not np.all(z <= limit):                     # NaN compares False too
                return False
            a = _activation_bound(layer.activation, z, net.dtype)
            if a is None:
                return False
    return True
