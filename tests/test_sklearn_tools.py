"""scikit-learn's inspection and model-selection tools work on the Lucid estimators as on
MLPClassifier: the same call gives results of the same form and, since the estimators
reproduce MLPClassifier for the same random_state, the same values (to 1e-9, rounding);
and the values agree with what the tool promises, computed here by hand from the
estimator's own methods."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay, permutation_importance
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.neural_network import MLPClassifier

from lucidnet.sklearn import LucidClassifier

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PARAMS = dict(hidden_layer_sizes=(8,), max_iter=30, learning_rate_init=0.01, random_state=0)
X_iris, y_iris = load_iris(return_X_y=True)
X_iris = (X_iris - X_iris.mean(0)) / X_iris.std(0)


@pytest.fixture(autouse=True)
def short_fits_are_fine():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def both():
    return {"mlp": MLPClassifier(**PARAMS), "lucid": LucidClassifier(**PARAMS)}


@pytest.mark.parametrize("method, n_classes", [("predict_proba", 2), ("predict", 3)])
def test_decision_boundary_display(method, n_classes):
    X = X_iris[:, :2]
    y = (y_iris == 0).astype(int) if n_classes == 2 else y_iris
    shown, fitted = {}, {}
    for name, est in both().items():
        fitted[name] = est.fit(X, y)
        shown[name] = DecisionBoundaryDisplay.from_estimator(est, X, response_method=method,
                                                             grid_resolution=30)
    lucid, mlp = shown["lucid"], shown["mlp"]
    assert lucid.response.shape == mlp.response.shape == (30, 30)
    np.testing.assert_array_equal(lucid.xx0, mlp.xx0)
    np.testing.assert_allclose(lucid.response, mlp.response, rtol=1e-9, atol=1e-12)
    est = fitted["lucid"]
    grid = np.c_[lucid.xx0.ravel(), lucid.xx1.ravel()]
    expected = est.predict_proba(grid)[:, 1] if method == "predict_proba" else est.predict(grid)
    np.testing.assert_array_equal(lucid.response.ravel(), expected)
    plt.close("all")


def test_permutation_importance():
    # column 2 is constant: permuting it cannot change a prediction, so its
    # importance is exactly 0; column 0 carries the classes
    X = np.c_[X_iris[:, 2], X_iris[:, 1], np.ones(len(X_iris))]
    results = {name: permutation_importance(est.fit(X, y_iris), X, y_iris, n_repeats=4,
                                            random_state=0)
               for name, est in both().items()}
    lucid = results["lucid"]
    assert set(lucid) == set(results["mlp"])
    assert lucid.importances.shape == results["mlp"].importances.shape == (3, 4)
    np.testing.assert_allclose(lucid.importances, results["mlp"].importances, atol=1e-12)
    assert lucid.importances[2].tolist() == [0.0] * 4
    assert lucid.importances_mean[0] > 0.2


def test_cross_validate_matches_fitting_each_fold_by_hand():
    cv = KFold(3, shuffle=True, random_state=0)
    scoring = ["accuracy", "neg_log_loss"]
    results = {name: cross_validate(est, X_iris, y_iris, cv=cv, scoring=scoring,
                                    return_estimator=True)
               for name, est in both().items()}
    lucid = results["lucid"]
    assert set(lucid) == set(results["mlp"])
    np.testing.assert_array_equal(lucid["test_accuracy"], results["mlp"]["test_accuracy"])
    np.testing.assert_allclose(lucid["test_neg_log_loss"], results["mlp"]["test_neg_log_loss"],
                               rtol=1e-9)
    for i, (train, test) in enumerate(cv.split(X_iris)):
        est = clone(LucidClassifier(**PARAMS)).fit(X_iris[train], y_iris[train])
        assert lucid["test_accuracy"][i] == est.score(X_iris[test], y_iris[test])
        P = est.predict_proba(X_iris[test])
        log_loss = -np.mean(np.log(np.clip(P[np.arange(len(test)), y_iris[test]],
                                           1e-15, None)))
        np.testing.assert_allclose(-lucid["test_neg_log_loss"][i], log_loss, rtol=1e-12)


def test_grid_search_matches_the_candidates_scored_by_hand():
    grid = {"hidden_layer_sizes": [(4,), (16,)], "alpha": [1e-4, 1.0]}
    cv = KFold(3, shuffle=True, random_state=1)
    searches = {name: GridSearchCV(est, grid, cv=cv).fit(X_iris, y_iris)
                for name, est in both().items()}
    lucid = searches["lucid"]
    assert set(lucid.cv_results_) == set(searches["mlp"].cv_results_)
    np.testing.assert_allclose(lucid.cv_results_["mean_test_score"],
                               searches["mlp"].cv_results_["mean_test_score"], rtol=1e-9)
    assert lucid.best_params_ == searches["mlp"].best_params_
    for params, mean in zip(lucid.cv_results_["params"], lucid.cv_results_["mean_test_score"]):
        est = LucidClassifier(**{**PARAMS, **params})
        scores = [clone(est).fit(X_iris[tr], y_iris[tr]).score(X_iris[te], y_iris[te])
                  for tr, te in cv.split(X_iris)]
        np.testing.assert_allclose(mean, np.mean(scores), rtol=1e-12)
    best = np.argmax(lucid.cv_results_["mean_test_score"])
    assert lucid.best_params_ == lucid.cv_results_["params"][best]
    refit = LucidClassifier(**{**PARAMS, **lucid.best_params_}).fit(X_iris, y_iris)
    np.testing.assert_array_equal(lucid.predict_proba(X_iris), refit.predict_proba(X_iris))
