"""Passes over all the training examples outside the steps, in the steps' own batches.

Before training, ``train`` runs one forward pass over ``X`` to tell inputs that
overflow (the data's fault) from a learning rate that diverges; after it, the
diagnosis needs ``A[L]`` for every example.  Both go through
:func:`forward_in_batches`, so they make the same matrix products as the steps:
one product over all N columns is large enough for OpenBLAS to hand half of it
to a second thread, which a mini-batch run otherwise never wakes, and on a busy
2-core machine that thread then competed with every step after it (run M took
1.8x as long, measured side by side with and without these two passes).
"""

from __future__ import annotations

import numpy as np

__all__ = ["forward_in_batches"]


def forward_in_batches(net, X, batch_size=None) -> np.ndarray:
    """``A[L]`` for the checked ``X`` ``(d0, N)``, ``batch_size`` columns at a time
    (all at once for a full batch); an inference pass, no training caches."""
    N = X.shape[1]
    if batch_size is None or batch_size >= N:
        return net.forward_checked(X)
    return np.concatenate([net.forward_checked(X[:, start:start + batch_size])
                           for start in range(0, N, batch_size)], axis=1)
