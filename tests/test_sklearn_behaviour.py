"""scikit-learn's documented MLP behaviours, each checked against MLPClassifier/MLPRegressor
run side by side: divergence, one class, stratified early stopping, partial_fit
(multi-label too), warm_start, sample_weight, max_fun, schedules, verbose output,
assignable coefs_."""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn_pairs import DATA, RTOL, assert_close, assert_same_model, fit_both

from lucidnet.sklearn import LucidClassifier, LucidRegressor

IRIS_X, IRIS_Y = load_iris(return_X_y=True)


def _quiet(fn):
    """Run ``fn`` with scikit-learn's overflow RuntimeWarnings and ConvergenceWarnings caught."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn()


DIVERGING = dict(hidden_layer_sizes=100, activation="identity", solver="sgd",
                 learning_rate_init=1, max_iter=20, random_state=0)


def test_a_diverging_regressor_with_early_stopping_trains_on_and_keeps_its_best_weights():
    ours = _quiet(lambda: LucidRegressor(early_stopping=True, **DIVERGING).fit(IRIS_X, IRIS_Y))
    theirs = _quiet(lambda: MLPRegressor(early_stopping=True, **DIVERGING).fit(IRIS_X, IRIS_Y))
    assert ours.n_iter_ == theirs.n_iter_ == 20           # nan scores never stop training
    ours_nan, theirs_nan = np.isnan(ours.validation_scores_), np.isnan(theirs.validation_scores_)
    assert theirs_nan.any()
    np.testing.assert_array_equal(ours_nan, theirs_nan)
    assert_close(np.asarray(ours.validation_scores_)[~ours_nan],
                 np.asarray(theirs.validation_scores_)[~theirs_nan])
    assert_close(ours.best_validation_score_, theirs.best_validation_score_)
    prediction = ours.predict(IRIS_X)
    assert np.isfinite(prediction).all()
    assert_close(prediction, theirs.predict(IRIS_X), rtol=1e-7)


def test_divergence_without_early_stopping_raises_scikit_learns_error_at_the_end():
    messages, n_iter = [], []
    for cls in (LucidRegressor, MLPRegressor):
        est = cls(**DIVERGING)
        with pytest.raises(ValueError) as info:
            _quiet(lambda est=est: est.fit(IRIS_X, IRIS_Y))
        messages.append(str(info.value))
        n_iter.append(est.n_iter_)
    assert messages[0] == messages[1]
    assert "Solver produced non-finite parameter weights" in messages[0]
    assert n_iter[0] == n_iter[1] == 20


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_blowing_up_classifier_follows_scikit_learn(early_stopping):
    """The softmax keeps the classifier's outputs finite while its weights grow to
    1e10: accuracies stay finite and training stops when scikit-learn's does."""
    (ours, theirs), _ = _quiet(lambda: fit_both("classifier", "iris", early_stopping=early_stopping,
                                                **{**DIVERGING, "max_iter": 40}))
    assert ours.n_iter_ == theirs.n_iter_ < 40
    assert_close(ours.loss_curve_, theirs.loss_curve_)
    if early_stopping:
        assert np.isfinite(ours.validation_scores_).all()
        assert_close(ours.validation_scores_, theirs.validation_scores_)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_one_class_is_learnt_as_scikit_learn_learns_it(solver):
    X = IRIS_X[:30]
    y = np.full(30, "only")
    fits = [_quiet(lambda cls=cls: cls(hidden_layer_sizes=(5,), solver=solver, max_iter=20,
                                         random_state=0).fit(X, y))
            for cls in (LucidClassifier, MLPClassifier)]
    ours, theirs = fits
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert ours.n_outputs_ == theirs.n_outputs_ == 1
    assert ours.out_activation_ == theirs.out_activation_ == "logistic"
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    P, Q = ours.predict_proba(X), theirs.predict_proba(X)
    assert P.shape == Q.shape == (30, 2)
    np.testing.assert_allclose(P, Q, rtol=1e-7, atol=1e-12)
    assert_close(ours.loss_, theirs.loss_)


def test_stratified_split_fails_as_scikit_learns_for_a_class_with_one_member():
    X, y = IRIS_X[:51], IRIS_Y[:51]  # class 1 has a single member
    messages = []
    for cls in (LucidClassifier, MLPClassifier):
        with pytest.raises(ValueError) as info:
            cls(early_stopping=True, random_state=0).fit(X, y)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_partial_fit_on_multilabel_targets():
    X, Y = make_multilabel_classification(n_samples=80, n_features=5, n_classes=3,
                                          random_state=0)
    fits = []
    for cls in (LucidClassifier, MLPClassifier):
        est = cls(hidden_layer_sizes=(6,), random_state=0, learning_rate_init=0.01)
        est.partial_fit(X, Y, classes=[0, 1, 2])   # required on the first call by both
        for _ in range(3):
            est.partial_fit(X, Y)
        fits.append(est)
    ours, theirs = fits
    assert ours.n_iter_ == theirs.n_iter_ == 1 and ours.t_ == theirs.t_ == 320
    assert_close(ours.loss_curve_, theirs.loss_curve_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_partial_fit_with_classes_then_warm_start_and_sample_weight():
    X, y = DATA["cancer"]
    sw = np.linspace(0.2, 3.0, len(y))
    fits = []
    for cls in (LucidClassifier, MLPClassifier):
        est = cls(hidden_layer_sizes=(6,), solver="sgd", random_state=4, max_iter=3)
        est.partial_fit(X, y, classes=[0, 1], sample_weight=sw)
        est.partial_fit(X[:40], y[:40])
        est.set_params(warm_start=True)
        _quiet(lambda est=est: est.fit(X, y, sample_weight=sw))
        _quiet(lambda est=est: est.fit(X, y))
        fits.append(est)
    ours, theirs = fits
    assert len(ours.loss_curve_) == len(theirs.loss_curve_) == 8
    assert_close(ours.loss_curve_, theirs.loss_curve_)
    assert ours.t_ == theirs.t_
    assert_same_model(ours, theirs, X, rtol=1e-7)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_sample_weight_like_scikit_learn(solver):
    X, y = DATA["diabetes"]
    sw = np.random.RandomState(0).uniform(0.0, 2.0, len(y))
    (ours, theirs), _ = fit_both("regressor", "diabetes", sample_weight=sw, solver=solver,
                                 hidden_layer_sizes=(8,), max_iter=15, random_state=0,
                                 early_stopping=solver == "adam")
    assert_close(ours.loss_, theirs.loss_)
    assert_same_model(ours, theirs, X, rtol=1e-7)


def test_max_fun_stops_lbfgs_with_scikit_learns_warning():
    (ours, theirs), (w_ours, w_theirs) = fit_both(
        "classifier", "iris", solver="lbfgs", hidden_layer_sizes=(5,), max_fun=7,
        random_state=0)
    assert ours.n_iter_ == theirs.n_iter_ and w_ours == w_theirs and len(w_ours) == 1
    assert_close(ours.loss_, theirs.loss_)


@pytest.mark.parametrize("params", [
    dict(learning_rate="invscaling", power_t=0.4, learning_rate_init=0.2),
    dict(learning_rate="adaptive", tol=0.05, n_iter_no_change=1, learning_rate_init=0.1),
    dict(learning_rate="adaptive", tol=0.05, n_iter_no_change=1, early_stopping=True),
    dict(learning_rate="constant", tol=0.05, n_iter_no_change=2),
    dict(solver="adam", tol=0.01, n_iter_no_change=2),
])
def test_schedules_stopping_and_verbose_lines_follow_scikit_learn(params):
    params = {"solver": "sgd", "hidden_layer_sizes": (5,), "random_state": 0, "max_iter": 60,
              "verbose": True, **params}
    outputs, fits = [], []
    for cls in (LucidClassifier, MLPClassifier):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            fits.append(_quiet(lambda cls=cls: cls(**params).fit(*DATA["iris"])))
        outputs.append(out.getvalue())
    ours, theirs = fits
    assert ours.n_iter_ == theirs.n_iter_ and ours.t_ == theirs.t_
    assert_close(ours._optimizer.learning_rate, theirs._optimizer.learning_rate)
    assert outputs[0] == outputs[1] and "Iteration 1, loss = " in outputs[0]
    states = ("velocities",) if params["solver"] == "sgd" else ("ms", "vs")
    for name in states:  # the optimizer's state, in scikit-learn's order and shapes
        assert len(getattr(ours._optimizer, name)) == len(getattr(theirs._optimizer, name)) == 4
        for a, b in zip(getattr(ours._optimizer, name), getattr(theirs._optimizer, name)):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-12)


def test_coefs_can_be_assigned_as_on_scikit_learn():
    X, y = DATA["iris"]
    (ours, theirs), _ = fit_both("classifier", "iris", hidden_layer_sizes=(5,), max_iter=5,
                                 random_state=0)
    for est in (ours, theirs):
        est.coefs_[0] = np.full((4, 5), 0.1)              # one item
        est.intercepts_ = [np.zeros(5), np.full(3, 0.2)]  # the whole list
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        ours.coefs_[1] = np.zeros((3, 3))
    fresh = LucidClassifier()
    fresh.coefs_ = [np.ones((4, 5))]       # before any fit, as scikit-learn allows
    assert hasattr(fresh, "coefs_") and fresh.coefs_[0].shape == (4, 5)


def test_rtol_is_the_issues_bound():
    assert RTOL == 1e-9


def test_the_epoch_shuffle_draws_sklearn_utils_shuffles_permutation():
    from sklearn.utils import shuffle

    from lucidnet.sklearn._stochastic import _reshuffled

    ours, theirs = np.arange(37), np.arange(37)
    rs_ours, rs_theirs = np.random.RandomState(5), np.random.RandomState(5)
    for _ in range(3):  # the order is reshuffled epoch after epoch, not redrawn
        ours, theirs = _reshuffled(ours, rs_ours), shuffle(theirs, random_state=rs_theirs)
        np.testing.assert_array_equal(ours, theirs)
