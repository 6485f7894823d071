"""Full-batch L-BFGS-B on the estimators' network, with scikit-learn's objective and packing.

The parameter vector is packed as scikit-learn packs it: every ``coefs_[i]``
(``W[i+1].T``, shape ``(n_in, n_out)``, row by row), then every
``intercepts_[i]``.  The objective is the reported loss of :mod:`._losses`
plus the L2 penalty; its gradient is the core's backpropagation (which, for
the squared loss with several outputs, is the gradient of the *summed* loss:
scikit-learn hands L-BFGS that same pair).  ``scipy.optimize.minimize`` runs
with ``maxiter=max_iter``, ``maxfun=max_fun`` and ``gtol=tol``; ``n_iter_``
and the ``ConvergenceWarning`` come from scikit-learn's own reading of the
result.
"""

from __future__ import annotations

import numpy as np
import scipy.optimize
from sklearn.utils.fixes import _get_additional_lbfgs_options_dict
from sklearn.utils.optimize import _check_optimize_result

from ..training.memory import check_training_fits
from ._losses import objective

__all__ = ["fit_lbfgs"]


def fit_lbfgs(est, X, Y, sample_weight):
    """Minimize over every ``W`` and ``b`` of ``est.net_`` on row-major ``X``, ``Y``."""
    net = est.net_
    check_training_fits(net, X.shape[0], None, evaluates=False)   # a full batch: fits?
    XT = np.ascontiguousarray(X.T)                       # (d0, n)
    YT = np.ascontiguousarray(Y.T, dtype=net.dtype)      # (dL, n)
    dense = est._dense_layers()
    # (theta, grad, orient): coefs_ are W.T, intercepts_ are b flattened
    entries = ([(layer.params["W"], layer.grads["W"], True) for layer in dense]
               + [(layer.params["b"], layer.grads["b"], False) for layer in dense])
    bounds = np.cumsum([0] + [theta.size for theta, _, _ in entries])
    loss_name = est._loss_name()

    def unpack(vector):
        for (theta, _, transposed), start, stop in zip(entries, bounds[:-1], bounds[1:]):
            part = vector[start:stop]
            if transposed:
                theta[...] = part.reshape(theta.shape[::-1]).T
            else:
                theta[...] = part.reshape(theta.shape)

    grad = np.empty(bounds[-1], dtype=net.dtype)

    def loss_and_grad(vector):
        unpack(vector)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            net.backward_checked(XT, YT, sample_weight, check_finite=False)
            loss = objective(loss_name, net, YT, net.output, sample_weight)
        for (_, g, transposed), start, stop in zip(entries, bounds[:-1], bounds[1:]):
            grad[start:stop] = (g.T if transposed else g).ravel()
        return loss, grad

    x0 = np.empty(bounds[-1], dtype=net.dtype)
    for (theta, _, transposed), start, stop in zip(entries, bounds[:-1], bounds[1:]):
        x0[start:stop] = (theta.T if transposed else theta).ravel()
    iprint = 1 if (est.verbose is True or est.verbose >= 1) else -1
    result = scipy.optimize.minimize(
        loss_and_grad, x0, method="L-BFGS-B", jac=True,
        options={"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol,
                 **_get_additional_lbfgs_options_dict("iprint", iprint)})
    est.n_iter_ = _check_optimize_result("lbfgs", result, est.max_iter)
    est.loss_ = result.fun
    unpack(result.x)
