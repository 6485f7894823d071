"""Mini-batch training of the estimators' network, step for step as scikit-learn's MLP.

One epoch (``n`` training examples, batch size ``B``)::

    order = shuffle(order, random_state)     # the previous epoch's order, reshuffled
    for each slice s of B positions:         # the last batch may be shorter
        forward, backward, optimizer step    # on the examples order[s]
        accumulated += loss(batch) * |s|     # loss measured before the step
    loss_ = accumulated / n;  t_ += n

Then the stopping bookkeeping: without early stopping an epoch counts as no
progress when ``loss_ > best_loss_ - tol``; with it, when the held-out score
is ``< best_validation_score_ + tol`` (a ``nan`` score resets the count, as
any comparison with ``nan`` is false).  ``n_iter_no_change`` such epochs *in
a row* stop training, except that ``sgd`` with ``adaptive`` first divides
its step size by 5 (see :mod:`._optimizers`).  All randomness comes from the
estimator's ``RandomState`` in scikit-learn's order: the initial weights (in
``_base``), then the early-stopping split, then one shuffle per epoch.

Divergence does not stop training (scikit-learn's behaviour): overflowing
values are carried along, the regressor's validation score becomes ``nan``,
early stopping still restores the best weights, and ``fit`` raises at the
end if the weights it keeps are not finite.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import gen_batches

from ..optim.optimizers import SGD, Adam, AdamW, Momentum, Nesterov, RMSProp
from ..training import loop
from ..training.memory import check_training_fits
from ._losses import batch_loss, l2_penalty, objective
from ._optimizers import SklearnAdam, SklearnSGD

__all__ = ["fit_stochastic", "make_optimizer", "core_optimizer"]


def make_optimizer(est):
    """The optimizer of ``est.solver`` with the estimator's hyperparameters."""
    if est.solver == "sgd":
        return SklearnSGD(est.learning_rate_init, est.learning_rate, est.momentum,
                          est.nesterovs_momentum, est.power_t)
    if est.solver == "adam":
        return SklearnAdam(est.learning_rate_init, est.beta_1, est.beta_2, est.epsilon)
    lr = float(est.learning_rate_init)
    if est.solver == "adamw":  # lucidnet extras: the core's (torch-form) optimizers
        return AdamW(lr, beta1=float(est.beta_1), beta2=float(est.beta_2),
                     eps=float(est.epsilon), weight_decay=float(est.weight_decay))
    # RMSProp's decay rate rho is beta_2, the same role as in Adam
    return RMSProp(lr, rho=float(est.beta_2), eps=float(est.epsilon))


def core_optimizer(est):
    """The core optimizer with the solver's hyperparameters (what a model file records)."""
    lr = float(est.learning_rate_init)
    if est.solver == "adam":
        return Adam(lr, beta1=float(est.beta_1), beta2=float(est.beta_2), eps=float(est.epsilon))
    if est.solver in ("adamw", "rmsprop"):
        return make_optimizer(est)
    if est.solver == "sgd" and 0 < est.momentum < 1:
        cls = Nesterov if est.nesterovs_momentum else Momentum
        return cls(lr, momentum=float(est.momentum))
    return SGD(lr)


def _split(est, X, Y, sample_weight):
    """scikit-learn's early-stopping split (stratified on the binarized target of a
    single-output classifier), drawn from the estimator's RandomState."""
    stratify = Y if est._is_classifier_task() and Y.shape[1] == 1 else None
    arrays = [X, Y] if sample_weight is None else [X, Y, sample_weight]
    parts = train_test_split(*arrays, random_state=est._random_state,
                             test_size=est.validation_fraction, stratify=stratify)
    X_tr, X_val, Y_tr, Y_val = parts[:4]
    sw_tr, sw_val = (parts[4], parts[5]) if sample_weight is not None else (None, None)
    if X_val.shape[0] < 2:
        raise ValueError("The validation set is too small. Increase 'validation_fraction' "
                         "or the size of your dataset.")
    return X_tr, Y_tr, sw_tr, X_val, Y_val, sw_val


def _batch_size(est, n):
    if est.batch_size == "auto":
        return min(200, n)
    if est.batch_size > n:
        warnings.warn("Got `batch_size` less than 1 or larger than sample size. "
                      "It is going to be clipped", stacklevel=4)
    return int(np.clip(est.batch_size, 1, n))


def fit_stochastic(est, X, Y, sample_weight, incremental):
    """Train ``est.net_`` on row-major ``X`` ``(n, d0)`` and ``Y`` ``(n, dL)``.

    ``Y`` is the classifier's boolean indicator matrix (what the split
    stratifies on) or the regressor's float targets.
    """
    net = est.net_
    if not incremental or "_optimizer" not in est.__dict__:
        est._optimizer = make_optimizer(est)
    net.optimizer = opt = est._optimizer
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    if est.early_stopping:
        X, Y, sample_weight, X_val, Y_val, sw_val = _split(est, X, Y, sample_weight)
        validation = est._validation_set(X_val, Y_val, sw_val)
    # Rows stay rows: gathering a batch of rows is cheaper than one of
    # columns, and the transpose of a row-major batch is the core's (d0, N) view.
    X = np.ascontiguousarray(X)                           # (n, d0)
    Y = np.ascontiguousarray(Y, dtype=net.dtype)          # (n, dL)
    n = X.shape[0]
    batch_size = _batch_size(est, n)
    check_training_fits(net, n, batch_size, evaluates=False)   # refuse before allocating
    order = np.arange(n, dtype=int)
    loss_name = est._loss_name()
    iteration_ends = getattr(opt, "iteration_ends", None)
    try:
        est.n_iter_ = 0
        for _ in range(est.max_iter):
            if est.shuffle:
                order = _reshuffled(order, est._random_state)
            accumulated = 0.0
            # Overflow is part of scikit-learn's behaviour when training diverges
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for batch in gen_batches(n, batch_size):
                    cols = order[batch] if est.shuffle else batch
                    Xb, Yb = X[cols].T, Y[cols].T             # (d0, N), (dL, N)
                    swb = None if sample_weight is None else sample_weight[cols]
                    # the penalty of the weights the gradient is taken at: before the step
                    penalty = l2_penalty(net, swb, Xb.shape[1])
                    loop.train_step(net, Xb, Yb, swb, check_finite=False)  # the core's step
                    loss = batch_loss(loss_name, net, Yb, net.output, swb) + penalty
                    accumulated += loss * (batch.stop - batch.start)
            est.n_iter_ += 1
            est.loss_ = accumulated / n
            est.t_ += n
            est.loss_curve_.append(est.loss_)
            if est.verbose:
                print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
            if est.early_stopping:
                _update_validation(est, validation)
            else:
                _update_loss(est)
            if iteration_ends is not None:
                iteration_ends(est.t_)
            if est._no_improvement_count > est.n_iter_no_change:
                what = ("Validation score" if est.early_stopping else "Training loss")
                msg = (f"{what} did not improve more than tol={est.tol:f} for "
                       f"{est.n_iter_no_change} consecutive epochs.")
                if _stop(opt, msg, est.verbose):
                    break
                est._no_improvement_count = 0
            if _callbacks_stop(est):
                break
            if incremental:
                break
            if est.n_iter_ == est.max_iter:
                warnings.warn(f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) "
                              "reached and the optimization hasn't converged yet.",
                              ConvergenceWarning, stacklevel=4)
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=4)
    if est.early_stopping:
        est._restore_best()


def _reshuffled(order, random_state):
    """``order`` permuted by ``random_state.shuffle(arange(n))``: the draws of
    ``sklearn.utils.shuffle(order, random_state=random_state)`` (tested to be
    the same permutation) without its input validation, which costs more than
    a whole small epoch."""
    permutation = np.arange(order.shape[0])
    random_state.shuffle(permutation)
    return order[permutation]


def _stop(opt, msg, verbose) -> bool:
    if hasattr(opt, "trigger_stopping"):
        return opt.trigger_stopping(msg, verbose)
    if verbose:  # the core's optimizers (lucidnet's extra solvers) simply stop
        print(msg + " Stopping.")
    return True


def _callbacks_stop(est) -> bool:
    """lucidnet extra: ``callbacks`` are called with the estimator after each epoch;
    one that returns True stops training."""
    stop = False
    for callback in est.callbacks or ():
        stop = bool(callback(est)) or stop
    return stop


def _update_loss(est):
    if est.loss_curve_[-1] > est.best_loss_ - est.tol:
        est._no_improvement_count += 1
    else:
        est._no_improvement_count = 0
    if est.loss_curve_[-1] < est.best_loss_:
        est.best_loss_ = est.loss_curve_[-1]


def _update_validation(est, validation):
    """Score the held-out part; keep a copy of the weights when it is the best so far."""
    XvT, y_val, Yv, sw_val = validation
    net = est.net_
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        A = net.forward_checked(XvT)                       # (dL, n_val)
        score = est._validation_score(A, y_val, sw_val)
        est.validation_loss_curve_.append(
            objective(est._loss_name(), net, Yv, A, sw_val))
    est.validation_scores_.append(score)
    if est.verbose:
        print(f"Validation score: {score:f}")
    if score < est.best_validation_score_ + est.tol:
        est._no_improvement_count += 1
    else:
        est._no_improvement_count = 0
    if score > est.best_validation_score_:
        est.best_validation_score_ = score
        est._keep_best()

