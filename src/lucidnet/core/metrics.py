"""Metrics on labels, probabilities and outputs (NumPy only).

Conventions, column-wise like the core:

- class labels are 1-D integer arrays of length N (one-hot targets ``(k, N)``
  are turned into labels by their argmax);
- probabilities are ``(k, N)`` for k classes, or ``(N,)`` / ``(1, N)`` holding
  the probability of class 1 for a binary problem;
- regression outputs are ``(dL, N)`` (a 1-D array is one output).

``mse`` is the plain mean of squared errors, without the 1/2 that the
squared-error *loss* carries.  Precision, recall and F1 are ``"binary"`` (of
the class ``pos_label``) or ``"macro"`` (the unweighted mean over classes);
a ratio whose denominator is zero counts as 0, as in scikit-learn.
"""

from __future__ import annotations

import numpy as np

__all__ = ["accuracy", "confusion_matrix", "precision", "recall", "f1_score",
           "log_loss", "mse", "r2_score", "classification_report"]


def _labels(y) -> np.ndarray:
    """1-D labels from labels or one-hot ``(k, N)``."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[0] > 1:
        return y.argmax(axis=0)
    return y.reshape(-1)


def _pair(y_true, y_pred):
    y_true, y_pred = _labels(y_true), _labels(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in length: {y_true.size} vs {y_pred.size}")
    if y_true.size == 0:
        raise ValueError("no examples (N = 0)")
    return y_true, y_pred


def accuracy(y_true, y_pred) -> float:
    """Fraction of labels predicted exactly: ``(1/N) sum_n [y_n == yhat_n]``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """``C[i, j]`` = number of examples of class ``labels[i]`` predicted as ``labels[j]``.

    ``labels`` defaults to the sorted union of the labels seen (as scikit-learn).
    """
    y_true, y_pred = _pair(y_true, y_pred)
    labels = np.union1d(y_true, y_pred) if labels is None else np.asarray(labels)
    index = {label: i for i, label in enumerate(labels.tolist())}
    C = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        if t in index and p in index:
            C[index[t], index[p]] += 1
    return C


def _safe_div(num, den):
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def _per_class(y_true, y_pred, average, pos_label):
    """True positives, predicted positives and actual positives per class considered."""
    y_true, y_pred = _pair(y_true, y_pred)
    if average == "binary":
        labels = np.array([pos_label])
    elif average == "macro":
        labels = np.union1d(y_true, y_pred)
    else:
        raise ValueError(f"average must be 'binary' or 'macro', got {average!r}")
    if average == "binary":
        seen = np.union1d(y_true, y_pred)
        if seen.size > 2:
            raise ValueError(f"average='binary' needs two classes, found {seen.size}; "
                             "use average='macro'")
    tp = np.array([np.sum((y_true == c) & (y_pred == c)) for c in labels], dtype=float)
    predicted = np.array([np.sum(y_pred == c) for c in labels], dtype=float)
    actual = np.array([np.sum(y_true == c) for c in labels], dtype=float)
    return tp, predicted, actual


def precision(y_true, y_pred, average="binary", pos_label=1) -> float:
    """``TP / (TP + FP)`` of ``pos_label`` (binary) or averaged over classes (macro)."""
    tp, predicted, _ = _per_class(y_true, y_pred, average, pos_label)
    return float(_safe_div(tp, predicted).mean())


def recall(y_true, y_pred, average="binary", pos_label=1) -> float:
    """``TP / (TP + FN)`` of ``pos_label`` (binary) or averaged over classes (macro)."""
    tp, _, actual = _per_class(y_true, y_pred, average, pos_label)
    return float(_safe_div(tp, actual).mean())


def f1_score(y_true, y_pred, average="binary", pos_label=1) -> float:
    """``F1 = 2 P R / (P + R) = 2 TP / (2 TP + FP + FN)`` per class, then averaged (macro)."""
    tp, predicted, actual = _per_class(y_true, y_pred, average, pos_label)
    return float(_safe_div(2 * tp, predicted + actual).mean())


def log_loss(y_true, y_prob, eps: float = 1e-15) -> float:
    """Mean cross-entropy ``-(1/N) sum_n sum_k y_nk log p_nk`` of predicted probabilities.

    Binary (``y_prob`` of shape ``(N,)`` or ``(1, N)``, the probability of
    class 1): ``-(1/N) sum_n (y log p + (1 - y) log(1 - p))``.  Probabilities
    are clipped to ``[eps, 1 - eps]`` so that a confident mistake costs a
    large finite amount.  ``y_true`` holds integer labels (or one-hot ``(k, N)``).
    """
    P = np.asarray(y_prob, dtype=float)
    y = np.asarray(y_true)
    if P.ndim == 1 or (P.ndim == 2 and P.shape[0] == 1):
        p = np.clip(P.reshape(-1), eps, 1 - eps)
        y = _labels(y).astype(float)
        if y.shape != p.shape:
            raise ValueError(f"y_true and y_prob differ in length: {y.size} vs {p.size}")
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))
    if P.ndim != 2:
        raise ValueError(f"y_prob must be (k, N) or (N,), got shape {P.shape}")
    k, N = P.shape
    if y.ndim == 2 and y.shape == P.shape:
        Y = y.astype(float)
    else:
        labels = y.reshape(-1)
        if labels.size != N:
            hint = " (row-wise? pass y_prob.T)" if labels.size == k else ""
            raise ValueError(f"y_prob has {N} columns for {labels.size} labels{hint}")
        if labels.min() < 0 or labels.max() >= k:
            raise ValueError(f"labels must lie in [0, {k - 1}] for {k} probability rows")
        Y = np.zeros((k, N))
        Y[labels.astype(np.intp), np.arange(N)] = 1.0
    # NOTE: clip and renormalise each column, as scikit-learn does.
    P = np.clip(P, eps, 1 - eps)
    P = P / P.sum(axis=0, keepdims=True)
    return float(-(Y * np.log(P)).sum() / N)


def _outputs(y_true, y_pred):
    y_true = np.atleast_2d(np.asarray(y_true, dtype=float))
    y_pred = np.atleast_2d(np.asarray(y_pred, dtype=float))
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in shape: {y_true.shape} vs {y_pred.shape}")
    return y_true, y_pred


def mse(y_true, y_pred) -> float:
    """Mean squared error over all entries: ``(1/(dL N)) sum (yhat - y)**2`` (no 1/2)."""
    y_true, y_pred = _outputs(y_true, y_pred)
    d = y_pred - y_true
    return float(np.mean(d * d))


def r2_score(y_true, y_pred) -> float:
    """Coefficient of determination ``1 - SS_res / SS_tot`` per output (row of a
    ``(dL, N)`` array), averaged over outputs.  A constant target scores 1 when
    predicted exactly and 0 otherwise (scikit-learn's convention)."""
    y_true, y_pred = _outputs(y_true, y_pred)
    ss_res = ((y_true - y_pred) ** 2).sum(axis=1)
    ss_tot = ((y_true - y_true.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    r2 = np.where(ss_res > 0, 0.0, 1.0)
    np.subtract(1.0, _safe_div(ss_res, ss_tot), out=r2, where=ss_tot > 0)
    return float(r2.mean())


def classification_report(y_true, y_pred) -> dict:
    """Accuracy and macro precision/recall/F1 (binary ones for two classes) as a dict."""
    y_true, y_pred = _pair(y_true, y_pred)
    two = np.union1d(y_true, y_pred).size <= 2 and set(np.union1d(y_true, y_pred)) <= {0, 1}
    average = "binary" if two else "macro"
    return {"accuracy": accuracy(y_true, y_pred),
            "precision": precision(y_true, y_pred, average),
            "recall": recall(y_true, y_pred, average),
            "f1": f1_score(y_true, y_pred, average)}
