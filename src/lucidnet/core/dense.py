"""The fully connected layer: ``Z = W A_prev + b``, ``A = sigma(Z)``, and its backward pass.

Notation (column-wise, as in the text): ``A_prev`` is ``A[l-1]`` of shape
``(d_{l-1}, N)``; ``W`` is ``(d_l, d_{l-1})``; ``b`` is ``(d_l, 1)``.
"""

from __future__ import annotations

import numpy as np

from .activations import Activation, get_activation
from .initializers import default_initializer, get_initializer
from .layer import Layer, _check_size
from .work_arrays import by_row_blocks, matmul

__all__ = ["Dense"]


class Dense(Layer):
    """Fully connected layer.

    Forward::

        Z[l] = W[l] @ A[l-1] + b[l]        # (d_l, N); b broadcast over the batch
        A[l] = sigma(Z[l])

    Backward, given ``dA = dJ/dA[l]`` per example (``W[l+1].T @ Delta[l+1]``)::

        Delta[l] = dA * sigma'(Z[l])
        dW[l]    = (1/N) Delta[l] @ A[l-1].T
        db[l]    = mean of Delta[l] over the batch
        dA[l-1]  = W[l].T @ Delta[l]

    Parameters
    ----------
    name : str
        Label used in reports and in the model file.
    units : int
        Number of units ``d_l``.
    activation : str or Activation, default "sigmoid"
        A name from :data:`lucidnet.core.activations.ACTIVATIONS`, or an instance
        such as ``LeakyReLU(alpha=0.2)``.
    initializer : str, optional
        A name from :data:`lucidnet.core.initializers.INITIALIZERS`; by default
        Glorot uniform (He uniform for ReLU-like, LeCun normal for ELU).
    activation_params : dict, optional
        Parameters of the activation, e.g. ``{"alpha": 0.2}`` (how a model
        file rebuilds ``LeakyReLU(alpha=0.2)`` from its name).
    """

    def __init__(self, name: str, units: int, activation: str | Activation = "sigmoid",
                 initializer: str | None = None, activation_params: dict | None = None):
        super().__init__(name)
        self.units = _check_size("units", units)
        self.activation = get_activation(activation)
        if activation_params:
            self.activation = type(self.activation)(**activation_params)
        self.initializer = initializer or default_initializer(self.activation.name)
        self._init = get_initializer(self.initializer)

    def build(self, d_in, rng, dtype):
        W = self._init(rng, self.units, d_in, dtype)                # (d_l, d_{l-1})
        b = np.zeros((self.units, 1), dtype=dtype)                  # (d_l, 1)
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}
        self.built = True
        return self.units

    def forward(self, A_prev, training=False):
        """``Z = W A_prev + b``, ``A = sigma(Z)``; caches ``A_prev``, ``Z`` and ``A``.

        A training pass (``training=True``, as in ``fit``) writes ``Z`` and ``A``
        into this layer's work arrays, overwritten by the next training pass:
        copy ``layer.A`` or ``layer.Z`` to keep them.  Other passes (predict,
        loss) return new arrays.
        """
        W, b = self.params["W"], self.params["b"]
        shape = (self.units, A_prev.shape[1])
        # training reuses this layer's work arrays: no allocation per step
        Z = self._buffer("Z", shape, W.dtype) if training else np.empty(shape, W.dtype)
        A = self._buffer("A", shape, W.dtype) if training else None
        Z = np.add(np.matmul(W, A_prev, out=Z), b, out=Z)             # Z = W A_prev + b
        A = by_row_blocks(self.activation.forward, Z, out=A,           # A = sigma(Z)
                          elementwise=self.activation.elementwise)
        self.A_prev, self.Z, self.A = A_prev, Z, A
        return A

    def backward(self, dA, need_dA_prev=True, Delta=None, out=None):
        """See the class docstring.  ``Delta`` may be passed directly when the
        output layer's error signal is fused with the loss (``A - Y``).

        After a training forward pass, ``Delta`` is written over ``Z``'s work
        array: ``Z`` is dead once ``sigma'(Z)`` has been applied, and a
        ``(d_l, N)`` array less per layer matters on a large batch.  ``layer.Z``
        is then ``None`` until the next forward pass (``layer.Delta``,
        ``layer.A`` and ``layer.A_prev`` stay).  The returned ``dA[l-1]`` goes
        into ``out`` when it fits (the network offers the consumed ``dA``),
        else into this layer's work array; both are overwritten by the next
        backward pass."""
        W, A_prev = self.params["W"], self.A_prev
        dW, db = self.grads["W"], self.grads["b"]
        if Delta is None:
            if getattr(self, "Z", None) is None:
                raise RuntimeError(f"layer {self.name!r}: backward needs the caches of a forward "
                                   "pass (Z was used up by the last backward); run forward first")
            Z, where = self.Z, self._delta_array(dA)  # Delta over Z's memory (S: 786 -> 493 MiB)
            Delta = by_row_blocks(self.activation.backward, Z, self.A, dA, out=where,
                                  elementwise=self.activation.elementwise)  # Delta = dA * sigma'(Z)
            if Delta is Z:
                self.Z = None  # now holds Delta, not Z
        N = Delta.shape[1]
        np.multiply(Delta @ A_prev.T, 1.0 / N, out=dW)                # dW = (1/N) Delta A_prev^T
        np.multiply(Delta.sum(axis=1, keepdims=True), 1.0 / N, out=db)  # db = mean(Delta)
        self.Delta = Delta
        if not need_dA_prev:
            return None
        shape = (W.shape[1], N)
        if out is None or out.shape != shape or out.dtype != W.dtype \
                or np.may_share_memory(out, Delta):
            out = self._buffer("dA_prev", shape, W.dtype)
        return matmul(W.T, Delta, out=out)                            # dA_prev = W^T Delta

    def _delta_array(self, dA):
        """Where ``Delta`` may go: over ``Z`` if it is this layer's work array
        and the activation allows it (see ``Activation.backward``), else a
        work array of its own."""
        work = self.__dict__.get("_work", {})
        if self.Z is not None and self.Z is work.get("Z") and self.activation.delta_over_Z:
            return self.Z
        return self._buffer("Delta", dA.shape, self.params["W"].dtype)

    def get_config(self):
        config = {**super().get_config(), "units": self.units,
                  "activation": self.activation.name, "initializer": self.initializer}
        if self.activation.get_config():  # e.g. leaky_relu's alpha
            config["activation_params"] = self.activation.get_config()
        return config
