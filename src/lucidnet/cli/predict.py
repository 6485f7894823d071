"""``lucidnet predict``: load a model file and print predictions for points.

Points come from the command line (``--points 0.5,0.2 1,-0.3``) or from a
CSV file (``--input points.csv``, one point per row; a header row is matched to
the model's features by name, a header-less file is read by position).
The output is CSV on stdout (or ``--output FILE``): the point's features, the
predicted class and, for a classifier, the probabilities.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from . import CommandError
from ._columns import add_ignore_option, ignored
from ._models import add_model_argument, load_model
from ._options import point

ORDER = 20


def register(subparsers):
    parser = subparsers.add_parser(
        "predict", help="predict with a saved model (points on the command line or a CSV)",
        description=__doc__.split("\n\n")[0] + " " + __doc__.split("\n\n")[1].replace("\n", " "))
    add_model_argument(parser, positional=False)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--points", type=point, nargs="+", metavar="X1,X2",
                        help="points as comma-separated feature values, e.g. 0.5,0.2 1,-0.3")
    source.add_argument("--input", type=Path, metavar="CSV",
                        help="CSV file with one point per row; with a header row its columns "
                             "are matched to the model's features by name, without one by "
                             "position")
    add_ignore_option(parser)
    parser.add_argument("--output", type=Path, metavar="CSV",
                        help="write the predictions to this CSV file instead of stdout")
    parser.set_defaults(func=run)
    return parser


def read_points(net, path: Path, ignore=()) -> list[list[float]]:
    """The points of the CSV file ``path`` (read by :mod:`lucidnet.data.csvfile`, the one
    reader): matched to the model's features by name when the file has a header,
    by position when it has none (see :mod:`._columns`)."""
    from ._models import feature_matrix, read_table

    X, _ = feature_matrix(net, read_table(path), ignore=ignore)
    return X.tolist()


def run(args) -> int:
    import numpy as np

    net = load_model(args.model)
    names = net.preprocessing.get("feature_names")
    if args.points is not None:
        rows = args.points
    else:  # by name when the file has a header (e.g. the training CSV), else by position
        rows = read_points(net, args.input, ignored(args))
    source = "--points" if args.points is not None else "--input"
    # raw inputs: a playground model computes its network inputs (x1^2, ...) from them
    d0 = net.preprocessing.get("raw_inputs") or net.n_features
    bad = [r for r in rows if len(r) != d0]
    if bad:
        raise CommandError(f"{source}: the model takes {d0} features per point, got "
                           f"{len(bad[0])} in {','.join(f'{v:g}' for v in bad[0])!r}")
    X = np.asarray(rows, dtype=float)                            # (N, d0)
    if not np.isfinite(X).all():
        raise CommandError(f"{source}: points must be finite numbers")
    from ..core.metrics import labels_at_threshold
    from ..data import apply_preprocessing, decode_labels

    try:  # values too large for the network's dtype or its forward pass
        Xp = apply_preprocessing(net.preprocessing, X)           # standardized as in training
        A = net.predict_proba(Xp.T).T                            # (N, dL)
        labels = np.asarray(net.predict(Xp.T))
    except ValueError as exc:
        raise CommandError(f"{source}: {exc}") from None
    names = names or [f"x{i}" for i in range(1, d0 + 1)]
    if args.output is not None and args.output.is_dir():
        raise CommandError(f"--output: {str(args.output)!r} is a folder; give a file name")
    if args.output is not None and not args.output.parent.is_dir():
        raise CommandError(f"--output: no such folder {str(args.output.parent)!r}")
    out = io.StringIO() if args.output is not None else sys.stdout
    writer = csv.writer(out, lineterminator="\n")
    multilabel = net.output_layer.activation.name == "sigmoid" and A.shape[1] > 1
    if multilabel:  # one independent yes/no per output unit (e.g. a multi-label estimator)
        writer.writerow([*names, *(f"label{k}" for k in range(1, A.shape[1] + 1)),
                         *(f"p{k}" for k in range(1, A.shape[1] + 1))])
        for x, p in zip(X, A):
            writer.writerow([*(f"{v:g}" for v in x), *labels_at_threshold(p),
                             *(f"{q:.6f}" for q in p)])
    elif net.is_classifier:
        classes = net.preprocessing.get("class_labels")
        if A.shape[1] == 1:                                       # P(class 1)
            header = ["prediction", f"p_{classes[1]}" if classes else "probability"]
        else:
            header = ["prediction", *(f"p_{c}" if classes else f"p{k}"
                                      for k, c in enumerate(classes or range(A.shape[1])))]
        probs = A
        writer.writerow([*names, *header])
        for x, label, p in zip(X, decode_labels(net.preprocessing, labels), probs):
            writer.writerow([*(f"{v:g}" for v in x), label, *(f"{q:.6f}" for q in p)])
    else:
        A = net.predict(Xp.T).T                  # (N, dL), in the target's units
        writer.writerow([*names, *[f"y{k}" for k in range(1, A.shape[1] + 1)]])
        for x, y in zip(X, A):
            writer.writerow([*(f"{v:g}" for v in x), *(f"{v:.6g}" for v in y)])
    if args.output is not None:  # whole file or nothing
        from ..atomic_files import atomic_write

        atomic_write(args.output, lambda fh: fh.write(out.getvalue().encode()))
        print(f"wrote {len(X)} predictions to {args.output}", file=sys.stderr)
    return 0
