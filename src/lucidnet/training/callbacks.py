"""Hooks into the training loop: what a callback sees, early stopping, schedules.

At the end of every epoch the loop hands each callback an :class:`EpochInfo`.
Its figures (training cost, validation cost, accuracy or R^2) are computed on
first access only, one forward pass per data set (a block of columns at a time,
:func:`lucidnet.training.passes.figures_in_batches`), and then cached: the
cost J is evaluated only when something needs it.
"""

from __future__ import annotations

import math

from ..checks import check_int, check_positive_number
from .passes import figures_in_batches, figures_of_last_forward

__all__ = ["Callback", "EpochInfo", "EarlyStopping", "LearningRateScheduler", "append_row",
           "figures_of_last_forward"]


class EpochInfo:
    """What a callback sees at the end of an epoch.

    Attributes
    ----------
    net, epoch : the network and the epoch number (from 0).
    cost : training cost J after this epoch's update (penalties included),
        computed on first access.
    val_cost : validation cost (the data term only: penalties are a property of
        the weights, not of the data), or ``None`` without validation data.
    metrics : ``{"accuracy": ...}`` (classifier) or ``{"r2": ...}`` on the training set.
    val_metrics : the same on the validation set (empty without validation data).
    stop : set it to True to end training after this epoch.
    """

    def __init__(self, net, epoch: int, X, Y, Xv=None, Yv=None):
        self.net, self.epoch = net, epoch
        self._X, self._Y, self._Xv, self._Yv = X, Y, Xv, Yv
        self._train = self._val = None
        self.stop = False

    @property
    def has_validation(self) -> bool:
        return self._Xv is not None

    @property
    def n_examples(self) -> int:
        """N, the number of training examples (columns of ``X``)."""
        return self._X.shape[1]

    @property
    def targets(self):
        """The training targets ``Y`` ``(dL, N)``, as the loop checked them."""
        return self._Y

    def _train_figures(self):
        if self._train is None:
            self._train = figures_in_batches(self.net, self._X, self._Y, penalty=True)
        return self._train

    def _val_figures(self):
        if self._val is None and self._Xv is not None:
            self._val = figures_in_batches(self.net, self._Xv, self._Yv, penalty=False)
        return self._val

    @property
    def cost(self) -> float:
        return self._train_figures()[0]

    @property
    def cost_if_known(self) -> float | None:
        return None if self._train is None else self._train[0]

    @property
    def val_cost(self) -> float | None:
        figures = self._val_figures()
        return None if figures is None else figures[0]

    @property
    def metrics(self) -> dict:
        _, name, value = self._train_figures()
        return {name: value}

    @property
    def val_metrics(self) -> dict:
        figures = self._val_figures()
        return {} if figures is None else {f"val_{figures[1]}": figures[2]}

    @property
    def monitored(self) -> float:
        """The cost to watch: validation cost when there is validation data, else J."""
        return self.val_cost if self.has_validation else self.cost

    def get(self, key: str) -> float:
        """A figure by its history name: ``loss``, ``val_loss``, ``accuracy``, ``val_r2``, ..."""
        if key == "loss":
            return self.cost
        if key == "val_loss":
            if not self.has_validation:
                raise ValueError("'val_loss' needs validation data (validation_split or "
                                 "validation_data)")
            return self.val_cost
        figures = {**self.metrics, **self.val_metrics}
        if key not in figures:
            raise ValueError(f"unknown figure {key!r}; known: loss, val_loss, "
                             f"{', '.join(figures)}")
        return figures[key]

    def row(self) -> dict:
        """Every figure of this epoch, as one row of ``net.history``."""
        row = {"epoch": self.epoch, "loss": self.cost, **self.metrics}
        if self.has_validation:
            row["val_loss"] = self.val_cost
            row.update(self.val_metrics)
        return row


def append_row(history: dict, row: dict) -> None:
    """Append ``row`` to ``history`` keeping every list aligned on ``history["epoch"]``
    (a figure missing on either side is ``None``)."""
    n = len(history.get("epoch", []))
    for key in row:
        if key not in history:
            history[key] = [None] * n
    for key, values in history.items():
        values.append(row.get(key))


class Callback:
    """Hooks into the loop; override any of them.

    Set ``needs_history = True`` on a callback that wants the figures of every
    epoch recorded in ``net.history`` (otherwise a row is recorded at the print
    checkpoints, and whenever the callback itself read a figure).
    """

    needs_history = False

    def on_train_begin(self, net, epochs: int) -> None: ...

    def on_epoch_begin(self, net, epoch: int) -> None: ...

    def on_epoch_end(self, info: EpochInfo) -> None: ...

    def on_train_end(self, net) -> None: ...


class EarlyStopping(Callback):
    """Stop when the monitored figure has not improved for ``patience`` epochs,
    and leave the network with the weights of its best epoch.

    Parameters
    ----------
    patience : int
        Epochs without improvement before stopping.
    min_delta : float
        An improvement must beat the best value by more than this.
    monitor : str
        ``"auto"`` (``val_loss`` with validation data, else ``loss``) or any
        history name; names ending in ``loss`` are minimised, others
        (``accuracy``, ``r2``, ...) maximised.
    restore_best_weights : bool
        Copy the best epoch's weights back at the end of training, whether or
        not training stopped early.

    After training, ``best_epoch``, ``best`` and ``stopped_epoch`` (``None`` if
    it ran to the end) say what happened; the same goes to ``net.training_record``.
    """

    needs_history = True

    def __init__(self, patience: int = 10, min_delta: float = 0.0, monitor: str = "auto",
                 restore_best_weights: bool = True):
        check_int("early stopping patience", patience, 1)
        check_positive_number("min_delta", min_delta, allow_zero=True)
        self.patience, self.min_delta = int(patience), float(min_delta)
        self.monitor, self.restore_best_weights = monitor, restore_best_weights

    def on_train_begin(self, net, epochs):
        self.best, self.best_epoch, self.stopped_epoch = math.inf, None, None
        self.wait, self._best_params = 0, None

    def on_epoch_end(self, info):
        key = self.monitor
        if key == "auto":
            key = "val_loss" if info.has_validation else "loss"
        value = info.get(key)
        score = value if key.endswith("loss") else -value  # lower is better
        if score < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = score, info.epoch, 0
            if self.restore_best_weights:
                self._best_params = [theta.copy() for _, theta, _ in info.net.parameters()]
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch, info.stop = info.epoch, True
        self.monitored_key = key

    def on_train_end(self, net):
        if self.best_epoch is None:
            return
        if self._best_params is not None:
            for (_, theta, _), best in zip(net.parameters(), self._best_params):
                theta[...] = best
        best = self.best if self.monitored_key.endswith("loss") else -self.best
        net.training_record.update(best_epoch=self.best_epoch, best_monitored=best,
                                   monitor=self.monitored_key,
                                   stopped_epoch=self.stopped_epoch)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate from a :class:`~lucidnet.optim.schedules.Schedule`
    at the start of each epoch; feed a monitoring schedule the epoch's cost.

    The optimizer's own rate is restored when training ends, so a second
    ``fit`` starts from the same ``eta_0``; the rates used are in
    ``net.history["lr"]``.
    """

    def __init__(self, schedule):
        from ..optim.schedules import get_schedule

        self.schedule = get_schedule(schedule)
        self.needs_history = self.schedule.monitors

    def on_train_begin(self, net, epochs):
        self.eta_0 = net.lr
        self.schedule.start(self.eta_0, epochs)

    def on_epoch_begin(self, net, epoch):
        net.lr = self.schedule.lr(epoch)

    def on_epoch_end(self, info):
        if self.schedule.monitors:
            self.schedule.observe(info.monitored)

    def on_train_end(self, net):
        net.lr = self.eta_0
