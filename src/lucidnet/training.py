"""The training loop behind :meth:`NeuralNetwork.fit`.

One epoch is, for each batch (one batch of all N columns by default)::

    forward    A[l] = sigma(W[l] A[l-1] + b[l])
    backward   Delta[L] = A[L] - Y, ..., dW[l], db[l]
    update     optimizer.step()   (plain descent: W -= eta dW, b -= eta db)

The cost J is computed only when something needs it: a print checkpoint
(epochs 0, k, 2k, ... after their update), validation, early stopping, a
schedule that watches the cost, or a callback that asks for it (see
:mod:`lucidnet.callbacks`; the held-out split is :mod:`lucidnet.validation`).
Divergence is caught by cheap tests (one sum of the output error each step,
one sum per parameter tensor each epoch; see :mod:`lucidnet.divergence`),
never by evaluating J; the network then keeps its last finite weights.
"""

from __future__ import annotations

import numpy as np

from . import checks
from .callbacks import (Callback, EarlyStopping, EpochInfo, LearningRateScheduler,
                        append_row)
from .divergence import DivergenceGuard
from .network import DivergenceError, NeuralNetwork
from .schedules import clip_grad_norm
from .validation import prepare_validation

__all__ = ["train", "Callback", "EpochInfo", "EarlyStopping"]


def _batches(N, batch_size, rng, shuffle):
    """Column index sets of one epoch: everything at once, or shuffled mini-batches."""
    if batch_size is None or batch_size >= N:
        yield None
        return
    order = rng.permutation(N) if shuffle else np.arange(N)
    for start in range(0, N, batch_size):
        yield order[start:start + batch_size]


def _options(epochs, print_every, grad_check_every, batch_size, clip_norm, early_stopping,
             min_delta, schedule, callbacks):
    """Validate the loop's options; return the full list of callbacks."""
    checks.check_int("epochs", epochs, 1)
    checks.check_int("print_every", print_every, 0)
    checks.check_int("grad_check_every", grad_check_every, 0)
    if batch_size is not None:
        checks.check_int("batch_size", batch_size, 1)
    if clip_norm is not None and not (isinstance(clip_norm, (int, float)) and
                                      not isinstance(clip_norm, bool) and
                                      np.isfinite(clip_norm) and clip_norm > 0):
        raise ValueError(f"clip_norm must be a positive number, got {clip_norm!r}")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise ValueError(f"callbacks must be Callback instances, got {type(cb).__name__}")
    if schedule is not None:
        callbacks.insert(0, LearningRateScheduler(schedule))
    if isinstance(early_stopping, EarlyStopping):
        callbacks.append(early_stopping)
    elif early_stopping is not None and early_stopping is not False:
        callbacks.append(EarlyStopping(patience=early_stopping, min_delta=min_delta))
    return callbacks


def train(net: NeuralNetwork, X, y, epochs=500, print_every=100, grad_check_every=0, *,
          batch_size=None, shuffle=True, callbacks=(), verbose=True, validation_split=None,
          validation_data=None, early_stopping=None, min_delta=0.0, schedule=None,
          clip_norm=None):
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
        Called at the start, at each epoch's start and end, and at the end.
    verbose : bool
        Print the checkpoint lines.
    validation_split : float in (0, 1), optional
        Hold out this share of the columns (shuffled from ``net.rng``,
        stratified for a classifier) and evaluate on it after every epoch.
    validation_data : (X_val, y_val), optional
        An explicit validation set, column-wise like ``X`` and ``y``.
    early_stopping : int or EarlyStopping, optional
        Patience: stop after that many epochs without improvement of the
        validation cost (the training cost without validation data), and
        restore the best epoch's weights in any case.
    min_delta : float
        Smallest improvement that counts for ``early_stopping`` given as an int.
    schedule : str or Schedule, optional
        Learning-rate schedule (see :mod:`lucidnet.schedules`).
    clip_norm : float, optional
        Rescale each batch's gradients so their global norm is at most this.

    Raises
    ------
    ValueError
        For bad data or options (see :mod:`lucidnet.checks`).
    DivergenceError
        When an output, a weight or a computed cost becomes non-finite; the
        network is left holding its last finite weights (see
        :mod:`lucidnet.divergence`).

    Returns
    -------
    list of float
        The training cost at each print checkpoint.  ``net.history`` holds a
        row (``epoch``, ``loss``, ``accuracy`` or ``r2``, ``val_*``, ``lr``) for
        every checkpoint, and for every epoch when there is validation data,
        early stopping, a monitoring schedule or a callback with ``needs_history``.
    """
    callbacks = _options(epochs, print_every, grad_check_every, batch_size, clip_norm,
                         early_stopping, min_delta, schedule, callbacks)
    X = net._inputs(X)      # real, finite, (d0, N); never modified (see lucidnet.checks)
    Y = net._targets(y, X.shape[1])
    X, Y, Xv, Yv = prepare_validation(net, X, Y, validation_split, validation_data)
    N = X.shape[1]
    X64 = Y64 = None
    if grad_check_every:
        X64, Y64 = X.astype(np.float64), Y.astype(np.float64)
    every_epoch = Xv is not None or any(cb.needs_history for cb in callbacks)

    costs: list[float] = []
    history = net.history
    for cb in callbacks:
        cb.on_train_begin(net, epochs)

    check_rng = np.random.default_rng(0)  # the check's own stream: training's is untouched
    guard = DivergenceGuard(net)
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
        for cb in callbacks:
            cb.on_epoch_begin(net, epoch)

        guard.snapshot(epoch)
        # Overflow is expected when training diverges: the finite tests turn it
        # into one DivergenceError instead of a stream of RuntimeWarnings.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            try:
                for cols in _batches(N, batch_size, net.rng, shuffle):
                    if cols is None:
                        net._backward(X, Y)
                    else:
                        net._backward(X[:, cols], Y[:, cols])
                    if clip_norm is not None:
                        clip_grad_norm((g for _, _, g in net.parameters()), clip_norm)
                    net.step()
                guard.check(epoch)
            except DivergenceError as exc:
                raise guard.fail(epoch, exc, X, Y) from None

        info = EpochInfo(net, epoch, X, Y, Xv, Yv)
        checkpoint = bool(print_every) and epoch % print_every == 0
        if checkpoint:
            if not np.isfinite(info.cost):
                raise guard.fail(epoch, "the cost became non-finite", X, Y)
            guard.record_cost(epoch, info.cost)
            costs.append(info.cost)
            if verbose:
                print(f"Epoch: {epoch} Cost {info.cost:.6f}")
        recorded = checkpoint or every_epoch
        if recorded:
            append_row(history, {**info.row(), **({"lr": net.lr} if schedule else {})})
        for cb in callbacks:
            cb.on_epoch_end(info)
        if not recorded and info.cost_if_known is not None:  # a callback paid for it
            append_row(history, {**info.row(), **({"lr": net.lr} if schedule else {})})
        if info.stop:
            break

    for cb in callbacks:
        cb.on_train_end(net)
    net.training_record.update(epochs=int(net.training_record.get("epochs", 0)) + epoch + 1,
                               final_cost=costs[-1] if costs else None)
    return costs
