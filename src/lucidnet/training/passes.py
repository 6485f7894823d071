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

__all__ = ["forward_in_batches", "PASS_COLUMNS"]

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
