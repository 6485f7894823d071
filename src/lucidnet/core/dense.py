"""The fully connected layer: ``Z = W A_prev + b``, ``A = sigma(Z)``, and its backward pass.

Notation (column-wise, as in the text): ``A_prev`` is ``A[l-1]`` of shape
``(d_{l-1}, N)``; ``W`` is ``(d_l, d_{l-1})``; ``b`` is ``(d_l, 1)``.
"""

from __future__ import annotations

import numpy as np

from .activations import Activation, get_activation
from .initializers import default_initializer, get_initializer
from .layer import Layer, _check_size
from .work_arrays import into

__all__ = ["Dense"]

# Element-wise passes over a large work array go a block of rows of about
# this many bytes at a time (see Dense._row_blocks).
_BLOCK_BYTES = 1 << 21



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
        Z = self._buffer("Z", shape, W.dtype) if training else None
        blocks = self._row_blocks(shape, W.dtype) if training else None
        product_by_blocks = blocks is not None and self._small(A_prev)
        if not product_by_blocks:
            Z = np.matmul(W, A_prev, out=Z)                         # W[l] A[l-1]
        if blocks is None:
            Z += b                                                  # in place: + b[l]
            A = self.activation.forward(Z, out=self._buffer("A", shape, W.dtype) if training
                                        else None)                  # (d_l, N)
        else:  # the same, a cache-sized block of rows at a time (see _row_blocks)
            A = self._buffer("A", shape, W.dtype)
            for rows in blocks:
                Z_rows, A_rows = Z[rows], A[rows]
                if product_by_blocks:
                    np.matmul(W[rows], A_prev, out=Z_rows)          # rows of W[l] A[l-1]
                Z_rows += b[rows]
                into(self.activation.forward(Z_rows, out=A_rows), A_rows)
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
        W = self.params["W"]
        dW, db = self.grads["W"], self.grads["b"]
        if Delta is None:
            if getattr(self, "Z", None) is None:
                raise RuntimeError(f"layer {self.name!r}: backward needs the caches of a forward "
                                   "pass (Z was used up by the last backward); run forward first")
            # Delta[l] = dA * sigma'(Z[l]); db = its sum (and maybe dW, see _error_signal)
            Delta, dW_done = self._error_signal(dA, db, dW)
            if Delta is self.Z:
                self.Z = None  # now holds Delta, not Z
        else:
            Delta.sum(axis=1, keepdims=True, out=db)                # sum over the batch
            dW_done = False
        N = Delta.shape[1]
        if not dW_done:
            np.matmul(Delta, self.A_prev.T, out=dW)                 # Delta[l] A[l-1]^T
        dW *= 1.0 / N                                               # ... times 1/N
        db *= 1.0 / N                                               # sum / N = mean (faster than np.mean)
        self.Delta = Delta
        if not need_dA_prev:
            return None
        shape = (W.shape[1], N)
        if out is None or out.shape != shape or out.dtype != W.dtype \
                or np.may_share_memory(out, Delta):
            out = self._buffer("dA_prev", shape, W.dtype)
        if W.shape[0] == 1:
            # One unit (a binary output): W.T @ Delta is an outer product
            # (d_{l-1}, 1) x (1, N); broadcasting computes it about 2x faster
            # than OpenBLAS's matrix product with an inner dimension of 1.
            return np.multiply(W.T, Delta, out=out)                 # (d_{l-1}, N)
        return np.matmul(W.T, Delta, out=out)                       # (d_{l-1}, N)

    def _error_signal(self, dA, db, dW):
        """``Delta = dA * sigma'(Z)`` (``Activation.backward``) and its sum over
        the batch into ``db``; a large array block by block (see ``_row_blocks``).

        Returns ``(Delta, dW_done)``: with few inputs, the rows of
        ``dW = Delta A_prev^T`` are computed block by block too (row ``i`` of
        ``dW`` needs row ``i`` of ``Delta`` alone), while the block is in cache.
        """
        Delta = self._delta_array(dA)
        blocks = self._row_blocks(Delta.shape, Delta.dtype)
        if blocks is None:
            Delta = self.activation.backward(self.Z, self.A, dA, out=Delta)
            Delta.sum(axis=1, keepdims=True, out=db)                # sum over the batch
            return Delta, False
        product_by_blocks = self._small(self.A_prev)
        for rows in blocks:
            D_rows = Delta[rows]
            into(self.activation.backward(self.Z[rows], self.A[rows], dA[rows], out=D_rows),
                  D_rows)
            D_rows.sum(axis=1, keepdims=True, out=db[rows])         # sum over the batch
            if product_by_blocks:
                np.matmul(D_rows, self.A_prev.T, out=dW[rows])      # rows of Delta A_prev^T
        return Delta, product_by_blocks

    @staticmethod
    def _small(A_prev) -> bool:
        """True when ``A_prev`` fits in cache beside a block (a layer with few
        inputs, e.g. the first on 2-D data): its products with ``W`` and
        ``Delta`` only stream the large array, so they go by blocks as well.
        A large ``A_prev`` is left to whole-array products (BLAS's best case)."""
        return A_prev.nbytes <= _BLOCK_BYTES

    def _row_blocks(self, shape, dtype):
        """Row slices covering a large ``(d_l, N)`` work array, or None (small, or
        an activation that is not element-wise).

        An element-wise step (``+ b``, then the activation's passes; in backward
        sigma' and the sum for ``db``) streams a whole array from memory once per
        pass when the array is larger than the cache.  A block of rows of about
        2 MB stays in cache through all of them: measured here, 7% of a whole
        training step on a 256 x 100,000 float32 batch.  Small arrays (the
        reference run's) take the whole-array path.
        """
        row_bytes = shape[1] * dtype.itemsize
        if shape[0] * row_bytes <= _BLOCK_BYTES or not self.activation.elementwise:
            return None  # the common small case first: this runs every training pass
        rows = max(1, _BLOCK_BYTES // row_bytes)
        return [slice(start, start + rows) for start in range(0, shape[0], rows)]

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
