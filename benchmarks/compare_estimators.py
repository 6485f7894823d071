"""LucidClassifier/LucidRegressor against MLPClassifier/MLPRegressor: same model, fit time.

Both estimators get the same data, the same parameters and the same
``random_state``, called exactly as a user swaps the import; with these
semantics they train the same model, which the script checks for every fit
(``n_iter_`` equal, ``loss_curve_`` within 1e-9 relative, ``predict`` equal)
before it reports the times.  The workloads:

- ``issue``: iris, wine, breast cancer and digits, ``hidden_layer_sizes=(64, 32)``,
  relu, adam, batch 32, 60 epochs (``tol=0`` and ``n_iter_no_change=61``, so
  all 60 run);
- ``defaults``: the estimators' defaults (``(100,)``, adam, batch ``min(200, n)``,
  up to 200 epochs with scikit-learn's stopping rule);
- ``M``: digits, 64-128-64-10 relu/softmax, adam, batch 32, 50 epochs
  (lucidnet's benchmark workload M, here through the estimators);
- ``regressor``: diabetes (features and target standardized) with the
  ``issue`` parameters and with the defaults.

Features are standardized with the training part's statistics
(:func:`lucidnet.data.load_dataset`, 80/20 stratified split).  BLAS runs on
one thread (threadpoolctl) for both.  Each fit is repeated ``--repeats`` times,
the two libraries alternating, and the fastest time of each is kept (the
machine may be shared); the ratio is scikit-learn's time over lucidnet's.

Usage (from the repository root)::

    PYTHONPATH=src python benchmarks/compare_estimators.py             # the BENCHMARKS.md table
    PYTHONPATH=src python benchmarks/compare_estimators.py --workloads M --seeds 1
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from lucidnet.data import REAL_DATASETS, load_dataset
from lucidnet.sklearn import LucidClassifier, LucidRegressor

ISSUE = dict(hidden_layer_sizes=(64, 32), activation="relu", solver="adam", batch_size=32,
             max_iter=60, tol=0.0, n_iter_no_change=61)
M = dict(hidden_layer_sizes=(128, 64), activation="relu", solver="adam", batch_size=32,
         max_iter=50, tol=0.0, n_iter_no_change=51)
WORKLOADS = {
    "issue": [(name, "classifier", ISSUE) for name in REAL_DATASETS],
    "defaults": [(name, "classifier", {}) for name in REAL_DATASETS],
    "M": [("digits", "classifier", M)],
    "regressor": [("diabetes", "regressor", ISSUE), ("diabetes", "regressor", {})],
}
PAIRS = {"classifier": (LucidClassifier, MLPClassifier),
         "regressor": (LucidRegressor, MLPRegressor)}


def _data(name, seed):
    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
        return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()
    ds = load_dataset(name, test_size=0.2, random_state=seed)
    return ds.X_train, ds.y_train


def _fit(cls, params, X, y):
    est = cls(**params)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # "max_iter reached" is the plan
        est.fit(X, y)
    return est, time.perf_counter() - start


def _same_model(ours, theirs, X, kind):
    curves = np.asarray(ours.loss_curve_), np.asarray(theirs.loss_curve_)
    same = ours.n_iter_ == theirs.n_iter_ and np.allclose(*curves, rtol=1e-9, atol=0)
    if kind == "classifier":
        return same and np.array_equal(ours.predict(X), theirs.predict(X))
    return same and np.allclose(ours.predict(X), theirs.predict(X), rtol=1e-6, atol=1e-9)


def run(name, kind, params, seeds, repeats):
    ours_cls, theirs_cls = PAIRS[kind]
    t_ours = t_theirs = 0.0
    n_iter, agree = [], True
    for seed in range(seeds):
        X, y = _data(name, seed)
        kw = {**params, "random_state": seed}
        best = [np.inf, np.inf]
        for _ in range(repeats):
            ours, t0 = _fit(ours_cls, kw, X, y)
            theirs, t1 = _fit(theirs_cls, kw, X, y)
            best = [min(best[0], t0), min(best[1], t1)]
        agree = agree and _same_model(ours, theirs, X, kind)
        n_iter.append(ours.n_iter_)
        t_ours += best[0]
        t_theirs += best[1]
    return t_ours / seeds, t_theirs / seeds, n_iter, agree


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", nargs="+", choices=list(WORKLOADS), default=list(WORKLOADS))
    parser.add_argument("--seeds", type=int, default=3, help="random_state 0 .. n-1 (default: 3)")
    parser.add_argument("--repeats", type=int, default=3, help="fits per seed; fastest kept")
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    print("| workload | data set | epochs (n_iter_) | same model | Lucid fit (s) "
          "| MLP fit (s) | MLP / Lucid |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with threadpool_limits(limits=1):
        for workload in args.workloads:
            for name, kind, params in WORKLOADS[workload]:
                label = workload if params or workload != "regressor" else "regressor defaults"
                if workload == "regressor" and params:
                    label = "regressor issue"
                ours, theirs, n_iter, agree = run(name, kind, params, args.seeds, args.repeats)
                print(f"| {label} | {name} | {', '.join(map(str, n_iter))} "
                      f"| {'yes' if agree else 'NO'} | {ours:.3f} | {theirs:.3f} "
                      f"| {theirs / ours:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
