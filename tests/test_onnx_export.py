"""ONNX export: onnxruntime must reproduce lucidnet's outputs to 1e-5.

Parametrized over the ACTIVATIONS registry (as hidden layer and as output
layer) and over the output types (sigmoid probability, softmax probabilities,
regression values), with and without a stored standardization.
"""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from lucidnet import Dense, Dropout, Input, NeuralNetwork, load  # noqa: E402
from lucidnet.activations import ACTIVATIONS  # noqa: E402
from lucidnet.onnx_export import export_onnx  # noqa: E402

EXPORTABLE = {"sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "exp", "identity",
              "softmax"}
OUTPUTS = {"sigmoid": "bce", "softmax": "cce", "identity": "mse"}


def build(hidden, output, n_out, loss="mse", seed=0):
    return NeuralNetwork([Input("x", 3), Dense("h1", 6, activation=hidden), Dropout("d", 0.3),
                          Dense("h2", 5, activation=hidden),
                          Dense("out", n_out, activation=output)], loss_fn=loss, seed=seed)


def run_onnx(path, X):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {"X": X.astype(np.float32)})))


def data(n=40, seed=1):
    return np.random.default_rng(seed).normal(scale=1.5, size=(n, 3))        # (N, d0)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("output", sorted(OUTPUTS))
def test_onnxruntime_matches_for_every_hidden_activation(activation, output, tmp_path):
    n_out = 3 if output == "softmax" else 2 if output == "identity" else 1
    net = build(activation, output, n_out, OUTPUTS[output])
    if activation not in EXPORTABLE:
        with pytest.raises(ValueError, match="no ONNX equivalent"):
            export_onnx(net, tmp_path / "m.onnx")
        return
    export_onnx(net, tmp_path / "m.onnx")
    X = data()
    got = run_onnx(tmp_path / "m.onnx", X)
    expected = net.forward(X.T).T                                              # (N, dL)
    np.testing.assert_allclose(got["output"], expected, rtol=1e-5, atol=1e-5)
    if output in ("softmax", "sigmoid"):
        np.testing.assert_array_equal(got["label"], np.asarray(net.predict(X.T)).reshape(-1))
    else:
        assert "label" not in got


@pytest.mark.parametrize("activation", sorted(EXPORTABLE & set(ACTIVATIONS)))
def test_onnxruntime_matches_for_every_output_activation(activation, tmp_path):
    net = build("tanh", activation, 3)
    export_onnx(net, tmp_path / "m.onnx")
    X = data(seed=2)
    np.testing.assert_allclose(run_onnx(tmp_path / "m.onnx", X)["output"], net.forward(X.T).T,
                               rtol=1e-5, atol=1e-5)


def test_standardization_and_metadata_from_a_model_file(tmp_path):
    net = build("relu", "softmax", 3, "cce", seed=4)
    net.preprocessing = {"standardize": {"mean": [1.0, -2.0, 0.5], "scale": [2.0, 0.5, 3.0]},
                         "class_labels": ["a", "b", "c"], "feature_names": ["p", "q", "r"]}
    net.save(tmp_path / "m.npz")
    export_onnx(load(tmp_path / "m.npz"), tmp_path / "m.onnx")
    X = data(seed=3) * 3 + 1
    X_std = (X - np.array([1.0, -2.0, 0.5])) / np.array([2.0, 0.5, 3.0])
    got = run_onnx(tmp_path / "m.onnx", X)
    np.testing.assert_allclose(got["output"], net.forward(X_std.T).T, rtol=1e-5, atol=1e-5)
    props = {p.key: p.value for p in onnx.load(str(tmp_path / "m.onnx")).metadata_props}
    assert props["class_labels"] == '["a", "b", "c"]'


def test_single_row_and_float32_network(tmp_path):
    net = build("elu", "sigmoid", 1, "bce").astype("float32")
    export_onnx(net, tmp_path / "m.onnx")
    X = data(n=1)
    got = run_onnx(tmp_path / "m.onnx", X)
    assert got["output"].shape == (1, 1) and got["label"].shape == (1,)
    np.testing.assert_allclose(got["output"], net.forward(X.T.astype(np.float32)).T,
                               rtol=1e-5, atol=1e-6)


def test_estimator_network_exports(tmp_path):
    from sklearn.datasets import make_moons

    from lucidnet.sklearn import LucidClassifier

    X, y = make_moons(100, noise=0.2, random_state=0)
    clf = LucidClassifier(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0).fit(X, y)
    export_onnx(clf.net_, tmp_path / "m.onnx")
    got = run_onnx(tmp_path / "m.onnx", X)
    np.testing.assert_allclose(got["output"][:, 0], clf.predict_proba(X)[:, 1], atol=1e-5)
    np.testing.assert_array_equal(got["label"], clf.predict(X))
