"""Diagnostics callback and its plots; the reference run's plateau as it is measured."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet.datasets import generate_toy_dataset
from lucidnet.diagnostics import Diagnostics, participation_ratio
from lucidnet.diagnostics_plots import (plateau_spans, plot_activation_histograms,
                                        plot_diagnostics, plot_hidden_units)

matplotlib.use("Agg")


def test_participation_ratio_by_hand():
    same = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])        # two copies of one signal
    assert participation_ratio(same) == pytest.approx(1.0)
    # two uncorrelated rows of equal variance: covariance = identity, ratio (1+1)^2/(1+1) = 2
    A = np.array([[1.0, -1.0, 1.0, -1.0], [1.0, 1.0, -1.0, -1.0]])
    assert participation_ratio(A) == pytest.approx(2.0)
    assert participation_ratio(np.ones((3, 5))) == 0.0


def one_layer_run(activation="sigmoid", epochs=3, **kw):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 50))
    y = (X[0] > 0).astype(float)
    net = NeuralNetwork([Input("x", 2), Dense("h", 4, activation), Dense("out", 1)],
                        lr=0.5, seed=2)
    diag = Diagnostics(**kw)
    net.fit(X, y, epochs=epochs, print_every=0, callbacks=[diag])
    return net, diag, X, y


def test_records_every_k_epochs_and_the_last():
    _, diag, _, _ = one_layer_run(epochs=7, every=3)
    assert diag.epochs == [0, 3, 6]
    _, diag, _, _ = one_layer_run(epochs=8, every=3)
    assert diag.epochs == [0, 3, 6, 7]
    assert sorted(diag.layers) == [1, 2]


def test_gradient_norm_and_update_ratio_match_a_hand_backward():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 30))
    y = (X[0] - X[1] > 0).astype(float)
    net = NeuralNetwork([Input("x", 2), Dense("out", 1)], lr=0.5, seed=4)
    W0 = net.layers[1].params["W"].copy()
    diag = Diagnostics()
    net.fit(X, y, epochs=1, print_every=0, callbacks=[diag])
    # logistic regression by hand: Delta = sigmoid(W0 X) - y, dW = Delta X^T / N, db = mean
    Delta = 1.0 / (1.0 + np.exp(-(W0 @ X))) - y
    dW, db = Delta @ X.T / 30, Delta.mean()
    assert diag.array(1, "grad_norm")[0] == pytest.approx(np.sqrt((dW ** 2).sum() + db ** 2))
    W1 = W0 - 0.5 * dW
    assert diag.array(1, "update_ratio")[0] == pytest.approx(
        np.linalg.norm(0.5 * dW) / np.linalg.norm(W1))
    assert np.isnan(diag.array(1, "saturated")[0])  # fused sigmoid + BCE output: not counted


def test_saturation_and_dead_units_counted():
    net, diag, X, y = one_layer_run(epochs=1)
    assert diag.array(1, "saturated")[0] == 0.0       # small Glorot weights: linear region
    assert np.isnan(diag.array(1, "dead")[0])
    # make hidden unit 0 of a ReLU layer dead and unit 1 saturated-free
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 50))
    net = NeuralNetwork([Input("x", 2), Dense("h", 4, "relu"), Dense("out", 1)], seed=1)
    net.layers[1].params["b"][0] = -100.0
    diag = Diagnostics()
    net.fit(X, (X[0] > 0).astype(float), epochs=1, print_every=0, callbacks=[diag])
    assert diag.array(1, "dead")[0] >= 0.25            # at least the one we killed
    assert np.isnan(diag.array(1, "saturated")[0])
    # sigmoid saturation: sigma' = A(1-A) < 0.025 at A = 0.01 and 0.99, not at 0.5 or 0.97
    net = NeuralNetwork([Input("x", 1), Dense("h", 4), Dense("out", 1)], seed=1)
    W, b = net.layers[1].params["W"], net.layers[1].params["b"]
    W[:] = 0.0
    b[:, 0] = np.log(np.array([0.01, 0.5, 0.99, 0.97]) / (1 - np.array([0.01, 0.5, 0.99, 0.97])))
    diag = Diagnostics()
    diag.on_train_begin(net, 1)
    Xs = np.zeros((1, 5))

    class Info:  # what the loop hands a callback, without an update having happened
        def __init__(self):
            self.net, self.epoch, self.X, self.cost = net, 0, Xs, 0.0

    net.backward(Xs, np.zeros(5))
    diag.on_epoch_end(Info())
    assert diag.array(1, "saturated")[0] == pytest.approx(0.5)


def test_second_fit_continues_the_time_axis():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 20))
    net = NeuralNetwork([Input("x", 2), Dense("out", 1)], seed=0)
    diag = Diagnostics(every=2)
    net.fit(X, (X[0] > 0).astype(float), epochs=4, print_every=0, callbacks=[diag])
    net.fit(X, (X[0] > 0).astype(float), epochs=3, print_every=0, callbacks=[diag])
    assert diag.epochs == [0, 2, 3, 4, 6]


def test_bad_arguments():
    with pytest.raises(ValueError, match="every"):
        Diagnostics(every=0)
    _, diag, _, _ = one_layer_run()
    with pytest.raises(ValueError, match="unknown figure"):
        diag.array(1, "nope")
    with pytest.raises(ValueError, match="no diagnostics for layer"):
        diag.array(0, "grad_norm")
    with pytest.raises(ValueError, match="not recorded"):
        plot_activation_histograms(diag, epochs=[99])
    with pytest.raises(ValueError, match="recorded nothing"):
        plot_diagnostics(Diagnostics())
    net3 = NeuralNetwork([Input("x", 3), Dense("out", 1)])
    with pytest.raises(ValueError, match="2-D inputs"):
        plot_hidden_units(net3, np.zeros((4, 3)))


def test_plots_return_figures(tmp_path):
    net, diag, X, y = one_layer_run(epochs=5)
    for fig in (plot_diagnostics(diag, save=tmp_path / "d.png"),
                plot_activation_histograms(diag),
                plot_hidden_units(net, X.T, y, grid_steps=20)):
        assert isinstance(fig, matplotlib.figure.Figure)
    assert (tmp_path / "d.png").stat().st_size > 0
    fig = plot_hidden_units(net, bounds=(-1, 1, -1, 1), grid_steps=10)
    assert len([ax for ax in fig.axes if ax.images]) == 4 + 1  # 4 hidden units + the output


def test_plateau_spans_on_a_made_up_curve():
    e = np.arange(0, 1000, 10)
    J = np.where(e < 200, 1.0 - e / 250, 0.2)                # flat at 0.2 from 200 to 600 ...
    J = np.where(e >= 600, 0.2 * np.exp(-(e - 600) / 50) + 0.01, J)  # ... then falls
    (start, stop), = plateau_spans(e, J)
    assert 150 <= start <= 210 and 550 <= stop <= 650


@pytest.fixture(scope="module")
def reference_diagnostics():
    """SPEC's reference run (moons 1000/0.2/42, 2-16-32-1 sigmoid, lr 1, seed 0, 2000 epochs)."""
    X, y = generate_toy_dataset(1000, 0.2, "moons", 42)
    net = NeuralNetwork([Input("x", 2), Dense("h1", 16), Dense("h2", 32), Dense("out", 1)],
                        lr=1.0, seed=0)
    diag = Diagnostics(every=10)
    net.fit(X.T, y, epochs=2000, print_every=0, callbacks=[diag])
    return diag


def test_reference_plateau_is_small_gradients_not_saturation(reference_diagnostics):
    diag = reference_diagnostics
    J = np.asarray(diag.costs)
    e = np.asarray(diag.epochs)
    # the plateau as SPEC.md describes it from the cost log alone: ~0.289 over epochs 200-600
    plateau = diag.window(200, 600)
    assert np.all((J[plateau] > 0.285) & (J[plateau] < 0.295))
    # the escape: the recorded epochs after the plateau while J falls from 0.27 to 0.12
    escape = (e > 600) & (J < 0.27) & (J > 0.12)
    assert escape.sum() >= 10
    assert J[-1] < 0.10
    for idx in (1, 2, 3):
        g = diag.array(idx, "grad_norm")
        # gradients on the plateau are several times smaller than during the escape
        assert np.median(g[plateau]) * 3 < np.max(g[escape]), idx
        u = diag.array(idx, "update_ratio")
        assert np.median(u[plateau]) * 3 < np.max(u[escape]), idx
    for idx in (1, 2):
        # and it is not saturation: (almost) no hidden sigmoid is in its flat tails
        assert diag.array(idx, "saturated")[plateau].max() < 0.01, idx
    # what it is instead: the 32 units of layer 2 vary along one single direction
    top = diag.array(2, "top_share")
    assert top[plateau].min() > 0.97
    assert top[-1] < top[plateau].min() - 0.02  # ... and spread out once it has escaped
    spans = plateau_spans(e, J)
    assert any(start <= 200 and stop >= 600 for start, stop in spans), spans


def test_reference_diagnostics_plot(reference_diagnostics, tmp_path):
    fig = plot_diagnostics(reference_diagnostics, save=tmp_path / "diag.png")
    shaded = [p for p in fig.axes[0].patches]  # the plateau's axvspan
    assert len(shaded) == 1
    assert "plateau" in [t.get_text() for t in fig.axes[0].texts]


def test_cli_diagnostics(run_cli, tmp_path):
    import json

    run_cli("train", "--epochs", "25", "--n-samples", "100", "--grad-check-every", "0",
            "--diagnostics", "--diagnostics-every", "5", "--quiet", "--no-plots", "--out", "run",
            check=True)
    out = tmp_path / "run"
    for name in ("diagnostics.png", "activations.png", "hidden_units.png"):
        assert (out / name).stat().st_size > 0, name
    diag = json.loads((out / "metrics.json").read_text())["diagnostics"]
    assert diag["epochs"] == [0, 5, 10, 15, 20, 24]
    assert diag["layers"]["2"]["units"] == 32 and len(diag["layers"]["2"]["grad_norm"]) == 6
    assert diag["layers"]["3"]["saturated"] == [None] * 6  # fused output: does not apply
    proc = run_cli("train", "--diagnostics-every", "x")
    assert proc.returncode == 2 and "--diagnostics-every" in proc.stderr


def test_dropout_after_the_output_layer():
    from lucidnet import Dropout

    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 30))
    net = NeuralNetwork([Input("x", 2), Dense("h", 4), Dense("out", 1), Dropout("d", 0.2)])
    diag = Diagnostics()
    net.fit(X, (X[0] > 0).astype(float), epochs=2, print_every=0, callbacks=[diag])
    assert sorted(diag.layers) == [1, 2]
    assert diag.array(2, "saturated").shape == (2,)  # not fused: the output's sigma' counts


def test_sharpness_of_a_quadratic_cost():
    from lucidnet.diagnostics import sharpness

    # identity output + squared error (with its 1/2): J = (1/2N) sum (W x + b - y)^2 is
    # quadratic, its Hessian over (W, b) is (1/N) [X; 1] [X; 1]^T, whatever the weights
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 40)) * np.array([[1.0], [2.0], [0.5]])
    y = rng.normal(size=(1, 40))
    net = NeuralNetwork([Input("x", 3), Dense("out", 1, "identity")], loss_fn="mse", seed=0)
    before = [theta.copy() for _, theta, _ in net.parameters()]
    Xa = np.vstack([X, np.ones((1, 40))])
    expected = np.linalg.eigvalsh(Xa @ Xa.T / 40)[-1]
    assert sharpness(net, X, y, iters=100) == pytest.approx(expected, rel=1e-6)
    assert all(np.array_equal(a, t) for a, (_, t, _) in zip(before, net.parameters()))
