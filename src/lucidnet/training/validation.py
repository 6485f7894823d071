"""Held-out data: shuffled, stratified splits and the validation set of ``fit``.

A split draws its permutation from a Generator the caller gives (``net.rng``
for ``fit(validation_split=...)``), so the same seed gives the same split.
For classification it is stratified: each class keeps (as nearly as
integers allow) the same share in both parts.
"""

from __future__ import annotations

import numpy as np

__all__ = ["split_indices", "class_labels", "prepare_validation"]


def _check_fraction(fraction, what) -> float:
    ok = isinstance(fraction, (int, float, np.floating)) and not isinstance(fraction, bool) \
        and 0.0 < fraction < 1.0
    if not ok:
        raise ValueError(f"the {what} fraction must be a number in (0, 1), got {fraction!r}")
    return float(fraction)


def split_indices(N: int, fraction: float, rng: np.random.Generator, labels=None,
                  what: str = "validation"):
    """Shuffle ``range(N)`` and hold out a ``fraction`` of it.

    Parameters
    ----------
    N : int
        Number of examples.
    fraction : float in (0, 1)
        Share held out; ``round(fraction * N)`` examples in all.
    rng : numpy.random.Generator
        Source of the permutation.
    labels : array of shape (N,), optional
        Class labels: the split is then stratified (every class gets at least
        one example on each side, and its share as nearly as integers allow).
    what : str
        Name of the held-out part, for error messages.

    Returns
    -------
    kept, held : ndarray of int
        Sorted column indices of the two parts.

    Raises
    ------
    ValueError
        If a part would be empty, or (stratified) a class has fewer than 2 examples.
    """
    fraction = _check_fraction(fraction, what)
    n_held = int(round(fraction * N))
    if labels is None:
        if not 1 <= n_held <= N - 1:
            raise ValueError(f"a {what} fraction of {fraction:g} of {N} examples leaves "
                             f"{n_held} {what} and {N - n_held} training examples; both "
                             "need at least one")
        order = rng.permutation(N)
        return np.sort(order[n_held:]), np.sort(order[:n_held])

    labels = np.asarray(labels).reshape(-1)
    if labels.size != N:
        raise ValueError(f"{labels.size} labels for {N} examples")
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    for c, count in zip(classes.tolist(), counts.tolist()):
        if count < 2:
            raise ValueError(f"class {c!r} has only {count} example; a stratified {what} "
                             "split needs at least 2 examples of every class")
    # Largest-remainder rounding: per-class shares that add up to n_held.
    share = fraction * counts
    per_class = np.floor(share).astype(int)
    extra = n_held - per_class.sum()
    if extra > 0:
        per_class[np.argsort(-(share - per_class), kind="stable")[:extra]] += 1
    per_class = np.clip(per_class, 1, counts - 1)
    kept, held = [], []
    for k in range(classes.size):
        members = rng.permutation(np.flatnonzero(inverse == k))
        held.append(members[:per_class[k]])
        kept.append(members[per_class[k]:])
    return np.sort(np.concatenate(kept)), np.sort(np.concatenate(held))


def class_labels(net, Y) -> np.ndarray | None:
    """Labels to stratify on: argmax of a softmax target, the 0/1 of a single
    sigmoid output; ``None`` for regression or several sigmoid outputs."""
    name = net.output_layer.activation.name
    if name == "softmax":
        return Y.argmax(axis=0)
    if name == "sigmoid" and Y.shape[0] == 1 and np.isin(Y, (0.0, 1.0)).all():
        return Y[0].astype(np.intp)
    return None


def prepare_validation(net, X, Y, validation_split=None, validation_data=None):
    """Return ``(X, Y, Xv, Yv)``: the training columns and the validation set (or ``None``s).

    ``X`` and ``Y`` are already checked (column-wise, the network's dtype).
    ``validation_data = (Xv, yv)`` is column-wise like ``X`` and ``y``.
    """
    if validation_split is not None and validation_data is not None:
        raise ValueError("give validation_split or validation_data, not both")
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise ValueError("validation_data must be a pair (X_val, y_val), column-wise")
        Xv = net.check_inputs(validation_data[0])
        Yv = net.check_targets(validation_data[1], Xv.shape[1])
        if not (np.isfinite(Xv).all() and np.isfinite(Yv).all()):
            raise ValueError("validation_data must be finite (found NaN or infinity)")
        return X, Y, Xv, Yv
    if validation_split is None or validation_split == 0:
        return X, Y, None, None
    kept, held = split_indices(X.shape[1], validation_split, net.rng, class_labels(net, Y))
    return X[:, kept], Y[:, kept], X[:, held], Y[:, held]
