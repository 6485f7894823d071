"""Toy data sets (row-wise, as scikit-learn returns them).

``generate_toy_dataset`` returns ``X`` of shape ``(N, 2)`` and ``y`` of shape
``(N,)``, like scikit-learn; the core wants ``X.T`` (column-wise).  The
notebook's three (moons, circles, blobs) come from scikit-learn's generators;
XOR and the k-arm spirals, the classic problems no straight line can solve,
are drawn here from a seeded ``numpy.random.Generator``.

Real data sets and CSV files are in :mod:`lucidnet.data`.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_int, check_positive_number

__all__ = ["generate_toy_dataset", "TOY_DATASETS", "WITH_N_CLASSES"]

TOY_DATASETS = ("moons", "circles", "blobs", "xor", "spirals")
# The ones whose number of classes is a parameter; the others have exactly two.
WITH_N_CLASSES = ("blobs", "spirals")


def _xor(n_samples, noise, rng):
    """Four Gaussian clouds at the corners (+-1, +-1); class 1 where exactly one
    coordinate is positive (the XOR of the two signs)."""
    corner = np.arange(n_samples) % 4                       # balanced over the corners
    signs = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    X = signs[corner] + noise * rng.standard_normal((n_samples, 2))
    y = (corner >= 2).astype(int)
    return X, y


def _spirals(n_samples, noise, n_classes, rng):
    """``k`` interleaved spiral arms, one class each.

    Arm ``j`` at parameter ``t`` in [0, 1]: radius ``t``, angle
    ``2 pi j / k + 2 pi t`` (one full turn) plus Gaussian noise of standard
    deviation ``noise`` on the angle (radians), as in the CS231n spirals.
    """
    y = np.arange(n_samples) % n_classes
    counts = np.bincount(y, minlength=n_classes)
    t = np.empty(n_samples)
    for j in range(n_classes):
        t[y == j] = np.linspace(0.0, 1.0, counts[j]) if counts[j] > 1 else 1.0
    angle = 2 * np.pi * (y / n_classes + t) + noise * rng.standard_normal(n_samples)
    X = np.column_stack([t * np.cos(angle), t * np.sin(angle)])
    return X, y


def generate_toy_dataset(n_samples=1000, noise=0.2, dataset_type="moons", random_state=42, *,
                         n_classes=None):
    """2-D toy data for classification.

    Parameters
    ----------
    n_samples : int
        Number of points N (split evenly between the classes).
    noise : float
        Standard deviation of the Gaussian noise: on the coordinates (moons,
        circles, xor), of each cluster (blobs), on the angle in radians (spirals).
    dataset_type : {"moons", "circles", "blobs", "xor", "spirals"}
        Two half-moons; two concentric circles (inner radius factor 0.5);
        Gaussian clusters; XOR (four clouds at the corners of a square, the
        opposite corners in the same class); interleaved spiral arms.
    random_state : int
        Seed: the same seed gives the same points.
    n_classes : int, optional
        Number of classes for ``"blobs"`` (clusters) and ``"spirals"`` (arms);
        default 2.  The other types have exactly two.

    Returns
    -------
    X : ndarray of shape (N, 2)
    y : ndarray of shape (N,), integer labels 0 .. n_classes - 1

    Raises
    ------
    ValueError
        For an unknown ``dataset_type`` or invalid sizes.

    Example
    -------
    >>> X, y = generate_toy_dataset(300, dataset_type="spirals", n_classes=3)
    >>> X.shape, sorted(set(y))
    ((300, 2), [0, 1, 2])
    """
    if dataset_type not in TOY_DATASETS:
        raise ValueError(f"unknown dataset_type {dataset_type!r}; known: {', '.join(TOY_DATASETS)}")
    check_int("n_samples", n_samples, 2)
    check_positive_number("noise", noise, allow_zero=True)
    if n_classes is None:
        n_classes = 2
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) \
            or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    if dataset_type not in WITH_N_CLASSES and n_classes != 2:
        raise ValueError(f"{dataset_type!r} has exactly 2 classes, got n_classes={n_classes}")
    if n_samples < n_classes:
        raise ValueError(f"n_samples ({n_samples}) must be at least n_classes ({n_classes})")
    if dataset_type == "xor":
        return _xor(n_samples, noise, np.random.default_rng(random_state))
    if dataset_type == "spirals":
        return _spirals(n_samples, noise, n_classes, np.random.default_rng(random_state))

    from sklearn import datasets as skd  # heavy import, only when data is made

    if dataset_type == "moons":
        X, y = skd.make_moons(n_samples=n_samples, noise=noise, random_state=random_state)
    elif dataset_type == "circles":
        X, y = skd.make_circles(n_samples=n_samples, noise=noise, factor=0.5,
                                random_state=random_state)
    else:
        X, y = skd.make_blobs(n_samples=n_samples, centers=n_classes, n_features=2,
                              cluster_std=noise, random_state=random_state)
    return X, y
