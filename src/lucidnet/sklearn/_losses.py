"""The losses the estimators report (``loss_``, ``loss_curve_``) and L-BFGS minimizes.

They are scikit-learn's MLP losses, written column-wise for the core's
``A = A[L]`` and ``Y``, both ``(dL, N)``.  Where they differ from the core's
(:mod:`lucidnet.losses`, SPEC's convention):

- the probabilities are clipped to ``[eps, 1 - eps]`` with ``eps`` the
  machine epsilon of the data type, and the log is taken of the clipped
  probabilities (the core computes the cross-entropies from the logits);
- the squared loss is ``(1/2) mean over outputs of the mean over examples of
  (y - a)**2``: it *averages* over output units, while its gradient (and the
  core's cost) *sums* over them.  With several outputs the reported loss, and
  the objective that L-BFGS sees, is the gradient's objective divided by
  ``dL``, as in scikit-learn;
- the penalty ``(alpha / 2) sum ||W||^2 / sum(w)`` (``sum(w) = N`` without
  sample weights) is added by :func:`objective`.

The gradients are the core's backpropagation (``Delta[L] = A[L] - Y`` for
each pair below), so only these values come from here.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

__all__ = ["data_loss", "batch_loss", "l2_penalty", "objective"]


def _total(Y, L, weights):
    """``sum_k mean_n Y_kn L_kn`` (the weighted mean with ``weights``) in one product.

    NOTE: ``Y * L`` stands for scipy's ``xlogy(Y, P)``: the two differ only where
    ``Y = 0`` and ``log P`` is infinite, which the clipping rules out.
    """
    if weights is None:
        return np.vdot(Y, L) / Y.shape[1]
    return np.dot(np.einsum("kn,kn->n", Y, L), weights) / weights.sum()


def _log_clipped(A, complement=False):
    """``log(clip(A, eps, 1 - eps))`` (or of ``1 -`` it), eps the dtype's machine epsilon."""
    eps = np.finfo(A.dtype).eps
    P = np.maximum(A, eps)
    np.minimum(P, 1 - eps, out=P)
    if complement:
        np.subtract(1, P, out=P)
    return np.log(P, out=P)


def squared_loss(Y, A, weights=None) -> float:
    """``(1/2) mean_k mean_n (y_kn - a_kn)**2``: averaged over the outputs too."""
    D = Y - A
    if weights is None:
        return 0.5 * np.vdot(D, D) / D.size
    return 0.5 * _total(D, D, weights) / D.shape[0]


def poisson_loss(Y, A, weights=None) -> float:
    """Half the Poisson deviance with its constant: ``sum_k mean_n y log(y / a) - y + a``."""
    L = xlogy(Y, Y / A)
    L -= Y
    L += A
    return _total(np.ones_like(L), L, weights)


def log_loss(Y, A, weights=None) -> float:
    """Categorical cross-entropy ``-sum_k mean_n y_kn log a_kn`` (softmax outputs)."""
    return -_total(Y, _log_clipped(A), weights)


def binary_log_loss(Y, A, weights=None) -> float:
    """Binary cross-entropy of every sigmoid output, summed over the outputs."""
    return -(_total(Y, _log_clipped(A), weights)
             + _total(1 - Y, _log_clipped(A, complement=True), weights))


_LOSSES = {"squared_error": squared_loss, "poisson": poisson_loss, "log_loss": log_loss,
           "binary_log_loss": binary_log_loss}


def data_loss(name, Y, A, weights=None) -> float:
    """The loss ``name`` of outputs ``A`` for targets ``Y`` (both ``(dL, N)``)."""
    return _LOSSES[name](Y, A, weights)


def batch_loss(name, net, Y, A, weights=None) -> float:
    """The loss ``name`` without the penalty; lucidnet's extra losses keep the core's."""
    if name in _LOSSES:
        return data_loss(name, Y, A, weights)
    return net.loss_obj.cost(Y, A, weights)


def l2_penalty(net, weights, N) -> float:
    """``(alpha / 2) sum ||W||^2 / sum(w)`` (``sum(w) = N`` without sample weights)."""
    if not net.l2:
        return 0.0
    total = 0.0
    for layer in net.layers:
        W = layer.params.get("W")
        if W is not None:
            w = W.ravel()
            total += np.dot(w, w)
    return (0.5 * net.l2) * total / (N if weights is None else weights.sum())


def objective(name, net, Y, A, weights=None) -> float:
    """``batch_loss + l2_penalty``: what the estimators report and L-BFGS minimizes."""
    return batch_loss(name, net, Y, A, weights) + l2_penalty(net, weights, Y.shape[1])
