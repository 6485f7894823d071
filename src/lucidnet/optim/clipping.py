"""Gradient clipping by global norm: bound the length of a step, keep its direction.

Clipping rescales every gradient by the same factor
when their joint norm exceeds ``max_norm``::

    norm = sqrt(sum over all tensors of sum g**2)
    g   *= max_norm / norm          (only when norm > max_norm)

which keeps the direction of the step and bounds its length.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["clip_grad_norm"]


def clip_grad_norm(grads, max_norm: float) -> float:
    """Rescale the gradient arrays in place so that their global norm is at most ``max_norm``.

    Returns the norm before clipping (a non-finite norm is returned as is and
    nothing is scaled: divergence is reported by the training loop, not hidden).
    """
    grads = list(grads)
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    if np.isfinite(norm) and norm > max_norm:
        scale = max_norm / norm
        for g in grads:
            g *= scale
    return norm
