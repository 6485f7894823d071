"""Metrics for reports (the CLI, the estimators, the plots), computed by scikit-learn.

Thin wrappers over :mod:`sklearn.metrics` (imported when a function is called,
so ``import lucidnet`` stays light) that keep lucidnet's column-wise
conventions: labels are 1-D (one-hot ``(k, N)`` targets are argmaxed),
probabilities are ``(k, N)`` or, for two classes, the probability of class 1
as ``(N,)`` / ``(1, N)``, regression outputs are ``(dL, N)``.  Precision,
recall and F1 are ``"binary"`` (of ``pos_label``) or ``"macro"``; a ratio
with a zero denominator counts as 0.  ``mse`` has no 1/2 (the squared-error
*loss* does).

What the wrappers add to scikit-learn's functions: ``log_loss`` keeps its
``eps`` (probabilities are clipped to ``[eps, 1 - eps]`` first; scikit-learn's
has no ``eps``), and ``classification_report`` returns a dict of accuracy,
precision, recall and F1 (scikit-learn's returns text).  One-hot targets in
``log_loss`` are read as labels (soft targets are not supported).

``accuracy`` and ``r2_score`` are the core's own (NumPy, as the text writes
them): :mod:`lucidnet.core.metrics`.
"""

from __future__ import annotations

import numpy as np

from .core.metrics import accuracy, as_labels, label_pair, output_pair, r2_score

__all__ = ["accuracy", "confusion_matrix", "precision", "recall", "f1_score",
           "log_loss", "mse", "r2_score", "classification_report"]


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """``C[i, j]`` = number of examples of class ``labels[i]`` predicted as ``labels[j]``
    (``labels``: the sorted union of the labels seen, by default)."""
    from sklearn import metrics

    y_true, y_pred = label_pair(y_true, y_pred)
    labels = np.union1d(y_true, y_pred) if labels is None else np.asarray(labels)
    return metrics.confusion_matrix(y_true, y_pred, labels=labels).astype(np.int64)


def _scores(y_true, y_pred, average, pos_label):
    """``(precision, recall, F1)`` from scikit-learn, after lucidnet's checks."""
    from sklearn import metrics

    y_true, y_pred = label_pair(y_true, y_pred)
    if average not in ("binary", "macro"):
        raise ValueError(f"average must be 'binary' or 'macro', got {average!r}")
    seen = np.union1d(y_true, y_pred)
    if average == "binary" and seen.size > 2:
        raise ValueError(f"average='binary' needs two classes, found {seen.size}; "
                         "use average='macro'")
    p, r, f, _ = metrics.precision_recall_fscore_support(
        y_true, y_pred, average=average, pos_label=pos_label, zero_division=0)
    return float(p), float(r), float(f)


def precision(y_true, y_pred, average="binary", pos_label=1) -> float:
    """``TP / (TP + FP)`` of ``pos_label`` (binary) or averaged over classes (macro)."""
    return _scores(y_true, y_pred, average, pos_label)[0]


def recall(y_true, y_pred, average="binary", pos_label=1) -> float:
    """``TP / (TP + FN)`` of ``pos_label`` (binary) or averaged over classes (macro)."""
    return _scores(y_true, y_pred, average, pos_label)[1]


def f1_score(y_true, y_pred, average="binary", pos_label=1) -> float:
    """``F1 = 2 TP / (2 TP + FP + FN)`` per class, then averaged (macro)."""
    return _scores(y_true, y_pred, average, pos_label)[2]


def log_loss(y_true, y_prob, eps: float = 1e-15) -> float:
    """Mean cross-entropy ``-(1/N) sum_n log p_n(y_n)`` of predicted probabilities,
    clipped to ``[eps, 1 - eps]`` (a confident mistake costs a large finite amount)."""
    from sklearn import metrics

    P = np.asarray(y_prob, dtype=float)
    if P.ndim == 1 or (P.ndim == 2 and P.shape[0] == 1):     # P(class 1), binary
        p, y = P.reshape(-1), as_labels(y_true)
        if y.shape != p.shape:
            raise ValueError(f"y_true and y_prob differ in length: {y.size} vs {p.size}")
        return float(metrics.log_loss(y, np.clip(p, eps, 1 - eps), labels=[0, 1]))
    if P.ndim != 2:
        raise ValueError(f"y_prob must be (k, N) or (N,), got shape {P.shape}")
    k, N = P.shape
    labels = as_labels(y_true)
    if labels.size != N:
        hint = " (row-wise? pass y_prob.T)" if labels.size == k else ""
        raise ValueError(f"y_prob has {N} columns for {labels.size} labels{hint}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in [0, {k - 1}] for {k} probability rows")
    P = np.clip(P, eps, 1 - eps)
    P = P / P.sum(axis=0, keepdims=True)  # renormalised after clipping, as scikit-learn does
    return float(metrics.log_loss(labels, P.T, labels=np.arange(k)))  # sklearn: (N, k)


def mse(y_true, y_pred) -> float:
    """Mean squared error over all entries: ``(1/(dL N)) sum (yhat - y)**2`` (no 1/2)."""
    from sklearn import metrics

    y_true, y_pred = output_pair(y_true, y_pred)
    return float(metrics.mean_squared_error(y_true.T, y_pred.T))  # sklearn: (N, dL)


def classification_report(y_true, y_pred) -> dict:
    """Accuracy and macro precision/recall/F1 (binary ones for two classes 0/1) as a dict."""
    y_true, y_pred = label_pair(y_true, y_pred)
    seen = np.union1d(y_true, y_pred)
    average = "binary" if set(seen.tolist()) <= {0, 1} else "macro"
    p, r, f = _scores(y_true, y_pred, average, 1)
    return {"accuracy": accuracy(y_true, y_pred), "precision": p, "recall": r, "f1": f}
