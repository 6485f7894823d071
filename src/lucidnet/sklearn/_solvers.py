"""The two ways the estimators train the core network, with scikit-learn's semantics.

Stochastic (``sgd``, ``adam`` and lucidnet's ``rmsprop``, ``adamw``): one epoch
is, for each mini-batch of ``min(200, n)`` (``batch_size="auto"``) columns,
``net.backward_checked`` (forward, cost gradient, backpropagation, optionally
weighted by ``sample_weight``) and one optimizer step.  ``loss_`` is the mean
of the batch costs, each measured on the forward pass that produced its
gradient (as scikit-learn does).  After each epoch:

- ``invscaling`` (sgd): ``eta = learning_rate_init / (t + 1) ** power_t``,
  with ``t`` the number of samples seen so far (``t_``);
- stopping: when the training loss has not fallen below ``best_loss_ - tol``
  (or, with ``early_stopping``, the validation score has not risen above
  ``best_validation_score_ + tol``) for more than ``n_iter_no_change`` epochs,
  training stops, except that ``adaptive`` (sgd) first divides ``eta`` by 5
  until it drops to 1e-6.

L-BFGS: ``scipy.optimize.minimize(method="L-BFGS-B")`` on the packed
parameter vector, with ``maxiter=max_iter``, ``maxfun=max_fun`` and
``gtol=tol``; every function evaluation is one forward and backward pass.

Departures from scikit-learn (the core's optimizers follow ``torch.optim``):
momentum keeps ``v = mu v + g`` and steps ``eta v`` (scikit-learn keeps the
velocity ``mu v - eta g``; identical while ``eta`` is constant), and Adam adds
``epsilon`` to ``sqrt(v_hat)`` rather than to ``sqrt(v)``.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import DivergenceError
from ..optim.optimizers import SGD, Adam, AdamW, Momentum, Nesterov, RMSProp

__all__ = ["fit_stochastic", "fit_lbfgs", "make_optimizer"]


def make_optimizer(est):
    """The core optimizer for ``est.solver`` with the estimator's hyperparameters."""
    lr = float(est.learning_rate_init)
    if est.solver == "sgd":
        if est.momentum == 0:
            return SGD(lr)
        cls = Nesterov if est.nesterovs_momentum else Momentum
        return cls(lr, momentum=float(est.momentum))
    if est.solver == "adam":
        return Adam(lr, beta1=float(est.beta_1), beta2=float(est.beta_2),
                    eps=float(est.epsilon))
    if est.solver == "adamw":
        return AdamW(lr, beta1=float(est.beta_1), beta2=float(est.beta_2),
                     eps=float(est.epsilon), weight_decay=float(est.weight_decay))
    if est.solver == "rmsprop":
        # RMSProp's decay rate rho is beta_2, the same role as in Adam
        return RMSProp(lr, rho=float(est.beta_2), eps=float(est.epsilon))
    raise ValueError(f"solver {est.solver!r} is not stochastic")


def _split(est, X, Y, sample_weight, random_state):
    """scikit-learn's early-stopping split: ``validation_fraction`` held out."""
    from sklearn.model_selection import train_test_split

    stratify = Y if est._is_classifier_task() and Y.shape[1] == 1 else None
    arrays = [X, Y] if sample_weight is None else [X, Y, sample_weight]
    parts = train_test_split(*arrays, random_state=random_state,
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
                      "It is going to be clipped", stacklevel=3)
    return int(np.clip(est.batch_size, 1, n))


def fit_stochastic(est, X, Y, sample_weight, random_state, incremental):
    """Mini-batch training of ``est.net_`` on row-major ``X`` ``(n, d0)``, ``Y`` ``(n, dL)``."""
    from sklearn.exceptions import ConvergenceWarning

    net = est.net_
    if not incremental or "_optimizer" not in est.__dict__:
        est._optimizer = make_optimizer(est)
    net.optimizer = est._optimizer
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    if est.early_stopping:
        X, Y, sample_weight, X_val, Y_val, sw_val = _split(est, X, Y, sample_weight,
                                                           random_state)
    XT, YT = np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T)   # (d0, n), (dL, n)
    n = XT.shape[1]
    batch_size = _batch_size(est, n)
    rng = np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    best_params = _copy_params(net) if est.early_stopping else None
    opt = est._optimizer
    try:
        est.n_iter_ = 0
        for _ in range(est.max_iter):
            order = rng.permutation(n) if est.shuffle else None
            accumulated = 0.0
            for start in range(0, n, batch_size):
                cols = (order[start:start + batch_size] if order is not None
                        else slice(start, start + batch_size))
                Xb, Yb = XT[:, cols], YT[:, cols]
                swb = sample_weight[cols] if sample_weight is not None else None
                try:
                    net.backward_checked(Xb, Yb, swb)
                except DivergenceError:
                    raise ValueError(
                        "Solver produced non-finite values (training diverged); lower "
                        "learning_rate_init or standardize the input") from None
                accumulated += net.cost_of_last_forward(Yb, sample_weight=swb) * Xb.shape[1]
                net.step()
            est.n_iter_ += 1
            est.loss_ = accumulated / n
            est.t_ += n
            est.loss_curve_.append(est.loss_)
            if est.verbose:
                print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
            if est.early_stopping:
                best = _update_validation(est, X_val, Y_val, sw_val)
                if best:
                    best_params = _copy_params(net)
            else:
                _update_loss(est)
            if est.solver == "sgd" and est.learning_rate == "invscaling":
                opt.lr = float(est.learning_rate_init) / (est.t_ + 1) ** est.power_t
            if est._no_improvement_count > est.n_iter_no_change:
                what = ("Validation score did not improve" if est.early_stopping
                        else "Training loss did not improve")
                msg = (f"{what} more than tol={est.tol:f} for {est.n_iter_no_change} "
                       "consecutive epochs.")
                if est.solver == "sgd" and est.learning_rate == "adaptive" and opt.lr > 1e-6:
                    opt.lr /= 5.0
                    est._no_improvement_count = 0
                    if est.verbose:
                        print(f"{msg} Setting learning rate to {opt.lr:f}")
                else:
                    if est.verbose:
                        print(f"{msg} Stopping.")
                    break
            if incremental:
                break
            if est.n_iter_ == est.max_iter:
                warnings.warn(f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) "
                              "reached and the optimization hasn't converged yet.",
                              ConvergenceWarning, stacklevel=3)
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=3)
    if est.early_stopping:
        _restore_params(net, best_params)


def _update_loss(est):
    if est.loss_curve_[-1] > est.best_loss_ - est.tol:
        est._no_improvement_count += 1
    else:
        est._no_improvement_count = 0
    if est.loss_curve_[-1] < est.best_loss_:
        est.best_loss_ = est.loss_curve_[-1]


def _update_validation(est, X_val, Y_val, sw_val) -> bool:
    """Score the held-out part; return True when it is the best so far."""
    score = est._validation_score(X_val, Y_val, sw_val)
    est.validation_scores_.append(score)
    if est.verbose:
        print(f"Validation score: {score:f}")
    if score < est.best_validation_score_ + est.tol:
        est._no_improvement_count += 1
    else:
        est._no_improvement_count = 0
    if score > est.best_validation_score_:
        est.best_validation_score_ = score
        return True
    return False


def _copy_params(net):
    return [{k: v.copy() for k, v in layer.params.items()} for layer in net.layers]


def _restore_params(net, saved):
    for layer, params in zip(net.layers, saved):
        for k, v in params.items():
            layer.params[k][...] = v


def fit_lbfgs(est, X, Y, sample_weight):
    """Full-batch L-BFGS-B on the packed vector of every ``W`` and ``b``."""
    import scipy.optimize
    from sklearn.utils.optimize import _check_optimize_result

    net = est.net_
    XT, YT = np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T)
    entries = [(theta, grad) for _, theta, grad in net.parameters()]

    def unpack(vector):
        start = 0
        for theta, _ in entries:
            theta[...] = vector[start:start + theta.size].reshape(theta.shape)
            start += theta.size

    def objective(vector):
        unpack(vector)
        try:
            net.backward_checked(XT, YT, sample_weight)
        except DivergenceError:
            # an overshooting line-search step: report it as infinitely bad
            return np.inf, np.zeros_like(vector)
        J = net.cost_of_last_forward(YT, sample_weight=sample_weight)
        grad = np.concatenate([g.ravel() for _, g in entries]).astype(np.float64)
        return J, grad

    def report(intermediate_result):
        report.k += 1
        print(f"Iteration {report.k}, loss = {intermediate_result.fun:.8f}")

    report.k = 0
    x0 = np.concatenate([theta.ravel() for theta, _ in entries]).astype(np.float64)
    result = scipy.optimize.minimize(
        objective, x0, method="L-BFGS-B", jac=True,
        options={"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol},
        callback=report if est.verbose else None)
    est.n_iter_ = _check_optimize_result("lbfgs", result, est.max_iter)
    est.loss_ = float(result.fun)
    unpack(result.x)
