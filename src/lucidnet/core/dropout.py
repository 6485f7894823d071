"""Inverted dropout: a layer without parameters, active only in training."""

from __future__ import annotations

import numpy as np

from ..checks import check_number
from .layer import Layer

__all__ = ["Dropout"]


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
        self.rate = check_number("dropout rate", rate, 0, 1, high_open=True)
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
