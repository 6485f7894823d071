"""The state of a training run, recorded so that a checkpoint can continue it bit for bit.

:class:`Run` is what the training loop talks to: it hands out the batches,
counts the steps, and at each checkpoint epoch writes the whole state (see
:mod:`lucidnet.training.checkpoint` for what a checkpoint holds and for
resuming from one).
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np

from .. import checks
from ..modelfile.train_state import BIT_GENERATORS, CHECKPOINT_VERSION
from . import callbacks as callback_module

__all__ = ["Run", "describe_options", "fingerprint", "CHECKPOINT_VERSION"]

# Options of train() that a checkpoint records and resume() passes back.
_OPTIONS = ("print_every", "grad_check_every", "batch_size", "shuffle", "validation_split",
            "early_stopping", "min_delta", "schedule", "clip_norm", "checkpoint_every")


def describe_options(options: dict) -> dict:
    """The run's options as JSON: schedules and early stopping by their configuration."""
    out = dict(options)
    schedule = out.get("schedule")
    if schedule is not None:
        from ..optim.schedules import get_schedule

        schedule = get_schedule(schedule)
        out["schedule"] = {"name": schedule.name, "config": schedule.get_config()}
    stopping = out.get("early_stopping")
    if stopping is not None and not isinstance(stopping, (bool, int, np.integer)):
        out["early_stopping"] = {"patience": stopping.patience, "min_delta": stopping.min_delta,
                                 "monitor": stopping.monitor,
                                 "restore_best_weights": stopping.restore_best_weights}
    out["had_validation_data"] = out.pop("validation_data", None) is not None
    return out


def fingerprint(*arrays) -> str:
    """SHA-256 over the shapes, dtypes and bytes of ``arrays``."""
    digest = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        digest.update(f"{a.shape}{a.dtype.str}".encode())
        digest.update(a.data)
    return digest.hexdigest()


# ------------------------------------------------------------ callback state
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


def _check_vars(obj, encoded: dict, arrays, where: str) -> None:
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
            _check_vars(current, value["__object__"], arrays, f"{where}.{key}")
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


def _callback_state(cb, arrays, name):
    if hasattr(cb, "get_state"):
        return {"custom": cb.get_state()}
    if type(cb).__module__ == callback_module.__name__:  # lucidnet's own: their attributes
        return {"vars": _encode_vars(cb, arrays, name)}
    return None


def _restore_callback(cb, state, arrays) -> None:
    if state is None:
        return
    if "custom" in state and hasattr(cb, "set_state"):
        cb.set_state(state["custom"])
    elif "vars" in state:
        _decode_vars(cb, state["vars"], arrays)


def _own(cb) -> bool:
    """A callback ``train`` makes from its options: a schedule first, early stopping last."""
    from .callbacks import EarlyStopping, LearningRateScheduler

    return isinstance(cb, (EarlyStopping, LearningRateScheduler))


def _paired(callbacks, saved) -> list:
    """``(callback, saved state or None)``: train's own schedule (first) and early
    stopping (last) with the first and last saved states, the user's callbacks in
    between in order (a resumed run may pass fewer of them)."""
    callbacks, saved = list(callbacks), list(saved)
    head = 1 if callbacks and _own(callbacks[0]) and not \
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


# ------------------------------------------------------------ the run
_BIT_GENERATORS = BIT_GENERATORS


def _set_rng_state(net, state: dict) -> None:
    """Put ``net.rng`` (shared with Dropout layers) in ``state``, in place when possible."""
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in _BIT_GENERATORS:
        raise ValueError(f"cannot restore a random generator of kind {name!r}")
    if type(net.rng.bit_generator).__name__ != name:
        # A network built with rng=Generator(MT19937(...)), say: rebuild that kind.
        net.rng = np.random.Generator(getattr(np.random, name)())
        for layer in net.layers:
            if hasattr(layer, "rng"):
                layer.rng = net.rng
    net.rng.bit_generator.state = state


def _jsonable_history(history: dict) -> dict:
    def clean(v):
        if isinstance(v, (float, np.floating)):
            return float(v) if math.isfinite(v) else None
        return v.item() if isinstance(v, np.generic) else v
    return {key: [clean(v) for v in values] for key, values in history.items()}


class Run:
    """Where a training run is; saves checkpoints and restores them.

    The training loop creates one per call of ``train`` and asks it for the
    epoch to start at, for the batches of each epoch, and to save.
    """

    def __init__(self, net, X, Y, epochs: int, options: dict, path=None, every: int = 0,
                 resume: dict | None = None):
        self.net, self.epochs, self.options = net, epochs, describe_options(options)
        self.every = checks.check_int("checkpoint_every", every, 0)
        if self.every and path is None:
            raise ValueError("checkpoint_every needs a checkpoint_path to write to")
        self.path = None if path is None else Path(path)
        if self.path is not None and self.path.suffix != ".npz":
            raise ValueError(f"checkpoint_path must end in .npz, got {str(self.path)!r}")
        self.data = fingerprint(X, Y)
        self.epoch, self.batches_done, self.order, self.costs = 0, 0, None, []
        self._resume = resume
        if resume is None:
            self.start_rng = net.rng.bit_generator.state
            return
        state = resume["state"]
        if state["data"] != self.data:
            raise ValueError("cannot resume: X and y differ from the data the checkpoint was "
                             "trained on (give the same data, in the same order and dtype)")
        if state["epoch"] >= epochs:
            raise ValueError(f"cannot resume: the checkpoint is at epoch {state['epoch']}, "
                             f"at or past epochs={epochs}")
        self.start_rng = state["start_rng"]
        # The validation split is drawn again from the same state, hence identical.
        _set_rng_state(net, self.start_rng)

    def _check_resume(self, callbacks, N) -> None:
        """What the file's checks could not know: the data's size and the callbacks."""
        state, arrays = self._resume["state"], self._resume["arrays"]
        pairs = _paired(callbacks, state["callbacks"])
        for i, (cb, cb_state) in enumerate(pairs):  # a stateful callback whose state is missing
            stateful = hasattr(cb, "get_state") or type(cb).__module__ == callback_module.__name__
            if stateful and cb_state is None and _own(cb):
                raise ValueError(f"cannot resume: the checkpoint holds no state for callback "
                                 f"{i} ({type(cb).__name__})")
        cb_arrays = {k[len("cb/"):]: v for k, v in arrays.items() if k.startswith("cb/")}
        for i, (cb, cb_state) in enumerate(pairs):
            if cb_state is not None and "vars" in cb_state:
                _check_vars(cb, cb_state["vars"], cb_arrays, f"callback {i} "
                            f"({type(cb).__name__})")
        batch_size, done = state["options"].get("batch_size"), state["batches_done"]
        order = arrays.get("order")
        if order is not None and order.shape != (N,):
            raise ValueError(f"cannot resume: the checkpoint's shuffled order is for "
                             f"{order.size} examples, the data has {N}")
        if batch_size is not None and batch_size < N and done * batch_size >= N:
            raise ValueError(f"cannot resume: {done} steps of {batch_size} examples do not "
                             f"fit in one epoch of {N}")

    def begin(self, callbacks, check_rng, N: int | None = None) -> None:
        """After ``on_train_begin``: put back everything a resumed run had (after
        checking that it fits this run, so a refused checkpoint changes nothing)."""
        if self._resume is None:
            return
        if N is not None:
            self._check_resume(callbacks, N)
        net, state, arrays = self.net, self._resume["state"], self._resume["arrays"]
        _set_rng_state(net, state["rng"])
        check_rng.bit_generator.state = state["check_rng"]
        opt = net.optimizer
        opt.t = state["optimizer_t"]
        opt.state.clear()
        for name, value in arrays.items():
            if name.startswith("opt/"):
                key, buf = name[len("opt/"):].rsplit("/", 1)
                opt.state.setdefault(key, {})[buf] = np.array(value)
        self.epoch, self.batches_done = state["epoch"], state["batches_done"]
        self.order = np.array(arrays["order"]) if "order" in arrays else None
        self.costs = list(state["costs"])
        net.history.clear()
        net.history.update({k: list(v) for k, v in state["history"].items()})
        from ..core.gradient_check import GradCheckReport

        net.grad_checks[:] = [
            (epoch, [GradCheckReport(**{**r, "index": tuple(r["index"]) if r["index"]
                                        is not None else None}) for r in reports])
            for epoch, reports in state["grad_checks"]]
        for cb, cb_state in _paired(callbacks, state["callbacks"]):
            _restore_callback(cb, cb_state, {k[len("cb/"):]: v for k, v in arrays.items()
                                             if k.startswith("cb/")})

    def batches(self, N: int, batch_size, rng, shuffle):
        """Column index sets of the current epoch, continuing where a checkpoint stopped.

        Draws from ``rng`` exactly as the plain loop does: one permutation per
        epoch when mini-batches are shuffled, nothing for a full batch.
        """
        if batch_size is None or batch_size >= N:
            if self.batches_done == 0:
                yield None
            return
        if self.batches_done == 0 or self.order is None:
            self.order = rng.permutation(N) if shuffle else np.arange(N)
        for start in range(self.batches_done * batch_size, N, batch_size):
            yield self.order[start:start + batch_size]

    def step_done(self) -> None:
        self.batches_done += 1

    def epoch_done(self, epoch: int, callbacks, check_rng) -> None:
        """End of ``epoch``: move on, and save when a checkpoint is due."""
        self.epoch, self.batches_done, self.order = epoch + 1, 0, None
        if self.every and (epoch + 1) % self.every == 0 and epoch + 1 < self.epochs:
            self.save(callbacks, check_rng)

    def save(self, callbacks, check_rng) -> Path | None:
        """Write the checkpoint (atomically, over any previous one); return its path."""
        if self.path is None:
            return None
        from ..modelfile.persistence import save

        net = self.net
        arrays: dict = {}
        for key, slot in net.optimizer.state.items():
            for name, buf in slot.items():
                arrays[f"opt/{key}/{name}"] = buf
        if self.order is not None and self.batches_done:
            arrays["order"] = self.order
        cb_arrays: dict = {}
        cb_states = [_callback_state(cb, cb_arrays, str(i)) for i, cb in enumerate(callbacks)]
        arrays.update({f"cb/{k}": v for k, v in cb_arrays.items()})
        state = {
            "checkpoint_version": CHECKPOINT_VERSION,
            "epochs": self.epochs, "epoch": self.epoch, "batches_done": self.batches_done,
            "options": {k: self.options.get(k) for k in _OPTIONS},
            "had_validation_data": self.options["had_validation_data"],
            "costs": [float(c) for c in self.costs],
            "history": _jsonable_history(net.history),
            "grad_checks": [[int(e), [r.as_dict() for r in reports]]
                            for e, reports in net.grad_checks],
            "rng": net.rng.bit_generator.state, "start_rng": self.start_rng,
            "check_rng": check_rng.bit_generator.state,
            "optimizer_t": int(net.optimizer.t),
            "callbacks": cb_states, "data": self.data,
        }
        save(net, self.path, train_state=state, extra_arrays=arrays)
        return self.path
