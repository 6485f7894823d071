"""Shared by the tests that run the estimators beside scikit-learn's MLPs: data sets,
a side-by-side fit, and the comparisons."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from lucidnet.sklearn import LucidClassifier, LucidRegressor

RTOL = 1e-9


def _scaled(X):
    return StandardScaler().fit_transform(X)


def _data():
    iris, cancer = load_iris(), load_breast_cancer()
    X, y = load_diabetes(return_X_y=True)
    Xr, Yr = make_regression(n_samples=120, n_features=6, n_targets=2, noise=1.0,
                             random_state=0)
    return {
        "iris": (_scaled(iris.data), iris.target),                       # softmax, 3 classes
        "cancer": (_scaled(cancer.data)[::2], cancer.target[::2]),       # sigmoid, binary
        "diabetes": (_scaled(X)[::2], (y / y.std())[::2]),               # one output
        "two_targets": (_scaled(Xr), Yr / Yr.std(axis=0)),               # two outputs
    }


DATA = _data()
CLASSIFICATION, REGRESSION = ("iris", "cancer"), ("diabetes", "two_targets")
PAIRS = {"classifier": (LucidClassifier, MLPClassifier),
         "regressor": (LucidRegressor, MLPRegressor)}
SOLVERS = {
    "sgd": dict(solver="sgd", momentum=0.0, learning_rate_init=0.05),
    "momentum": dict(solver="sgd", nesterovs_momentum=False, learning_rate_init=0.02),
    "nesterov": dict(solver="sgd", learning_rate_init=0.02),
    "adam": dict(solver="adam", learning_rate_init=0.01),
}


def fit_both(kind, name, recorded=(ConvergenceWarning, UserWarning), sample_weight=None,
             **params):
    """Fit ours and scikit-learn's on data set ``name``; return both and the messages of
    the warnings of the ``recorded`` kinds each gave (scikit-learn's RuntimeWarnings
    on overflow are caught and dropped)."""
    X, y = DATA[name]
    fits, messages = [], []
    for cls in PAIRS[kind]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fits.append(cls(**params).fit(X, y, sample_weight=sample_weight))
        messages.append([str(w.message) for w in caught if issubclass(w.category, recorded)])
    return fits, messages


def assert_close(ours, theirs, rtol=RTOL):
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(theirs, float), rtol=rtol,
                               atol=0)


def assert_same_model(ours, theirs, X, rtol=RTOL):
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        scale = np.abs(b).max()
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * scale)
    assert ours.n_iter_ == theirs.n_iter_
    if isinstance(theirs, MLPClassifier):
        np.testing.assert_array_equal(ours.classes_, theirs.classes_)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    else:
        assert_close(ours.predict(X), theirs.predict(X), rtol=1e-7)
