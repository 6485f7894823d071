"""scikit-learn's two stochastic solvers, in scikit-learn's update forms, on the core's flat state.

The core optimizers (:mod:`lucidnet.optim.optimizers`) follow ``torch.optim``;
scikit-learn's MLP writes the same methods differently, and the difference is
more than rounding once the step size changes during training:

- momentum keeps a *velocity that already carries the step size*,
  ``v = mu v - eta g`` and ``theta += v`` (torch: ``v = mu v + g``,
  ``theta -= eta v``), so after ``invscaling`` or ``adaptive`` change eta the
  old velocity keeps its old eta; Nesterov steps ``theta += mu v - eta g``
  with the new ``v``.
- Adam folds both bias corrections into the step size,
  ``eta_t = eta sqrt(1 - beta2**t) / (1 - beta1**t)``, and adds ``epsilon`` to
  ``sqrt(v)`` (not to ``sqrt(v_hat)``): ``theta += -eta_t m / (sqrt(v) + epsilon)``.

Each element goes through the same floating-point operations, in the same
order, as in scikit-learn's ``_stochastic_optimizers`` (a product, then a
sum, ...), so one step gives the same bits from the same gradient.  Both
classes are core :class:`~lucidnet.optim.optimizers.Optimizer` subclasses: the
state of every parameter lives in one flat array per name, and the step that
the core applies is ``theta -= d`` (``d`` is minus scikit-learn's update;
negation is exact).  They also carry scikit-learn's optimizer interface:
``learning_rate`` (the current step size), ``iteration_ends(t)`` and
``trigger_stopping(msg, verbose)``.
"""

from __future__ import annotations

import math

import numpy as np

from ..optim.optimizers import Optimizer

__all__ = ["SklearnSGD", "SklearnAdam"]


def _in_sklearn_order(state, name) -> list[np.ndarray]:
    """State arrays ``name`` as scikit-learn lists them: every coefs_-shaped one
    (views of ``.T``), then every intercept (flattened views)."""
    weights = [slot[name].T for key, slot in state.items() if key.endswith(".W")]
    biases = [slot[name].reshape(-1) for key, slot in state.items() if key.endswith(".b")]
    return weights + biases


class SklearnSGD(Optimizer):
    """scikit-learn's ``sgd`` solver::

        v = mu * v - eta * g
        theta += v                       # nesterov=False
        theta += mu * v - eta * g        # nesterov=True (v already updated)

    ``mu = 0`` is plain gradient descent, ``theta += -eta g``.  After each
    epoch, ``iteration_ends(t)`` sets ``eta = eta0 / (t + 1) ** power_t`` for
    ``lr_schedule="invscaling"`` (``t``: samples seen); when training stalls,
    ``trigger_stopping`` divides eta by 5 for ``"adaptive"`` (until it is at
    most 1e-6) instead of stopping.
    """

    name = "sklearn_sgd"
    buffers = ("v",)

    def __init__(self, learning_rate_init=0.1, lr_schedule="constant", momentum=0.9,
                 nesterov=True, power_t=0.5):
        super().__init__(learning_rate_init)
        if not 0.0 <= momentum <= 1.0:  # scikit-learn allows mu = 1 (a velocity that never decays)
            raise ValueError(f"momentum must be in [0, 1], got {momentum!r}")
        self.learning_rate_init = learning_rate_init
        self.lr_schedule = lr_schedule
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.power_t = power_t

    @property
    def learning_rate(self) -> float:
        """The current step size eta (scikit-learn's name for the core's ``lr``)."""
        return self.lr

    @learning_rate.setter
    def learning_rate(self, value):
        self.lr = value

    @property
    def velocities(self) -> list[np.ndarray]:
        """scikit-learn's ``velocities`` (empty before the first step)."""
        return _in_sklearn_order(self.state, "v")

    def update_flat(self, state, g, d):
        v = state["v"]
        np.multiply(g, self.lr, out=g)            # eta g (g is the optimizer's own copy)
        v *= self.momentum                        # v = mu v - eta g
        v -= g
        if self.nesterov:
            np.multiply(v, self.momentum, out=d)  # d = eta g - mu v = -(mu v - eta g)
            np.subtract(g, d, out=d)
        else:
            np.negative(v, out=d)                 # d = -v

    def iteration_ends(self, time_step) -> None:
        """End of an epoch: the ``invscaling`` schedule reads the samples seen so far."""
        if self.lr_schedule == "invscaling":
            self.lr = float(self.learning_rate_init) / (time_step + 1) ** self.power_t

    def trigger_stopping(self, msg, verbose) -> bool:
        """Training stalled: stop (True), or, for ``adaptive``, divide eta by 5 (False)."""
        if self.lr_schedule != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        if self.lr <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.lr /= 5.0
        if verbose:
            print(f"{msg} Setting learning rate to {self.lr:f}")
        return False

    def get_config(self):
        return {"learning_rate_init": self.learning_rate_init, "lr_schedule": self.lr_schedule,
                "momentum": self.momentum, "nesterov": self.nesterov, "power_t": self.power_t}


class SklearnAdam(Optimizer):
    """scikit-learn's ``adam`` solver, step ``t`` counted from 1::

        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g**2
        eta_t = eta * sqrt(1 - beta_2**t) / (1 - beta_1**t)      # learning_rate
        theta += -eta_t * m / (sqrt(v) + epsilon)

    ``learning_rate`` is ``eta_t`` of the last step (``eta`` before the first),
    as in scikit-learn.  It never stops early on its own: ``trigger_stopping``
    always stops.
    """

    name = "sklearn_adam"
    buffers = ("m", "v")

    def __init__(self, learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(learning_rate_init)
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    @property
    def ms(self) -> list[np.ndarray]:
        """scikit-learn's first moments ``ms`` (empty before the first step)."""
        return _in_sklearn_order(self.state, "m")

    @property
    def vs(self) -> list[np.ndarray]:
        """scikit-learn's second moments ``vs`` (empty before the first step)."""
        return _in_sklearn_order(self.state, "v")

    def update_flat(self, state, g, d):
        m, v = state["m"], state["v"]
        m *= self.beta_1                          # m = beta_1 m + (1 - beta_1) g
        np.multiply(g, 1 - self.beta_1, out=d)
        m += d
        v *= self.beta_2                          # v = beta_2 v + (1 - beta_2) g^2
        np.multiply(g, g, out=d)
        d *= 1 - self.beta_2
        v += d
        t = self.t
        self.learning_rate = (self.learning_rate_init * math.sqrt(1 - self.beta_2 ** t)
                              / (1 - self.beta_1 ** t))
        np.multiply(m, self.learning_rate, out=g)  # d = eta_t m / (sqrt(v) + epsilon)
        np.sqrt(v, out=d)
        d += self.epsilon
        np.divide(g, d, out=d)

    def iteration_ends(self, time_step) -> None:
        """Nothing changes at the end of an epoch."""

    def trigger_stopping(self, msg, verbose) -> bool:
        if verbose:
            print(msg + " Stopping.")
        return True

    def get_config(self):
        return {"learning_rate_init": self.learning_rate_init, "beta_1": self.beta_1,
                "beta_2": self.beta_2, "epsilon": self.epsilon}
