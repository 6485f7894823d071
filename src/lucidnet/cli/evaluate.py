"""``lucidnet evaluate``: the metrics of a saved model on a labelled CSV file.

The CSV has a header row; ``--target`` names the label (or value) column and
the model's features are read by the names stored in the model file (a column
the model does not know is an error unless named with ``--ignore``; a model
without stored names takes every other column in order).  The stored standardization is
repeated.  A classifier gets accuracy, precision, recall, F1 (binary for two
classes, macro-averaged otherwise), log loss and the confusion matrix; a
regression MSE, RMSE, MAE and R^2.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import CommandError
from ._columns import add_ignore_option, ignored
from ._models import add_model_argument

ORDER = 25


def register(subparsers):
    parser = subparsers.add_parser("evaluate", help="metrics of a saved model on a labelled CSV",
                                   description=" ".join(__doc__.split("\n\n")[:2]))
    add_model_argument(parser, positional=False)
    parser.add_argument("--input", type=Path, required=True, metavar="CSV",
                        help="CSV file with a header row, features and the target column")
    parser.add_argument("--target", required=True, metavar="COLUMN",
                        help="name of the target column in the header")
    add_ignore_option(parser)
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.set_defaults(func=run)
    return parser


def _class_indices(net, values, rows, target, path):
    """Target cells -> class indices 0..k-1, through the stored class labels."""
    classes = net.preprocessing.get("class_labels")
    k = max(net.n_outputs, 2)
    lookup = {str(c): i for i, c in enumerate(classes)} if classes else \
        {str(i): i for i in range(k)}
    if not classes:  # numbered classes: also accept 1.0 for 1
        lookup.update({f"{float(i)}": i for i in range(k)})
    indices = []
    for (line, _), value in zip(rows, values):
        if value.strip() not in lookup:
            known = ", ".join(map(str, classes)) if classes else f"0..{k - 1}"
            raise CommandError(f"--target: line {line} of {str(path)!r}: {value!r} is not one "
                               f"of the model's classes ({known})")
        indices.append(lookup[value.strip()])
    return indices


def classification_metrics(net, Xp, y):
    import numpy as np

    from ..metrics import classification_report, confusion_matrix, log_loss

    A = net.predict_proba(Xp.T)                                  # (dL, N)
    y_pred = np.asarray(net.predict(Xp.T)).reshape(-1)
    metrics = {"n": int(len(y)), **classification_report(y, y_pred),
               "log_loss": log_loss(y, A)}
    k = max(net.n_outputs, 2)
    metrics["confusion_matrix"] = confusion_matrix(y, y_pred, labels=list(range(k))).tolist()
    return metrics


def regression_metrics(net, Xp, Y):
    import numpy as np

    from ..metrics import mse, r2_score

    P = net.predict(Xp.T)                        # (dL, N), in the target's units
    err = P - Y
    return {"n": int(Y.shape[1]), "mse": mse(Y, P), "rmse": float(np.sqrt(mse(Y, P))),
            "mae": float(np.mean(np.abs(err))), "r2": r2_score(Y, P)}


def run(args) -> int:
    import numpy as np

    from ..data import apply_preprocessing
    from ._models import feature_matrix, load_model, numbers, read_table

    net = load_model(args.model)
    table = read_table(args.input, header=True)
    if args.target not in table.header:
        raise CommandError(f"--target: no column {args.target!r} in {str(args.input)!r}; "
                           f"columns: {', '.join(table.header)}")
    t = table.index(args.target)
    X, _ = feature_matrix(net, table, exclude=(args.target,), ignore=ignored(args))
    try:  # values too large to standardize (1.7e308)
        Xp = apply_preprocessing(net.preprocessing, X)
        net.predict_proba(Xp.T)                                  # or for the forward pass
    except ValueError as exc:
        raise CommandError(f"--input: {exc}") from None
    rows, values = table.rows, [cells[t] for _, cells in table.rows]
    if net.is_classifier and not (net.output_layer.activation.name == "sigmoid"
                                  and net.n_outputs > 1):
        y = np.array(_class_indices(net, values, rows, args.target, args.input))
        metrics = classification_metrics(net, Xp, y)
    elif net.is_classifier:
        raise CommandError("--model: a multi-label model needs one target column per label; "
                           "evaluate handles one target column")
    else:
        if net.n_outputs != 1:
            raise CommandError(f"--model: the model has {net.n_outputs} outputs; evaluate "
                               "handles one target column")
        Y = numbers(table, [t], "--target").T                    # (1, N), finite
        metrics = regression_metrics(net, Xp, Y)
    if args.json:
        print(json.dumps(metrics, indent=2))
        return 0
    print(f"model {args.model} on {args.input} (target {args.target!r}, {metrics['n']} rows)")
    for name, value in metrics.items():
        if name == "confusion_matrix":
            classes = net.preprocessing.get("class_labels") or list(range(len(value)))
            width = max(len(str(c)) for c in classes) + 2
            print("confusion matrix (rows: true class, columns: predicted)")
            print(" " * width + "".join(f"{str(c):>{width}}" for c in classes))
            for c, counts in zip(classes, value):
                print(f"{str(c):>{width}}" + "".join(f"{n:>{width}}" for n in counts))
        elif name != "n":
            print(f"{name:<9} {value:.6f}")
    return 0

