"""Checks behind :func:`lucidnet.modelfile.persistence.load`: what a model file must satisfy
before anything in it is used.

- :func:`_members`: the zip directory only (declared sizes: no zip bomb, no
  oversized manifest), before a byte is decompressed;
- :func:`_check_weights`: the arrays the layers need, with the shapes the
  manifest implies, float32/float64 and finite, before the network allocates
  anything;
- :func:`_check_preprocessing`: the stored standardization (of the features,
  and ``target_standardize`` of a regression's targets), feature names and
  class labels fit the network.

Every failure is a :class:`~lucidnet.errors.ModelFileError` naming the file
and the problem.
"""

from __future__ import annotations

import math
import zipfile

import numpy as np

from ..errors import ModelFileError

__all__ = ["_members", "_check_weights", "_check_preprocessing", "_reject_constant"]


def _error(message):
    return ModelFileError(message)


def _reject_constant(name):
    raise ValueError(f"{name} is not a number a model file may hold")


def _members(path, max_total_bytes, max_manifest_chars) -> list[str]:
    """Zip member names, after checking the declared sizes (no zip bombs)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        with open(path, "rb") as fh:
            is_zip = fh.read(4) == b"PK\x03\x04"
        if is_zip:  # a zip that lost its end (the directory is written last)
            raise _error(f"{path}: the archive is truncated (its zip directory "
                         "is missing)") from None
        raise _error(f"{path}: not a lucidnet model file (not a .npz/zip "
                     "archive)") from None
    total = sum(info.file_size for info in infos)
    if total > max_total_bytes:
        raise _error(f"{path}: the archive would unpack to {total} bytes "
                     f"(over the {max_total_bytes}-byte limit)")
    for info in infos:
        if info.filename == "manifest.npy" and info.file_size > 4 * max_manifest_chars + 4096:
            raise _error(f"{path}: the manifest is too large "
                         f"(over {max_manifest_chars} characters)")
    return [info.filename for info in infos]


def _check_weights(bad, layers, arrays) -> None:
    """Every Dense layer's ``W`` ``(d_l, d_{l-1})`` and ``b`` ``(d_l, 1)`` is in the file,
    float32/float64 and finite, checked *before* the network allocates anything (a
    manifest cannot make load allocate more than the file holds)."""
    from ..core.dense import Dense

    expected = {}
    d_in = None
    for i, layer in enumerate(layers):
        if isinstance(layer, Dense):
            expected[f"param/{i}/W"] = (layer.units, d_in)
            expected[f"param/{i}/b"] = (layer.units, 1)
        d_in = layer.units or d_in  # a Dropout keeps the size of its input
    found = {name for name in arrays if name.startswith("param/")}
    if set(expected) != found:
        missing, unexpected = sorted(set(expected) - found), sorted(found - set(expected))
        raise bad(f"parameter arrays do not match the layers (missing {missing}, "
                  f"unexpected {unexpected})")
    for name, shape in expected.items():
        value = arrays[name]
        if value.shape != shape:
            raise bad(f"array {name} has shape {value.shape}, but the layers need {shape}")
        if value.dtype not in (np.float32, np.float64):
            raise bad(f"array {name} has dtype {value.dtype}, expected float32 or float64")
        if not np.isfinite(value).all():
            raise bad(f"array {name} has non-finite values (NaN or infinity)")


def _check_stats(bad, stats, n, what) -> None:
    """``{"mean": [n numbers], "scale": [n numbers > 0]}``, all finite."""
    ok = isinstance(stats, dict) and set(stats) == {"mean", "scale"} and all(
        isinstance(stats.get(k), list) and len(stats[k]) == n
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                for v in stats[k])
        for k in ("mean", "scale"))
    if not ok or not all(v > 0 for v in stats["scale"]):
        raise bad(f"preprocessing.{what} must hold 'mean' and 'scale' lists of "
                  f"{n} finite numbers (scale > 0) and nothing else")


def _check_preprocessing(bad, pre, n_features, n_outputs=None) -> dict:
    """The preprocessing record: standardization statistics and names that fit the network
    (``target_standardize``: one mean and scale per output, for a regression)."""
    if pre is None:
        return {}
    if not isinstance(pre, dict):
        raise bad("preprocessing must be a JSON object")
    if pre.get("input_features") is not None:  # the network's inputs computed from raw ones
        from ..features import check_features

        raw = pre.get("raw_inputs")
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 100_000:
            raise bad("preprocessing.raw_inputs must be the number of raw inputs (an integer "
                      ">= 1) when input_features is given")
        try:
            check_features(pre["input_features"], raw, n_features)
        except ValueError as exc:
            raise bad(f"preprocessing.{exc}") from None
        n_features = raw  # standardization and names describe the raw columns
    stats = pre.get("standardize")
    if stats is not None:
        ok = isinstance(stats, dict) and all(
            isinstance(stats.get(k), list) and len(stats[k]) == n_features
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in stats[k])
            for k in ("mean", "scale"))
        if not ok or not all(v > 0 for v in stats["scale"]):
            raise bad(f"preprocessing.standardize must hold 'mean' and 'scale' lists of "
                      f"{n_features} numbers (scale > 0)")
    names = pre.get("feature_names")
    if names is not None and not (isinstance(names, list) and len(names) == n_features
                                  and all(isinstance(n, str) for n in names)):
        raise bad(f"preprocessing.feature_names must be a list of {n_features} strings")
    target_stats = pre.get("target_standardize")
    if target_stats is not None:
        _check_stats(bad, target_stats, n_outputs, "target_standardize")
    labels = pre.get("class_labels")
    if labels is not None and not (isinstance(labels, list) and all(
            isinstance(v, (str, int, float, bool)) for v in labels)):
        raise bad("preprocessing.class_labels must be a list of strings or numbers")
    return pre


