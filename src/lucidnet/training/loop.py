"""The training loop behind :meth:`NeuralNetwork.fit`.

One epoch is, for each batch (one batch of all N columns by default)::

    forward    A[l] = sigma(W[l] A[l-1] + b[l])
    backward   Delta[L] = A[L] - Y, ..., dW[l], db[l]
    update     optimizer.step()   (plain descent: W -= eta dW, b -= eta db)

The cost J is computed only when something needs it: a print checkpoint
(epochs 0, k, 2k, ... after their update), validation, early stopping, a
schedule that watches the cost, or a callback that asks for it (see
:mod:`lucidnet.training.callbacks`; the held-out split is :mod:`lucidnet.training.validation`).
Divergence is caught by cheap tests (one sum of the output error each step,
one sum of squares per parameter tensor each epoch; see :mod:`lucidnet.training.divergence`),
never by evaluating J; the network then keeps its last finite weights.
"""

from __future__ import annotations

import numpy as np

from .. import checks
from ..atomic_files import sigint_hook
from .callbacks import (Callback, EarlyStopping, EpochInfo, LearningRateScheduler,
                        append_row)
from ..gradcheck.periodic import PeriodicCheck
from .diagnosis import warn_if_poor
from .divergence import DivergenceGuard
from .run import Run
from .interrupt import TrainingInterrupted, deferred_interrupts
from ..errors import DivergenceError
from ..optim.clipping import clip_grad_norm
from .memory import check_training_fits, release_work_arrays, released_on_error
from .passes import figures_in_batches, forward_cannot_overflow, forward_in_batches
from .validation import prepare_validation

__all__ = ["train", "train_step", "Callback", "EpochInfo", "EarlyStopping"]


def train_step(net, X, Y, sample_weight=None, *, clip_norm=None,
               check_finite=True) -> None:
    """One training step on a checked batch ``X`` ``(d0, N)``, ``Y`` ``(dL, N)``::

        forward    A[l] = sigma(W[l] A[l-1] + b[l])
        backward   Delta[L] = A[L] - Y, ..., dW[l], db[l]   (into each layer's grads)
        update     optimizer.step()

    The one step of both training loops, :func:`train`'s and the scikit-learn
    estimators' (``lucidnet.sklearn``), so a fix to the step lands in both;
    what differs (cost bookkeeping, divergence handling, stopping) stays in
    each loop.  ``clip_norm`` rescales the gradients to that global norm
    before the update; ``check_finite=False`` skips the divergence test of
    the backward pass (the estimators train through divergence, as
    scikit-learn does).  The forward caches stay as the pass left them, so
    ``net.output`` is still the batch's ``A[L]`` after the update.

    Raises
    ------
    DivergenceError
        With ``check_finite``, when the output or its error signal is not finite
        (nothing is updated then).
    """
    net.backward_checked(X, Y, sample_weight, check_finite=check_finite)
    if clip_norm is not None:
        clip_grad_norm((g for _, _, g in net.parameters()), clip_norm)
    net.step()


def _options(epochs, print_every, grad_check_every, batch_size, clip_norm, early_stopping,
             min_delta, schedule, callbacks):
    """Validate the loop's options; return the full list of callbacks."""
    checks.check_int("epochs", epochs, 1)
    checks.check_int("print_every", print_every, 0)
    checks.check_int("grad_check_every", grad_check_every, 0)
    if batch_size is not None:
        checks.check_int("batch_size", batch_size, 1)
    if clip_norm is not None:
        checks.check_positive_number("clip_norm", clip_norm)
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


def _interrupted(run, epoch, X, Y, callbacks, check_rng) -> TrainingInterrupted:
    """Save a checkpoint (if there is a path) and say where training stopped."""
    cost = figures_in_batches(run.net, X, Y)[0]  # a block of columns at a time
    path = run.save(callbacks, check_rng)
    where = (f"after epoch {epoch}" if run.batches_done == 0 else
             f"in epoch {epoch} after {run.batches_done} step(s)")
    saved = (f"checkpoint saved to {path}; resume with "
             f"lucidnet.resume({str(path)!r}, X, y)" if path is not None else
             "no checkpoint saved (give fit a checkpoint_path to be able to resume)")
    return TrainingInterrupted(
        f"training interrupted {where}, cost {cost:.6f}; the network keeps the weights of "
        f"the last step; {saved}", epoch=epoch, batches_done=run.batches_done,
        cost=cost, checkpoint=None if path is None else str(path))


def train(net, X, y, epochs=500, print_every=100, grad_check_every=0, *,
          batch_size=None, shuffle=True, callbacks=(), verbose=True, validation_split=None,
          validation_data=None, early_stopping=None, min_delta=0.0, schedule=None,
          clip_norm=None, checkpoint_path=None, checkpoint_every=0,
          on_grad_check_failure="raise", _resume=None):
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
        0, k, 2k, ...; reports go to ``net.grad_checks``.  0 disables it.  The
        check uses at most 256 evenly spaced examples, judges the error
        against the scale of the whole gradient tensor and leaves out examples
        whose perturbation crosses a kink (see :mod:`lucidnet.gradcheck.periodic`).
    on_grad_check_failure : {"raise", "warn", "record"}
        A failed periodic check raises ``AssertionError`` (the default), warns
        (``lucidnet.errors.GradientCheckWarning``) and trains on, or is only
        recorded in ``net.grad_checks`` (``report.passed`` is False).
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
        Learning-rate schedule (see :mod:`lucidnet.optim.schedules`).
    clip_norm : float, optional
        Rescale each batch's gradients so their global norm is at most this.
    checkpoint_path : str or Path, optional
        Where to save the whole training state (a ``.npz`` model file, written
        atomically): every ``checkpoint_every`` epochs and on Ctrl-C.  Resume
        with :func:`lucidnet.resume`; the result is bit-identical
        to an uninterrupted run.
    checkpoint_every : int
        Save after epochs K-1, 2K-1, ... (every K epochs); 0 saves only on Ctrl-C.

    Ctrl-C (SIGINT) finishes the current optimizer step, saves a checkpoint
    when ``checkpoint_path`` is given, and raises
    :class:`~lucidnet.errors.TrainingInterrupted` (a ``KeyboardInterrupt``)
    saying where training stopped; the network keeps the weights of that
    step.  A second Ctrl-C stops at once.

    Raises
    ------
    ValueError
        For bad data or options (see :mod:`lucidnet.checks`), and when the
        batches (or the full batch) would not fit in the memory available,
        with the bytes needed and available (see :mod:`lucidnet.training.memory`).
    DivergenceError
        When an output, a weight or a computed cost becomes non-finite; the
        network is left holding its last finite weights (see
        :mod:`lucidnet.training.divergence`).

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
    X = net.check_inputs(X)      # real, finite, (d0, N); never modified (see lucidnet.checks)
    Y = net.check_targets(y, X.shape[1])
    # A batch that cannot fit in memory is refused before anything is allocated or
    # changed (lucidnet.training.memory); a cost evaluation passes over all examples,
    # a block of columns at a time (lucidnet.training.passes).
    evaluates = bool(print_every) or validation_split is not None or \
        validation_data is not None or any(cb.needs_history for cb in callbacks)
    check_training_fits(net, X.shape[1], batch_size, evaluates)
    # Inputs so large that even the first forward pass overflows are the data's
    # fault, not the learning rate's: say so before training (one pass, once,
    # unless a bound on |Z| proves it cannot overflow; see lucidnet.training.passes).
    try:
        if not forward_cannot_overflow(net, X):
            checks.without_overflow(lambda: forward_in_batches(net, X, batch_size), "X",
                                    net.dtype)
    except ValueError:
        if not net.training_record.get("epochs"):
            raise
        # weights that training moved (a refit, a resumed checkpoint) are the suspect
        largest = max(float(np.abs(theta).max()) for _, theta, _ in net.parameters())
        raise ValueError(f"the first forward pass overflows in {net.dtype} with the weights "
                         f"that earlier training left (largest |w| {largest:.3g}): they come "
                         "from a diverging run; train fresh weights with a smaller learning "
                         "rate (or rescale the inputs)") from None
    run = Run(net, X, Y, epochs, dict(
        print_every=print_every, grad_check_every=grad_check_every, batch_size=batch_size,
        shuffle=shuffle, validation_split=validation_split, validation_data=validation_data,
        early_stopping=early_stopping, min_delta=min_delta, schedule=schedule,
        clip_norm=clip_norm, checkpoint_every=checkpoint_every),
        checkpoint_path, checkpoint_every, _resume)
    X, Y, Xv, Yv = prepare_validation(net, X, Y, validation_split, validation_data)
    N = X.shape[1]
    # one float64 copy (of a float32 net) and float64 data for all the run's checks
    grad_check = PeriodicCheck(net, X, Y, on_grad_check_failure) if grad_check_every else None
    every_epoch = Xv is not None or any(cb.needs_history for cb in callbacks)

    history = net.history
    for cb in callbacks:
        cb.on_train_begin(net, epochs)

    check_rng = np.random.default_rng(0)  # the check's own stream: training's is untouched
    run.begin(callbacks, check_rng, N)    # a resumed run: optimizer, rng, history, callbacks
    costs = run.costs
    guard = DivergenceGuard(net)
    epoch = run.epoch - 1
    first = run.epoch
    # Ctrl-C: finish the step, save, stop; an error drops large work arrays on its way out
    with deferred_interrupts() as interrupt, released_on_error(net):
        for epoch in range(run.epoch, epochs):
            if epoch <= first + 1:  # tests reach these moments (see atomic_files.sigint_hook)
                sigint_hook("first_epoch" if epoch == first else "mid_epoch")
            fresh = run.batches_done == 0  # False when resuming in the middle of this epoch
            if fresh and grad_check_every and epoch % grad_check_every == 0:
                try:  # divergence first: never a gradient check of an exploded network
                    guard.watch(epoch, grad_check.cost())
                except DivergenceError as exc:
                    raise guard.fail(epoch, exc, X, Y) from None
                net.grad_checks.append((epoch, grad_check(epoch, check_rng)))
            for cb in callbacks if fresh else ():
                cb.on_epoch_begin(net, epoch)

            guard.snapshot(epoch)
            # Overflow is expected when training diverges: the finite tests turn it
            # into one DivergenceError instead of a stream of RuntimeWarnings.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                try:
                    for cols in run.batches(N, batch_size, net.rng, shuffle):
                        if cols is None:
                            train_step(net, X, Y, clip_norm=clip_norm)
                        else:
                            # np.take: the same columns as X[:, cols], in half the time
                            train_step(net, X.take(cols, axis=1), Y.take(cols, axis=1),
                                       clip_norm=clip_norm)
                        run.step_done()
                        if interrupt.requested:
                            raise _interrupted(run, epoch, X, Y, callbacks, check_rng)
                    guard.check(epoch)
                except DivergenceError as exc:
                    raise guard.fail(epoch, exc, X, Y) from None

            info = EpochInfo(net, epoch, X, Y, Xv, Yv)
            checkpoint = bool(print_every) and epoch % print_every == 0
            if checkpoint:
                try:
                    guard.watch(epoch, info.cost)
                except DivergenceError as exc:
                    raise guard.fail(epoch, exc, X, Y) from None
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
            run.epoch_done(epoch, callbacks, check_rng)
            if interrupt.requested:
                raise _interrupted(run, epoch, X, Y, callbacks, check_rng)
            if info.stop:
                break

    for cb in callbacks:
        cb.on_train_end(net)
    net.training_record.update(epochs=int(net.training_record.get("epochs", 0)) + epoch + 1,
                               final_cost=costs[-1] if costs else None)
    # a word when the result is poor (a TrainingDiagnosis warning; see lucidnet.training.diagnosis)
    warn_if_poor(net, X, Y, epochs=epoch + 1, batch_size=batch_size,
                 early_stopping=any(isinstance(cb, EarlyStopping) for cb in callbacks))
    release_work_arrays(net)  # large ones would stay beside a score or predict over all N
    return costs
