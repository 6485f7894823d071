"""The JSON values of a model file, checked one by one: numbers, text, keyword settings.

The rules every field of a manifest and of a checkpoint's training state
follows (:mod:`lucidnet.modelfile.manifest`, :mod:`~lucidnet.modelfile.preprocessing`,
:mod:`~lucidnet.modelfile.train_state` use them): numbers are finite (JSON's
``1e400`` is infinity) and fit NumPy's int64/float64, text is valid UTF-8 and
names are printable, keyword settings are those a class takes, each of the type
of its default.  ``bad`` is the exception to raise (``ModelFileError``).
"""

from __future__ import annotations

import math

__all__ = ["is_number", "check_text", "check_all_text", "check_settings", "defaults",
           "MAX_NAME"]

MAX_NAME = 200           # characters of a layer, feature or class name


def is_number(value) -> bool:
    """A finite JSON number that NumPy takes as float64 or int64 (``True``/``False``
    are not numbers here; nor is ``2**64``, which ``np.isfinite`` cannot take)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, float) and math.isfinite(value)


def is_int(value, low=0, high=2**63 - 1) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def check_text(bad, value, where: str, *, name: bool = False) -> str:
    """A string that prints: UTF-8 encodable, and for a name printable, non-empty and short."""
    if not isinstance(value, str):
        raise bad(f"{where} must be a string, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise bad(f"{where} is not valid text (a lone surrogate)") from None
    if name and not (value and len(value) <= MAX_NAME and value.isprintable()):
        raise bad(f"{where} must be a printable name of 1 to {MAX_NAME} characters, "
                  f"got {value[:40]!r}")
    return value


def check_all_text(bad, value, where="manifest", depth=0):
    """Every string (and key) in the JSON tree is valid UTF-8; the tree is not absurdly deep."""
    if depth > 40:
        raise bad(f"{where} is nested too deeply")
    if isinstance(value, str):
        check_text(bad, value, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_all_text(bad, item, f"{where}[{i}]", depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(bad, key, f"a key in {where}")
            check_all_text(bad, item, f"{where}.{key[:40]}", depth + 1)


def check_settings(bad, given, defaults: dict, where: str) -> dict:
    """Keyword settings (optimizer config, loss or activation params): known keys,
    each of the type of its default (a finite number for a number)."""
    if not isinstance(given, dict):
        raise bad(f"{where} must be a JSON object")
    for key, value in given.items():
        if key not in defaults:
            raise bad(f"{where}: unknown setting {key!r}; known: "
                      f"{', '.join(sorted(defaults)) or 'none'}")
        default = defaults[key]
        if isinstance(default, bool) or isinstance(value, bool):
            ok = isinstance(value, bool) and isinstance(default, bool)
        elif isinstance(default, (int, float)) or default is None:
            ok = is_number(value) or (default is None and value is None)
        else:
            ok = isinstance(value, type(default))
        if not ok:
            raise bad(f"{where}.{key} must be {'a finite number' if not isinstance(default, bool) else 'true or false'}, got {value!r:.40}")
    return given


def defaults(cls) -> dict:
    """``get_config()`` of a default instance: the settings a class takes and their types."""
    import inspect

    params = inspect.signature(cls).parameters
    return {k: (p.default if p.default is not inspect.Parameter.empty else 0.0)
            for k, p in params.items() if k not in ("self", "name", "fn", "derivative")}
