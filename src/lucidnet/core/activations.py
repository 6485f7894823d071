"""The registry of activations: built-in ones by name, and users' own.

The functions themselves (sigma and sigma', side by side) are in
:mod:`lucidnet.core.activation_functions`; adding one is a class there plus an
entry in ``ACTIVATIONS`` here.  The tests are parametrized over this registry,
so a new entry is gradient-checked without anyone writing a new test.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .activation_functions import (ELU, Activation, Exp, Identity, LeakyReLU, ReLU, Sigmoid,
                                   Softmax, Softplus, Tanh, exp_clipped, sigmoid)
from .gradient_check import relative_error
from .work_arrays import drop_out_hint  # here too: the old lucidnet.activations had it

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "PROBABILITY_OUTPUTS",
    "get_activation",
    "register_activation",
    "sigmoid",
    "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "Softplus", "Exp", "Identity", "Softmax",
    "exp_clipped",
    "drop_out_hint",
]


class _UserActivation(Activation):
    """An activation registered at run time from a (function, derivative) pair."""

    def __init__(self, name: str, fn: Callable, derivative: Callable):
        self.name = name
        self._fn = fn
        self._derivative = derivative

    def forward(self, Z, out=None):
        return np.asarray(self._fn(Z), dtype=Z.dtype)

    def derivative(self, Z, A):
        return np.asarray(self._derivative(Z), dtype=Z.dtype)

    def __repr__(self):
        return f"UserActivation({self.name!r})"


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Sigmoid(),
        Tanh(),
        ReLU(),
        LeakyReLU(),
        ELU(),
        Softplus(),
        Exp(),
        Identity(),
        Softmax(),
    )
}
# Activations whose output lies in (0, 1): a network ending in one of them
# predicts probabilities and is thresholded at 0.5.
PROBABILITY_OUTPUTS = ("sigmoid", "softmax")


def get_activation(activation: str | Activation) -> Activation:
    """Look an activation up by name (or pass an :class:`Activation` through).

    Raises
    ------
    ValueError
        If the name is not registered; the message lists the known names.
    """
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str) and activation in ACTIVATIONS:
        return ACTIVATIONS[activation]
    raise ValueError(
        f"unknown activation {activation!r}; known: {', '.join(sorted(ACTIVATIONS))}"
    )


def register_activation(
    name: str,
    fn: Callable[[np.ndarray], np.ndarray],
    derivative: Callable[[np.ndarray], np.ndarray],
    *,
    tol: float = 1e-4,
    overwrite: bool = False,
) -> Activation:
    """Register a user activation from its function and derivative.

    The derivative is checked first against central differences
    ``(fn(z + eps) - fn(z - eps)) / (2 eps)`` at points spread over [-4, 4];
    a wrong derivative is refused.

    Parameters
    ----------
    name : str
        Name to use in ``Dense(..., activation=name)``.
    fn, derivative : callable
        Element-wise ``sigma(Z)`` and ``sigma'(Z)``, both taking an array.
    tol : float
        Largest relative error accepted between ``derivative`` and the
        central difference.
    overwrite : bool
        Allow replacing an existing entry (built-in names are never replaced).

    Returns
    -------
    Activation
        The registered activation.

    Raises
    ------
    ValueError
        If the name is taken or invalid, or the derivative fails the check.

    Example
    -------
    >>> import numpy as np
    >>> act = register_activation("swish", lambda z: z / (1 + np.exp(-z)),
    ...     lambda z: (1 + np.exp(-z) + z * np.exp(-z)) / (1 + np.exp(-z)) ** 2)
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"activation name must be an identifier, got {name!r}")
    builtin = {"sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "exp", "identity",
               "softmax"}
    if name in builtin or (name in ACTIVATIONS and not overwrite):
        raise ValueError(f"activation {name!r} is already registered")
    if not callable(fn) or not callable(derivative):
        raise ValueError("register_activation needs two callables: fn and derivative")
    # Points off the kinks of piecewise functions (0 is avoided on purpose).
    z = np.linspace(-4.0, 4.0, 41) + 0.0123
    eps = 1e-5
    numeric = (np.asarray(fn(z + eps), float) - np.asarray(fn(z - eps), float)) / (2 * eps)
    analytic = np.asarray(derivative(z), dtype=float)
    if analytic.shape != z.shape or not np.all(np.isfinite(analytic)):
        raise ValueError(
            f"derivative of {name!r} must return finite values of the input's shape"
        )
    err = relative_error(analytic, numeric)
    fails = (err > tol) & ~((np.abs(analytic) < 1e-7) & (np.abs(numeric) < 1e-7))
    if fails.any():
        i = int(np.argmax(np.where(fails, err, -1)))
        raise ValueError(
            f"derivative of activation {name!r} fails the gradient check at z={z[i]:.4g}: "
            f"derivative gives {analytic[i]:.6g}, central difference gives {numeric[i]:.6g} "
            f"(relative error {err[i]:.2e} > {tol:g})"
        )
    act = _UserActivation(name, fn, derivative)
    ACTIVATIONS[name] = act
    return act
