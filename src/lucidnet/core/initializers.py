"""Weight initializers, all drawn from the network's ``numpy.random.Generator``.

Each takes ``(rng, d_out, d_in, dtype)`` and returns ``W`` of shape
``(d_out, d_in)``; biases start at zero.  ``fan_in = d_in``, ``fan_out = d_out``.

==============  ===========================================================
glorot_uniform  ``U(-r, r)``, ``r = sqrt(6 / (fan_in + fan_out))`` (the text's)
glorot_normal   ``N(0, 2 / (fan_in + fan_out))``
he_uniform      ``U(-r, r)``, ``r = sqrt(6 / fan_in)``
he_normal       ``N(0, 2 / fan_in)``
lecun_uniform   ``U(-r, r)``, ``r = sqrt(3 / fan_in)``
lecun_normal    ``N(0, 1 / fan_in)``
==============  ===========================================================
"""

from __future__ import annotations

import numpy as np

__all__ = ["INITIALIZERS", "get_initializer", "default_initializer"]


def _uniform(rng, d_out, d_in, dtype, r):
    return rng.uniform(-r, r, size=(d_out, d_in)).astype(dtype, copy=False)


def _normal(rng, d_out, d_in, dtype, var):
    return (np.sqrt(var) * rng.standard_normal((d_out, d_in))).astype(dtype, copy=False)


def glorot_uniform(rng, d_out, d_in, dtype=np.float64):
    return _uniform(rng, d_out, d_in, dtype, np.sqrt(6.0 / (d_in + d_out)))


def glorot_normal(rng, d_out, d_in, dtype=np.float64):
    return _normal(rng, d_out, d_in, dtype, 2.0 / (d_in + d_out))


def he_uniform(rng, d_out, d_in, dtype=np.float64):
    return _uniform(rng, d_out, d_in, dtype, np.sqrt(6.0 / d_in))


def he_normal(rng, d_out, d_in, dtype=np.float64):
    return _normal(rng, d_out, d_in, dtype, 2.0 / d_in)


def lecun_uniform(rng, d_out, d_in, dtype=np.float64):
    return _uniform(rng, d_out, d_in, dtype, np.sqrt(3.0 / d_in))


def lecun_normal(rng, d_out, d_in, dtype=np.float64):
    return _normal(rng, d_out, d_in, dtype, 1.0 / d_in)


INITIALIZERS = {
    f.__name__: f
    for f in (glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal)
}

# He for the rectifiers (their variance halves through max(0, z)), LeCun for
# ELU, Glorot (the text's choice) for everything else.
_DEFAULT_BY_ACTIVATION = {"relu": "he_uniform", "leaky_relu": "he_uniform", "elu": "lecun_normal"}


def default_initializer(activation_name: str) -> str:
    """The initializer a layer with this activation gets when none is named."""
    return _DEFAULT_BY_ACTIVATION.get(activation_name, "glorot_uniform")


def get_initializer(name: str):
    """Look an initializer up by name; ``ValueError`` lists the known ones."""
    if name in INITIALIZERS:
        return INITIALIZERS[name]
    raise ValueError(f"unknown initializer {name!r}; known: {', '.join(INITIALIZERS)}")
