"""What a gradient check runs on: a float64 copy of the network, and copies of
the layers' inputs (shared by the text's check and the periodic check of ``fit``)."""

from __future__ import annotations

import numpy as np

__all__ = ["Float64Copy"]


class Float64Copy:
    """The float64 network that checks ``net``'s gradients.

    Calling it returns ``net`` itself when it is float64; otherwise a float64
    copy holding ``net``'s current parameters: made by ``net.astype`` on the
    first call, then refreshed in place (``np.copyto``, no allocation).
    """

    def __init__(self, net):
        self.net = net
        self.copy = None

    def __call__(self):
        if self.net.dtype == np.float64:
            return self.net
        if self.copy is None:
            self.copy = self.net.astype("float64")
        else:
            for (_, theta, _), (_, theta64, _) in zip(self.net.parameters(),
                                                     self.copy.parameters()):
                np.copyto(theta64, theta)
        return self.copy


def _kept_input(layer):
    """A copy of ``layer.A_prev`` (``None`` if the layer keeps none), in a work
    array of the layer: the cached float64 copy reuses it check after check."""
    A_prev = getattr(layer, "A_prev", None)
    if A_prev is None:
        return None
    kept = layer._buffer("checked_A_prev", A_prev.shape, A_prev.dtype)
    np.copyto(kept, A_prev)
    return kept
