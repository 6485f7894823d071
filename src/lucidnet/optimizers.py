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

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "RMSProp", "Adam", "AdamW",
           "OPTIMIZERS", "get_optimizer"]


def _is_real(value) -> bool:
    """A real number: Python or NumPy int/float, but not a bool."""
    return isinstance(value, (int, float, np.integer, np.floating)) \
        and not isinstance(value, (bool, np.bool_))


def _positive(name, value, allow_zero=False):
    ok = _is_real(value) and np.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {bound} finite number, got {value!r}")
    return float(value)


def _unit_interval(name, value):
    if not (_is_real(value) and 0.0 <= value < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


class Optimizer:
    """Base class: validates ``lr`` and keeps ``state[key]`` per parameter."""

    name = ""
    default_lr = 0.01

    def __init__(self, lr: float | None = None):
        self.lr = _positive("lr", self.default_lr if lr is None else lr)
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.t = 0  # number of steps taken

    def step(self, params) -> None:
        """Apply one update to every ``(key, theta, g)`` triple."""
        self.t += 1
        for key, theta, g in params:
            self.update(key, theta, g)

    def update(self, key: str, theta: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def _buffer(self, key, name, like):
        slot = self.state.setdefault(key, {})
        if name not in slot:
            slot[name] = np.zeros_like(like)
        return slot[name]

    def get_config(self) -> dict:
        """Hyperparameters, as stored in a model file and passed back to ``__init__``."""
        return {"lr": self.lr}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Plain gradient descent, the text's update: ``theta -= eta * g``."""

    name = "sgd"

    def update(self, key, theta, g):
        theta -= self.lr * g


class Momentum(Optimizer):
    """Heavy-ball momentum (torch's form)::

        v = mu * v + g
        theta -= eta * v
    """

    name = "momentum"

    def __init__(self, lr=None, momentum: float = 0.9):
        super().__init__(lr)
        self.momentum = _unit_interval("momentum", momentum)

    def update(self, key, theta, g):
        v = self._buffer(key, "v", theta)
        v *= self.momentum
        v += g
        theta -= self.lr * v

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum}


class Nesterov(Momentum):
    """Nesterov momentum (torch's form)::

        v = mu * v + g
        theta -= eta * (g + mu * v)
    """

    name = "nesterov"

    def update(self, key, theta, g):
        v = self._buffer(key, "v", theta)
        v *= self.momentum
        v += g
        theta -= self.lr * (g + self.momentum * v)


class RMSProp(Optimizer):
    """RMSProp::

        s = rho * s + (1 - rho) * g**2
        theta -= eta * g / (sqrt(s) + eps)
    """

    name = "rmsprop"
    default_lr = 0.001

    def __init__(self, lr=None, rho: float = 0.99, eps: float = 1e-8):
        super().__init__(lr)
        self.rho = _unit_interval("rho", rho)
        self.eps = _positive("eps", eps)

    def update(self, key, theta, g):
        s = self._buffer(key, "s", theta)
        s *= self.rho
        s += (1.0 - self.rho) * g * g
        theta -= self.lr * g / (np.sqrt(s) + self.eps)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "eps": self.eps}


class Adam(Optimizer):
    """Adam (Kingma & Ba), step ``t`` counted from 1::

        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t);  v_hat = v / (1 - beta2**t)
        theta -= eta * m_hat / (sqrt(v_hat) + eps)
    """

    name = "adam"
    default_lr = 0.001

    def __init__(self, lr=None, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1 = _unit_interval("beta1", beta1)
        self.beta2 = _unit_interval("beta2", beta2)
        self.eps = _positive("eps", eps)

    def update(self, key, theta, g):
        m = self._buffer(key, "m", theta)
        v = self._buffer(key, "v", theta)
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * g * g
        m_hat = m / (1.0 - self.beta1 ** self.t)
        v_hat = v / (1.0 - self.beta2 ** self.t)
        theta -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

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
        self.weight_decay = _positive("weight_decay", weight_decay, allow_zero=True)

    def update(self, key, theta, g):
        theta *= 1.0 - self.lr * self.weight_decay
        super().update(key, theta, g)

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
