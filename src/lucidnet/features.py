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
NumPy only (the core imports this module).
"""

from __future__ import annotations

import re

import numpy as np

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


def expand_features(names, X) -> np.ndarray:
    """``A[0]`` ``(k, N)`` from raw column-wise ``X`` ``(d_raw, N)``: one row per name."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"raw inputs must be 2-D (d_raw, N), got shape {X.shape}")
    rows = []
    for name in names:
        fn, columns = parse_feature(name, X.shape[0])
        rows.append(fn(X, *columns))
    return np.stack(rows)
