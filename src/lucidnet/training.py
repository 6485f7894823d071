"""The training loop behind :meth:`NeuralNetwork.fit`.

One epoch is, for each batch (one batch of all N columns by default)::

    forward    A[l] = sigma(W[l] A[l-1] + b[l])
    backward   Delta[L] = A[L] - Y, ..., dW[l], db[l]
    update     optimizer.step()   (plain descent: W -= eta dW, b -= eta db)

The cost J is computed only when something needs it: a print checkpoint
(epochs 0, k, 2k, ... after their update) or a callback that asks for it.
Divergence is caught every epoch by a cheap test in backward (one sum of the
output error), never by evaluating J.
"""

from __future__ import annotations

import numpy as np

from .network import NeuralNetwork

__all__ = ["train", "Callback", "EpochInfo"]


class EpochInfo:
    """What a callback sees at the end of an epoch.

    ``cost`` is the training cost J after this epoch's update; it is computed
    on first access only (one forward pass) and then cached.
    """

    def __init__(self, net: NeuralNetwork, epoch: int, X, Y):
        self.net, self.epoch = net, epoch
        self._X, self._Y = X, Y
        self._cost = None
        self.stop = False  # a callback sets this to end training after this epoch

    @property
    def cost(self) -> float:
        if self._cost is None:
            self.net.forward(self._X)
            self._cost = self.net._cost_of_forward(self._Y)
        return self._cost

    @property
    def cost_if_known(self) -> float | None:
        return self._cost


class Callback:
    """Hooks into the loop; override any of them."""

    def on_train_begin(self, net: NeuralNetwork, epochs: int) -> None: ...

    def on_epoch_end(self, info: EpochInfo) -> None: ...

    def on_train_end(self, net: NeuralNetwork) -> None: ...


def _batches(N, batch_size, rng, shuffle):
    """Column index sets of one epoch: everything at once, or shuffled mini-batches."""
    if batch_size is None or batch_size >= N:
        yield None
        return
    order = rng.permutation(N) if shuffle else np.arange(N)
    for start in range(0, N, batch_size):
        yield order[start:start + batch_size]


def train(net: NeuralNetwork, X, y, epochs=500, print_every=100, grad_check_every=0, *,
          batch_size=None, shuffle=True, callbacks=(), verbose=True):
    """Train ``net`` on ``X`` ``(d0, N)`` and ``y``; return the checkpoint costs.

    Parameters
    ----------
    epochs : int
        Passes over the data.
    print_every : int
        Record (and, if ``verbose``, print ``Epoch: k Cost J``) after the
        update of epochs 0, k, 2k, ...; 0 records nothing.
    grad_check_every : int
        Directional gradient check of every parameter tensor at epochs
        0, k, 2k, ...; reports go to ``net.grad_checks``; a failure raises
        ``AssertionError``.  0 disables it.
    batch_size : int, optional
        Mini-batch size; ``None`` is full batch.  Batches are reshuffled every
        epoch from the network's Generator when ``shuffle``.
    callbacks : sequence of Callback
        Called at the start, at each epoch's end and at the end.
    verbose : bool
        Print the checkpoint lines.
    """
    for name, value, low in (("epochs", epochs, 1), ("print_every", print_every, 0),
                             ("grad_check_every", grad_check_every, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or
                                   not isinstance(batch_size, (int, np.integer)) or
                                   batch_size < 1):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    X = net._inputs(X)
    Y = net._targets(y, X.shape[1])
    if not (np.isfinite(X).all() and np.isfinite(Y).all()):
        raise ValueError("X and y must be finite (found NaN or infinity)")
    N = X.shape[1]
    X64 = Y64 = None
    if grad_check_every:
        X64, Y64 = X.astype(np.float64), Y.astype(np.float64)

    costs: list[float] = []
    history = net.history
    for key in ("epoch", "loss"):
        history.setdefault(key, [])
    for cb in callbacks:
        cb.on_train_begin(net, epochs)

    check_rng = np.random.default_rng(0)  # the check's own stream: training's is untouched
    for epoch in range(epochs):
        if grad_check_every and epoch % grad_check_every == 0:
            checked = net if net.dtype == np.float64 else net.astype("float64")
            reports = checked._grad_check(
                X64, Y64, [(i, p) for i, layer in enumerate(net.layers) for p in layer.params],
                rng=check_rng)
            net.grad_checks.append((epoch, reports))
            failed = [r for r in reports if not r.passed]
            if failed:
                from .gradcheck import _failure_message
                raise AssertionError(f"at epoch {epoch}: " + _failure_message(failed[0]))

        for cols in _batches(N, batch_size, net.rng, shuffle):
            if cols is None:
                net._backward(X, Y)
            else:
                net._backward(X[:, cols], Y[:, cols])
            net.step()

        info = EpochInfo(net, epoch, X, Y)
        if print_every and epoch % print_every == 0:
            costs.append(info.cost)
            history["epoch"].append(epoch)
            history["loss"].append(info.cost)
            if verbose:
                print(f"Epoch: {epoch} Cost {info.cost:.6f}")
        for cb in callbacks:
            cb.on_epoch_end(info)
        if info.stop:
            break

    for cb in callbacks:
        cb.on_train_end(net)
    net.training_record.update(epochs=int(net.training_record.get("epochs", 0)) + epoch + 1,
                               final_cost=costs[-1] if costs else None)
    return costs
