"""A checkpoint's ``train_state``, checked by type, range and consistency.

What :class:`lucidnet.checkpoint.Run` saves (see that module) is checked
here field by field when the file is read, before anything is restored: an
edited epoch, a garbage random-generator state or Adam moments of the wrong
shape are a :class:`~lucidnet.persistence.ModelFileError`, never a
``TypeError`` deep in ``resume`` or, worse, a run that resumes silently
into different weights.  What can only be checked against the data and the
callbacks of the resumed run (the number of examples, the callbacks' own
attributes) is checked by ``Run`` itself before it restores anything.
"""

from __future__ import annotations

import re

from .values import is_number

__all__ = ["check_train_state", "check_rng_state", "check_schedule_state", "MAX_EPOCHS",
           "CHECKPOINT_VERSION", "READABLE_CHECKPOINT_VERSIONS", "BIT_GENERATORS"]

# 2: each callback's entry names its class ({"class": ..., "vars" | "custom"}), so that
# resume pairs callbacks by class; 1 (lucidnet 0.1.0) paired them by position alone.
# A reader of version 1 refuses a version-2 file instead of misreading its callbacks.
CHECKPOINT_VERSION = 2
READABLE_CHECKPOINT_VERSIONS = (1, 2)
# The random generators whose state a checkpoint may hold (numpy.random's own).
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
MAX_EPOCHS = 10**9
# EarlyStopping's settings and their defaults (training.callbacks; a test keeps
# them equal, so this module does not import the training layer above it).
EARLY_STOPPING = {"patience": 10, "min_delta": 0.0, "monitor": "auto",
                  "restore_best_weights": True}
_OPTIONS = {"print_every", "grad_check_every", "batch_size", "shuffle", "validation_split",
            "early_stopping", "min_delta", "schedule", "clip_norm", "checkpoint_every"}
_REPORT = {"layer_idx": int, "layer_name": str, "param": str, "method": str,
           "max_rel_error": float, "index": (list, type(None)), "analytic": float,
           "numeric": float, "passed": bool, "tol": float}
_FLOATS = ("float32", "float64")
_ARRAY_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}(/[A-Za-z0-9_.\-]{1,64}){0,6}")


def _int(value, low=0, high=MAX_EPOCHS) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def check_rng_state(state) -> None:
    """Raise ``ValueError`` unless ``state`` can be put into a fresh generator of its kind."""
    import numpy as np

    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in BIT_GENERATORS:
        raise ValueError(f"not a random generator state (kind {name!r:.40})")
    try:
        getattr(np.random, name)().state = state
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise ValueError(f"a {name} state that cannot be restored ({exc})") from None


def _check_options(bad, options) -> None:
    """The fit options a checkpoint passes back to ``train``: each of its type."""
    from ..optim.schedules import SCHEDULES
    from .values import check_settings as _check_settings
    from .values import defaults as _defaults

    if not isinstance(options, dict) or not set(options) <= _OPTIONS:
        raise bad("train_state.options must be a JSON object of fit options")

    def need(key, ok, what):
        if key in options and not ok(options[key]):
            raise bad(f"train_state.options.{key} must be {what}, got {options[key]!r:.40}")

    for key in ("print_every", "grad_check_every", "checkpoint_every"):
        need(key, lambda v: _int(v, 0), "a non-negative integer")
    need("batch_size", lambda v: v is None or _int(v, 1, 2**40), "null or a positive integer")
    need("shuffle", lambda v: isinstance(v, bool), "true or false")
    need("validation_split", lambda v: v is None or (is_number(v) and 0 < v < 1),
         "null or a number in (0, 1)")
    need("min_delta", lambda v: is_number(v) and v >= 0, "a non-negative number")
    need("clip_norm", lambda v: v is None or (is_number(v) and v > 0),
         "null or a positive number")
    stopping = options.get("early_stopping")
    if isinstance(stopping, dict):
        _check_settings(bad, stopping, EARLY_STOPPING, "train_state.options.early_stopping")
    else:
        need("early_stopping", lambda v: v is None or v is False or _int(v, 1),
             "null, false, a patience or an EarlyStopping's settings")
    schedule = options.get("schedule")
    if schedule is not None:
        if not (isinstance(schedule, dict) and set(schedule) == {"name", "config"}
                and isinstance(schedule["name"], str) and schedule["name"] in SCHEDULES):
            raise bad(f"train_state.options.schedule must name one of "
                      f"{', '.join(sorted(SCHEDULES))} with its config")
        _check_settings(bad, schedule["config"], _defaults(SCHEDULES[schedule["name"]]),
                        "train_state.options.schedule.config")


def _check_history(bad, history, n_epochs: int) -> None:
    if not isinstance(history, dict):
        raise bad("train_state.history must be a JSON object of lists")
    for key, values in history.items():
        if not (isinstance(values, list) and len(values) <= n_epochs + 1
                and all(v is None or is_number(v) for v in values)):
            raise bad(f"train_state.history[{key[:40]!r}] must be a list of at most "
                      f"{n_epochs + 1} numbers")


def _check_grad_checks(bad, records, epochs) -> None:
    if not isinstance(records, list):
        raise bad("train_state.grad_checks must be a list")
    for record in records:
        if not (isinstance(record, list) and len(record) == 2 and _int(record[0], 0, epochs)
                and isinstance(record[1], list)):
            raise bad("train_state.grad_checks holds [epoch, reports] pairs")
        for report in record[1]:
            from ..gradcheck import GradCheckReport  # its fields are what resume passes back
            import dataclasses

            allowed = {f.name for f in dataclasses.fields(GradCheckReport)}
            if not (isinstance(report, dict) and set(_REPORT) <= set(report) <= allowed):
                raise bad("train_state.grad_checks: a report with other fields")
            for key, value in report.items():
                if key not in _REPORT and not (value is None or isinstance(value, (str, bool))
                                               or is_number(value)):
                    raise bad(f"train_state.grad_checks: {key[:40]} of the wrong type")
            for key, kind in _REPORT.items():
                value = report[key]
                ok = is_number(value) if kind is float else \
                    (isinstance(value, kind) and not (kind is int and isinstance(value, bool)))
                if not ok:
                    raise bad(f"train_state.grad_checks: {key} of the wrong type")
            index = report["index"]
            if index is not None and not all(_int(i, 0, 10**8) for i in index):
                raise bad("train_state.grad_checks: a report's index must be integers")


def _array_refs(value, found: list) -> None:
    """Names of the ``{"__array__": name}`` references in encoded callback state."""
    if isinstance(value, list):
        for item in value:
            _array_refs(item, found)
    elif isinstance(value, dict):
        if "__array__" in value:
            found.append(value["__array__"])
        for item in value.values():
            _array_refs(item, found)


def _check_callbacks(bad, callbacks, version: int) -> dict:
    """Each entry: ``{"class": name}`` plus ``"vars"`` or ``"custom"`` when the callback
    has state; a file of lucidnet 0.1.0 (version 1) has no ``class`` (and ``null`` for
    no state)."""
    if not isinstance(callbacks, list):
        raise bad("train_state.callbacks must be a list")
    refs: list = []
    for i, state in enumerate(callbacks):
        if state is None:
            continue
        keys = set(state) if isinstance(state, dict) else {"?"}
        payload = keys - {"class"}   # at most one; exactly one without a class (0.1.0)
        if not (keys <= {"class", "custom", "vars"} and len(payload) <= 1
                and (payload or "class" in keys)):
            raise bad(f"train_state.callbacks[{i}] must be null or {{'class': name}} with "
                      "{'custom': ...} or {'vars': {...}}")
        if version >= 2 and "class" not in state:
            raise bad(f"train_state.callbacks[{i}] has no class (a checkpoint of version "
                      f"{version} names each callback's class)")
        if "class" in state and not (isinstance(state["class"], str)
                                     and state["class"].isidentifier()
                                     and len(state["class"]) <= 200):
            raise bad(f"train_state.callbacks[{i}].class must be a class name")
        if "vars" in state:
            if not isinstance(state["vars"], dict):
                raise bad(f"train_state.callbacks[{i}].vars must be a JSON object")
            _array_refs(state["vars"], refs)
    for name in refs:
        if not (isinstance(name, str) and _ARRAY_NAME.fullmatch(name)):
            raise bad(f"train_state.callbacks: bad array reference {name!r:.40}")
    if len(set(refs)) != len(refs):
        raise bad("train_state.callbacks: an array referenced twice")
    return {f"state/cb/{name}": (None, _FLOATS + ("int64", "bool"), True) for name in refs}


def _scheduler_vars(callbacks) -> dict | None:
    """The saved attributes of the run's LearningRateScheduler (0.1.0: the first entry)."""
    named = [cb for cb in callbacks if isinstance(cb, dict) and "class" in cb]
    if named:
        found = [cb for cb in named if cb["class"] == "LearningRateScheduler"]
        return found[0].get("vars") if found else None
    first = callbacks[0] if callbacks else None
    return first.get("vars") if isinstance(first, dict) else None


def check_schedule_state(bad, state, lr) -> None:
    """A checkpoint's schedule must give the optimizer's learning rate ``lr``.

    The scheduler keeps ``eta_0`` (twice: its own and its schedule's) and the
    schedule its settings (also in ``options.schedule``); the optimizer's rate
    in the file is the one the schedule set at the start of the last epoch begun
    (for reduce_on_plateau: that rate, or the one it has cut it to since).  A
    file lucidnet wrote always agrees; one whose ``eta_0`` was edited to 1e30
    does not, and would resume into a divergence.  Only for files without
    digests (:mod:`.digest`): a callback of the user's that also sets the rate
    breaks the agreement without any edit, and the digests refuse every edit.
    """
    import math

    from ..optim.schedules import SCHEDULES

    options, where = state["options"], "train_state.callbacks (the schedule's state)"
    schedule = options.get("schedule")
    saved = _scheduler_vars(state["callbacks"]) if schedule is not None else None
    if saved is None:  # nothing to compare (a missing state is refused by resume)
        return
    inner = saved.get("schedule", {}).get("__object__") \
        if isinstance(saved.get("schedule"), dict) else None
    if not isinstance(inner, dict):
        raise bad(f"{where}: no saved schedule")
    eta_0 = saved.get("eta_0")
    if not (is_number(eta_0) and eta_0 > 0 and inner.get("eta_0") == eta_0):
        raise bad(f"{where}: eta_0 must be one positive finite number, got "
                  f"{eta_0!r:.40} and {inner.get('eta_0')!r:.40}")
    config = {k: inner.get(k) for k in schedule["config"]}
    if config != schedule["config"] or not _int(inner.get("epochs"), 1):
        raise bad(f"{where}: its settings differ from options.schedule")
    try:
        rule = SCHEDULES[schedule["name"]](**config)
    except (TypeError, ValueError) as exc:
        raise bad(f"train_state.options.schedule: {exc}") from None
    rule.start(eta_0, inner["epochs"])
    if "current" in inner:  # reduce_on_plateau's rate now
        if not (is_number(inner["current"]) and 0 < inner["current"] <= eta_0):
            raise bad(f"{where}: current must be a rate in (0, eta_0]")
        rule.current = inner["current"]
    begun = state["epoch"] - (state["batches_done"] == 0)   # the last epoch begun
    rate = eta_0 if begun < 0 else rule.lr(begun)
    # (1e-9: the closed forms use math.cos, whose last digit may differ between machines)
    agrees = is_number(lr) and math.isclose(rate, lr, rel_tol=1e-9)
    if rule.monitors and is_number(lr) and state["batches_done"] == 0:
        # the cost at the end of that epoch may have cut the rate after it was used
        agrees = agrees or math.isclose(rate, max(lr * rule.factor, rule.min_lr),
                                        rel_tol=1e-9)
    if not agrees:
        raise bad(f"{where}: the schedule gives the learning rate {rate:.6g} in epoch "
                  f"{max(begun, 0)}, but the optimizer's is {lr!r:.20} (an edited file?)")


def check_train_state(bad, state, param_shapes: dict, buffers: tuple, dtype: str, *,
                      lr=None, has_digests: bool = False) -> dict:
    """Check a checkpoint's ``state``; return the ``state/...`` arrays it implies
    (name -> ``(shape or None, dtypes, required)``)."""
    if not isinstance(state, dict):
        raise bad("train_state must be a JSON object")
    version = state.get("checkpoint_version")
    if type(version) is not int or version not in READABLE_CHECKPOINT_VERSIONS:
        raise bad(f"train_state: unsupported checkpoint_version {version!r:.40} (this "
                  f"lucidnet reads {' and '.join(map(str, READABLE_CHECKPOINT_VERSIONS))})")
    fields = {"checkpoint_version", "epochs", "epoch", "batches_done", "options",
              "had_validation_data", "costs", "history", "grad_checks", "rng", "start_rng",
              "check_rng", "optimizer_t", "callbacks", "data"}
    if set(state) != fields:
        missing, extra = sorted(fields - set(state)), sorted(set(state) - fields)
        raise bad(f"train_state: missing {missing} / unknown {[e[:40] for e in extra]} fields")
    epochs, epoch = state["epochs"], state["epoch"]
    if not _int(epochs, 1):
        raise bad(f"train_state.epochs must be an integer from 1 to {MAX_EPOCHS}")
    if not _int(epoch, 0, epochs - 1):
        raise bad(f"train_state.epoch must be an integer from 0 to epochs - 1 = {epochs - 1}, "
                  f"got {epoch!r:.40}")
    options = state["options"]
    _check_options(bad, options)
    batch_size = options.get("batch_size")
    done = state["batches_done"]
    if not _int(done, 0, 1 if batch_size is None else 2**40):
        raise bad(f"train_state.batches_done must be an integer from 0 to "
                  f"{'1 (full-batch training)' if batch_size is None else 'N / batch_size'}, "
                  f"got {done!r:.40}")
    t = state["optimizer_t"]
    if not _int(t, 0, 2**62):
        raise bad(f"train_state.optimizer_t must be a non-negative integer, got {t!r:.40}")
    if t < epoch:  # every epoch takes at least one step
        raise bad(f"train_state.optimizer_t = {t} steps cannot reach epoch {epoch}")
    if not isinstance(state["had_validation_data"], bool):
        raise bad("train_state.had_validation_data must be true or false")
    costs = state["costs"]
    if not (isinstance(costs, list) and len(costs) <= epochs + 1 and all(map(is_number, costs))):
        raise bad("train_state.costs must be a list of finite numbers")
    _check_history(bad, state["history"], epochs)
    _check_grad_checks(bad, state["grad_checks"], epochs)
    for key in ("rng", "start_rng", "check_rng"):
        try:
            check_rng_state(state[key])
        except ValueError as exc:
            raise bad(f"train_state.{key}: {exc}") from None
    data = state["data"]
    if not (isinstance(data, str) and re.fullmatch(r"[0-9a-f]{64}", data)):
        raise bad("train_state.data must be a SHA-256 fingerprint (64 hex digits)")
    expected = _check_callbacks(bad, state["callbacks"], state["checkpoint_version"])
    if not has_digests:
        check_schedule_state(bad, state, lr)
    for name, shape in param_shapes.items():
        key = ".".join(name.split("/")[1:])        # param/1/W -> 1.W, the optimizer's key
        for buf in buffers:
            expected[f"state/opt/{key}/{buf}"] = (shape, (dtype,), t > 0)
    if done:  # the epoch's shuffled order (none for a full batch)
        expected["state/order"] = ((None,), ("int64", "int32"), False)
    return expected
