"""The progress bar and cost log of ``lucidnet train`` (a training callback).

The core never imports tqdm: the bar lives here, in a :class:`Callback`.
"""

from __future__ import annotations

import time

from ..training.callbacks import Callback, EpochInfo

__all__ = ["ProgressBar", "CurveSampler"]


class ProgressBar(Callback):
    """A tqdm bar with the current cost, and the ``Epoch: k Cost J`` log lines.

    The cost shown on the bar is read from :attr:`EpochInfo.cost` at most every
    ``refresh`` seconds (reading it costs one forward pass), so the bar does not
    slow training down.  Log lines go through ``tqdm.write`` so they do not
    tear the bar.

    Parameters
    ----------
    print_every : int
        Write the log line of epochs 0, k, 2k, ... (0: no log lines).
    bar : bool
        Show the bar (on stderr).
    refresh : float
        Seconds between cost updates on the bar.
    """

    def __init__(self, print_every: int, bar: bool = True, refresh: float = 0.25):
        self.print_every, self.show_bar, self.refresh = print_every, bar, refresh
        self.bar = None
        self._last = 0.0

    def on_train_begin(self, net, epochs):
        from tqdm import tqdm

        self.bar = tqdm(total=epochs, unit="epoch", disable=not self.show_bar,
                        dynamic_ncols=True, leave=True, mininterval=self.refresh)
        self._last = time.monotonic()

    def on_epoch_end(self, info: EpochInfo):
        self.bar.update(1)
        now = time.monotonic()
        # A cost already computed this epoch (a log line) is shown for free;
        # otherwise one is computed at most every `refresh` seconds.
        fresh = info.cost_if_known is not None
        if self.show_bar and (fresh or now - self._last >= self.refresh):
            self._last = now
            self.bar.set_postfix(cost=f"{info.cost:.4f}", refresh=False)
        if self.print_every and info.epoch % self.print_every == 0:
            self.bar.write(f"Epoch: {info.epoch} Cost {info.cost:.6f}")  # redraws the bar

    def on_train_end(self, net):
        if self.bar is not None:
            self.bar.close()


class CurveSampler(Callback):
    """Reads the training cost every ``every`` epochs (and the last), so that
    ``net.history`` (which records every cost a callback paid for) holds enough
    points for loss_curve.png to show the run's shape, spikes included, and not
    only the print checkpoints.  About ``points`` forward passes in all: a few
    percent of the run's time."""

    def __init__(self, epochs: int, points: int = 500):
        self.every = max(1, epochs // points)
        self._last = epochs - 1

    def on_train_begin(self, net, epochs):
        self._last = epochs - 1

    def on_epoch_end(self, info: EpochInfo):
        if info.epoch % self.every == 0 or info.epoch == self._last:
            info.cost  # noqa: B018 -- computing it is what records it
