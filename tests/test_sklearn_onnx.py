"""Whole pipelines holding a Lucid estimator export through skl2onnx and run in onnxruntime.

onnxruntime's outputs must equal the pipeline's own ``predict_proba`` /
``predict`` to 1e-5 (float32 in the graph, float64 in scikit-learn); labels
must be equal except where the probability is within 1e-5 of a tie.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")

from skl2onnx import to_onnx  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from lucidnet.sklearn import LucidClassifier, LucidRegressor  # noqa: E402
from lucidnet.sklearn.onnx import register_converters  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def registered():
    register_converters()


def fitted(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # short fits on purpose
        return make_pipeline(StandardScaler(), estimator).fit(X, y)


def run(model, X, dtype=np.float32, **options):
    onx = to_onnx(model, X[:1].astype(dtype), options=options or None)
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"X": X.astype(dtype)})


def assert_labels_match(label, expected, proba):
    top2 = np.sort(proba, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 1e-5                     # not a near-tie
    assert clear.mean() > 0.95
    np.testing.assert_array_equal(label[clear], expected[clear])


@pytest.mark.parametrize("load", [load_iris, load_breast_cancer], ids=["3 classes", "2 classes"])
@pytest.mark.parametrize("names", ["int", "str", "float"], ids=lambda n: f"{n} labels")
@pytest.mark.parametrize("hidden", [(16,), (12, 8)])
def test_classifier_pipeline_matches_predict_proba(load, names, hidden):
    X, y = load(return_X_y=True)
    if names == "str":
        y = np.array(["setosa", "versicolor", "virginica"])[y]
    elif names == "float":  # whole-number floats come out as int64 labels, as in skl2onnx
        y = y.astype(float)
    model = fitted(LucidClassifier(hidden, activation="tanh", max_iter=30, random_state=0),
                   X, y)
    label, proba = run(model, X, zipmap=False)
    assert label.dtype == (object if names == "str" else np.int64)
    expected = model.predict_proba(X)
    assert proba.shape == expected.shape
    np.testing.assert_allclose(proba, expected, rtol=0, atol=1e-5)
    assert_labels_match(label, model.predict(X), expected)


def test_zipmap_gives_a_dict_per_row_keyed_by_class():
    X, y = load_iris(return_X_y=True)
    model = fitted(LucidClassifier((8,), max_iter=20, random_state=1), X, y)
    label, rows = run(model, X)
    assert sorted(rows[0]) == [0, 1, 2]
    proba = np.array([[row[c] for c in model.classes_] for row in rows])
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-5)


def test_nocl_gives_class_indices():
    X, y = load_iris(return_X_y=True)
    y = np.array(["a", "b", "c"])[y]
    model = fitted(LucidClassifier((8,), max_iter=20, random_state=1), X, y)
    label, proba = run(model, X, zipmap=False, nocl=True)
    assert label.dtype == np.int64
    assert_labels_match(model.classes_[label], model.predict(X), proba)


def test_double_input_gives_double_outputs():
    X, y = load_breast_cancer(return_X_y=True)
    model = fitted(LucidClassifier((8,), max_iter=20, random_state=2), X, y)
    label, proba = run(model, X, dtype=np.float64, zipmap=False)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("loss, n_out", [("squared_error", 1), ("squared_error", 2),
                                         ("poisson", 1)])
def test_regressor_pipeline_matches_predict(loss, n_out):
    X, _ = load_iris(return_X_y=True)
    Y = X[:, [0, 3]] if n_out == 2 else X[:, 0]
    model = fitted(LucidRegressor(loss, (16,), max_iter=40, random_state=0), X, Y)
    (values,) = run(model, X)
    expected = model.predict(X).reshape(len(X), n_out)
    assert values.shape == expected.shape
    np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-5)


def test_multilabel_classifier_is_refused_with_a_pointer():
    X, _ = load_iris(return_X_y=True)
    Y = (X[:, :2] > X[:, :2].mean(0)).astype(int)
    model = fitted(LucidClassifier((4,), max_iter=5, random_state=0), X, Y)
    with pytest.raises(ValueError, match="multi-label.*onnx_export.to_onnx"):
        to_onnx(model, X[:1].astype(np.float32), options={"zipmap": False})


def test_the_converter_reuses_lucidnets_exporter(monkeypatch):
    """The network's nodes come from lucidnet's exporter (to_onnx), not a second writer."""
    import lucidnet.modelfile.onnx_export as exporter

    calls = []
    real = exporter.to_onnx
    monkeypatch.setattr(exporter, "to_onnx", lambda net, **kw: calls.append(net) or real(net))
    X, y = load_iris(return_X_y=True)
    model = fitted(LucidClassifier((8,), max_iter=5, random_state=0), X, y)
    run(model, X, zipmap=False)
    assert calls == [model[-1].net_]
