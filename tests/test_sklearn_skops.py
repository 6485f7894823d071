"""Fitted estimators and pipelines save and load with skops.io, trusting only listed types."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

sio = pytest.importorskip("skops.io")

from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from lucidnet.sklearn import LucidClassifier, LucidRegressor  # noqa: E402
from lucidnet.sklearn.skops import trusted_types  # noqa: E402

X, y = load_iris(return_X_y=True)

# Every kind of object a fitted estimator can hold: each solver (so each
# optimizer), each output and loss, dropout, early stopping, per-layer activations.
ESTIMATORS = {
    "adam": LucidClassifier((8,), max_iter=5),
    "sgd nesterov": LucidClassifier((8,), solver="sgd", max_iter=5),
    "sgd momentum": LucidClassifier((8,), solver="sgd", nesterovs_momentum=False, max_iter=5),
    "sgd plain": LucidClassifier((8,), solver="sgd", momentum=0, max_iter=5),
    "lbfgs": LucidClassifier((8,), solver="lbfgs", max_iter=5),
    "rmsprop dropout": LucidClassifier((8, 4), solver="rmsprop", dropout=0.2, max_iter=5,
                                       activation=["elu", "leaky_relu"]),
    "adamw early stopping": LucidClassifier((8,), solver="adamw", early_stopping=True,
                                            activation="softplus", max_iter=5),
    "binary logistic": LucidClassifier((8,), activation="logistic", max_iter=5),
    "extras": LucidClassifier((8,), class_weight="balanced", output_activation="logistic",
                              max_iter=5),
    "regressor": LucidRegressor(hidden_layer_sizes=(8,), activation="tanh", max_iter=5),
    "poisson": LucidRegressor("poisson", (8,), activation="identity", max_iter=5),
    "huber": LucidRegressor("huber", (8,), max_iter=5),
    "absolute error": LucidRegressor("absolute_error", (8,), max_iter=5),
}


def fit(estimator, name):
    target = y == 0 if "binary" in name else y
    if isinstance(estimator, LucidRegressor):
        target = X[:, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.set_params(random_state=0).fit(X, target)


def test_the_list_names_only_lucidnet_types_and_numpy_dtype():
    names = trusted_types()
    assert names == sorted(set(names))
    assert all(n.startswith("lucidnet.") or n == "numpy.dtype" for n in names)
    assert "lucidnet.network.NeuralNetwork" in names


@pytest.mark.parametrize("name", ESTIMATORS)
def test_every_type_in_a_fitted_estimator_is_listed(name):
    est = fit(ESTIMATORS[name], name)
    untrusted = sio.get_untrusted_types(data=sio.dumps(est))
    assert set(untrusted) <= set(trusted_types()), set(untrusted) - set(trusted_types())


@pytest.mark.parametrize("name", ["adam", "rmsprop dropout", "regressor"])
def test_round_trip_predicts_the_same_and_keeps_training(name, tmp_path):
    est = fit(ESTIMATORS[name], name)
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    back = sio.load(path, trusted=trusted_types())
    assert type(back) is type(est) and back is not est
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    for a, b in zip(back.coefs_, est.coefs_):
        np.testing.assert_array_equal(a, b)
    # the loaded model is a working estimator: one more epoch matches the original's
    target = X[:, 0] if isinstance(est, LucidRegressor) else y
    np.testing.assert_array_equal(back.partial_fit(X, target).predict(X),
                                  est.partial_fit(X, target).predict(X))


def test_pipeline_round_trip(tmp_path):
    pipe = make_pipeline(StandardScaler(), LucidClassifier((8,), max_iter=5, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X, y)
    path = tmp_path / "pipe.skops"
    sio.dump(pipe, path)
    back = sio.load(path, trusted=trusted_types())
    np.testing.assert_array_equal(back.predict_proba(X), pipe.predict_proba(X))


def never_stop(estimator):
    return False


def test_a_users_callback_is_not_trusted_by_the_list(tmp_path):
    est = fit(LucidClassifier((8,), max_iter=3, callbacks=[never_stop]), "adam")
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    untrusted = set(sio.get_untrusted_types(file=path)) - set(trusted_types())
    assert [name.rsplit(".", 1)[-1] for name in untrusted] == ["never_stop"]
    with pytest.raises(Exception, match="never_stop"):
        sio.load(path, trusted=trusted_types())


def test_without_the_list_loading_is_refused(tmp_path):
    path = tmp_path / "model.skops"
    sio.dump(fit(ESTIMATORS["adam"], "adam"), path)
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.load(path)
