"""Input checks shared by every public entry (network, estimators, CLI).

(Held-out validation *data* lives in :mod:`lucidnet.training.validation`; this module
checks that inputs are usable at all.)

One function per kind of bad input, so that the network, the scikit-learn
estimators and the command line say the same thing in the same words:

==========================  =================================================
what is wrong               message (a ``ValueError``)
==========================  =================================================
not numbers                 ``X must be numeric, got strings (dtype <U3)``
complex numbers             ``X must be real, got complex values``
NaN or infinity             ``X contains NaN at row 3, column 1``
wrong shape / feature count ``X has 3 features but the network expects 2``
no data                     ``X is empty (no examples)``
too few examples / classes  ``a classifier needs at least 2 classes in y, got one class (0)``
labels vs output layer      ``class labels must be integers in [0, 2] ...``
hyperparameters             ``epochs must be a positive integer, got 0``
==========================  =================================================

Nothing here modifies its input: arrays are converted with ``np.asarray``
(a copy only when the dtype changes) and only read.

Positions are reported in the layout the caller sees: ``layout="rows"`` for
the row-wise boundary (scikit-learn, CLI: row = example, column = feature),
``layout="columns"`` for the column-wise core (``X`` is ``(d0, N)``), where a
position reads ``feature 1, example 3`` (``layout="targets"``: ``output 0,
example 3`` for ``Y``).  Indices count from 0.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_numeric_array",
    "check_finite",
    "check_fits",
    "without_overflow",
    "first_nonfinite",
    "check_int",
    "check_positive_number",
    "check_number",
    "check_choice",
    "check_class_labels",
    "check_probability_targets",
    "check_min_examples",
    "check_two_classes",
]

_KIND_NAMES = {"U": "strings", "S": "bytes", "O": "Python objects", "M": "dates",
               "m": "time deltas", "V": "raw records"}


def _py(value):
    """A NumPy scalar as the plain Python number it holds (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


# ---------------------------------------------------------------- arrays
def as_numeric_array(a, name: str = "X") -> np.ndarray:
    """``np.asarray(a)`` if it holds real numbers (bool, int or float), else ``ValueError``.

    An object array whose entries are all real numbers (a list mixing ints and
    NumPy scalars, say) is converted to float; anything else with strings,
    ``None`` or complex values is refused.
    """
    try:
        arr = np.asarray(a)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers ({exc})") from None
    kind = arr.dtype.kind
    if kind == "c":
        raise ValueError(f"{name} must be real, got complex values")
    if kind == "O":
        bad_at = [i for i, v in enumerate(arr.flat) if not isinstance(v, numbers.Real)][:1]
        if bad_at:
            bad = arr.flat[bad_at[0]]
            kind_name = "complex values" if isinstance(bad, numbers.Complex) else \
                f"a {type(bad).__name__} ({bad!r:.40})"
            raise ValueError(f"{name} must be numeric, got {kind_name}")
        try:
            return arr.astype(np.float64)
        except OverflowError:  # a Python int such as 10**400
            at = next(i for i, v in enumerate(arr.flat) if not _fits_float(v))
            digits = len(str(abs(int(arr.flat[at]))))
            raise ValueError(f"{name} holds an integer of {digits} digits (at flat position "
                             f"{at}), beyond the float64 range (about 1.8e308)") from None
    if kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got {_KIND_NAMES.get(kind, kind)} "
                         f"(dtype {arr.dtype})")
    return arr


def _fits_float(value) -> bool:
    try:
        float(value)
    except OverflowError:
        return False
    return True


def first_nonfinite(a: np.ndarray) -> tuple[int, ...] | None:
    """Index of the first NaN or infinity in ``a`` (C order), or ``None``.

    The common case (all finite) costs one sum: a sum of finite values can
    only be non-finite by overflow, and then the element-wise test decides.
    """
    if a.dtype.kind not in "fc":
        return None  # integers and booleans are always finite
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(a.sum()):
            return None
    bad = np.argwhere(~np.isfinite(a))
    return tuple(int(i) for i in bad[0]) if len(bad) else None


def _describe_position(index, layout: str) -> str:
    if len(index) == 1:
        return f"position {index[0]}"
    if len(index) != 2:
        return f"index {index}"
    i, j = index
    if layout == "columns":
        return f"feature {i}, example {j}"
    if layout == "targets":
        return f"output {i}, example {j}"
    return f"row {i}, column {j}"


def check_finite(a: np.ndarray, name: str = "X", layout: str = "rows") -> np.ndarray:
    """Raise ``ValueError`` naming the first NaN or infinity of ``a`` and where it is."""
    # Column-wise data is searched example by example, so "first" means the
    # first example with a bad value, as it would for row-wise data.
    by_example = layout in ("columns", "targets") and a.ndim == 2
    index = first_nonfinite(a.T if by_example else a)
    if index is not None:
        index = index[::-1] if by_example else index
        value = a[index]
        what = "NaN" if np.isnan(value) else ("infinity" if value > 0 else "-infinity")
        raise ValueError(f"{name} contains {what} at {_describe_position(index, layout)}"
                         " (remove or impute missing values first)")
    return a


def check_fits(a: np.ndarray, dtype, name: str = "X", layout: str = "rows") -> np.ndarray:
    """Raise ``ValueError`` (before any cast) if a value of ``a`` is beyond ``dtype``'s range.

    A float64 1e300 cast to a float32 network, or ``np.longdouble('1e400')``
    cast to float64, would become infinity (with a RuntimeWarning).  ``a`` must
    already be finite (:func:`check_finite`).
    """
    dtype = np.dtype(dtype)
    if a.dtype.kind != "f" or a.dtype.itemsize <= dtype.itemsize or a.size == 0:
        return a
    limit = np.finfo(dtype).max
    magnitude = np.abs(a)
    if magnitude.max() <= limit:
        return a
    index = tuple(int(i) for i in np.argwhere(magnitude > limit)[0])
    where = _describe_position(index, layout)
    wider = " (or use a float64 network)" if dtype == np.float32 else ""
    raise ValueError(f"{name} holds {str(a[index])[:30]} at {where}, beyond the {dtype} range "
                     f"(largest {limit:.3g}) of the network: rescale it{wider}")


def without_overflow(compute, what: str, dtype):
    """``compute()`` with overflow turned into a ``ValueError`` that says so.

    Inputs of finite but huge magnitude (1.7e308) overflow ``W A + b``; that is a
    property of the input, reported as such instead of a RuntimeWarning and a
    silent infinity.
    """
    with np.errstate(over="raise", invalid="raise"):
        try:
            return compute()
        except FloatingPointError:
            raise ValueError(f"{what} is too large in magnitude for the forward pass in "
                             f"{np.dtype(dtype)} (it overflows); standardize or rescale "
                             "the inputs") from None


# ---------------------------------------------------------------- hyperparameters
def check_int(name: str, value, minimum: int = 1) -> int:
    """An integer ``>= minimum`` (``bool`` is refused); returns it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        bound = {1: "a positive integer", 0: "a non-negative integer"}.get(
            minimum, f"an integer >= {minimum}")
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return int(value)


def check_positive_number(name: str, value, *, allow_zero: bool = False) -> float:
    """A finite real number ``> 0`` (or ``>= 0`` with ``allow_zero``)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) \
        and np.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {bound} finite number, got {value!r}")
    return float(value)


def check_number(name, value, low, high=None, *, integer=False, low_open=False, high_open=False):
    """A finite real number in the range given (an integer with ``integer=True``;
    ``bool`` is refused); ``ValueError`` names it and the allowed range."""
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    ok = isinstance(value, kinds) and not isinstance(value, bool) and np.isfinite(value)
    ok = ok and (value > low if low_open else value >= low)
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        interval = ("(" if low_open else "[") + f"{low}, " + (
            "inf)" if high is None else f"{high}" + (")" if high_open else "]"))
        what = "an integer" if integer else "a number"
        raise ValueError(f"{name} must be {what} in {interval}, got {value!r}")
    return int(value) if integer else float(value)


def check_choice(name: str, value, known) -> str:
    """``value`` must be one of ``known`` (a registry dict or a sequence of names)."""
    if not isinstance(value, str) or value not in known:
        raise ValueError(f"unknown {name} {value!r}; known: {', '.join(sorted(known))}")
    return value


# ---------------------------------------------------------------- targets
def check_class_labels(labels: np.ndarray, n_classes: int, name: str = "y") -> np.ndarray:
    """Integer labels in ``[0, n_classes - 1]`` (floats equal to integers are accepted)."""
    labels = np.asarray(labels).reshape(-1)
    if labels.dtype.kind == "f":
        check_finite(labels, name)
        if np.any(labels != np.round(labels)):
            i = int(np.argmax(labels != np.round(labels)))
            raise ValueError(f"class labels must be integers, "
                             f"but {name}[{i}] is {_py(labels[i])!r}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        i = int(np.argmax((labels < 0) | (labels >= n_classes)))
        raise ValueError(f"class labels must be integers in [0, {n_classes - 1}] to fit an "
                         f"output layer of {n_classes} units, "
                         f"but {name}[{i}] is {_py(labels[i])!r}")
    return labels.astype(np.intp)


def check_probability_targets(Y: np.ndarray, loss_name: str, name: str = "y") -> None:
    """Targets of a cross-entropy loss must lie in [0, 1]."""
    if Y.size and (Y.min() < 0 or Y.max() > 1):
        bad = np.argwhere((Y < 0) | (Y > 1))[0]
        raise ValueError(f"{name} must lie in [0, 1] for the {loss_name} loss (labels 0/1 or "
                         f"probabilities), but it holds {_py(Y[tuple(bad)])!r}; for more than two "
                         "classes use a softmax output with one unit per class")


def check_distribution_targets(Y: np.ndarray, name: str = "y") -> None:
    """Each column of ``Y`` (one example) must sum to 1, as softmax + cce's fused
    ``Delta = A - Y`` assumes (in general ``dJ/dZ = A sum_k Y_k - Y``)."""
    sums = Y.sum(axis=0)
    bad = np.abs(sums - 1.0) > 1e-5
    if bad.any():
        j = int(np.argmax(bad))
        raise ValueError(f"column {j} of {name} sums to {_py(sums[j]):.6g}, but targets of a "
                         "softmax output with the cce loss are one class or class "
                         "probabilities per example (each column sums to 1); for several "
                         "labels per example use sigmoid outputs with the bce loss")


def check_min_examples(n: int, need: int, what: str) -> None:
    """``what`` (e.g. "a validation split") needs at least ``need`` examples."""
    if n < need:
        raise ValueError(f"{what} needs at least {need} examples, got {n}")


def check_two_classes(y, what: str = "a classifier") -> np.ndarray:
    """The distinct labels of ``y``; ``ValueError`` if there is only one class."""
    classes = np.unique(np.asarray(y))
    if classes.size < 2:
        found = f"one class ({_py(classes[0])!r})" if classes.size else "no labels"
        raise ValueError(f"{what} needs at least 2 classes in y, got {found}")
    return classes
