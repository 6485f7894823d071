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
from .callback_state import (callback_state, check_vars, own, paired, restore_callback,
                             stateful)

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
        pairs = paired(callbacks, state["callbacks"])
        for i, (cb, cb_state) in enumerate(pairs):  # a stateful callback whose state is missing
            if stateful(cb) and cb_state is None and own(cb):
                raise ValueError(f"cannot resume: the checkpoint holds no state for callback "
                                 f"{i} ({type(cb).__name__})")
        cb_arrays = {k[len("cb/"):]: v for k, v in arrays.items() if k.startswith("cb/")}
        for i, (cb, cb_state) in enumerate(pairs):
            if cb_state is not None and "vars" in cb_state:
                check_vars(cb, cb_state["vars"], cb_arrays, f"callback {i} "
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
        for cb, cb_state in paired(callbacks, state["callbacks"]):
            restore_callback(cb, cb_state, {k[len("cb/"):]: v for k, v in arrays.items()
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
        cb_states = [callback_state(cb, cb_arrays, str(i)) for i, cb in enumerate(callbacks)]
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
