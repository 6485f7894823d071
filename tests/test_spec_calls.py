"""Every call of SPEC.md's "calls its readers type": names, defaults, shapes.

Expected numbers are worked out by hand (noted next to each).
"""

from __future__ import annotations

import inspect
import math
import subprocess
import sys

import numpy as np
import pytest

import lucidnet
from lucidnet import (Dense, Input, Layer, NeuralNetwork, bce_cost, bce_loss,
                      generate_toy_dataset, plot_decision_boundary, relative_error,
                      visualize_dataset)


def defaults(fn):
    return {name: p.default for name, p in inspect.signature(fn).parameters.items()
            if p.default is not inspect.Parameter.empty}


def small_net(seed=0, hidden=(4,)):
    layers = [Input("x", 2)] + [Dense(f"h{i}", u) for i, u in enumerate(hidden, 1)]
    return NeuralNetwork(layers + [Dense("out", 1)], loss_fn=bce_cost, lr=1.0, seed=seed)


# ------------------------------------------------------------------ data
def test_generate_toy_dataset_defaults_and_shapes():
    spec = {"n_samples": 1000, "noise": 0.2, "dataset_type": "moons", "random_state": 42}
    assert list(inspect.signature(generate_toy_dataset).parameters)[:4] == list(spec)
    assert {k: v for k, v in defaults(generate_toy_dataset).items() if k in spec} == spec
    X, y = generate_toy_dataset()
    assert X.shape == (1000, 2) and y.shape == (1000,)
    assert set(np.unique(y)) == {0, 1} and (y == 1).sum() == 500


@pytest.mark.parametrize("kind", ["moons", "circles", "blobs"])
def test_each_toy_dataset_is_two_balanced_classes_and_repeatable(kind):
    X, y = generate_toy_dataset(n_samples=200, noise=0.1, dataset_type=kind, random_state=3)
    assert X.shape == (200, 2) and y.shape == (200,)
    assert np.bincount(y).tolist() == [100, 100]
    X2, y2 = generate_toy_dataset(n_samples=200, noise=0.1, dataset_type=kind, random_state=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, _ = generate_toy_dataset(n_samples=200, noise=0.1, dataset_type=kind, random_state=4)
    assert not np.array_equal(X, X3)


def test_circles_inner_radius_factor_is_one_half():
    X, y = generate_toy_dataset(n_samples=100, noise=0.0, dataset_type="circles")
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.5)


def test_blobs_standard_deviation_is_noise():
    X, y = generate_toy_dataset(n_samples=4000, noise=0.3, dataset_type="blobs")
    for cls in (0, 1):
        np.testing.assert_allclose(X[y == cls].std(axis=0), 0.3, rtol=0.1)


def test_moons_without_noise_lie_on_two_half_circles():
    X, y = generate_toy_dataset(n_samples=100, noise=0.0)
    np.testing.assert_allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0)   # upper moon
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1.0)


@pytest.mark.parametrize("kind", ["no-such-data", "Moons", "", None])
def test_unknown_dataset_is_a_value_error(kind):
    with pytest.raises(ValueError, match="dataset_type"):
        generate_toy_dataset(dataset_type=kind)


# ------------------------------------------------------------------ plots
def test_plot_signatures():
    assert "title" in inspect.signature(visualize_dataset).parameters
    assert defaults(plot_decision_boundary)["grid_steps"] == 300
    assert list(inspect.signature(plot_decision_boundary).parameters)[:5] == [
        "predict_fn", "X", "y", "title", "grid_steps"]


# ------------------------------------------------------------------ losses
def test_bce_loss_elementwise_and_defaults():
    assert defaults(bce_loss) == {"eps": 1e-12}
    y = np.array([1.0, 0.0, 1.0])
    p = np.array([0.8, 0.8, 0.5])
    # -log 0.8 = 0.22314355131420976, -log 0.2 = 1.6094379124341003, -log 0.5 = ln 2
    np.testing.assert_allclose(bce_loss(y, p), [0.22314355131420976, 1.6094379124341003,
                                                0.6931471805599453], rtol=1e-12)
    assert bce_loss(y, p).shape == (3,)
    assert np.isfinite(bce_loss(np.array([1.0, 0.0]), np.array([0.0, 1.0]))).all()


def test_bce_cost_is_a_scalar_mean_by_default():
    assert defaults(bce_cost)["agg"] is np.mean
    y = np.array([[1.0, 0.0]])
    p = np.array([[0.8, 0.8]])
    # (0.22314355131420976 + 1.6094379124341003) / 2
    assert bce_cost(y, p) == pytest.approx(0.916290731874155, rel=1e-12)
    assert bce_cost(y, p, agg=np.sum) == pytest.approx(1.83258146374831, rel=1e-12)
    assert isinstance(bce_cost(y, p), float)


def test_relative_error():
    assert defaults(relative_error) == {"stability_eps": 1e-10}
    assert relative_error(1.0, 1.1) == pytest.approx(0.1 / 2.1)       # 0.047619...
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(2.0, -2.0) == pytest.approx(4 / (4 + 1e-10))


# ------------------------------------------------------------------ layers and network
def test_layers():
    assert issubclass(Input, Layer) and issubclass(Dense, Layer)
    inp, dense = Input("x", 2), Dense("h", 16)
    assert inp.n_features == 2 and dense.units == 16


def test_network_constructor_defaults():
    d = defaults(NeuralNetwork)
    assert d["loss_fn"] is bce_cost and d["seed"] == 0
    net = NeuralNetwork(layers=[Input("x", 2), Dense("h1", 16), Dense("h2", 32),
                                Dense("out", 1)], loss_fn=bce_cost, lr=1.0)
    assert net.lr == 1.0
    shapes = [(layer.params["W"].shape, layer.params["b"].shape) for layer in net.layers[1:]]
    assert shapes == [((16, 2), (16, 1)), ((32, 16), (32, 1)), ((1, 32), (1, 1))]
    assert net.n_params == 625
    for layer in net.layers[1:]:
        d_out, d_in = layer.params["W"].shape
        r = math.sqrt(6 / (d_in + d_out))                 # Glorot/Xavier uniform bound
        assert np.abs(layer.params["W"]).max() <= r
        assert np.abs(layer.params["W"]).max() > 0.5 * r  # really spread over (-r, r)
        assert not layer.params["b"].any()                 # biases start at zero


def test_default_seed_gives_the_same_network():
    a, b = small_net(), small_net()
    c = small_net(seed=1)
    for la, lb, lc in zip(a.layers[1:], b.layers[1:], c.layers[1:]):
        assert np.array_equal(la.params["W"], lb.params["W"])
        assert not np.array_equal(la.params["W"], lc.params["W"])


def test_add_builds_layer_by_layer():
    net = NeuralNetwork(lr=1.0)
    net.add(Input("x", 2))
    net.add(Dense("h1", 3))
    net.add(Dense("out", 1))
    assert [layer.units for layer in net.layers] == [2, 3, 1]
    assert net.forward(np.zeros((2, 4))).shape == (1, 4)


def test_forward_loss_backward_shapes():
    net = small_net()
    X = np.random.default_rng(0).normal(size=(2, 7))       # (d0, N)
    y = np.array([0, 1, 1, 0, 1, 0, 1])
    A = net.forward(X)
    assert A.shape == (1, 7) and ((A > 0) & (A < 1)).all()
    J = net.loss(X, y)
    assert isinstance(J, float) and J > 0
    assert J == pytest.approx(bce_cost(y.reshape(1, -1), A), rel=1e-12)
    net.backward(X, y)
    for layer in net.layers[1:]:
        for key in ("W", "b"):
            assert layer.grads[key].shape == layer.params[key].shape


def test_first_step_worked_by_hand():
    # one sigmoid unit, W = 0, b = 0: A = 0.5 everywhere.  X = [[1, 2]], y = [1, 0]
    # Delta = A - Y = [-0.5, 0.5]; dW = (1/N) Delta X^T = (-0.5*1 + 0.5*2)/2 = 0.25;
    # db = mean(Delta) = 0.  After W -= eta dW with eta = 1: W = -0.25, b = 0.
    net = NeuralNetwork([Input("x", 1), Dense("out", 1)], lr=1.0)
    net.layers[1].params["W"][...] = 0.0
    X, y = np.array([[1.0, 2.0]]), np.array([1, 0])
    net.backward(X, y)
    assert net.layers[1].grads["W"][0, 0] == pytest.approx(0.25, abs=1e-15)
    assert net.layers[1].grads["b"][0, 0] == pytest.approx(0.0, abs=1e-15)
    net.step()
    assert net.layers[1].params["W"][0, 0] == pytest.approx(-0.25, abs=1e-15)
    assert net.loss(X, y) == pytest.approx(  # J after the step, by hand:
        (math.log(1 + math.exp(0.25)) + math.log(1 + math.exp(-0.5))) / 2, rel=1e-12)


def test_fit_defaults_records_and_prints(capsys):
    assert {k: v for k, v in defaults(NeuralNetwork.fit).items()} == {
        "epochs": 500, "print_every": 100, "grad_check_every": 0}
    X, y = generate_toy_dataset(n_samples=60)
    net = small_net()
    costs = net.fit(X.T, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(costs) == 5 and [line.split()[1] for line in lines] == [
        "0", "100", "200", "300", "400"]
    assert all(line.startswith("Epoch: ") and " Cost " in line for line in lines)
    assert [float(line.split()[-1]) for line in lines] == pytest.approx(costs, rel=1e-5)
    assert net.history["epoch"][-5:] == [0, 100, 200, 300, 400]


def test_fit_print_every_zero_is_silent(capsys):
    X, y = generate_toy_dataset(n_samples=40)
    assert small_net().fit(X.T, y, epochs=20, print_every=0) == []
    assert capsys.readouterr().out == ""


def test_fit_grad_check_every_records_reports():
    X, y = generate_toy_dataset(n_samples=40)
    net = small_net()
    net.fit(X.T, y, epochs=10, print_every=0, grad_check_every=4)
    assert [epoch for epoch, _ in net.grad_checks] == [0, 4, 8]
    for _, reports in net.grad_checks:
        assert [(r.layer_idx, r.param) for r in reports] == [(1, "W"), (1, "b"), (2, "W"),
                                                             (2, "b")]
        assert all(r.passed for r in reports)


def test_grad_check_defaults_report_and_errors():
    d = defaults(NeuralNetwork.grad_check)
    assert (d["eps"], d["tol"], d["abs_tol"], d["param"]) == (1e-5, 1e-4, 1e-7, "W")
    X, y = generate_toy_dataset(n_samples=30)
    net = small_net(hidden=(3, 4))
    for idx in (1, 2, 3):
        for param in ("W", "b"):
            report = net.grad_check(X.T, y, idx, param=param)
            assert report.passed and report.max_rel_error < 1e-4
            assert report.layer_idx == idx and report.param == param
    with pytest.raises(ValueError, match="no parameter"):
        net.grad_check(X.T, y, 0)                          # the input layer
    with pytest.raises(ValueError):
        net.grad_check(X.T, y, 9)


def test_grad_check_catches_a_wrong_backward(monkeypatch):
    X, y = generate_toy_dataset(n_samples=30)
    net = small_net()
    dense = net.layers[1]
    right = type(dense).backward

    def wrong(self, dA, need_dA_prev=True, Delta=None, out=None):
        out = right(self, dA, need_dA_prev, Delta, out)
        self.grads["W"] *= 1.1                             # a 10 % error in dW
        return out

    monkeypatch.setattr(dense, "backward", wrong.__get__(dense))
    with pytest.raises(AssertionError, match="layer 1"):
        net.grad_check(X.T, y, 1, param="W")


def test_predict_proba_predict_score():
    X, y = generate_toy_dataset(n_samples=50)
    net = small_net()
    P = net.predict_proba(X.T)
    assert P.shape == (1, 50)
    labels = net.predict(X.T)
    assert labels.shape == (50,) and np.array_equal(labels, (P[0] >= 0.5).astype(int))
    assert net.score(X.T, y) == pytest.approx(np.mean(labels == y))


def test_lazy_exports():
    for name in ("generate_toy_dataset", "visualize_dataset", "plot_decision_boundary",
                 "plot_loss_curve", "plot_history", "Diagnostics", "animate_training",
                 "resume", "TrainingInterrupted", "export_onnx", "LucidClassifier"):
        assert callable(getattr(lucidnet, name)) and name in dir(lucidnet)
    assert lucidnet.TrainingInterrupted is lucidnet.interrupt.TrainingInterrupted
    with pytest.raises(AttributeError):
        lucidnet.no_such_thing  # noqa: B018


def test_import_lucidnet_stays_light():
    code = ("import sys, lucidnet\n"
            "heavy = [m for m in ('sklearn', 'matplotlib', 'torch', 'onnx') if m in sys.modules]\n"
            "print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
