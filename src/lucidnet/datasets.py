"""Toy data sets of the notebook (row-wise, as scikit-learn returns them).

``generate_toy_dataset`` returns ``X`` of shape ``(N, 2)`` and ``y`` of shape
``(N,)``, like scikit-learn; the core wants ``X.T`` (column-wise).
"""

from __future__ import annotations

import numpy as np

__all__ = ["generate_toy_dataset", "TOY_DATASETS"]

TOY_DATASETS = ("moons", "circles", "blobs")


def generate_toy_dataset(n_samples=1000, noise=0.2, dataset_type="moons", random_state=42):
    """Two-class 2-D toy data.

    Parameters
    ----------
    n_samples : int
        Number of points N (split evenly between the two classes).
    noise : float
        Standard deviation of the Gaussian noise (for ``"blobs"``, of each cluster).
    dataset_type : {"moons", "circles", "blobs"}
        Two half-moons; two concentric circles (inner radius factor 0.5); two
        Gaussian clusters.
    random_state : int
        Seed: the same seed gives the same points.

    Returns
    -------
    X : ndarray of shape (N, 2)
    y : ndarray of shape (N,), values 0 and 1

    Raises
    ------
    ValueError
        For an unknown ``dataset_type`` or invalid sizes.
    """
    from sklearn import datasets as skd  # heavy import, only when data is made

    if dataset_type not in TOY_DATASETS:
        raise ValueError(f"unknown dataset_type {dataset_type!r}; known: {', '.join(TOY_DATASETS)}")
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 2:
        raise ValueError(f"n_samples must be an integer >= 2, got {n_samples!r}")
    if not (isinstance(noise, (int, float)) and np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a non-negative number, got {noise!r}")
    if dataset_type == "moons":
        X, y = skd.make_moons(n_samples=n_samples, noise=noise, random_state=random_state)
    elif dataset_type == "circles":
        X, y = skd.make_circles(n_samples=n_samples, noise=noise, factor=0.5,
                                random_state=random_state)
    else:
        X, y = skd.make_blobs(n_samples=n_samples, centers=2, n_features=2,
                              cluster_std=noise, random_state=random_state)
    return X, y
