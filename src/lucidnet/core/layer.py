"""The layer interface, and the input layer.

A layer holds its parameters and their gradients under the same keys
(``params["W"]`` and ``grads["W"]``) and the cache of its last forward pass.
That is all the gradient check, the optimizers and save/load rely on: none of
them knows what a Dense layer is.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_int
from .work_arrays import drop_out_hint

__all__ = ["Layer", "Input"]

def _check_name(name) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"a layer name must be a non-empty string, got {name!r}")
    return name


def _check_size(what: str, value) -> int:
    return check_int(what, value, 1)


class Layer:
    """Base class.  ``units`` is the layer's output size ``d_l``.

    Subclasses implement ``build``, ``forward`` and ``backward``; a layer with
    parameters fills ``params`` and ``grads`` with arrays of equal shapes.
    """

    units: int = 0

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        drop_out_hint(cls, ("backward",))  # a user's layer written without the hint

    def __init__(self, name: str):
        self.name = _check_name(name)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.built = False

    def build(self, d_in: int, rng: np.random.Generator, dtype) -> int:
        """Create the parameters for an input of size ``d_in``; return ``units``."""
        self.built = True
        return self.units

    def forward(self, A_prev: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dA: np.ndarray, need_dA_prev: bool = True,
                 out: np.ndarray | None = None) -> np.ndarray | None:
        """Turn ``dJ/dA`` of this layer's output into ``dJ/dA_prev``; fill ``grads``.

        ``out`` is an array the caller no longer needs (the network offers the
        consumed ``dA``), which may receive ``dJ/dA_prev``: one ``(d, N)``
        array less per layer on a large batch.  A hint, as for activations.
        """
        raise NotImplementedError

    # Caches of the last pass (A_prev, Z, A, Delta) and the work arrays behind them.
    _CACHES = ("A_prev", "Z", "A", "Delta", "_work")

    def _buffer(self, key: str, shape: tuple, dtype) -> np.ndarray:
        """This layer's work array ``key``: the same memory every training step.

        Reused while the shape stays the same (every full-batch epoch, every
        mini-batch but a short last one), so a training step allocates
        nothing large; on a 100,000-column batch that saves the page faults
        of fresh arrays, which cost here about as much as the arithmetic.
        """
        work = self.__dict__.setdefault("_work", {})
        buf = work.get(key)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = work[key] = np.empty(shape, dtype=dtype)
        return buf

    def __getstate__(self):
        # A copy of a layer (copy.deepcopy, NeuralNetwork.astype) carries its
        # parameters and gradients, not the caches of its last pass.
        return {k: v for k, v in self.__dict__.items() if k not in self._CACHES}

    def get_config(self) -> dict:
        """What the model file stores to rebuild this layer (no arrays)."""
        return {"kind": type(self).__name__, "name": self.name}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "kind")
        return f"{type(self).__name__}({args})"


class Input(Layer):
    """The input layer: ``A[0] = X`` with ``n_features = d0`` rows."""

    def __init__(self, name: str, n_features: int):
        super().__init__(name)
        self.n_features = self.units = _check_size("n_features", n_features)

    def forward(self, A_prev, training=False):
        return A_prev

    def backward(self, dA, need_dA_prev=True, out=None):
        return dA

    def get_config(self):
        return {**super().get_config(), "n_features": self.n_features}
