"""The metrics the NumPy-only core needs: accuracy at the threshold 0.5, and R^2.

``net.score`` and the training record use them, as the text writes them.
Everything else (confusion matrix, precision/recall/F1, log loss, MSE, the
classification report) is :mod:`lucidnet.metrics`, computed by scikit-learn
for the outer layers.

Conventions, column-wise like the core: class labels are 1-D arrays of
length N (one-hot targets ``(k, N)`` are turned into labels by their argmax);
regression outputs are ``(dL, N)`` (a 1-D array is one output).
"""

from __future__ import annotations

import numpy as np

# SPEC: a sigmoid output is read as class 1 where A >= 0.5 (the one threshold of lucidnet).
THRESHOLD = 0.5

__all__ = ["THRESHOLD", "labels_at_threshold", "accuracy", "r2_score", "r2_from_sums",
           "as_labels", "label_pair", "output_pair"]


def as_labels(y) -> np.ndarray:
    """1-D labels from labels or one-hot ``(k, N)``."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[0] > 1:
        return y.argmax(axis=0)
    return y.reshape(-1)


def label_pair(y_true, y_pred):
    y_true, y_pred = as_labels(y_true), as_labels(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in length: {y_true.size} vs {y_pred.size}")
    if y_true.size == 0:
        raise ValueError("no examples (N = 0)")
    return y_true, y_pred


def labels_at_threshold(A) -> np.ndarray:
    """Class labels 0/1 of sigmoid outputs (probabilities of class 1): ``A >= 0.5``."""
    return (np.asarray(A) >= THRESHOLD).astype(int)


def accuracy(y_true, y_pred) -> float:
    """Fraction of labels predicted exactly: ``(1/N) sum_n [y_n == yhat_n]``."""
    y_true, y_pred = label_pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def output_pair(y_true, y_pred):
    y_true = np.atleast_2d(np.asarray(y_true, dtype=float))
    y_pred = np.atleast_2d(np.asarray(y_pred, dtype=float))
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in shape: {y_true.shape} vs {y_pred.shape}")
    return y_true, y_pred


def _safe_div(num, den):
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def r2_score(y_true, y_pred) -> float:
    """Coefficient of determination ``1 - SS_res / SS_tot`` per output (row of a
    ``(dL, N)`` array), averaged over outputs.  A constant target scores 1 when
    predicted exactly and 0 otherwise (scikit-learn's convention)."""
    y_true, y_pred = output_pair(y_true, y_pred)
    ss_res = ((y_true - y_pred) ** 2).sum(axis=1)
    ss_tot = ((y_true - y_true.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    return r2_from_sums(ss_res, ss_tot)


def r2_from_sums(ss_res, ss_tot) -> float:
    """``1 - SS_res / SS_tot`` per output from the two sums ``(dL,)``, averaged over
    outputs (the conventions of :func:`r2_score`, which computes the sums)."""
    ss_res, ss_tot = np.asarray(ss_res, dtype=float), np.asarray(ss_tot, dtype=float)
    r2 = np.where(ss_res > 0, 0.0, 1.0)
    np.subtract(1.0, _safe_div(ss_res, ss_tot), out=r2, where=ss_tot > 0)
    return float(r2.mean())
