"""The state of a run's callbacks in a checkpoint: saved, checked, matched, restored.

Each callback is saved as ``{"class": its class name}``, with ``"custom"``
(what its ``get_state()`` returns; ``set_state`` takes it back) or ``"vars"``
(for lucidnet's own callbacks, early stopping and the learning-rate
scheduler: their attributes, arrays in the archive under ``state/cb/``).  On
resume the callbacks with state are matched to the saved ones by class name
and position (:func:`paired`), and every saved attribute is checked against
the callback it goes to before anything is restored (:func:`check_vars`).
"""

from __future__ import annotations

import math

import numpy as np

from . import callbacks as callback_module

__all__ = ["callback_state", "check_vars", "own", "paired", "restore_callback", "stateful"]


class _Skip(Exception):
    """A value the generic encoder does not store (a network, a progress bar...)."""


def _encode(value, arrays: dict, name: str):
    """JSON-able form of ``value``; arrays go to ``arrays[name]``."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, np.generic):
        return _encode(value.item(), arrays, name)
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.ndarray):
        arrays[name] = value
        return {"__array__": name}
    if isinstance(value, (list, tuple)):
        return [_encode(v, arrays, f"{name}/{i}") for i, v in enumerate(value)]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"__dict__": {k: _encode(v, arrays, f"{name}/{k}") for k, v in value.items()}}
    if type(value).__module__.startswith("lucidnet.") and hasattr(value, "__dict__") \
            and type(value).__name__ != "NeuralNetwork":
        return {"__object__": _encode_vars(value, arrays, name)}
    raise _Skip


def _encode_vars(obj, arrays, name) -> dict:
    out = {}
    for key, value in vars(obj).items():
        try:
            out[key] = _encode(value, arrays, f"{name}/{key}")
        except _Skip:
            pass
    return out


def _decode(value, arrays: dict, current=None):
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if "__float__" in value:
        return float(value["__float__"])
    if "__array__" in value:
        return np.array(arrays[value["__array__"]])
    if "__dict__" in value:
        return {k: _decode(v, arrays) for k, v in value["__dict__"].items()}
    if "__object__" in value and current is not None:
        _decode_vars(current, value["__object__"], arrays)
        return current
    raise ValueError(f"cannot restore callback state {value!r:.80}")


def _decode_vars(obj, encoded: dict, arrays) -> None:
    for key, value in encoded.items():
        setattr(obj, key, _decode(value, arrays, getattr(obj, key, None)))


def check_vars(obj, encoded: dict, arrays, where: str) -> None:
    """Before restoring: each saved attribute exists on ``obj`` and has a compatible kind."""
    numbers = (int, float, np.number)
    for key, value in encoded.items():
        # an attribute set later in training may be new; a method or property never
        if key not in vars(obj) and (not key.isidentifier() or key.startswith("__")
                                     or hasattr(type(obj), key)):
            raise ValueError(f"cannot resume: {where} has no attribute {key!r:.40} to restore")
        current = getattr(obj, key, None)
        if isinstance(value, dict) and "__object__" in value:
            if not type(current).__module__.startswith("lucidnet.") \
                    or not isinstance(value["__object__"], dict):
                raise ValueError(f"cannot resume: {where}.{key} is not an object to restore")
            check_vars(current, value["__object__"], arrays, f"{where}.{key}")
            if hasattr(current, "get_config"):  # a schedule: its constructor checks the ranges
                config = {k: value["__object__"].get(k, v)
                          for k, v in current.get_config().items()}
                try:
                    type(current)(**config)
                except (TypeError, ValueError) as exc:
                    raise ValueError(f"cannot resume: {where}.{key}: {exc}") from None
            continue
        if isinstance(value, dict) and "__array__" in value:
            if value["__array__"] not in arrays:
                raise ValueError(f"cannot resume: {where}.{key} refers to a missing array")
            continue
        if isinstance(value, dict) and "__float__" in value:
            text = value["__float__"]
            if not (isinstance(text, str) and text in ("inf", "-inf", "nan")):
                raise ValueError(f"cannot resume: {where}.{key} is not a number")
            continue
        plain = ((current is None and (value is None or isinstance(value, (int, float, list, str))))
                 or (isinstance(current, bool) == isinstance(value, bool)
                     and isinstance(current, numbers) and isinstance(value, numbers))
                 or (isinstance(current, str) and isinstance(value, str))
                 or (isinstance(current, (list, tuple, dict)) and isinstance(value, (list, dict))))
        if not plain:
            raise ValueError(f"cannot resume: {where}.{key} holds a {type(value).__name__}, "
                             f"the callback keeps a {type(current).__name__} there")
        # A number keeps its sign class (a learning rate, a patience, a count stays
        # positive; a cost non-negative): an edited sign would resume into another run.
        if isinstance(value, numbers) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"cannot resume: {where}.{key} is not finite")
            if isinstance(current, numbers) and not isinstance(current, bool) and (
                    (current > 0 and value <= 0) or (current >= 0 and value < 0)):
                raise ValueError(f"cannot resume: {where}.{key} = {value!r} is out of range")


def stateful(cb) -> bool:
    """A callback whose state a checkpoint keeps: one with ``get_state``, or lucidnet's own."""
    return hasattr(cb, "get_state") or type(cb).__module__ == callback_module.__name__


def callback_state(cb, arrays, name) -> dict:
    """``{"class": name}``, with ``"custom"`` (``get_state()``) or ``"vars"`` (the
    attributes of lucidnet's own callbacks) for a callback that has state."""
    state = {"class": type(cb).__name__}
    if hasattr(cb, "get_state"):
        state["custom"] = cb.get_state()
    elif stateful(cb):
        state["vars"] = _encode_vars(cb, arrays, name)
    return state


def restore_callback(cb, state, arrays) -> None:
    if state is None:
        return
    if "custom" in state and hasattr(cb, "set_state"):
        cb.set_state(state["custom"])
    elif "vars" in state:
        _decode_vars(cb, state["vars"], arrays)


def own(cb) -> bool:
    """A callback ``train`` makes from its options: a schedule first, early stopping last."""
    from .callbacks import EarlyStopping, LearningRateScheduler

    return isinstance(cb, (EarlyStopping, LearningRateScheduler))


def paired(callbacks, saved) -> list:
    """``(callback, saved state or None)`` for every callback of the resumed run.

    The stateful callbacks (:func:`stateful`) must be those of the interrupted
    run, of the same classes in the same order: the i-th of them gets the i-th
    saved state, after its class name is compared (``ValueError`` if they
    differ).  Callbacks without state (a progress bar) may come and go.
    """
    callbacks, saved = list(callbacks), list(saved)
    if not any(isinstance(s, dict) and "class" in s for s in saved):
        return _paired_by_position(callbacks, saved)
    kept = [s for s in saved if isinstance(s, dict) and ("custom" in s or "vars" in s)]
    given = [cb for cb in callbacks if stateful(cb)]
    kinds = [s["class"] for s in kept], [type(cb).__name__ for cb in given]
    if kinds[0] != kinds[1]:
        raise ValueError(f"cannot resume: the checkpoint holds the state of the callbacks "
                         f"[{', '.join(kinds[0])}], but this run has [{', '.join(kinds[1])}]; "
                         "pass the interrupted run's callbacks again, in the same order "
                         "(callbacks without state, such as a progress bar, may differ)")
    states = dict(zip(map(id, given), kept))
    return [(cb, states.get(id(cb))) for cb in callbacks]


def _paired_by_position(callbacks, saved) -> list:
    """Checkpoints of lucidnet 0.1.0 name no classes: train's own schedule (first) and
    early stopping (last) with the first and last saved states, the user's
    callbacks in between in order (a resumed run may pass fewer of them)."""
    head = 1 if callbacks and own(callbacks[0]) and not \
        (len(callbacks) == 1 and type(callbacks[0]).__name__ == "EarlyStopping") else 0
    tail = 1 if len(callbacks) > head and type(callbacks[-1]).__name__ == "EarlyStopping" else 0
    if len(saved) < head + tail:
        return [(cb, None) for cb in callbacks]
    middle_cbs = callbacks[head:len(callbacks) - tail]
    middle = saved[head:len(saved) - tail]
    pairs = [(callbacks[0], saved[0])] if head else []
    pairs += [(cb, middle[i] if i < len(middle) else None) for i, cb in enumerate(middle_cbs)]
    if tail:
        pairs.append((callbacks[-1], saved[-1]))
    return pairs
