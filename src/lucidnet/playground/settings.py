"""The playground's settings: names, defaults and the bounds the server enforces.

The page keeps the same names in its URL (``#dataset=circle&lr=0.03&...``), so
a link reproduces an experiment.  Whatever a URL or a message claims, the
server only ever uses settings that passed :func:`clean`: unknown keys are
dropped, values of the wrong kind are refused with a message, numbers are
clamped into their bounds (a network of at most ``MAX_LAYERS`` hidden layers
of ``MAX_UNITS`` units, at most ``MAX_POINTS`` generated points, ...).
"""

from __future__ import annotations

import math

__all__ = ["DEFAULTS", "LIMITS", "clean", "SettingsError", "BUILTIN_DATASETS",
           "FEATURES_2D", "OPTIMIZER_PARAMS", "LOSSES_FOR"]

MAX_LAYERS = 8
MAX_UNITS = 256
MAX_POINTS = 5000

CLASSIFICATION_DATASETS = ("circle", "xor", "gauss", "spiral", "moons")
REGRESSION_DATASETS = ("reg-plane", "reg-gauss")
BUILTIN_DATASETS = CLASSIFICATION_DATASETS + REGRESSION_DATASETS
# The Playground's seven inputs, in lucidnet's transform names (lucidnet.features).
FEATURES_2D = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
HIDDEN_ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu", "elu", "softplus", "identity")
OPTIMIZER_PARAMS = {           # the hyperparameters each optimizer takes besides lr
    "sgd": (), "momentum": ("momentum",), "nesterov": ("momentum",),
    "rmsprop": ("rho",), "adam": ("beta1", "beta2"), "adamw": ("beta1", "beta2", "weight_decay"),
}
LOSSES_FOR = {"binary": ("bce", "mse"), "multi": ("cce",), "regression": ("mse", "mae", "huber")}

DEFAULTS = {
    "dataset": "circle",      # a BUILTIN_DATASETS name, or "upload" for the user's CSV
    "classes": 2,             # gauss and spiral only: number of classes (softmax when > 2)
    "points": 500,            # generated points (train + test)
    "noise": 0.1,             # lucidnet.generate_toy_dataset's noise (before rescaling)
    "train_pct": 50,          # share of the points used for training, in percent
    "batch": 0,               # mini-batch size; 0 is full batch
    "data_seed": 1,           # seed of the data (and of the train/test split)
    "seed": 0,                # seed of the network's weights, shuffling and dropout
    "features": ["x1", "x2"],
    "layers": [4, 2],         # units of each hidden layer
    "acts": ["tanh", "tanh"],  # activation of each hidden layer
    "dropout": 0.0,           # dropout rate after each hidden layer
    "loss": "auto",           # "auto": bce (2 classes), cce (more), mse (regression)
    "optimizer": "adam",
    "lr": 0.03,
    "momentum": 0.9, "rho": 0.99, "beta1": 0.9, "beta2": 0.999, "weight_decay": 0.01,
    "reg": "none",            # "none", "l1" or "l2"
    "reg_rate": 0.0,          # penalty on the mean cost (lucidnet's l1/l2 are per sum: x N)
    "epf": 10,                # epochs per frame while playing
    "discretize": False,
    "show_test": False,
    "target": "",             # upload only: the target column ("" = the last one)
    "plot_x": 0, "plot_y": 1,  # upload only: the two raw columns drawn on the plane
}

# name -> (low, high) for numbers; clamped, not refused: a URL from a bigger server still opens
LIMITS = {
    "classes": (2, 6), "points": (20, MAX_POINTS), "noise": (0.0, 1.0), "train_pct": (10, 90),
    "batch": (0, 100_000), "data_seed": (0, 2**31 - 1), "seed": (0, 2**31 - 1),
    "dropout": (0.0, 0.9), "lr": (1e-6, 100.0), "momentum": (0.0, 0.999), "rho": (0.0, 0.9999),
    "beta1": (0.0, 0.9999), "beta2": (0.0, 0.99999), "weight_decay": (0.0, 1.0),
    "reg_rate": (0.0, 10.0), "epf": (1, 100), "plot_x": (0, 99), "plot_y": (0, 99),
}
_INTS = {"classes", "points", "train_pct", "batch", "data_seed", "seed", "epf", "plot_x",
         "plot_y"}
_CHOICES = {
    "dataset": BUILTIN_DATASETS + ("upload",),
    "loss": ("auto", "bce", "cce", "mse", "mae", "huber"),
    "optimizer": tuple(OPTIMIZER_PARAMS),
    "reg": ("none", "l1", "l2"),
}


class SettingsError(ValueError):
    """A setting of the wrong kind (the message names it)."""


def _number(key, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SettingsError(f"setting {key!r} must be a finite number, got {value!r}")
    low, high = LIMITS[key]
    value = min(max(value, low), high)
    return int(round(value)) if key in _INTS else float(value)


def _layers(value, acts):
    if not isinstance(value, list) or len(value) > 64:
        raise SettingsError("setting 'layers' must be a list of unit counts")
    units = [_number_units(u) for u in value[:MAX_LAYERS]]
    if not isinstance(acts, list) or not all(isinstance(a, str) for a in acts):
        raise SettingsError("setting 'acts' must be a list of activation names")
    acts = [a if a in HIDDEN_ACTIVATIONS else "tanh" for a in acts[:len(units)]]
    acts += [acts[-1] if acts else "tanh"] * (len(units) - len(acts))
    return units, acts


def _number_units(u):
    if isinstance(u, bool) or not isinstance(u, int):
        raise SettingsError(f"a hidden layer's size must be an integer, got {u!r}")
    return min(max(u, 1), MAX_UNITS)


def clean(settings, base=None) -> dict:
    """``base`` (default :data:`DEFAULTS`) updated with the known keys of ``settings``,
    checked and clamped.

    Raises
    ------
    SettingsError
        A value of the wrong type (a string for a number, a list that is not one).
    """
    if not isinstance(settings, dict):
        raise SettingsError("settings must be a JSON object")
    out = dict(base if base is not None else DEFAULTS)
    for key, value in settings.items():
        if key not in DEFAULTS or key in ("layers", "acts"):
            continue
        if key in LIMITS:
            out[key] = _number(key, value)
        elif key in _CHOICES:
            if value not in _CHOICES[key]:
                raise SettingsError(f"setting {key!r} must be one of "
                                    f"{', '.join(_CHOICES[key])}, got {value!r}")
            out[key] = value
        elif key in ("discretize", "show_test"):
            out[key] = bool(value)
        elif key == "target":
            if not isinstance(value, str) or len(value) > 200:
                raise SettingsError("setting 'target' must be a column name")
            out[key] = value
        elif key == "features":
            if not isinstance(value, list) or len(value) > 400 or \
                    not all(isinstance(v, str) and len(v) <= 32 for v in value):
                raise SettingsError("setting 'features' must be a list of feature names")
            out[key] = list(dict.fromkeys(value))  # no repeats
    if "layers" in settings or "acts" in settings:
        out["layers"], out["acts"] = _layers(settings.get("layers", out["layers"]),
                                             settings.get("acts", out["acts"]))
    return out
