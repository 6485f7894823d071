"""Losses and the cost J.

Cost convention (SPEC): mean over the N examples, sum over output units,

    J = (1/N) * sum_n loss(y_n, yhat_n)

Each :class:`Loss` gives

- ``loss(Y, A)``: the element-wise loss, shape ``(dL, N)``;
- ``cost(Y, A)``: the scalar ``J``;
- ``grad(Y, A)``: ``d loss / dA`` element-wise (the 1/N is applied later, in
  the gradients ``dW = (1/N) Delta A_prev.T``, as in the text);
- ``canonical``: the output activation with which the error signal fuses to
  ``Delta[L] = A[L] - Y``.  For that pair, ``cost_from_logits(Y, Z)`` computes J
  from the output pre-activation ``Z[L]``, which stays finite and precise for any
  finite logits (the notebook took the log of a clipped sigmoid instead).

Adding a loss is one class plus one entry in ``LOSSES``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "Loss",
    "LOSSES",
    "get_loss",
    "bce_loss",
    "bce_cost",
    "log_softmax",
]


def _probability_bounds(dtype, eps: float) -> tuple[float, float]:
    """``[eps, 1 - eps]`` widened so that both ends are representable in ``dtype``.

    In float32, ``1 - 1e-12`` rounds to 1.0 and ``log(1 - a)`` would be
    ``log(0)``; the upper bound becomes ``1 - 2**-24`` there instead.
    """
    finfo = np.finfo(dtype if np.issubdtype(dtype, np.floating) else np.float64)
    return max(eps, float(finfo.tiny)), 1.0 - max(eps, float(finfo.epsneg))


def log_softmax(Z):
    """``log softmax(Z)`` per column: ``Z - logsumexp(Z)``, finite for any finite ``Z``.

    ``logsumexp(z) = m + log(sum_k exp(z_k - m))`` with ``m = max_k z_k``: every
    exponent is <= 0, so nothing overflows, and the largest term is exactly 1,
    so the log never sees 0.
    """
    zmax = Z.max(axis=0, keepdims=True)                           # (1, N)
    shifted = Z - zmax                                            # (dL, N), <= 0
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def _log_sigmoid_neg(Z):
    """``softplus(z) = log(1 + exp(z)) = -log(sigmoid(-z))``, overflow-free:
    ``max(z, 0) + log1p(exp(-|z|))``.

    Computed in place in one new array (large temporaries cost page faults
    here, more than the arithmetic: 2-3x slower on 10^5 entries).
    """
    L = np.abs(Z)
    np.negative(L, out=L)
    np.exp(L, out=L)                  # exp(-|z|), in (0, 1]: never overflows
    np.log1p(L, out=L)
    L += np.maximum(Z, 0.0)
    return L


def _reduce(L, weights=None) -> float:
    """``J`` from element-wise losses ``L`` ``(dL, N)``: sum over units, then the mean
    over examples, or the weighted mean ``sum_n w_n loss_n / sum_n w_n`` when
    per-example ``weights`` ``(N,)`` are given (scikit-learn's ``sample_weight``)."""
    if weights is None:
        return float(L.sum() / L.shape[1])
    return float(L.sum(axis=0) @ weights / weights.sum())


def bce_loss(y_true, y_pred, eps: float = 1e-12):
    """Element-wise binary cross-entropy ``-(y log p + (1 - y) log(1 - p))``.

    ``y_pred`` is clipped to ``[eps, 1 - eps]`` so that probabilities of exactly
    0 and 1 give a large finite loss instead of ``inf``.
    """
    y = np.asarray(y_true, dtype=float)
    p = np.clip(np.asarray(y_pred, dtype=float), eps, 1.0 - eps)
    return -(y * np.log(p) + (1.0 - y) * np.log1p(-p))


def bce_cost(y_true, y_pred, agg=np.mean):
    """The notebook's scalar cost: ``agg`` (default mean) of :func:`bce_loss`."""
    return float(agg(bce_loss(y_true, y_pred)))


class Loss:
    """A loss with its derivative; see the module docstring for the contract."""

    name: str = ""
    canonical: str | None = None  # output activation giving Delta[L] = A - Y
    # Values of the residual a - y where dloss/da jumps or bends (MAE: 0), for
    # the periodic gradient check (see lucidnet.gradcheck.periodic).
    kinks: tuple = ()

    def loss(self, Y, A):
        raise NotImplementedError

    def grad(self, Y, A):
        raise NotImplementedError

    def cost(self, Y, A, weights=None) -> float:
        """``J = (1/N) sum_n loss(y_n, yhat_n)``, summed over output units.

        With per-example ``weights`` ``(N,)``: ``J = sum_n w_n loss_n / sum_n w_n``.
        """
        return _reduce(self.loss(Y, A), weights)

    def loss_from_logits(self, Y, Z):  # pragma: no cover - canonical only
        """The element-wise loss computed from the output pre-activation ``Z[L]``."""
        raise NotImplementedError

    def cost_from_logits(self, Y, Z, weights=None) -> float:
        """``J`` from the logits ``Z[L]`` (the fused pairs): finite for any finite ``Z``."""
        return _reduce(self.loss_from_logits(Y, Z), weights)

    def get_config(self) -> dict:
        """Parameters of the loss (the model file stores them), e.g. huber's delta."""
        return {}

    def __repr__(self):
        return f"{type(self).__name__}()"


class BinaryCrossEntropy(Loss):
    """``loss = -(y log a + (1 - y) log(1 - a))``; with sigmoid, ``Delta = A - Y``.

    From the logits: ``loss = softplus(z) - y z`` (exact, never overflows).
    """

    name = "bce"
    canonical = "sigmoid"
    eps = 1e-12

    def loss(self, Y, A):
        A = np.clip(A, *_probability_bounds(A.dtype, self.eps))
        return -(Y * np.log(A) + (1.0 - Y) * np.log1p(-A))

    def grad(self, Y, A):
        A = np.clip(A, *_probability_bounds(A.dtype, self.eps))
        return (A - Y) / (A * (1.0 - A))

    def loss_from_logits(self, Y, Z):
        L = _log_sigmoid_neg(Z)
        L -= Y * Z                    # softplus(z) - y z, in place
        return L


class CategoricalCrossEntropy(Loss):
    """``loss = -sum_k y_k log a_k``; with softmax, ``Delta = A - Y``.

    From the logits: ``loss = logsumexp(z) - sum_k y_k z_k``.
    """

    name = "cce"
    canonical = "softmax"
    eps = 1e-12

    def loss(self, Y, A):
        return -(Y * np.log(np.clip(A, _probability_bounds(A.dtype, self.eps)[0], 1.0)))

    def grad(self, Y, A):
        return -Y / np.clip(A, _probability_bounds(A.dtype, self.eps)[0], 1.0)

    def loss_from_logits(self, Y, Z):
        # -sum_k y_k log softmax(z)_k; summing the product (not lse - y.z)
        # avoids cancelling two numbers of size |z| when the logits are huge.
        return -(Y * log_softmax(Z))


class MeanSquaredError(Loss):
    """``loss = (1/2) (a - y)**2``; with identity, ``Delta = A - Y``.

    The 1/2 makes the output error exactly ``A - Y``; the MSE *metric* in
    :mod:`lucidnet.core.metrics` has no 1/2.
    """

    name = "mse"
    canonical = "identity"

    def loss(self, Y, A):
        D = A - Y
        return 0.5 * D * D

    def grad(self, Y, A):
        return A - Y

    def loss_from_logits(self, Y, Z):
        return self.loss(Y, Z)  # the identity output: A = Z


class MeanAbsoluteError(Loss):
    """``loss = |a - y|``, derivative ``sign(a - y)`` (0 at a tie)."""

    name = "mae"
    kinks = (0.0,)

    def loss(self, Y, A):
        return np.abs(A - Y)

    def grad(self, Y, A):
        return np.sign(A - Y)


class Huber(Loss):
    """``loss = r**2 / 2`` for ``|r| <= delta``, else ``delta (|r| - delta / 2)``; r = a - y."""

    name = "huber"

    def __init__(self, delta: float = 1.0):
        self.delta = delta
        self.kinks = (-delta, delta)  # the switch between the square and the line

    def get_config(self):
        return {"delta": self.delta}

    def loss(self, Y, A):
        R = np.abs(A - Y)
        return np.where(R <= self.delta, 0.5 * R * R, self.delta * (R - 0.5 * self.delta))

    def grad(self, Y, A):
        return np.clip(A - Y, -self.delta, self.delta)


class Poisson(Loss):
    """Half Poisson deviance ``loss = y log(y / a) - y + a`` (``0 log 0 = 0``); with an
    exp output (``a = exp(z)``), ``Delta = A - Y``.

    From the logits: ``loss = y log y - y z - y + exp(z)``.  Targets must be >= 0.
    """

    name = "poisson"
    canonical = "exp"

    @staticmethod
    def _ylogy(Y):
        return Y * np.log(np.where(Y > 0, Y, 1.0))

    def loss(self, Y, A):
        A = np.maximum(A, np.finfo(A.dtype).tiny)   # an underflowed exp is not 0
        # log(y / a) from the ratio, not log y - log a: no cancellation when y ~ a;
        # the deviance is >= 0, so rounding below 0 is clipped away
        tiny = np.finfo(A.dtype).tiny  # a ratio that underflows: y << a, y log(y/a) ~ 0
        L = Y * np.log(np.maximum(np.where(Y > 0, Y, 1.0) / A, tiny)) - Y + A
        return np.maximum(L, 0.0, out=L)

    def grad(self, Y, A):
        return 1.0 - Y / np.maximum(A, np.finfo(A.dtype).tiny)

    def loss_from_logits(self, Y, Z):
        from .activation_functions import exp_clipped

        return self._ylogy(Y) - Y * Z - Y + exp_clipped(Z)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        BinaryCrossEntropy(),
        CategoricalCrossEntropy(),
        MeanSquaredError(),
        MeanAbsoluteError(),
        Huber(),
        Poisson(),
    )
}
_ALIASES = {
    "binary_crossentropy": "bce",
    "categorical_crossentropy": "cce",
    "cross_entropy": "cce",
    "squared_error": "mse",
    "absolute_error": "mae",
}


def get_loss(loss) -> Loss:
    """Look a loss up by name, pass a :class:`Loss` through, or map the
    notebook's ``bce_cost`` function to binary cross-entropy.

    Raises
    ------
    ValueError
        For an unknown name or an arbitrary callable (it has no derivative).
    """
    if isinstance(loss, Loss):
        return loss
    if loss is bce_cost or loss is bce_loss:
        return LOSSES["bce"]
    if isinstance(loss, str):
        key = _ALIASES.get(loss, loss)
        if key in LOSSES:
            return LOSSES[key]
    raise ValueError(
        f"unknown loss {loss!r}; known: {', '.join(sorted(LOSSES))} "
        "(or bce_cost, or a Loss instance with a grad method)"
    )
