"""Activation functions sigma and their derivatives, side by side.

Every activation maps the pre-activation ``Z[l]`` (shape ``(d_l, N)``) to
``A[l] = sigma(Z[l])`` and, in the backward pass, turns the gradient arriving
from the layer above, ``dA = W[l+1].T @ Delta[l+1]``, into the error signal

    Delta[l] = dA * sigma'(Z[l])            (element-wise)

``derivative`` receives both ``Z`` and the cached ``A`` so that, where it can,
it reuses ``A`` instead of recomputing sigma (the notebook recomputed it).

Adding an activation is one class plus one entry in ``ACTIVATIONS``; the tests
are parametrized over that registry, so a new entry is gradient-checked without
anyone writing a new test.  Users register their own with
:func:`lucidnet.core.activations.register_activation`, which checks their
derivative first; the registry lives in :mod:`lucidnet.core.activations`.
"""

from __future__ import annotations

import numpy as np

from .work_arrays import drop_out_hint, into

__all__ = ["Activation", "sigmoid", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "Softplus",
           "Exp", "Identity", "Softmax", "exp_clipped"]


def sigmoid(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-Z))``, without overflow warnings.

    For ``z`` below about -709 (float64; -88 in float32) ``exp(-z)`` overflows
    to ``inf`` and ``1 / (1 + inf)`` is 0, the correctly rounded value; only
    the overflow *warning* is silenced, for these lines alone.  Written in
    place (four passes, one array) because the sigmoid is the largest
    element-wise cost of a sigmoid network; measured here, this is about 1.7x
    faster than clipping ``Z`` first and 3-4x faster than ``scipy.special.expit``.
    """
    Z = np.asarray(Z)
    if Z.dtype.kind != "f":
        Z = Z.astype(np.float64)
    if out is None:
        out = np.empty_like(Z)
    with np.errstate(over="ignore"):  # in place: four passes over one array (out)
        E = np.exp(np.negative(Z, out=out), out=out)                # exp(-Z)
        return np.divide(1.0, np.add(1.0, E, out=E), out=E)        # 1 / (1 + exp(-Z))


class Activation:
    """An element-wise activation sigma with its derivative.

    Subclasses define :meth:`forward` (``A = sigma(Z)``) and :meth:`derivative`
    (``sigma'(Z)``, which may use the cached ``A``).  Activations that are not
    element-wise (softmax) override :meth:`backward` instead.

    ``out`` (both methods) is an array of the result's shape that the caller
    no longer needs, offered so that training can reuse the same memory every
    step (no allocation, no page faults on large batches).  It is a hint:
    the methods return the result, which may be another array (the identity
    returns ``Z`` itself).  In ``forward``, ``out`` is never ``Z``.  In
    ``backward`` it may be ``Z`` itself when ``delta_over_Z`` is true: a
    training pass no longer needs ``Z[l]`` once ``Delta[l]`` is known, so
    ``Delta`` may overwrite it (``Z`` must then be read before ``out`` is
    written).  A subclass that writes its own ``backward`` gets
    ``delta_over_Z = False`` unless it says otherwise.  A subclass may leave
    ``out`` out of its signatures (``forward(self, Z)``, as in the text): it
    is then never offered one.
    """

    name: str = ""
    elementwise = True  # A[k, n] depends on Z[k, n] alone (softmax: False)
    # Values of z where sigma' jumps (ReLU: 0).  A central difference whose
    # perturbation moves a Z across one of them is not a derivative there, so
    # the periodic gradient check leaves such examples out (lucidnet.gradcheck.periodic).
    kinks: tuple = ()
    delta_over_Z = True  # backward(Z, A, dA, out=Z) is safe (see above)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        drop_out_hint(cls, ("forward", "backward"))
        if "backward" in cls.__dict__ and "delta_over_Z" not in cls.__dict__:
            cls.delta_over_Z = False  # unknown: it might read Z after writing out

    def forward(self, Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, Z: np.ndarray, A: np.ndarray, dA: np.ndarray,
                 out: np.ndarray | None = None) -> np.ndarray:
        """``Delta = dA * sigma'(Z)``: the error signal of this layer."""
        return np.multiply(dA, self.derivative(Z, A), out=out)

    def get_config(self) -> dict:
        """Parameters other than the defaults' (the model file stores them)."""
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    """``sigma(z) = 1 / (1 + exp(-z))``, ``sigma'(z) = A (1 - A)``."""

    name = "sigmoid"
    delta_over_Z = True  # reads A only

    def forward(self, Z, out=None):
        return sigmoid(Z, out=out)

    def derivative(self, Z, A):
        return A * (1.0 - A)

    def backward(self, Z, A, dA, out=None):
        # Delta = dA * sigma'(Z) with sigma'(Z) = A (1 - A) from the cached A; in place
        return np.multiply(dA, np.multiply(A, np.subtract(1.0, A, out=out), out=out), out=out)


class Tanh(Activation):
    """``tanh(z)``, derivative ``1 - A**2``."""

    name = "tanh"
    delta_over_Z = True  # reads A only

    def forward(self, Z, out=None):
        return np.tanh(Z, out=out)

    def derivative(self, Z, A):
        return 1.0 - A * A

    def backward(self, Z, A, dA, out=None):
        # Delta = dA * sigma'(Z) with sigma'(Z) = 1 - A**2 from the cached A; in place
        return np.multiply(dA, np.subtract(1.0, np.square(A, out=out), out=out), out=out)


class ReLU(Activation):
    """``max(0, z)``, derivative ``1 if z > 0 else 0`` (0 at z = 0 by convention)."""

    name = "relu"
    delta_over_Z = True  # Z > 0 is evaluated before out is written
    kinks = (0.0,)

    def forward(self, Z, out=None):
        return np.maximum(Z, 0.0, out=out)

    def derivative(self, Z, A):
        return (Z > 0).astype(Z.dtype)

    def backward(self, Z, A, dA, out=None):
        # dA * sigma'(Z) with the 0/1 factor left boolean (no float matrix built).
        return np.multiply(dA, Z > 0, out=out)


class LeakyReLU(Activation):
    """``z if z > 0 else alpha z``, derivative ``1 or alpha``."""

    name = "leaky_relu"
    kinks = (0.0,)

    def __init__(self, alpha: float = 0.01):
        self.alpha = alpha

    def get_config(self):
        return {"alpha": self.alpha}

    def forward(self, Z, out=None):
        return into(np.where(Z > 0, Z, self.alpha * Z), out)

    def derivative(self, Z, A):
        return np.where(Z > 0, 1.0, self.alpha).astype(Z.dtype, copy=False)


class ELU(Activation):
    """``z if z > 0 else alpha (exp(z) - 1)``, derivative ``1 or A + alpha``."""

    name = "elu"

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha
        # sigma' is 1 on the right of 0 and alpha on the left: a jump unless alpha = 1
        self.kinks = () if alpha == 1.0 else (0.0,)

    def get_config(self):
        return {"alpha": self.alpha}

    def forward(self, Z, out=None):
        # exp only of the non-positive part, so it never overflows.
        return into(np.where(Z > 0, Z, self.alpha * np.expm1(np.minimum(Z, 0.0))), out)

    def derivative(self, Z, A):
        return np.where(Z > 0, 1.0, A + self.alpha).astype(Z.dtype, copy=False)


class Softplus(Activation):
    """``log(1 + exp(z))``, derivative ``sigmoid(z)``.

    Written as ``max(z, 0) + log1p(exp(-|z|))`` so it never overflows.
    """

    name = "softplus"

    def forward(self, Z, out=None):
        return into(np.maximum(Z, 0.0) + np.log1p(np.exp(-np.abs(Z))), out)

    def derivative(self, Z, A):
        return sigmoid(Z)


def _exp_limit(dtype) -> float:
    """Largest x with exp(x) finite in ``dtype`` (about 709 for float64, 88 for float32)."""
    return float(np.log(np.finfo(dtype).max)) - 1.0


def exp_clipped(Z, out=None):
    """``exp(min(z, c))`` with ``c`` half the largest finite exponent (about 354 in
    float64, 43 in float32): ``A`` stays finite, and so do products of ``A`` with a
    gradient of comparable size (``A * dA`` in backward).  A log-link output
    beyond ``e**354`` is meaningless anyway."""
    out = np.minimum(Z, 0.5 * _exp_limit(Z.dtype), out=out)
    return np.exp(out, out=out)


class Exp(Activation):
    """``exp(z)``, derivative ``A``: the output of a Poisson regression (log link).

    ``z`` is clipped first (see :func:`exp_clipped`), so it never overflows.
    """

    name = "exp"

    def forward(self, Z, out=None):
        return exp_clipped(Z, out)

    def derivative(self, Z, A):
        return A


class Identity(Activation):
    """``sigma(z) = z``, derivative 1 (the output layer of a regression)."""

    name = "identity"
    delta_over_Z = True  # never writes out

    def forward(self, Z, out=None):
        return Z  # A is Z itself: nothing to compute or copy

    def derivative(self, Z, A):
        return np.ones_like(Z)

    def backward(self, Z, A, dA, out=None):
        return dA


class Softmax(Activation):
    """Softmax over the units of each column (each example).

    ``A[k, n] = exp(Z[k, n]) / sum_j exp(Z[j, n])``, computed after subtracting
    each column's maximum, which leaves the result unchanged and keeps exp
    finite.  Not element-wise: its Jacobian applied to ``dA`` is

        Delta = A * (dA - sum_k(dA * A))       (the sum runs over units, axis 0)
    """

    name = "softmax"
    delta_over_Z = True  # reads A and dA only
    elementwise = False

    def forward(self, Z, out=None):
        E = np.subtract(Z, Z.max(axis=0, keepdims=True), out=out)
        np.exp(E, out=E)
        E /= E.sum(axis=0, keepdims=True)
        return E

    def derivative(self, Z, A):  # pragma: no cover - guarded by design
        raise TypeError("softmax is not element-wise; use backward(Z, A, dA)")

    def backward(self, Z, A, dA, out=None):
        Delta = np.subtract(dA, (dA * A).sum(axis=0, keepdims=True), out=out)
        Delta *= A
        return Delta
