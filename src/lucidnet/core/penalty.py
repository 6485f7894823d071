"""Weight penalties: L2 and L1 on the weights ``W`` (never the biases).

Added to the cost, with ``N`` the number of examples (or ``sum(w)`` with
per-example weights)::

    J += (l2 / 2N) sum W**2 + (l1 / N) sum |W|

and so to every weight gradient::

    dW += (l2 / N) W + (l1 / N) sign(W)
"""

from __future__ import annotations

import numpy as np

__all__ = ["penalty_cost", "add_penalty_gradients"]


def _weights(layers):
    return [layer for layer in layers if "W" in layer.params]


def penalty_cost(layers, l2: float, l1: float, N: float) -> float:
    """``(l2 / 2N) sum W**2 + (l1 / N) sum |W|`` over every layer's ``W``."""
    W = [layer.params["W"] for layer in _weights(layers)]
    total = 0.5 * l2 * sum(float(np.vdot(w, w)) for w in W) if l2 else 0.0
    if l1:
        total += l1 * sum(float(np.abs(w).sum()) for w in W)
    return total / N


def add_penalty_gradients(layers, l2: float, l1: float, N: float) -> None:
    """``dW += (l2 / N) W + (l1 / N) sign(W)`` for every layer's ``W``."""
    for layer in _weights(layers):
        W, dW = layer.params["W"], layer.grads["W"]
        if l2:
            dW += (l2 / N) * W
        if l1:
            dW += (l1 / N) * np.sign(W)
