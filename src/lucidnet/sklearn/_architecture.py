"""The network an estimator builds: its layers from the parameters, its weights as
scikit-learn draws them."""

from __future__ import annotations

from numbers import Integral

import numpy as np

from ..checks import check_number
from ..core.activations import ACTIVATIONS
from ..core.layers import Dense, Dropout, Input
from ..network import NeuralNetwork
from ._params import init_like_sklearn

# scikit-learn's activation names -> lucidnet's
_SK_TO_LUCID = {"logistic": "sigmoid"}
_LUCID_TO_SK = {"sigmoid": "logistic"}


class ArchitectureMixin:
    """Hidden sizes, activations and dropout rates read from the estimator's
    parameters, and the :class:`~lucidnet.NeuralNetwork` built from them."""

    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if any(isinstance(s, bool) or not isinstance(s, (Integral, np.integer)) or s <= 0
               for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(s) for s in sizes]

    def _per_layer(self, name, value, n_hidden, check):
        values = list(value) if isinstance(value, (list, tuple)) else [value] * n_hidden
        if len(values) != n_hidden:
            raise ValueError(f"{name} lists {len(values)} values for {n_hidden} hidden "
                             f"layers (hidden_layer_sizes); give one value or one per layer")
        for v in values:
            check(v)
        return values

    def _hidden_activations(self, n_hidden) -> list[str]:
        known = sorted({*ACTIVATIONS, "logistic"})

        def check(name):
            if not isinstance(name, str) or _SK_TO_LUCID.get(name, name) not in ACTIVATIONS:
                raise ValueError(f"The 'activation' parameter of {type(self).__name__} must "
                                 f"be one of {known} (or a list, one per hidden layer). "
                                 f"Got {name!r} instead.")

        names = self._per_layer("activation", self.activation, n_hidden, check)
        return [_SK_TO_LUCID.get(name, name) for name in names]

    def _dropout_rates(self, n_hidden) -> list[float]:
        def check(rate):
            check_number("dropout rates", rate, 0, 1, high_open=True)

        rates = self._per_layer("dropout", self.dropout, n_hidden, check)
        if any(rates) and self.solver == "lbfgs":
            raise ValueError("dropout needs a stochastic solver (the L-BFGS objective must "
                             "be deterministic); use solver='adam' or 'sgd', or dropout=0")
        return [float(r) for r in rates]

    def _init_factors(self, activations) -> list[float]:
        """scikit-learn's bound factor per Dense layer: 2 for a logistic network, else 6.
        With a list of activations (an extra) each hidden layer uses its own, and
        the output layer that of the last hidden layer."""
        if isinstance(self.activation, str):
            logistic = [self.activation in ("logistic", "sigmoid")] * (len(activations) + 1)
        else:
            logistic = [a == "sigmoid" for a in activations]
            logistic.append(logistic[-1] if logistic else False)
        return [2.0 if flag else 6.0 for flag in logistic]

    def _output(self) -> tuple[str, str]:
        """``(output activation, core loss)`` in lucidnet's names, for the targets seen."""
        raise NotImplementedError

    def _loss_name(self) -> str:
        """The reported loss (see :mod:`._losses`)."""
        raise NotImplementedError

    def _build_network(self, sizes, dtype) -> NeuralNetwork:
        """The network for layer ``sizes`` (input, hidden..., output), weights drawn
        from ``self._random_state`` as scikit-learn draws them."""
        hidden = sizes[1:-1]
        activations = self._hidden_activations(len(hidden))
        rates = self._dropout_rates(len(hidden))
        out_activation, loss = self._output()
        layers = [Input("x", sizes[0])]
        for i, (units, act, rate) in enumerate(zip(hidden, activations, rates), start=1):
            layers.append(Dense(f"h{i}", units, activation=act))
            if rate:
                layers.append(Dropout(f"drop{i}", rate))
        layers.append(Dense("out", sizes[-1], activation=out_activation))
        # alpha is scikit-learn's L2 term, alpha/2 sum W**2 / n_samples: the core's l2.
        # The Generator below only builds the layers; init_like_sklearn redraws them.
        net = NeuralNetwork(layers, loss_fn=loss, rng=np.random.default_rng(0), dtype=dtype,
                            l2=float(self.alpha))
        dense = [layer for layer in net.layers if isinstance(layer, Dense)]
        init_like_sklearn(dense, self._init_factors(activations), self._random_state)
        if any(rates):  # dropout (an extra) draws its masks from a Generator seeded here
            net.rng = np.random.default_rng(self._random_state.randint(np.iinfo(np.int32).max))
            for layer in net.layers:
                if isinstance(layer, Dropout):
                    layer.rng = net.rng
        return net
