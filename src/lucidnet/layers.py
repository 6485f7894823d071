"""Layers: ``Input``, ``Dense`` and ``Dropout``.

A layer holds its parameters and their gradients under the same keys
(``params["W"]`` and ``grads["W"]``) and the cache of its last forward pass.
That is all the gradient check, the optimizers and save/load rely on: none of
them knows what a Dense layer is.

Notation (column-wise, as in the text): ``A_prev`` is ``A[l-1]`` of shape
``(d_{l-1}, N)``; ``W`` is ``(d_l, d_{l-1})``; ``b`` is ``(d_l, 1)``.
"""

from __future__ import annotations

import numpy as np

from .activations import Activation, _into, drop_out_hint, get_activation
from .initializers import default_initializer, get_initializer

__all__ = ["Layer", "Input", "Dense", "Dropout", "LAYERS"]

# Element-wise passes over a large work array go a block of rows of about
# this many bytes at a time (see Dense._row_blocks).
_BLOCK_BYTES = 1 << 21


def _check_name(name) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"a layer name must be a non-empty string, got {name!r}")
    return name


def _check_size(what: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


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
        A name from :data:`lucidnet.activations.ACTIVATIONS`, or an instance
        such as ``LeakyReLU(alpha=0.2)``.
    initializer : str, optional
        A name from :data:`lucidnet.initializers.INITIALIZERS`; by default
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
                _into(self.activation.forward(Z_rows, out=A_rows), A_rows)
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
            _into(self.activation.backward(self.Z[rows], self.A[rows], dA[rows], out=D_rows),
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


class Dropout(Layer):
    """Inverted dropout, active only in training.

    In training each unit is kept with probability ``1 - rate`` and the kept
    ones are scaled by ``1 / (1 - rate)``, so the expected activation is
    unchanged and prediction needs no rescaling::

        A = A_prev * M,   M = (U >= rate) / (1 - rate),  U ~ U(0, 1)
        dA_prev = dA * M

    The mask is drawn from the network's Generator.  Setting ``fixed_mask`` to
    True reuses the last mask, which makes J a deterministic function of the
    parameters (the gradient check needs that).
    """

    def __init__(self, name: str, rate: float = 0.5):
        super().__init__(name)
        if not (isinstance(rate, (int, float)) and 0.0 <= rate < 1.0):
            raise ValueError(f"dropout rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.fixed_mask = False
        self.mask = None

    def build(self, d_in, rng, dtype):
        self.units = d_in
        self.rng = rng
        self.built = True
        return d_in

    def forward(self, A_prev, training=False):
        self.training = training and self.rate > 0
        if not self.training:
            return A_prev
        if not (self.fixed_mask and self.mask is not None and self.mask.shape == A_prev.shape):
            if self.fixed_mask and self.mask is not None and self._tiles(A_prev):
                # the batched gradient check stacks K copies of the batch side by side
                return A_prev * np.tile(self.mask, (1, A_prev.shape[1] // self.mask.shape[1]))
            keep = self.rng.random(A_prev.shape) >= self.rate
            self.mask = keep.astype(A_prev.dtype) / (1.0 - self.rate)
        return A_prev * self.mask

    def _tiles(self, A_prev):
        rows, cols = self.mask.shape
        return A_prev.shape[0] == rows and A_prev.shape[1] % cols == 0

    def backward(self, dA, need_dA_prev=True, out=None):
        if not self.training:
            return dA
        if out is None or out.shape != dA.shape or out.dtype != dA.dtype:
            out = None
        return np.multiply(dA, self.mask, out=out)  # element-wise: out may be dA itself

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


LAYERS = {cls.__name__: cls for cls in (Input, Dense, Dropout)}
