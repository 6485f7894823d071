"""The estimators where scikit-learn users meet them, and against MLPClassifier/MLPRegressor."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_moons, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from lucidnet.sklearn import LucidClassifier, LucidRegressor

pytestmark = pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)


@pytest.fixture(scope="module")
def moons():
    return make_moons(n_samples=200, noise=0.2, random_state=0)


def test_same_parameters_and_defaults_as_scikit_learn():
    for ours, theirs in ((LucidClassifier, MLPClassifier), (LucidRegressor, MLPRegressor)):
        mine, ref = ours().get_params(), theirs().get_params()
        for name, value in ref.items():
            assert name in mine, name
            assert mine[name] == value, name
        extras = {"dropout", "weight_decay", "callbacks", "output_activation"}
        if ours is LucidClassifier:
            extras.add("class_weight")
        assert set(mine) - set(ref) == extras


def test_pipeline_with_standard_scaler(moons):
    X, y = moons
    model = make_pipeline(StandardScaler(), LucidClassifier(hidden_layer_sizes=(16,),
                                                            solver="lbfgs", random_state=0))
    assert model.fit(X, y).score(X, y) > 0.95


def test_grid_search_cv(moons):
    X, y = moons
    search = GridSearchCV(LucidClassifier(solver="lbfgs", max_iter=100, random_state=0),
                          {"hidden_layer_sizes": [(2,), (16,)], "alpha": [1e-4, 1.0]}, cv=3)
    search.fit(X, y)
    assert search.best_params_["hidden_layer_sizes"] == (16,)
    assert search.best_score_ > 0.9


def test_cross_val_score_with_two_jobs(moons, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # joblib's worker processes start in an existing folder
    X, y = moons
    scores = cross_val_score(LucidClassifier(hidden_layer_sizes=(16,), solver="lbfgs",
                                             random_state=0), X, y, cv=3, n_jobs=2)
    assert scores.shape == (3,) and scores.min() > 0.85


def test_clone_keeps_parameters_not_fit(moons):
    X, y = moons
    est = LucidClassifier(hidden_layer_sizes=(5, 3), activation=["tanh", "elu"], dropout=0.1,
                          solver="sgd", random_state=3, max_iter=5).fit(X, y)
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert not hasattr(copy, "net_") and not hasattr(copy, "coefs_")


def test_decision_boundary_display(moons):
    from sklearn.inspection import DecisionBoundaryDisplay

    X, y = moons
    clf = LucidClassifier(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0).fit(X, y)
    display = DecisionBoundaryDisplay.from_estimator(clf, X, response_method="predict_proba",
                                                     grid_resolution=50)
    assert display.response.shape == (50, 50)
    assert 0.0 <= display.response.min() and display.response.max() <= 1.0
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("est", [LucidClassifier(hidden_layer_sizes=(8,), max_iter=20),
                                 LucidRegressor(hidden_layer_sizes=(8,), max_iter=20)])
def test_pickle_round_trip(est, moons):
    X, y = moons
    est.fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(X), est.predict(X))
    # the forward caches are not carried along
    assert all(getattr(layer, "A_prev", None) is None for layer in again.net_.layers)


def test_string_labels_dataframe_and_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    clf = LucidClassifier(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0)
    clf.fit(frame, names)
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    assert list(clf.feature_names_in_) == ["sl", "sw", "pl", "pw"]
    assert clf.out_activation_ == "softmax"
    proba = clf.predict_proba(frame)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.score(frame, names) > 0.95
    assert set(clf.predict(frame)) <= set(names)


def test_multilabel_uses_sigmoid_outputs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 2] > 0]).astype(int)
    clf = LucidClassifier(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0).fit(X, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 3
    assert clf.predict(X).shape == (120, 3)
    assert clf.predict_proba(X).shape == (120, 3)
    assert (clf.predict(X) == Y).mean() > 0.9


def test_attributes_in_scikit_learn_orientation(moons):
    X, y = moons
    clf = LucidClassifier(hidden_layer_sizes=(7, 5), max_iter=3, random_state=0).fit(X, y)
    assert [c.shape for c in clf.coefs_] == [(2, 7), (7, 5), (5, 1)]
    assert [b.shape for b in clf.intercepts_] == [(7,), (5,), (1,)]
    assert clf.n_layers_ == 4 and clf.n_outputs_ == 1 and clf.n_features_in_ == 2
    assert len(clf.loss_curve_) == clf.n_iter_ == 3 and clf.t_ == 3 * 200
    # coefs_ are views: editing them edits the network
    clf.coefs_[0][0, 0] = 123.0
    assert clf.net_.layers[1].params["W"][0, 0] == 123.0


def _continue_both(ours, theirs, X, y, sample_weight=None):
    """Start both estimators from scikit-learn's weights and train both further."""
    theirs.fit(X, y)  # max_iter=1: just scikit-learn's initial weights, one epoch on
    ours.fit(X, y)
    ours.coefs_, ours.intercepts_ = theirs.coefs_, theirs.intercepts_
    ours.set_params(warm_start=True, max_iter=5)
    theirs.set_params(warm_start=True, max_iter=5)
    ours.fit(X, y, sample_weight=sample_weight)
    theirs.fit(X, y, sample_weight=sample_weight)
    return ours, theirs


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_training_matches_scikit_learn_from_the_same_weights(solver, moons):
    """Full-batch SGD (and L-BFGS) is deterministic given the weights: scikit-learn's
    MLPClassifier is the independent reference, including sample_weight and alpha."""
    X, y = moons
    kw = dict(hidden_layer_sizes=(6,), activation="tanh", solver=solver, alpha=0.01,
              momentum=0.0, learning_rate_init=0.1, max_iter=1, random_state=0, tol=0)
    sw = np.linspace(0.5, 2.0, len(y))
    ours, theirs = _continue_both(LucidClassifier(**kw), MLPClassifier(**kw), X, y, sw)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(ours.loss_, theirs.loss_, rtol=1e-9)


def test_adam_regression_matches_scikit_learn_from_the_same_weights():
    X, y = make_regression(n_samples=80, n_features=4, noise=0.5, random_state=0)
    y = y / y.std()
    kw = dict(hidden_layer_sizes=(5,), max_iter=1, random_state=0, learning_rate_init=0.01)
    ours, theirs = _continue_both(LucidRegressor(**kw), MLPRegressor(**kw), X, y)
    # scikit-learn's Adam (epsilon under sqrt(v), bias correction in the step
    # size): the same numbers up to rounding
    for a, b in zip(ours.coefs_, theirs.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_sample_weight_two_equals_repeating_rows(moons):
    X, y = moons
    # a few L-BFGS iterations: long runs stop at different points after rounding,
    # for scikit-learn's MLPClassifier as well
    est = LucidClassifier(hidden_layer_sizes=(5,), solver="lbfgs", random_state=1, max_iter=5)
    sw = np.where(np.arange(len(y)) % 3 == 0, 2.0, 1.0)
    repeat = np.repeat(np.arange(len(y)), sw.astype(int))
    a = clone(est).fit(X, y, sample_weight=sw)
    b = clone(est).fit(X[repeat], y[repeat])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-9)


def test_partial_fit_and_warm_start(moons):
    X, y = moons
    clf = LucidClassifier(hidden_layer_sizes=(8,), random_state=0, learning_rate_init=0.01)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1])
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 3 and clf.t_ == 600
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X, y + 5)
    assert not hasattr(LucidClassifier(solver="lbfgs"), "partial_fit")
    warm = LucidClassifier(hidden_layer_sizes=(8,), max_iter=4, warm_start=True,
                           random_state=0).fit(X, y)
    first = warm.coefs_[0].copy()
    warm.fit(X, y)
    assert len(warm.loss_curve_) == 8 and not np.array_equal(first, warm.coefs_[0])


@pytest.mark.parametrize("params", [
    dict(learning_rate="invscaling", power_t=0.5, max_iter=3),
    dict(learning_rate="adaptive", tol=10.0, n_iter_no_change=1, max_iter=10),
    dict(learning_rate="constant", tol=10.0, n_iter_no_change=2, max_iter=50),
])
def test_schedules_and_stopping_follow_scikit_learn(params):
    """The step size and the epoch of stopping are those of MLPClassifier."""
    X, y = make_moons(n_samples=100, noise=0.2, random_state=0)
    kw = dict(hidden_layer_sizes=(4,), solver="sgd", learning_rate_init=0.5, random_state=0,
              **params)
    ours, theirs = LucidClassifier(**kw).fit(X, y), MLPClassifier(**kw).fit(X, y)
    assert ours._optimizer.lr == pytest.approx(theirs._optimizer.learning_rate, rel=1e-12)
    assert ours.n_iter_ == theirs.n_iter_ and ours.t_ == theirs.t_


def test_early_stopping_keeps_the_best_weights(moons):
    X, y = moons
    clf = LucidClassifier(hidden_layer_sizes=(8,), early_stopping=True, max_iter=30,
                          learning_rate_init=0.01, random_state=0).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None


def test_lucidnet_extras(moons):
    X, y = moons
    clf = LucidClassifier(hidden_layer_sizes=(8, 8), activation=["elu", "leaky_relu"],
                          dropout=[0.1, 0.0], solver="adamw", weight_decay=0.001,
                          max_iter=5, random_state=0).fit(X, y)
    kinds = [type(layer).__name__ for layer in clf.net_.layers]
    assert kinds == ["Input", "Dense", "Dropout", "Dense", "Dense"]
    assert clf.net_.layers[1].activation.name == "elu"
    assert clf.net_.optimizer.weight_decay == 0.001
    reg = LucidRegressor(loss="poisson", hidden_layer_sizes=(4,), solver="lbfgs",
                         random_state=0).fit(X, y + 1.0)
    assert reg.out_activation_ == "exp" and (reg.predict(X) > 0).all()


@pytest.mark.parametrize("params, match", [
    (dict(activation="swishy"), "activation"),
    (dict(activation=["relu"], hidden_layer_sizes=(3, 3)), "activation"),
    (dict(dropout=[0.5], hidden_layer_sizes=(3, 3)), "dropout"),
    (dict(dropout=0.5, solver="lbfgs"), "dropout"),
    (dict(solver="newton"), "solver"),
    (dict(momentum=1.5), "momentum"),
    (dict(learning_rate="sometimes"), "learning_rate"),
])
def test_bad_values_raise_value_errors_naming_them(params, match, moons):
    X, y = moons
    with pytest.raises(ValueError, match=match):
        LucidClassifier(**params).fit(X, y)


def test_reproducible_with_random_state(moons):
    X, y = moons
    a = LucidClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=7).fit(X, y)
    b = LucidClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=7).fit(X, y)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = LucidClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=8).fit(X, y)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_save_pipeline_as_model_file(tmp_path):
    pd = pytest.importorskip("pandas")
    from sklearn.decomposition import PCA

    from lucidnet import load
    from lucidnet.data import apply_preprocessing
    from lucidnet.sklearn import save

    X, y = load_iris(return_X_y=True)
    frame = pd.DataFrame(X * [1, 10, 100, 1000], columns=["a", "b", "c", "d"])
    model = make_pipeline(StandardScaler(), LucidClassifier(hidden_layer_sizes=(8,),
                                                            solver="lbfgs", random_state=0))
    model.fit(frame, np.array(["x", "y", "z"])[y])
    save(model, tmp_path / "m.npz")
    net = load(tmp_path / "m.npz")
    assert net.preprocessing["feature_names"] == ["a", "b", "c", "d"]
    assert net.preprocessing["class_labels"] == ["x", "y", "z"]
    assert net.training_record["estimator"] == "LucidClassifier"
    Xp = apply_preprocessing(net.preprocessing, frame.to_numpy())
    np.testing.assert_allclose(net.forward(Xp.T).T, model.predict_proba(frame), atol=1e-12)
    with pytest.raises(ValueError, match="StandardScaler only"):
        save(make_pipeline(PCA(2), LucidClassifier(solver="lbfgs", max_iter=5)).fit(X, y),
             tmp_path / "bad.npz")
