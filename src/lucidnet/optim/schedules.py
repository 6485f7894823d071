"""Learning-rate schedules: changes to the optimizer's step that come from
outside its update rule (gradient clipping is :mod:`lucidnet.optim.clipping`).

A schedule sets the optimizer's learning rate ``eta`` at the start of every
epoch ``e`` (counted from 0), from the rate ``eta_0`` the optimizer had when
training began.  The closed forms follow ``torch.optim.lr_scheduler`` (stepped
once per epoch), so it can serve as an independent reference:

=================  ====================================================================
step               ``eta_e = eta_0 * gamma ** (e // step_size)``
exponential        ``eta_e = eta_0 * gamma ** e``
cosine             ``eta_e = eta_min + (eta_0 - eta_min) * (1 + cos(pi * e / T)) / 2``
reduce_on_plateau  ``eta <- max(eta * factor, min_lr)`` once the monitored cost has not
                   improved by more than ``min_delta`` for ``patience`` epochs
=================  ====================================================================

Adding a schedule is one class plus one entry in ``SCHEDULES``.
"""

from __future__ import annotations

import math


from ..checks import check_number
from .clipping import clip_grad_norm  # also here: the old lucidnet.schedules had it

__all__ = ["Schedule", "StepDecay", "ExponentialDecay", "CosineAnnealing",
           "ReduceOnPlateau", "SCHEDULES", "get_schedule", "clip_grad_norm"]


class Schedule:
    """Base class: ``lr(epoch)`` is the learning rate of that epoch.

    ``start(eta_0, epochs)`` is called when training begins.  Schedules that
    react to the cost (``monitors = True``) also get ``observe(cost)`` at the
    end of every epoch.
    """

    name = ""
    monitors = False

    def start(self, eta_0: float, epochs: int) -> None:
        self.eta_0, self.epochs = float(eta_0), int(epochs)

    def lr(self, epoch: int) -> float:
        raise NotImplementedError

    def observe(self, cost: float) -> None:
        """See the epoch's monitored cost (only schedules with ``monitors``)."""

    def get_config(self) -> dict:
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class StepDecay(Schedule):
    """``eta_e = eta_0 * gamma ** (e // step_size)``: multiply by ``gamma`` every ``step_size`` epochs."""

    name = "step"

    def __init__(self, step_size: int = 30, gamma: float = 0.1):
        self.step_size = check_number("step_size", step_size, 1, integer=True)
        self.gamma = check_number("gamma", gamma, 0, 1, low_open=True)

    def lr(self, epoch):
        return self.eta_0 * self.gamma ** (epoch // self.step_size)

    def get_config(self):
        return {"step_size": self.step_size, "gamma": self.gamma}


class ExponentialDecay(Schedule):
    """``eta_e = eta_0 * gamma ** e``."""

    name = "exponential"

    def __init__(self, gamma: float = 0.99):
        self.gamma = check_number("gamma", gamma, 0, 1, low_open=True)

    def lr(self, epoch):
        return self.eta_0 * self.gamma ** epoch

    def get_config(self):
        return {"gamma": self.gamma}


class CosineAnnealing(Schedule):
    """``eta_e = eta_min + (eta_0 - eta_min) (1 + cos(pi e / T)) / 2``.

    ``T`` (``t_max``) defaults to the number of epochs of the run, so the rate
    falls from ``eta_0`` to ``eta_min`` over the whole of training.
    """

    name = "cosine"

    def __init__(self, t_max: int | None = None, eta_min: float = 0.0):
        self.t_max = None if t_max is None else check_number("t_max", t_max, 1, integer=True)
        self.eta_min = check_number("eta_min", eta_min, 0)

    def lr(self, epoch):
        T = self.t_max or self.epochs
        # NOTE: torch's closed form keeps going past T (the rate climbs back);
        # holding eta_min there is what a user of "anneal over T epochs" expects.
        e = min(epoch, T)
        return self.eta_min + (self.eta_0 - self.eta_min) * (1 + math.cos(math.pi * e / T)) / 2

    def get_config(self):
        return {"t_max": self.t_max, "eta_min": self.eta_min}


class ReduceOnPlateau(Schedule):
    """Multiply eta by ``factor`` when the monitored cost stalls.

    The cost (validation cost when there is validation data, else training
    cost) improves when it falls below ``best - min_delta``.  After
    ``patience`` epochs without improvement the rate becomes
    ``max(eta * factor, min_lr)`` and the count starts again.
    """

    name = "reduce_on_plateau"
    monitors = True

    def __init__(self, factor: float = 0.1, patience: int = 10, min_delta: float = 1e-4,
                 min_lr: float = 0.0):
        self.factor = check_number("factor", factor, 0, 1, low_open=True, high_open=True)
        self.patience = check_number("patience", patience, 0, integer=True)
        self.min_delta = check_number("min_delta", min_delta, 0)
        self.min_lr = check_number("min_lr", min_lr, 0)

    def start(self, eta_0, epochs):
        super().start(eta_0, epochs)
        self.current, self.best, self.wait = self.eta_0, math.inf, 0

    def lr(self, epoch):
        return self.current

    def observe(self, cost):
        if cost < self.best - self.min_delta:
            self.best, self.wait = cost, 0
            return
        self.wait += 1
        if self.wait > self.patience:
            self.current, self.wait = max(self.current * self.factor, self.min_lr), 0

    def get_config(self):
        return {"factor": self.factor, "patience": self.patience,
                "min_delta": self.min_delta, "min_lr": self.min_lr}


SCHEDULES = {cls.name: cls for cls in (StepDecay, ExponentialDecay, CosineAnnealing,
                                       ReduceOnPlateau)}


def get_schedule(schedule, **config) -> Schedule:
    """A schedule from its name (with keyword hyperparameters), or an instance as is.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the known ones) or a bad hyperparameter.
    """
    if isinstance(schedule, Schedule):
        return schedule
    if isinstance(schedule, str) and schedule in SCHEDULES:
        try:
            return SCHEDULES[schedule](**config)
        except TypeError as exc:  # an unknown keyword
            raise ValueError(f"schedule {schedule!r}: {exc}") from None
    raise ValueError(f"unknown schedule {schedule!r}; known: {', '.join(SCHEDULES)}")
