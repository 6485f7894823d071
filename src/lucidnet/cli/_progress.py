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
    """Records the training cost every ``every`` epochs (and the last), so that
    ``net.history`` holds enough points (about ``points``) for loss_curve.png to
    show the run's shape, spikes included, and not only the print checkpoints.

    With ``from_step`` (full batch, no dropout, no penalty, no schedule: the
    caller knows), a sample costs no forward pass of its own.  The history's
    row of epoch e is the cost after epoch e's update, ``J(W_{e+1})`` with
    ``W_{e+1}`` the weights epoch e's step left.  Those are the very weights
    epoch e+1's step runs its forward pass of all N examples at, before it
    updates them, and the caches of that pass (``A[L]``, ``Z[L]``) are still
    there after the update.  So at the end of epoch e+1 the row of epoch e is
    read from them.  That is exact only when that pass is the same as an
    inference pass of all N examples (no dropout mask, not a mini-batch) and
    the penalty, which depends on the weights now (``W_{e+2}``), is 0; and only
    if no other forward pass came after the step: the loop's own (a print
    checkpoint) and a progress bar's go through ``info``, which says so
    (``cost_if_known``), and then that epoch's row is recorded anyway.  A sample
    whose next epoch is a print checkpoint (``print_every``), and the last
    epoch's, are one forward pass of their own, ``info.cost``, as every sample
    is without ``from_step``.  Place this callback before any that runs a
    forward pass of its own.
    """

    def __init__(self, epochs: int, points: int = 500, *, from_step: bool = False,
                 print_every: int = 0):
        self.every = max(1, epochs // points)
        self._last = epochs - 1
        self.from_step, self.print_every = from_step, print_every

    def on_train_begin(self, net, epochs):
        self._last = epochs - 1

    def on_epoch_end(self, info: EpochInfo):
        epoch = info.epoch
        if self.from_step and epoch >= 1 and (epoch - 1) % self.every == 0:
            self._row_from_step(info, epoch - 1)  # the last epoch's sample, if it waited
        if epoch % self.every == 0 or epoch == self._last:
            checkpoint_next = self.print_every and (epoch + 1) % self.print_every == 0
            if not self.from_step or checkpoint_next or epoch == self._last:
                info.cost  # noqa: B018 -- computing it is what records it

    def _row_from_step(self, info: EpochInfo, epoch: int) -> None:
        """The row of ``epoch`` (the one before ``info.epoch``) from this epoch's step."""
        from ..training.callbacks import append_row, figures_of_last_forward

        net, history = info.net, info.net.history
        if history.get("epoch") and history["epoch"][-1] >= epoch:
            return  # recorded already (a print checkpoint, or a cost a callback read)
        if info.cost_if_known is not None or net.output.shape[1] != info.n_examples:
            return  # a later forward pass replaced the step's caches: this row is lost
        J, name, value = figures_of_last_forward(net, info.targets)
        append_row(history, {"epoch": epoch, "loss": J, name: value})
