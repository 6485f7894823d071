"""``coefs_`` and ``intercepts_``: the network's parameters in scikit-learn's shapes,
and their initial values drawn as scikit-learn draws them.

``coefs_[i]`` is ``W[i+1].T``, shape ``(n_in, n_out)``, and ``intercepts_[i]``
is ``b[i+1]`` flattened to ``(n_out,)``.  Both are lists of *views* of the
network's arrays, so ``est.coefs_[0][...] = ...``, ``est.coefs_[0] = array``
and ``est.coefs_ = [...]`` all change the model, as they do on an
``MLPClassifier``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ParamList", "init_like_sklearn"]


class ParamList(list):
    """A list of views of one parameter of every Dense layer; assigning an item
    writes into that layer's parameter (shape checked)."""

    def __init__(self, what, layers, key):
        self._what, self._layers, self._key = what, layers, key
        super().__init__(_view(layer, key) for layer in layers)

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            raise TypeError(f"assign {self._what} items one at a time")
        write(self._what, self._layers[index], self._key, value)
        super().__setitem__(index, _view(self._layers[index], self._key))


def _view(layer, key):
    theta = layer.params[key]
    return theta.T if key == "W" else theta.reshape(-1)


def write(what, layer, key, value) -> None:
    """Copy ``value`` (scikit-learn's orientation) into ``layer.params[key]``."""
    theta = layer.params[key]
    value = np.asarray(value)
    needed = theta.T.shape if key == "W" else (theta.shape[0],)
    if value.shape != needed:
        raise ValueError(f"{what}: an array of shape {value.shape} does not fit layer "
                         f"{layer.name!r}, which needs {needed}")
    theta[...] = value.T if key == "W" else value.reshape(-1, 1)


def init_like_sklearn(dense_layers, factors, random_state) -> None:
    """Draw every ``W`` and ``b`` from ``random_state`` (a ``numpy.random.RandomState``)
    as scikit-learn's MLP does, layer by layer: first ``coefs_[i]``, shape
    ``(n_in, n_out)``, then ``intercepts_[i]``, both ``U(-r, r)`` with
    ``r = sqrt(factor / (n_in + n_out))``; ``factor`` is 2 for a logistic
    network and 6 otherwise (Glorot's bound).

    NOTE: the biases do not start at zero, and the draws come from a
    RandomState, not a Generator: the one documented exception to lucidnet's
    convention, so that a ``random_state`` gives scikit-learn's model.
    """
    for layer, factor in zip(dense_layers, factors):
        W, b = layer.params["W"], layer.params["b"]
        fan_out, fan_in = W.shape
        bound = np.sqrt(factor / (fan_in + fan_out))
        coef = random_state.uniform(-bound, bound, (fan_in, fan_out))
        intercept = random_state.uniform(-bound, bound, fan_out)
        W[...] = coef.T                      # cast to the network's dtype, as scikit-learn does
        b[...] = intercept.reshape(-1, 1)
