"""Metrics on labels and outputs (NumPy only).

Labels are 1-D arrays of length N; regression outputs are ``(dL, N)`` arrays
(column-wise, like the core).  ``mse`` here is the plain mean of squared errors,
without the 1/2 that the squared-error *loss* carries.
"""

from __future__ import annotations

import numpy as np

__all__ = ["accuracy", "mse", "r2_score"]


def accuracy(y_true, y_pred) -> float:
    """Fraction of labels predicted exactly."""
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in length: {y_true.size} vs {y_pred.size}")
    return float(np.mean(y_true == y_pred))


def mse(y_true, y_pred) -> float:
    """Mean squared error over all entries."""
    d = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return float(np.mean(d * d))


def r2_score(y_true, y_pred) -> float:
    """Coefficient of determination ``1 - SS_res / SS_tot``, averaged over outputs
    (rows of a ``(dL, N)`` array)."""
    y_true = np.atleast_2d(np.asarray(y_true, dtype=float))
    y_pred = np.atleast_2d(np.asarray(y_pred, dtype=float))
    ss_res = ((y_true - y_pred) ** 2).sum(axis=1)
    ss_tot = ((y_true - y_true.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0),
                      np.where(ss_res > 0, 0.0, 1.0))
    return float(r2.mean())
