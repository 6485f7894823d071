"""Real data: scikit-learn's bundled data sets and CSV files, split and standardized.

Everything here is row-wise, as the ecosystem keeps it (``X`` is
``(n_samples, n_features)``); the core wants ``X.T``.

Standardization uses statistics of the training part only (the test part
must not leak into them)::

    X_std = (X - mean) / scale,   scale = standard deviation (1 where it is 0)

The statistics, the feature names and the class labels go into
:meth:`Dataset.preprocessing`, a JSON-able dict that ``lucidnet train`` stores
as ``net.preprocessing`` in the model file, so that :func:`apply_preprocessing`
and :func:`decode_labels` can repeat them at prediction time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..training.validation import split_indices

__all__ = ["REAL_DATASETS", "Dataset", "load_dataset", "read_csv", "load_csv",
           "fit_standardizer", "apply_preprocessing", "decode_labels",
           "fit_target_standardizer", "standardize_target", "encode_target"]

REAL_DATASETS = ("iris", "wine", "breast_cancer", "digits")
_MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}
# A numeric target with at most this many distinct integer values is taken as
# class labels when the task is "auto".
MAX_AUTO_CLASSES = 20


@dataclass
class Dataset:
    """A train/test split, row-wise, with what is needed to repeat its preprocessing.

    ``class_labels[i]`` is the original label of class ``i`` (``None`` for a
    regression); ``standardization`` is ``{"mean": [...], "scale": [...]}`` or ``None``.
    ``X_test``/``y_test`` are ``None`` when no test part was held out.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    feature_names: list
    class_labels: list | None = None
    target: str | None = None
    standardization: dict | None = None
    extra: dict = field(default_factory=dict)

    @property
    def is_classification(self) -> bool:
        return self.class_labels is not None

    @property
    def n_classes(self) -> int:
        return len(self.class_labels) if self.class_labels is not None else 0

    def preprocessing(self) -> dict:
        """What prediction must repeat, as stored in the model file's manifest."""
        out = {"source": self.name, "feature_names": list(self.feature_names)}
        if self.target is not None:
            out["target"] = self.target
        if self.standardization is not None:
            out["standardize"] = self.standardization
        # the identity mapping 0 .. k-1 needs no storing
        if self.class_labels is not None and self.class_labels != list(range(self.n_classes)):
            out["class_labels"] = list(self.class_labels)
        return out


def fit_standardizer(X) -> dict:
    """Column means and standard deviations of ``X`` ``(N, d)`` (1 where a column is constant)."""
    X = np.asarray(X, dtype=float)
    # Statistics of X / m times m, with m each column's largest magnitude: the
    # squares inside std would overflow for values beyond about 1e154.
    m = np.abs(X).max(axis=0)
    m[~(m > 0)] = 1.0
    mean = (X / m).mean(axis=0) * m
    scale = (X / m).std(axis=0) * m
    scale[scale < 1e-12] = 1.0  # a constant feature stays 0 instead of dividing by 0
    return {"mean": mean.tolist(), "scale": scale.tolist()}


def fit_target_standardizer(y) -> dict:
    """Mean and standard deviation of regression targets ``y`` ``(N,)`` or ``(N, k)``:
    ``preprocessing["target_standardize"]`` of a network trained on ``(y - mean) / scale``."""
    y = np.asarray(y, dtype=float)
    return fit_standardizer(y.reshape(len(y), -1))


def standardize_target(preprocessing: dict, y) -> np.ndarray:
    """``(y - mean) / scale`` with the stored target statistics (``y`` itself without)."""
    stats = (preprocessing or {}).get("target_standardize")
    y = np.asarray(y, dtype=float)
    if not stats:
        return y
    return _standardize(y.reshape(len(y), -1), stats).reshape(y.shape)


def _standardize(X, stats):
    with np.errstate(over="raise", invalid="raise"):  # 1.7e308 - (-1e308) overflows
        try:
            return (np.asarray(X, dtype=float) - np.asarray(stats["mean"])) \
                / np.asarray(stats["scale"])
        except FloatingPointError:
            raise ValueError("X is too large in magnitude to standardize in float64 "
                             "(x - mean overflows)") from None


def apply_preprocessing(preprocessing: dict, X) -> np.ndarray:
    """Repeat the stored standardization on new rows ``X`` ``(N, d)`` (no-op without one)."""
    X = np.asarray(X, dtype=float)
    stats = (preprocessing or {}).get("standardize")
    if not stats:
        return X
    if X.ndim != 2 or X.shape[1] != len(stats["mean"]):
        raise ValueError(f"expected rows of {len(stats['mean'])} features, got shape {X.shape}")
    return _standardize(X, stats)


def decode_labels(preprocessing: dict, labels) -> list:
    """Class indices back to the original labels (the indices themselves without a mapping)."""
    classes = (preprocessing or {}).get("class_labels")
    labels = np.asarray(labels).reshape(-1).astype(int)
    return [classes[i] for i in labels] if classes else labels.tolist()


def _split_and_scale(name, X, y, classification, test_size, random_state, standardize,
                     **meta) -> Dataset:
    rng = np.random.default_rng(random_state)
    if test_size:
        kept, held = split_indices(len(y), test_size, rng, y if classification else None,
                                   what="test")
        X_train, y_train, X_test, y_test = X[kept], y[kept], X[held], y[held]
    else:
        order = rng.permutation(len(y))
        X_train, y_train, X_test, y_test = X[order], y[order], None, None
    stats = None
    if standardize:
        stats = fit_standardizer(X_train)
        X_train = _standardize(X_train, stats)
        X_test = None if X_test is None else _standardize(X_test, stats)
    return Dataset(name, X_train, y_train, X_test, y_test, standardization=stats, **meta)


def load_dataset(name: str, test_size: float = 0.2, random_state: int = 0,
                 standardize: bool = True) -> Dataset:
    """One of scikit-learn's bundled classification data sets, split and standardized.

    Parameters
    ----------
    name : {"iris", "wine", "breast_cancer", "digits"}
    test_size : float in [0, 1)
        Share held out for testing (stratified by class); 0 keeps everything
        for training.
    random_state : int
        Seed of the split.
    standardize : bool
        Standardize the features with the training part's statistics.

    Returns
    -------
    Dataset
        Integer labels ``0 .. k-1`` (``class_labels`` holds the class names).

    Example
    -------
    >>> ds = load_dataset("iris")
    >>> ds.X_train.shape, ds.X_test.shape, ds.class_labels
    ((120, 4), (30, 4), ['setosa', 'versicolor', 'virginica'])
    """
    if name not in REAL_DATASETS:
        raise ValueError(f"unknown data set {name!r}; known: {', '.join(REAL_DATASETS)}")
    from sklearn import datasets as skd  # heavy import, only when data is loaded

    bunch = getattr(skd, f"load_{name}")()
    X, y = np.asarray(bunch.data, dtype=float), np.asarray(bunch.target, dtype=int)
    names = [str(f) for f in getattr(bunch, "feature_names", [])] or \
        [f"x{i}" for i in range(1, X.shape[1] + 1)]
    classes = [str(c) for c in bunch.target_names]
    return _split_and_scale(name, X, y, True, test_size, random_state, standardize,
                            feature_names=names, class_labels=classes)


def _number_label(value: float):
    return int(value) if float(value).is_integer() else value


def read_csv(path, target: str, task: str = "auto", delimiter: str = ",", *,
             data: bytes | None = None):
    """Read a CSV file with a header row; return ``(X, y, feature_names, class_labels)``.

    Every column but ``target`` is a numeric feature.  For classification the
    target's values (text or numbers) are mapped to ``0 .. k-1`` in sorted
    order and ``class_labels`` keeps the mapping; for regression it must be
    numeric and ``class_labels`` is ``None``.  The file is read by
    :func:`lucidnet.data.csvfile.read_table` (encoding, header and delimiter rules
    shared by every command).

    Parameters
    ----------
    path : str or Path
    target : str
        Name of the target column (as in the header).
    task : {"auto", "classification", "regression"}
        ``"auto"``: classification if the target is not numeric, or holds at
        most ``MAX_AUTO_CLASSES`` distinct integers; regression otherwise.
    data : bytes, optional
        The file's bytes already in memory (``path`` then only names it).

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        No header row; no such target column; repeated column names; a missing,
        non-numeric or non-finite value (the message names the line and the
        column); ragged rows; bytes that are not UTF-8; too few rows.
    """
    from .csvfile import read_table

    if task not in ("auto", "classification", "regression"):
        raise ValueError(f"task must be 'auto', 'classification' or 'regression', got {task!r}")
    table = read_table(path, header=True, delimiter=delimiter, min_rows=2, data=data)
    t = table.index(target, "target column")
    features = [j for j in range(table.n_columns) if j != t]
    if not features:
        raise ValueError(f"{table.path}: no feature columns besides the target {target!r}")
    X = table.numbers(features)                                  # (N, d0)
    raw_y = table.cells(t)
    for (line, _), cell in zip(table.rows, raw_y):
        if cell.lower() in _MISSING:
            raise ValueError(f"{table.path}: line {line}, column {target!r}: missing target "
                             f"value ({cell!r})")
        if task == "regression" and not _parses(cell):
            raise ValueError(f"{table.path}: line {line}, column {target!r}: regression "
                             f"needs numeric targets, found {cell!r}")
    if task == "regression" or (task == "auto" and all(map(_parses, raw_y))):
        table.numbers([t])  # refuses an infinite target, naming its line
    y, classes = _encode_target(raw_y, task, table.path, target)
    return X, y, [table.header[j] for j in features], classes


def _encode_target(raw, task, path, target):
    """Target texts -> (y, class_labels); class_labels None for regression."""
    try:
        numbers = np.array([float(v) for v in raw])
        numeric = bool(np.isfinite(numbers).all())
    except ValueError:
        numbers, numeric = None, False
    if task == "regression":
        if not numeric:
            bad = next(v for v in raw if not _is_number(v))
            raise ValueError(f"{path}: column {target!r}: regression needs numeric targets, "
                             f"found {bad!r}")
        return numbers, None
    if numeric:
        integral = bool(np.all(numbers == np.round(numbers)))
        distinct = np.unique(numbers)
        if task == "auto" and not (integral and distinct.size <= MAX_AUTO_CLASSES):
            return numbers, None
        classes = [_number_label(v) for v in distinct]
        return np.searchsorted(distinct, numbers).astype(int), classes
    classes = sorted(set(raw))
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index[v] for v in raw], dtype=int), classes


def encode_target(values, task: str = "auto"):
    """Target values (numbers or texts) -> ``(y, class_labels)`` by :func:`read_csv`'s rule:
    classes ``0 .. k-1`` in sorted order (``class_labels`` keeps them), or numbers for a
    regression (``class_labels`` is ``None``)."""
    return _encode_target(list(values), task, "y", "y")


def _parses(text) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_number(text) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def load_csv(path, target: str, test_size: float = 0.2, random_state: int = 0,
             standardize: bool = True, task: str = "auto") -> Dataset:
    """:func:`read_csv`, then a (stratified, for classification) train/test split and
    standardization with the training part's statistics; see :func:`load_dataset`."""
    X, y, names, classes = read_csv(path, target, task)
    if classes is not None and len(classes) < 2:
        raise ValueError(f"{path}: column {target!r} has a single class {classes[0]!r}")
    return _split_and_scale(Path(path).name, X, y, classes is not None, test_size,
                            random_state, standardize, feature_names=names,
                            class_labels=classes, target=target)
