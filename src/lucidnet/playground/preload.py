"""What :func:`lucidnet.playground.show` opens a page on, as the session it starts from.

:func:`start_session` takes one of

- a :class:`~lucidnet.NeuralNetwork`: the page's settings are read off it (hidden
  layers, activations, dropout rate, loss, optimizer and its hyperparameters, L1/L2
  penalty, seed, input features), the session builds that network, and the
  network's weights are copied in (its optimizer's state is not);
- ``(X, y)``: data from Python, ``X`` of shape ``(N, 2)``
  (:func:`~lucidnet.playground.data.from_arrays`), split and standardized as an
  uploaded CSV file is;
- the name of a built-in data set (``"spiral"``);
- a dict of settings (``{"dataset": "xor", "layers": [8]}``);

and settings on top.  Everything is checked here, in Python, so that ``show()``
raises what a page could only report.
"""

from __future__ import annotations

import numpy as np

from ..core.layers import Dense, Dropout
from ..core.network import Network
from . import data as pdata
from .session import Session
from .settings import BUILTIN_DATASETS, LIMITS, LOSSES_FOR, OPTIMIZER_PARAMS

__all__ = ["start_session", "network_settings"]

# The data set a network alone is shown on, by the kind of its output.
_DEFAULT_DATASET = {"binary": "circle", "multi": "spiral", "regression": "reg-plane"}


def start_session(source=None, settings=None) -> Session:
    """The session a page of :func:`lucidnet.playground.show` starts from.

    Raises
    ------
    TypeError
        ``source`` is none of a network, an ``(X, y)`` pair, a name or a dict.
    ValueError
        Data of the wrong shape or values, an unknown data set name, a bad setting, a
        network the page cannot build (the message says which part).
    """
    if settings is not None and not isinstance(settings, dict):
        raise TypeError(f"settings must be a dict, got {type(settings).__name__}")
    settings = dict(settings or {})
    if source is None:
        return Session(settings)
    if isinstance(source, dict):
        return Session({**source, **settings})
    if isinstance(source, str):
        if source not in BUILTIN_DATASETS:
            raise ValueError(f"unknown data set {source!r} (the playground's: "
                             f"{', '.join(BUILTIN_DATASETS)})")
        return Session({**settings, "dataset": source})
    if isinstance(source, Network):
        return _from_network(source, settings)
    if isinstance(source, (tuple, list)) and len(source) == 2:
        return Session({**settings, "dataset": "upload"}, table=pdata.from_arrays(*source))
    raise TypeError("show() takes a NeuralNetwork, data as an (X, y) pair, the name of a "
                    f"data set or a dict of settings, got {type(source).__name__}")


def _kind(net) -> tuple[str, int]:
    """``(kind, classes)`` of the data a network's output layer fits."""
    out = net.output_layer
    act, units = out.activation.name, out.units
    if act == "sigmoid" and units == 1:
        return "binary", 2
    if act == "softmax" and LIMITS["classes"][0] < units <= LIMITS["classes"][1]:
        return "multi", units
    if act == "identity" and units == 1:
        return "regression", 0
    raise ValueError(f"the playground cannot show an output layer of {units} {act} units "
                     "(it has 1 sigmoid, 3 to 6 softmax or 1 identity unit)")


def _features(net) -> list:
    pre = net.preprocessing or {}
    if pre.get("input_features"):
        if pre.get("raw_inputs") != 2:
            raise ValueError(f"the network's input features are computed from "
                             f"{pre.get('raw_inputs')} raw inputs; the playground's plane "
                             "has 2")
        return list(pre["input_features"])
    if net.n_features != 2:
        raise ValueError(f"the network takes {net.n_features} inputs: the playground's "
                         "plane has 2 (x1, x2), unless net.preprocessing['input_features'] "
                         "names the transforms it takes (x1^2, sin(x1), ...)")
    return ["x1", "x2"]


def network_settings(net) -> dict:
    """The page's settings that build a network shaped like ``net`` (see the module doc)."""
    kind, classes = _kind(net)
    dense = [layer for layer in net.layers if isinstance(layer, Dense)]
    rates = [layer.rate for layer in net.layers if isinstance(layer, Dropout)]
    loss, opt = net.loss_obj.name, net.optimizer
    if loss not in LOSSES_FOR[kind]:
        raise ValueError(f"the playground trains this output with {' or '.join(LOSSES_FOR[kind])}"
                         f", not {loss!r}")
    if opt.name not in OPTIMIZER_PARAMS:
        raise ValueError(f"the playground has no optimizer {opt.name!r}")
    if net.l1 and net.l2:
        raise ValueError("the playground applies an L1 or an L2 penalty, not both")
    config = opt.get_config()
    out = {"layers": [layer.units for layer in dense[:-1]],
           "acts": [layer.activation.name for layer in dense[:-1]],
           "dropout": rates[0] if rates else 0.0, "features": _features(net),
           "loss": "auto" if loss == LOSSES_FOR[kind][0] else loss,   # as the page says it
           "optimizer": opt.name, "lr": config["lr"],
           **{p: config[p] for p in OPTIMIZER_PARAMS[opt.name]},
           "reg": "l1" if net.l1 else ("l2" if net.l2 else "none"),
           "reg_rate": net.l1 or net.l2}
    if net.seed is not None:
        out["seed"] = net.seed
    if kind == "multi":
        out["classes"] = classes
    return out


def _shape(net) -> list:
    """What must agree for the weights of one network to fit the other."""
    skip = ("name", "initializer")
    return [{k: v for k, v in layer.get_config().items() if k not in skip}
            for layer in net.layers] + [net.loss_obj.name, net.l1, net.l2]


def _from_network(net, settings) -> Session:
    base = (net.training_record or {}).get("playground_settings")  # a page's own export
    base = dict(base) if isinstance(base, dict) else {}
    if base.get("dataset") == "upload":      # its file is not here: a built-in set instead
        for key in ("dataset", "target", "plot_x", "plot_y"):
            base.pop(key, None)
    wanted = {**base, **network_settings(net), **settings}
    if "dataset" not in wanted:
        wanted["dataset"] = _DEFAULT_DATASET[_kind(net)[0]]
    session = Session(wanted)
    if session.features != wanted["features"]:
        raise ValueError(f"the input features {wanted['features']} are not all offered by "
                         f"the data set {session.settings['dataset']!r}")
    mine, theirs = _shape(session.net), _shape(net)
    if mine != theirs:
        at = next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b),
                  min(len(mine), len(theirs)))
        what = f"layer {at} ({theirs[at]})" if at < len(net.layers) else \
            "the loss or penalty" if at < len(theirs) else "the number of layers"
        raise ValueError(f"the playground cannot build this network: {what} differs from "
                         f"what its settings make ({mine[at] if at < len(mine) else 'none'}); "
                         "it builds Dense layers with one dropout rate after every hidden "
                         "layer, the playground's activations with their default parameters, "
                         "at most 8 hidden layers of at most 256 units")
    for (name, theta, _), (_, value, _) in zip(session.net.parameters(), net.parameters()):
        if not np.isfinite(value).all():
            raise ValueError(f"the network's {name} holds NaN or infinity")
        theta[...] = value
    session.edited = True      # weights that are not the seed's (export-python says so)
    session.version += 1
    return session
