"""Catching divergence cheaply and keeping the last finite weights.

Training diverges when a learning rate is too large for the data's scale: the
weights grow until some value overflows to infinity and then NaN.  Computing
the cost J every epoch to notice that would double the work, so two cheap
tests are used instead:

- every step, ``Network.backprop`` sums the output error
  ``Delta[L] = A[L] - Y`` (one pass over a ``(dL, N)`` array) and raises
  :class:`~lucidnet.network.DivergenceError` if the sum is not finite;
- every epoch, :meth:`DivergenceGuard.check` sums the squares of each parameter
  tensor (one pass over the P parameters), which catches a gradient or an update that
  overflowed even when the outputs saturated to finite values;
- every cost J that is computed anyway (a print checkpoint, the periodic gradient
  check's) is compared with the first one: a cost that grew past
  ``EXPLODED * max(J_first, 1)`` has diverged while still finite (a regression on
  raw prices reaches 1e124), and is reported as such before a gradient check
  runs on the exploded network.

At the start of each epoch the guard copies the weights and the optimizer
state (O(P), negligible next to a forward pass over N examples).  When a test
fails it puts that copy back, so the network holds the last weights that were
finite, and raises a ``DivergenceError`` naming the epoch, the learning rate
and the last finite cost.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import DivergenceError
from .passes import figures_in_batches

__all__ = ["DivergenceGuard", "DivergenceError", "weights_are_finite", "EXPLODED"]

EXPLODED = 1e6  # a cost this many times its first value (or 1) has diverged


def weights_are_finite(net) -> bool:
    """True if every parameter tensor of ``net`` is finite."""
    return all(np.isfinite(theta).all() for _, theta, _ in net.parameters())


def _copy_into(saved: np.ndarray | None, buf: np.ndarray) -> np.ndarray:
    """``buf`` copied into ``saved`` when it fits (no allocation per epoch), else a new copy."""
    if saved is None or saved.shape != buf.shape or saved.dtype != buf.dtype:
        return buf.copy()
    np.copyto(saved, buf)
    return saved


class DivergenceGuard:
    """Snapshots at epoch starts; restore and explain on the first non-finite value.

    The two most recent snapshots are kept, and one more at the last epoch
    whose cost was computed and finite.  On failure the latest of them whose
    cost is finite is restored: weights that grew slowly until the cost
    overflowed are finite, yet no good to continue from.

    Parameters
    ----------
    net : NeuralNetwork
        The network being trained (its parameters are updated in place).
    """

    def __init__(self, net):
        self.net = net
        self._params = [theta for _, theta, _ in net.parameters()]
        self._snapshots: list[dict] = []   # oldest first, at most two
        self._known_good: dict | None = None  # taken where a finite cost was recorded
        self.last_cost = None              # the last finite cost seen ...
        self.last_cost_epoch = None        # ... after this epoch (-1: before training)
        self.first_cost = None             # the first one: the scale of "exploded"

    def acceptable(self, cost) -> bool:
        """True for a finite cost that has not grown past ``EXPLODED`` times the first."""
        if cost is None or not math.isfinite(cost):
            return False
        return self.first_cost is None or cost <= EXPLODED * max(self.first_cost, 1.0)

    def watch(self, epoch: int, cost) -> None:
        """Raise ``DivergenceError`` if a cost computed at ``epoch`` is not acceptable."""
        if cost is not None and math.isfinite(cost) and self.first_cost is None:
            self.first_cost = float(cost)
        if not self.acceptable(cost):
            grown = (f"the cost grew from {self.first_cost:.4g} to {cost:.4g}"
                     if cost is not None and math.isfinite(cost) else "the cost became non-finite")
            raise DivergenceError(grown)

    def _take(self, epoch: int, reuse: dict | None) -> dict:
        weights = reuse["weights"] if reuse else [np.empty_like(t) for t in self._params]
        for saved, theta in zip(weights, self._params):
            saved[...] = theta  # a copy into the reused buffer (2x faster than np.copyto here)
        opt = self.net.optimizer
        old_state = reuse["state"] if reuse else {}
        state = {key: {name: _copy_into(old_state.get(key, {}).get(name), buf)
                       for name, buf in slot.items()}
                 for key, slot in opt.state.items()}
        return {"epoch": epoch, "weights": weights, "t": opt.t, "state": state}

    def snapshot(self, epoch: int) -> None:
        """Copy the weights and optimizer state as they are before ``epoch``."""
        reuse = self._snapshots.pop(0) if len(self._snapshots) == 2 else None
        self._snapshots.append(self._take(epoch, reuse))

    def record_cost(self, epoch: int, cost: float | None) -> None:
        """Remember a finite cost J computed after ``epoch``, and the weights that gave it."""
        if self.acceptable(cost):
            self.last_cost, self.last_cost_epoch = cost, epoch
            self._known_good = self._take(epoch + 1, self._known_good)

    def check(self, epoch: int) -> None:
        """Raise ``DivergenceError`` if any parameter is not finite after ``epoch``.

        ``sum(theta**2)`` over all tensors is finite when every entry is: one
        BLAS dot per tensor, 4x cheaper than ``theta.sum()`` and ``np.isfinite``
        on small tensors (Python floats add without warnings).  Entries so
        large that their squares overflow fail it while finite: then the exact
        test decides.
        """
        total = 0.0
        for theta in self._params:
            total += float(np.vdot(theta, theta))
        if not math.isfinite(total) and \
                not all(np.isfinite(theta).all() for theta in self._params):
            raise DivergenceError("an update made the weights non-finite "
                                  "(the gradient or the step overflowed)")

    def _restore(self, snap: dict) -> None:
        for saved, theta in zip(snap["weights"], self._params):
            np.copyto(theta, saved)
        opt = self.net.optimizer
        opt.state.clear()
        # Copies: the snapshot's buffers are reused by later snapshots.
        opt.state.update({key: {name: buf.copy() for name, buf in slot.items()}
                          for key, slot in snap["state"].items()})
        opt.t = snap["t"]

    def _cost(self, X, Y) -> float:
        return figures_in_batches(self.net, X, Y)[0]  # no warnings, a block at a time

    def fail(self, epoch: int, reason, X, Y) -> DivergenceError:
        """Restore the last snapshot with a finite cost and build the error for ``epoch``.

        The returned error carries ``epoch``, ``lr``, ``last_cost`` and
        ``weights_epoch`` (the epoch after which the kept weights were
        reached; -1 for the initial weights).
        """
        net = self.net
        candidates = [snap for snap in reversed(self._snapshots)
                      if not self._known_good or snap["epoch"] > self._known_good["epoch"]]
        found = False
        for snap in candidates:
            self._restore(snap)
            cost = self._cost(X, Y)
            if self.acceptable(cost):
                self.last_cost, self.last_cost_epoch = cost, snap["epoch"] - 1
                found = True
                break
        if not found and self._known_good is not None:
            snap = self._known_good
            self._restore(snap)
        elif not found:
            snap = self._snapshots[-1]
            self._restore(snap)
        kept = snap["epoch"] - 1
        if self.last_cost is None:
            known = ("the cost at the last finite weights overflows or has exploded, and "
                     "no earlier cost was computed")
        elif self.last_cost_epoch < 0:
            known = f"last finite cost {self.last_cost:.6g} (before training)"
        else:
            known = f"last finite cost {self.last_cost:.6g} (after epoch {self.last_cost_epoch})"
        held = "the weights it started with" if kept < 0 else f"its weights after epoch {kept}"
        scale = float(np.abs(X).max()) if X.size else 0.0
        advice = f"lower the learning rate (e.g. {net.lr / 10:g})"
        if scale > 1e3:
            advice += f", or standardize the features (the largest |x| is {scale:.3g})"
        error = DivergenceError(
            f"training diverged at epoch {epoch} with learning rate {net.lr:g}: {reason}; "
            f"{known}. The network keeps {held}. Try to {advice}.")
        error.epoch, error.lr, error.last_cost, error.weights_epoch = \
            epoch, net.lr, self.last_cost, kept
        return error
