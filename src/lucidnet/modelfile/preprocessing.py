"""The ``preprocessing`` record of a model file: what prediction repeats, checked.

One validator per field in :data:`FIELDS` (a new field is one function and
one entry).  A field without a validator is refused: a value nobody checked
must not reach ``predict``.  Each validator gets ``(bad, value, net)`` where
``net`` describes the network (``n_features``, ``n_outputs``, ``output``
activation) and returns nothing or raises ``bad(message)``.
"""

from __future__ import annotations

import sys
from types import SimpleNamespace

from .values import check_text, is_number

__all__ = ["check_preprocessing", "FIELDS", "check_statistics"]

# The smallest scale a standardization may divide by: float64's smallest
# normal number (1e-320, a subnormal, would blow finite inputs up to inf).
_TINY = sys.float_info.min


def check_statistics(bad, stats, n: int, where: str) -> None:
    """``{"mean": [n finite numbers], "scale": [n finite numbers >= the smallest normal]}``."""
    what = (f"{where} must hold 'mean' and 'scale' lists of {n} finite numbers (scale > 0) "
            "and nothing else")
    if not isinstance(stats, dict) or set(stats) != {"mean", "scale"}:
        raise bad(what)
    for key in ("mean", "scale"):
        values = stats[key]
        if not (isinstance(values, list) and len(values) == n and all(map(is_number, values))):
            raise bad(f"{what}; its {key} is not")
    if not all(_TINY <= v for v in stats["scale"]):
        raise bad(f"{where}.scale must be positive normal numbers (scale > 0 and >= "
                  f"{_TINY:.3g}); got {min(stats['scale'])!r}")


def _names(bad, names, n: int, where: str) -> None:
    if not (isinstance(names, list) and len(names) == n):
        raise bad(f"{where} must be a list of {n} names")
    for i, name in enumerate(names):
        check_text(bad, name, f"{where}[{i}]", name=True)
    if len(set(names)) != n:
        repeated = sorted({v for v in names if names.count(v) > 1})
        raise bad(f"{where} must be unique; repeated: {', '.join(map(repr, repeated[:5]))}")


def _feature_names(bad, value, net):
    _names(bad, value, net.n_raw, "preprocessing.feature_names")


def _standardize(bad, value, net):
    check_statistics(bad, value, net.n_raw, "preprocessing.standardize")


def _class_labels(bad, value, net):
    if net.output not in ("sigmoid", "softmax"):
        raise bad("preprocessing.class_labels given for a network that is not a classifier "
                  f"(its output is {net.output})")
    k = 2 if net.output == "sigmoid" and net.n_outputs == 1 else net.n_outputs
    if not isinstance(value, list) or len(value) != k:
        raise bad(f"preprocessing.class_labels must list {k} classes (the network has "
                  f"{net.n_outputs} output{'s' if net.n_outputs > 1 else ''})")
    for i, label in enumerate(value):
        if isinstance(label, str):
            check_text(bad, label, f"preprocessing.class_labels[{i}]", name=True)
        elif not is_number(label):
            raise bad(f"preprocessing.class_labels[{i}] must be a name or a finite number, "
                      f"got {label!r:.40}")
    if len({repr(v) for v in value}) != k:
        raise bad("preprocessing.class_labels must be unique")


def _input_features(bad, value, net):
    """The network's inputs computed from ``raw_inputs`` raw columns (:mod:`lucidnet.features`)."""
    from ..features import check_features

    try:
        check_features(value, net.n_raw, net.n_features)
    except ValueError as exc:
        raise bad(f"preprocessing.{exc}") from None


def _raw_inputs(bad, value, pre) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
        raise bad("preprocessing.raw_inputs must be the number of raw inputs (an integer "
                  ">= 1) when input_features is given")
    return value


def _short_text(bad, value, net, where):
    check_text(bad, value, where)
    if len(value) > 10_000:
        raise bad(f"{where} is too long")


FIELDS = {
    "source": lambda bad, v, net: _short_text(bad, v, net, "preprocessing.source"),
    "target": lambda bad, v, net: _short_text(bad, v, net, "preprocessing.target"),
    "feature_names": _feature_names,
    "standardize": _standardize,
    "class_labels": _class_labels,
    "input_features": _input_features,
    # a regression's target statistics (lucidnet train standardizes targets): one per output
    "target_standardize": lambda bad, v, net: check_statistics(
        bad, v, net.n_outputs, "preprocessing.target_standardize"),
    "raw_inputs": lambda bad, v, net: None,  # checked first: names and statistics follow it
}


def check_preprocessing(bad, pre, n_features: int, n_outputs: int, output: str) -> None:
    """Check every field of the preprocessing record ``pre`` (``None`` or a dict)."""
    if pre is None:
        return
    if not isinstance(pre, dict):
        raise bad("preprocessing must be a JSON object")
    n_raw = n_features
    if pre.get("input_features") is not None:  # the network's inputs computed from raw ones
        n_raw = _raw_inputs(bad, pre.get("raw_inputs"), pre)
    elif pre.get("raw_inputs") is not None:
        raise bad("preprocessing.raw_inputs is given without input_features")
    # names and standardization describe the raw columns (n_raw of them)
    net = SimpleNamespace(n_features=n_features, n_raw=n_raw, n_outputs=n_outputs,
                          output=output)
    unknown = sorted(set(pre) - set(FIELDS))
    if unknown:
        raise bad(f"preprocessing: unknown field {unknown[0]!r:.40} (this lucidnet knows "
                  f"{', '.join(FIELDS)})")
    for key, value in pre.items():
        if value is not None:
            FIELDS[key](bad, value, net)
