"""Optimizers: they own the learning rate and every per-parameter state.

An optimizer sees parameters only as ``(key, theta, g)`` triples, where
``theta`` is a parameter array (updated in place), ``g`` its gradient and
``key`` a stable name such as ``"1.W"`` under which per-parameter state
(velocities, moments) is kept.  Layers never see the optimizer.

Ordered from simple to complex.  The update rules follow ``torch.optim`` so
that it can serve as an independent reference in the tests.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_number, check_positive_number
from .flat_state import FlatState

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "RMSProp", "Adam", "AdamW",
           "OPTIMIZERS", "get_optimizer"]


class Optimizer:
    """Base class: validates ``lr`` and keeps ``state[key]`` per parameter.

    A stateless optimizer (SGD) overrides :meth:`update`, called once per
    parameter.  One with per-parameter state lists the state's names in
    ``buffers`` (e.g. ``("m", "v")``) and overrides :meth:`update_flat`
    instead, which updates *every* parameter at once: the state arrays of
    all parameters live side by side in one flat array per name (``state[key][name]``
    is a view into it), so a step costs a dozen NumPy calls whatever the
    number of parameter tensors.  On small networks and mini-batches
    NumPy's per-call overhead, not the arithmetic, is what an update costs.
    """

    name = ""
    default_lr = 0.01
    buffers: tuple[str, ...] = ()  # names of the per-parameter state arrays

    def __init__(self, lr: float | None = None):
        self.lr = check_positive_number("lr", self.default_lr if lr is None else lr)
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.t = 0  # number of steps taken
        self._flat = None

    def step(self, params) -> None:
        """Apply one update to every ``(key, theta, g)`` triple."""
        self.t += 1
        if not self.buffers:
            for key, theta, g in params:
                self.update(key, theta, g)
            return
        params = list(params)
        flat = self._flat
        if flat is None or not flat.matches(params, self.state):
            flat = self._flat = FlatState(params, self.state, self.buffers)
        g = flat.gather(params)
        self.update_flat(flat.arrays, g, flat.d)
        self.apply(flat, params)

    def update(self, key: str, theta: np.ndarray, g: np.ndarray) -> None:
        """Update one parameter ``theta`` in place from its gradient ``g``."""
        raise NotImplementedError

    def update_flat(self, state: dict[str, np.ndarray], g: np.ndarray, d: np.ndarray) -> None:
        """Update the flat ``state`` arrays from the flat gradient ``g`` and write
        the step into ``d``: every parameter then becomes ``theta - d``."""
        raise NotImplementedError

    def apply(self, flat: "FlatState", params) -> None:
        """``theta -= d`` for every parameter, ``d`` being its view of the step."""
        for (_, theta, _), d in zip(params, flat.d_views):
            theta -= d

    def __getstate__(self):
        # A copy (copy.deepcopy, NeuralNetwork.astype) rebuilds its flat arrays
        # from its own copy of ``state`` at its first step.
        return {k: v for k, v in self.__dict__.items() if k != "_flat"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._flat = None

    def get_config(self) -> dict:
        """Hyperparameters, as stored in a model file and passed back to ``__init__``."""
        return {"lr": self.lr}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Plain gradient descent, the text's update: ``theta -= eta * g``."""

    name = "sgd"
    default_lr = 1.0  # the text's eta: plain descent on the reference run

    def update(self, key, theta, g):
        theta -= self.lr * g


class Momentum(Optimizer):
    """Heavy-ball momentum (torch's form)::

        v = mu * v + g
        theta -= eta * v
    """

    name = "momentum"
    buffers = ("v",)

    def __init__(self, lr=None, momentum: float = 0.9):
        super().__init__(lr)
        self.momentum = check_number("momentum", momentum, 0, 1, high_open=True)

    def update_flat(self, state, g, d):
        v = state["v"]
        np.add(self.momentum * v, g, out=v)                 # v = mu v + g
        np.multiply(self.lr, v, out=d)                      # theta -= eta v

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum}


class Nesterov(Momentum):
    """Nesterov momentum (torch's form)::

        v = mu * v + g
        theta -= eta * (g + mu * v)
    """

    name = "nesterov"

    def update_flat(self, state, g, d):
        v = state["v"]
        np.add(self.momentum * v, g, out=v)                 # v = mu v + g
        np.multiply(self.lr, g + self.momentum * v, out=d)  # theta -= eta (g + mu v)


class RMSProp(Optimizer):
    """RMSProp::

        s = rho * s + (1 - rho) * g**2
        theta -= eta * g / (sqrt(s) + eps)
    """

    name = "rmsprop"
    default_lr = 0.001
    buffers = ("s",)

    def __init__(self, lr=None, rho: float = 0.99, eps: float = 1e-8):
        super().__init__(lr)
        self.rho = check_number("rho", rho, 0, 1, high_open=True)
        self.eps = check_positive_number("eps", eps)

    def update_flat(self, state, g, d):
        s = state["s"]
        np.add(self.rho * s, (1 - self.rho) * g * g, out=s)        # s = rho s + (1 - rho) g^2
        np.divide(self.lr * g, np.sqrt(s) + self.eps, out=d)       # eta g / (sqrt(s) + eps)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "eps": self.eps}


class Adam(Optimizer):
    """Adam (Kingma & Ba), step ``t`` counted from 1::

        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t);  v_hat = v / (1 - beta2**t)
        theta -= eta * m_hat / (sqrt(v_hat) + eps)

    Each line of :meth:`update_flat` is one of these (torch folds the bias
    corrections into scalars; the same number up to rounding).
    """

    name = "adam"
    default_lr = 0.001
    buffers = ("m", "v")

    def __init__(self, lr=None, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1 = check_number("beta1", beta1, 0, 1, high_open=True)
        self.beta2 = check_number("beta2", beta2, 0, 1, high_open=True)
        self.eps = check_positive_number("eps", eps)

    def update_flat(self, state, g, d):
        m, v, t, b1, b2 = state["m"], state["v"], self.t, self.beta1, self.beta2
        # NOTE: in place, d the one scratch array (no temporary of the flat size,
        # 136 KB on run M: fresh ones made M 1.45x slower, a partly in-place form 4%)
        # m = beta1 m + (1 - beta1) g
        np.add(np.multiply(m, b1, out=m), np.multiply(g, 1 - b1, out=d), out=m)
        # v = beta2 v + (1 - beta2) g^2
        np.add(np.multiply(v, b2, out=v), np.multiply(np.square(g, out=d), 1 - b2, out=d), out=v)
        # sqrt(v_hat), v_hat = v / (1 - beta2^t)
        np.sqrt(np.divide(v, 1 - b2 ** t, out=d), out=d)
        d += self.eps                                              # sqrt(v_hat) + eps
        # eta m_hat / (sqrt(v_hat) + eps), m_hat = m / (1 - beta1^t)
        np.multiply(np.divide(m, d, out=d), self.lr / (1 - b1 ** t), out=d)

    def get_config(self):
        return {**super().get_config(), "beta1": self.beta1, "beta2": self.beta2,
                "eps": self.eps}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter)::

        theta -= eta * lambda * theta      # before the Adam step
        ... Adam as above ...
    """

    name = "adamw"

    def __init__(self, lr=None, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay: float = 0.01):
        super().__init__(lr, beta1, beta2, eps)
        self.weight_decay = check_positive_number("weight_decay", weight_decay, allow_zero=True)

    def apply(self, flat, params):
        decay = 1.0 - self.lr * self.weight_decay
        for (_, theta, _), d in zip(params, flat.d_views):
            theta *= decay                      # the Adam step d does not depend on theta
            theta -= d

    def get_config(self):
        return {**super().get_config(), "weight_decay": self.weight_decay}


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Nesterov, RMSProp, Adam, AdamW)}


def get_optimizer(optimizer, lr: float | None = None) -> Optimizer:
    """Build an optimizer from a name (with ``lr``), or pass an instance through."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str) and optimizer in OPTIMIZERS:
        return OPTIMIZERS[optimizer](lr=lr)
    raise ValueError(f"unknown optimizer {optimizer!r}; known: {', '.join(OPTIMIZERS)}")
