"""Input feature transforms: the network's inputs computed from the raw columns.

TensorFlow Playground feeds a network ``X1, X2, X1^2, X2^2, X1X2, sin X1,
sin X2`` instead of the two raw coordinates.  lucidnet keeps that list in the
model file (``preprocessing["input_features"]``), so that predicting on raw
inputs computes the same inputs the network was trained on.

A transform is named in the raw columns' 1-based indices:

===============  =========================  ==================
name             row of ``A[0]``            example
===============  =========================  ==================
``x{i}``         ``x_i``                    ``x1``
``x{i}^2``       ``x_i ** 2``               ``x2^2``
``x{i}*x{j}``    ``x_i * x_j``              ``x1*x2``
``sin(x{i})``    ``sin(x_i)``               ``sin(x1)``
===============  =========================  ==================

Column-wise, as the core: raw ``X`` is ``(d_raw, N)``, the result ``(k, N)``.
NumPy only (the core imports this module), with :mod:`lucidnet.checks` for the
input checks every entry shares.
"""

from __future__ import annotations

import re

import numpy as np

from . import checks

__all__ = ["parse_feature", "describe_feature", "check_features", "expand_features"]

# kind -> (pattern, function of the raw rows); the kinds name the ONNX export's nodes
_PATTERNS = {
    "column": (re.compile(r"x(\d+)"), lambda X, i: X[i]),
    "square": (re.compile(r"x(\d+)\^2"), lambda X, i: X[i] * X[i]),
    "product": (re.compile(r"x(\d+)\*x(\d+)"), lambda X, i, j: X[i] * X[j]),
    "sin": (re.compile(r"sin\(x(\d+)\)"), lambda X, i: np.sin(X[i])),
}
# A name is short: this bounds what a model file can make the parser look at.
_MAX_NAME = 32


def describe_feature(name, n_raw: int) -> tuple[str, list[int]]:
    """``(kind, 0-based column indices)`` of one transform name, or ``ValueError``;
    ``kind`` is ``"column"``, ``"square"``, ``"product"`` or ``"sin"``."""
    if isinstance(name, str) and len(name) <= _MAX_NAME:
        for kind, (pattern, _) in _PATTERNS.items():
            match = pattern.fullmatch(name)
            if match:
                columns = [int(g) - 1 for g in match.groups()]
                if all(0 <= c < n_raw for c in columns):
                    return kind, columns
                raise ValueError(f"input feature {name!r} names a column beyond the "
                                 f"{n_raw} raw inputs")
    raise ValueError(f"unknown input feature {name!r} (known forms: x1, x1^2, x1*x2, sin(x1))")


def parse_feature(name, n_raw: int):
    """``(function, 0-based column indices)`` of one transform name, or ``ValueError``."""
    kind, columns = describe_feature(name, n_raw)
    return _PATTERNS[kind][1], columns


def check_features(names, n_raw: int, n_features: int) -> list[str]:
    """Validate a transform list for a network of ``n_features`` inputs; return it.

    Raises
    ------
    ValueError
        Not a list of known names over ``n_raw`` columns, or not ``n_features`` long.
    """
    if not isinstance(names, list) or not names:
        raise ValueError("input_features must be a non-empty list of names")
    if len(names) != n_features:
        raise ValueError(f"input_features lists {len(names)} inputs, the network takes "
                         f"{n_features}")
    for name in names:
        parse_feature(name, n_raw)
    return list(names)


def expand_features(names, X, dtype=np.float64) -> np.ndarray:
    """``A[0]`` ``(k, N)`` from raw column-wise ``X`` ``(d_raw, N)``: one row per name.

    Every row must be finite in ``dtype`` (the network's): ``x1^2`` of 1e200, or
    ``x1*x2`` of 1e160 and 1e160, overflows float64, and ``x1`` of 1e39 does not fit
    float32.  Such inputs are refused with a ``ValueError`` naming the transform and
    the example, before anything overflows with a RuntimeWarning.
    """
    X = checks.as_numeric_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"raw inputs must be 2-D (d_raw, N), got shape {X.shape}")
    checks.check_finite(X, "X", layout="columns")
    X = checks.check_fits(X, np.float64, "X", layout="columns").astype(float, copy=False)
    largest = np.finfo(dtype).max
    rows = []
    for name in names:
        fn, columns = parse_feature(name, X.shape[0])
        with np.errstate(over="ignore"):   # an overflow is found and refused just below
            row = fn(X, *columns)
        too_large = ~(np.abs(row) <= largest)
        if too_large.any():
            n = int(np.argmax(too_large))
            raws = ", ".join(f"x{c + 1} = {X[c, n]:.3g}" for c in dict.fromkeys(columns))
            raise ValueError(f"input feature {name!r} of example {n} ({raws}) is beyond the "
                             f"{np.dtype(dtype)} range (largest {largest:.3g}): rescale or "
                             "standardize the raw inputs")
        rows.append(row)
    return np.stack(rows)
