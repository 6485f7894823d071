"""lucidnet vs scikit-learn's MLPClassifier on the four bundled real data sets.

Same data (stratified train/test split, features standardized with the
training part's statistics, both from :func:`lucidnet.data.load_dataset`),
same architecture (one hidden ReLU layer by default; a sigmoid output for two
classes, softmax for more, cross-entropy), same optimizer (Adam, same
learning rate and betas), same mini-batch size, same number of epochs, same
L2 penalty (scikit-learn's ``alpha`` is lucidnet's ``l2``: both add
``alpha / (2 N_batch) * sum W**2`` to the batch cost), no early stopping on
either side.  Each seed draws a new split and new initial weights; the
table shows the mean (and standard deviation) over the seeds.

Both libraries run with BLAS limited to one thread (threadpoolctl), which is
fair and avoids oversubscribing a shared machine.  Fit times are wall-clock
seconds per fit, on whatever machine runs this: compare them within one run.

Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/compare_mlp.py               # the BENCHMARKS.md table
    PYTHONPATH=src python benchmarks/compare_mlp.py --seeds 2 --epochs 50 --datasets iris
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet.data import REAL_DATASETS, load_dataset


def lucidnet_fit(ds, hidden, args, seed):
    k = ds.n_classes
    layers = [Input("x", ds.X_train.shape[1])]
    layers += [Dense(f"h{i}", units, "relu") for i, units in enumerate(hidden, start=1)]
    layers.append(Dense("out", k, "softmax") if k > 2 else Dense("out", 1, "sigmoid"))
    net = NeuralNetwork(layers, loss_fn="cce" if k > 2 else "bce", optimizer="adam",
                        lr=args.lr, l2=args.alpha, seed=seed)
    start = time.perf_counter()
    net.fit(ds.X_train.T, ds.y_train, epochs=args.epochs, print_every=0,
            batch_size=args.batch_size)
    seconds = time.perf_counter() - start
    return float(net.score(ds.X_test.T, ds.y_test)), seconds


def sklearn_fit(ds, hidden, args, seed):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam",
                        alpha=args.alpha, batch_size=args.batch_size,
                        learning_rate_init=args.lr, max_iter=args.epochs, shuffle=True,
                        random_state=seed, early_stopping=False,
                        # never stop on a stalled training loss: run all epochs
                        tol=0.0, n_iter_no_change=args.epochs + 1)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # "max_iter reached" is the plan
        clf.fit(ds.X_train, ds.y_train)
    seconds = time.perf_counter() - start
    assert clf.n_iter_ == args.epochs, clf.n_iter_
    return float(clf.score(ds.X_test, ds.y_test)), seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", choices=REAL_DATASETS, default=REAL_DATASETS)
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0 .. n-1 (default: 5)")
    parser.add_argument("--hidden", default="64", help="hidden sizes, e.g. 64 or 128,64")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--alpha", type=float, default=1e-4, help="L2 penalty")
    parser.add_argument("--test-size", type=float, default=0.2)
    args = parser.parse_args(argv)
    hidden = tuple(int(h) for h in args.hidden.split(","))

    from threadpoolctl import threadpool_limits

    print(f"hidden {hidden} relu, adam lr {args.lr:g}, batch {args.batch_size}, "
          f"{args.epochs} epochs, alpha {args.alpha:g}, test {args.test_size:g}, "
          f"seeds 0..{args.seeds - 1}\n")
    print("| data set | train / test | lucidnet test acc. | MLPClassifier test acc. "
          "| difference (pp) | lucidnet fit (s) | MLPClassifier fit (s) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with threadpool_limits(limits=1):
        for name in args.datasets:
            ours, theirs, t_ours, t_theirs = [], [], [], []
            for seed in range(args.seeds):
                ds = load_dataset(name, test_size=args.test_size, random_state=seed)
                acc, sec = lucidnet_fit(ds, hidden, args, seed)
                ours.append(acc)
                t_ours.append(sec)
                acc, sec = sklearn_fit(ds, hidden, args, seed)
                theirs.append(acc)
                t_theirs.append(sec)
            diff = 100 * (np.mean(ours) - np.mean(theirs))
            print(f"| {name} | {len(ds.y_train)} / {len(ds.y_test)} "
                  f"| {np.mean(ours):.4f} ± {np.std(ours):.4f} "
                  f"| {np.mean(theirs):.4f} ± {np.std(theirs):.4f} | {diff:+.2f} "
                  f"| {np.mean(t_ours):.2f} | {np.mean(t_theirs):.2f} |", flush=True)


if __name__ == "__main__":
    main()
