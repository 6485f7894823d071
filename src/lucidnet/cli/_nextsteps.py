"""The text's next steps on the command line: real data, CSV files, model choices,
mini-batches, validation, early stopping, schedules; train/validation/test figures.

``lucidnet train`` calls in here; with none of these options it is still
the reference run (toy data in its generated order, no test part, no
standardization, sigmoid + BCE + plain descent with eta = 1).

At module level only the standard library and the data sets' names from
:mod:`lucidnet.data` (NumPy, which ``import lucidnet`` loads anyway; no
scikit-learn): ``lucidnet --help`` imports this.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..data import REAL_DATASETS, TOY_DATASETS
from . import CommandError
from ._options import non_negative_float, positive_float, positive_int

__all__ = ["add_data_source_options", "add_model_options", "add_fit_options", "load_data",
           "build_network", "fit_options", "split_validation", "figures", "summary_lines"]

DEFAULT_TEST_SPLIT = 0.2

# The learning rate when --lr is not given, by task and optimizer: values that
# train every bundled data set and a typical CSV (standardized features and
# target) in the default 2000 full-batch epochs, measured over the registry
# (the README's table "every optimizer at its default rate").  Classification
# with sgd keeps the reference run's eta = 1.  Momentum's steady step is
# eta / (1 - mu) = 10 eta: at 0.1 it is plain descent at 1, which leaves the
# spirals at chance (0.49); at 1.0 it reaches 0.997 (seeds 0-3: 0.997-0.999)
# and still trains the moons, circles and real sets.  rmsprop and adam at
# 0.01 reach 0.85 on the spirals for some seeds; 0.03 gives 0.997-0.999 for
# seeds 0-3 and trains everything else.  A regression's squared error has
# larger gradients than cross-entropy near the start: sgd 0.1 (1.0 gets
# stuck at R^2 0), momentum 0.05 (0.01 stops at R^2 0.85 on a curved surface
# of two features; 0.05 reaches 0.98).  The core's own defaults
# (NeuralNetwork: 1.0 for sgd, the optimizer's default_lr otherwise) are left
# alone.
DEFAULT_LR = {
    "classification": {"sgd": 1.0, "momentum": 1.0, "nesterov": 1.0, "rmsprop": 0.03,
                       "adam": 0.03, "adamw": 0.03},
    "regression": {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "rmsprop": 0.001,
                   "adam": 0.01, "adamw": 0.01},
}
# Bundled data sets whose default recipe differs from the reference run's: plain
# descent on sigmoid units at eta = 1 leaves the spirals at chance (training
# accuracy 0.53 in 2000 epochs) and the circles still learning (0.84; 0.56-0.62
# for seeds 1-3), so they default to adam; and plain descent, when asked for,
# gets eta = 4 there (spirals 0.87-0.98 over seeds 0-5, circles 0.87-0.89).
DATASET_DEFAULTS = {"spirals": {"optimizer": "adam", "lr": {"sgd": 4.0}},
                    "circles": {"optimizer": "adam", "lr": {"sgd": 4.0}}}


def fraction(text: str) -> float:
    """A number in [0, 1)."""
    value = non_negative_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1), got {text!r}")
    return value


# ------------------------------------------------------------------ options
def add_data_source_options(parser):
    g = parser.add_argument_group(
        "real data and CSV files",
        "--dataset also takes iris, wine, breast_cancer, digits (scikit-learn's bundled sets). "
        "Real data and CSV files get a stratified test part and standardized features "
        "(statistics from the training part, stored in the model file for 'predict').")
    g.add_argument("--data", type=Path, metavar="CSV",
                   help="train on a CSV file with a header row (all columns but --target "
                        "are numeric features)")
    g.add_argument("--target", metavar="COLUMN", help="name of the target column of --data")
    g.add_argument("--task", choices=("auto", "classification", "regression"), default="auto",
                   help="auto: classes if the target is text or a few integers "
                        "(default: %(default)s)")
    g.add_argument("--test-split", type=fraction, default=None, metavar="F",
                   help=f"share held out for testing (default: {DEFAULT_TEST_SPLIT} for real "
                        "data and CSV files, 0 for toy data)")
    g.add_argument("--no-standardize", action="store_true",
                   help="keep the features of real data / CSV files as they are")
    g.add_argument("--no-standardize-target", action="store_true",
                   help="train a regression on the raw target; by default the network "
                        "learns (y - mean) / std (statistics of the training part, stored "
                        "in the model file) and every prediction and metric is converted "
                        "back to the target's units; only the logged cost is standardized")
    g.add_argument("--n-classes", type=positive_int, default=None, metavar="K",
                   help="classes of the blobs and spirals toy sets (default: 2)")


def add_model_options(parser):
    from ._choices import names

    g = parser.add_argument_group("model")
    g.add_argument("--activation", default="sigmoid", metavar="NAME[:K=V]",
                   help=f"hidden-layer activation: {', '.join(names('activation'))}; "
                        "with settings, e.g. leaky_relu:alpha=0.05 (default: %(default)s)")
    g.add_argument("--loss", default=None, metavar="NAME",
                   help=f"{', '.join(names('loss'))} (default: bce for two classes with a "
                        "sigmoid output, cce for more with softmax, mse for regression)")
    g.add_argument("--optimizer", default=None, metavar="NAME",
                   help=f"{', '.join(names('optimizer'))} (default: sgd; adam for spirals "
                        "and circles)")
    g.add_argument("--l2", type=non_negative_float, default=0.0,
                   help="L2 penalty on the weights (scikit-learn's alpha) (default: 0)")
    g.add_argument("--l1", type=non_negative_float, default=0.0,
                   help="L1 penalty on the weights (default: 0)")
    g.add_argument("--dropout", type=fraction, default=0.0, metavar="RATE",
                   help="dropout after every hidden layer, in training only (default: 0)")


def add_fit_options(parser):
    g = parser.add_argument_group("mini-batches, validation and schedules")
    g.add_argument("--batch-size", type=positive_int, default=None, metavar="N",
                   help="mini-batch size, reshuffled every epoch (default: full batch)")
    g.add_argument("--val-split", type=fraction, default=0.0, metavar="F",
                   help="share of the training data held out for validation, stratified "
                        "(default: 0)")
    g.add_argument("--early-stopping", type=positive_int, default=None, metavar="PATIENCE",
                   help="stop after PATIENCE epochs without a better validation cost "
                        "(training cost without --val-split) and keep the best weights")
    g.add_argument("--min-delta", type=non_negative_float, default=0.0,
                   help="smallest improvement that counts for --early-stopping (default: 0)")
    g.add_argument("--schedule", default=None, metavar="NAME[:K=V,...]",
                   help="learning-rate schedule: " + ", ".join(_schedule_help()) +
                        "; e.g. step:step_size=100,gamma=0.5")
    g.add_argument("--clip-norm", type=positive_float, default=None, metavar="MAX",
                   help="rescale gradients whose global norm exceeds MAX")


def _schedule_help() -> list[str]:
    """``step (step_size, gamma)``, ...: each schedule with the settings it takes."""
    from ._choices import names, settings_of
    from ..optim.schedules import SCHEDULES

    return [f"{name} ({', '.join(settings_of(SCHEDULES[name]))})" for name in names("schedule")]


# ------------------------------------------------------------------ data
def load_data(args):
    """A :class:`lucidnet.data.Dataset` (row-wise) from the toy, real or CSV options."""
    import numpy as np

    from ..data import Dataset, load_csv, load_dataset
    from ..training.validation import split_indices

    if args.data is not None:
        if args.dataset is not None:
            raise CommandError("--data and --dataset exclude each other")
        if not args.target:
            raise CommandError("--target: name the target column of --data")
        if args.data.is_dir():
            raise CommandError(f"--data: {str(args.data)!r} is a folder; give a CSV file")
        try:
            return load_csv(args.data, args.target, test_size=_test_split(args),
                            random_state=args.data_seed, standardize=not args.no_standardize,
                            task=args.task)
        except FileNotFoundError:
            raise CommandError(f"--data: no such file {str(args.data)!r}") from None
        except ValueError as exc:
            raise CommandError(f"--data: {exc}") from None
    if args.target:
        raise CommandError("--target needs --data")
    args.dataset = args.dataset or "moons"
    try:
        if args.dataset in REAL_DATASETS:
            return load_dataset(args.dataset, test_size=_test_split(args),
                                random_state=args.data_seed,
                                standardize=not args.no_standardize)
        from ..data.toy import generate_toy_dataset

        X, y = generate_toy_dataset(n_samples=args.n_samples, noise=args.noise,
                                    dataset_type=args.dataset, random_state=args.data_seed,
                                    n_classes=args.n_classes)
        k = int(y.max()) + 1
        names, labels = ["x1", "x2"], list(range(k))
        if not args.test_split:  # the reference run: all points, in generated order
            return Dataset(args.dataset, X, y, None, None, names, labels)
        kept, held = split_indices(len(y), args.test_split, np.random.default_rng(args.data_seed),
                                   y, what="test")
        return Dataset(args.dataset, X[kept], y[kept], X[held], y[held], names, labels)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def standardize_target(args, net, ds):
    """For a regression (unless ``--no-standardize-target``): store the training
    part's target statistics in ``net.preprocessing`` and return the data set with
    standardized targets, the units the network learns in (its ``predict`` converts
    back)."""
    import dataclasses

    from ..data import fit_target_standardizer, standardize_target as scaled

    if ds.is_classification or args.no_standardize_target:
        return ds
    net.preprocessing["target_standardize"] = fit_target_standardizer(ds.y_train)
    pre = net.preprocessing
    return dataclasses.replace(ds, y_train=scaled(pre, ds.y_train),
                               y_test=None if ds.y_test is None else scaled(pre, ds.y_test))


def _test_split(args) -> float:
    return DEFAULT_TEST_SPLIT if args.test_split is None else args.test_split


def data_record(args, ds) -> dict:
    """The ``data`` entry of metrics.json and of the model's training record."""
    if args.data is not None:
        record = {"data": str(args.data), "target": ds.target, "task": args.task,
                  "class_labels": ds.class_labels}
    elif args.dataset in REAL_DATASETS:
        record = {"dataset": args.dataset}
    else:
        record = {"dataset": args.dataset, "n_samples": args.n_samples, "noise": args.noise}
        if args.n_classes:
            record["n_classes"] = args.n_classes
        if args.test_split:
            record["test_split"] = args.test_split
        return {**record, "data_seed": args.data_seed}
    return {**record, "test_split": _test_split(args),
            "standardize": ds.standardization is not None, "data_seed": args.data_seed}


def data_text(args, ds) -> str | None:
    if args.data is not None:
        kind = f"{ds.n_classes} classes" if ds.is_classification else "regression"
        text = f"{args.data} (target {ds.target!r}, {kind})"
    elif args.dataset in REAL_DATASETS:
        text = f"{args.dataset} ({ds.n_classes} classes, {len(ds.feature_names)} features)"
    else:
        return None  # the skeleton's own toy-data text
    n_test = 0 if ds.y_test is None else len(ds.y_test)
    scaled = "standardized" if ds.standardization else "raw features"
    target = ""
    if not ds.is_classification:
        target = (", raw target" if args.no_standardize_target else
                  ", target standardized (costs in standardized units, metrics in the "
                  "target's)")
    return f"{text}, {len(ds.y_train)} train / {n_test} test, {scaled}{target}"


# ------------------------------------------------------------------ network
def n_outputs(ds) -> int:
    """1 sigmoid unit for two classes, k softmax units for k > 2, 1 unit for regression."""
    return ds.n_classes if ds.n_classes > 2 else 1


def build_network(args, n_features: int, ds):
    """``n_features - layers... - outputs`` with the chosen activation, loss and optimizer."""
    from .. import Dense, Dropout, Input, NeuralNetwork
    from ..core.activations import ACTIVATIONS
    from ..core.losses import LOSSES
    from ..optim.optimizers import OPTIMIZERS
    from ._choices import check_name, named_with_settings

    recipe = DATASET_DEFAULTS.get(args.dataset if args.data is None else None, {})
    if args.optimizer is None:
        args.optimizer = recipe.get("optimizer", "sgd")
    activation_name, activation_config = named_with_settings("--activation", args.activation,
                                                             "activation")
    try:  # a fresh instance with the user's settings, e.g. leaky_relu:alpha=0.05
        activation = type(ACTIVATIONS[activation_name])(**activation_config) \
            if activation_config else activation_name
    except (TypeError, ValueError) as exc:
        raise CommandError(f"--activation: {exc}") from None
    check_name("--optimizer", args.optimizer, OPTIMIZERS)
    if args.loss is not None:
        check_name("--loss", args.loss, LOSSES)
    k = n_outputs(ds)
    if not ds.is_classification:
        output, loss = "identity", args.loss or "mse"
    else:
        output, loss = ("softmax", "cce") if k > 2 else ("sigmoid", "bce")
        loss = args.loss or loss
        if loss == "cce" and k == 1:  # -y log a of one unit only ever pushes a up
            raise CommandError("--loss: cce needs a softmax output (more than two classes); "
                               "two classes get one sigmoid unit: use bce")
    if args.lr is None:  # see DEFAULT_LR and DATASET_DEFAULTS
        task = "classification" if ds.is_classification else "regression"
        args.lr = recipe.get("lr", {}).get(args.optimizer) or \
            DEFAULT_LR[task].get(args.optimizer, OPTIMIZERS[args.optimizer].default_lr)
    layers = [Input("x", n_features)]
    for i, units in enumerate(args.layers, start=1):
        layers.append(Dense(f"h{i}", units, activation))
        if args.dropout:
            layers.append(Dropout(f"drop{i}", args.dropout))
    layers.append(Dense("out", k, output))
    try:
        return NeuralNetwork(layers, loss_fn=loss, lr=args.lr, optimizer=args.optimizer,
                             seed=args.seed, l2=args.l2, l1=args.l1)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


# ------------------------------------------------------------------ fit
def _schedule(text):
    from ..optim.schedules import get_schedule
    from ._choices import named_with_settings

    name, config = named_with_settings("--schedule", text, "schedule")
    try:
        return get_schedule(name, **config)
    except ValueError as exc:
        raise CommandError(f"--schedule: {exc}") from None


def fit_options(args) -> dict:
    """Keyword arguments for ``fit`` from the options of this module."""
    options = {}
    if args.batch_size:
        options["batch_size"] = args.batch_size
    if args.early_stopping:
        options.update(early_stopping=args.early_stopping, min_delta=args.min_delta)
    if args.schedule:
        options["schedule"] = _schedule(args.schedule)
    if args.clip_norm:
        options["clip_norm"] = args.clip_norm
    return options


def split_validation(args, net, ds):
    """``(X, Y, Xv, Yv)`` column-wise: the same split ``fit(validation_split=...)`` draws
    (from ``net.rng``), made here so that the report can evaluate both parts."""
    from ..training.validation import prepare_validation

    X = net.check_inputs(ds.X_train.T)
    Y = net.check_targets(ds.y_train, X.shape[1])
    try:
        return prepare_validation(net, X, Y, validation_split=args.val_split or None)
    except ValueError as exc:
        raise CommandError(f"--val-split: {exc}") from None


# ------------------------------------------------------------------ report
def figures(net, X, Y) -> dict:
    """Data cost (no penalty) and accuracy/F1 or MSE/R^2 on column-wise ``X``, ``Y``."""
    import numpy as np

    from .. import metrics
    from ..core.metrics import labels_at_threshold

    A = net.forward(X)
    row = {"n": int(X.shape[1]), "loss": float(net.cost_of_last_forward(Y, penalty=False))}
    if not net.is_classifier:  # loss in the network's units, metrics in the target's
        P, Yu = net.to_target_units(A), net.to_target_units(Y)
        return {**row, "mse": metrics.mse(Yu, P), "mae": float(np.mean(np.abs(P - Yu))),
                "r2": metrics.r2_score(Yu, P)}
    if Y.shape[0] > 1:
        y, labels, average = Y.argmax(axis=0), A.argmax(axis=0), "macro"
    else:
        y, labels, average = Y[0], labels_at_threshold(A[0]).astype(Y.dtype), "binary"
    average = "binary" if set(np.unique(y)) | set(np.unique(labels)) <= {0, 1} else average
    return {**row, "accuracy": metrics.accuracy(y, labels),
            "f1": metrics.f1_score(y, labels, average=average)}


def all_figures(net, X, Y, Xv, Yv, ds) -> dict:
    out = {"train": figures(net, X, Y)}
    if Xv is not None:
        out["validation"] = figures(net, Xv, Yv)
    if ds.X_test is not None:
        Xt = net.check_inputs(ds.X_test.T)
        out["test"] = figures(net, Xt, net.check_targets(ds.y_test, Xt.shape[1]))
    return out


def early_stopping_record(args, net) -> dict | None:
    if not args.early_stopping:
        return None
    keys = ("best_epoch", "best_monitored", "monitor", "stopped_epoch")
    return {key: net.training_record.get(key) for key in keys}


def summary_lines(result) -> list[str]:
    """One line per part (train / validation / test) with its figures."""
    lines = []
    for part, row in result.get("figures", {}).items():
        shown = [f"loss {row['loss']:.4f}"] + [
            f"{key} {row[key]:.4f}" for key in ("accuracy", "f1", "mse", "mae", "r2")
            if key in row]
        lines.append(f"  {part:<14} {', '.join(shown)}  ({row['n']} examples)")
    record = result.get("early_stopping")
    if record:
        stopped = (f"stopped at epoch {record['stopped_epoch']}"
                   if record["stopped_epoch"] is not None else "ran all epochs")
        lines.append(f"  early stopping {stopped}; kept the weights of epoch "
                     f"{record['best_epoch']} ({record['monitor']} {record['best_monitored']:.4f})")
    return lines
