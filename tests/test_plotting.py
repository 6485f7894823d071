"""Plots on the Agg backend: every function returns a Figure and never shows it."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from lucidnet import (Dense, Input, NeuralNetwork, generate_toy_dataset,
                      plot_decision_boundary, plot_loss_curve, visualize_dataset)
from lucidnet.plotting import evaluate_field

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def data():
    return generate_toy_dataset(n_samples=80, noise=0.2)


@pytest.fixture(scope="module")
def net(data):
    X, y = data
    net = NeuralNetwork([Input("x", 2), Dense("h", 8), Dense("out", 1)], lr=1.0)
    net.fit(X.T, y, epochs=50, print_every=10)
    return net


@pytest.fixture(autouse=True)
def no_figures_left_open():
    import matplotlib.pyplot as plt

    yield
    assert plt.get_fignums() == []  # figures are closed in pyplot: no leak, no warning


def _labels(fig):
    ax = fig.axes[0]
    return ax.get_xlabel(), ax.get_ylabel(), ax.get_title()


def test_visualize_dataset(data, tmp_path):
    X, y = data
    fig = visualize_dataset(X, y, title="moons", save=tmp_path / "d.png")
    assert isinstance(fig, Figure)
    assert _labels(fig) == ("$x_1$", "$x_2$", "moons")
    assert (tmp_path / "d.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_visualize_dataset_accepts_column_wise_X(data):
    X, y = data
    assert isinstance(visualize_dataset(X.T, y), Figure)


def test_decision_boundary_for_our_network(data, net, tmp_path):
    X, y = data
    fig = plot_decision_boundary(net, X, y, title="net", grid_steps=50,
                                 save=tmp_path / "b.png")
    assert isinstance(fig, Figure)
    assert _labels(fig) == ("$x_1$", "$x_2$", "net")
    assert "P(class 1)" in fig.axes[1].get_ylabel()          # the colorbar
    assert (tmp_path / "b.png").stat().st_size > 1000


def test_decision_boundary_for_sklearn_classifiers(data):
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    X, y = data
    for clf, label in ((LogisticRegression().fit(X, y), "P(class 1)"),
                       (SVC().fit(X, y), "score")):   # SVC: decision_function, no proba
        fig = plot_decision_boundary(clf, X, y, grid_steps=40)
        assert isinstance(fig, Figure) and label in fig.axes[1].get_ylabel()


def test_decision_boundary_for_plain_functions(data):
    X, y = data
    functions = {
        "probability (M,)": lambda G: 1 / (1 + np.exp(-G[:, 0])),
        "probability (M, 1)": lambda G: (1 / (1 + np.exp(-G[:, 0])))[:, None],
        "probability (M, 2)": lambda G: np.column_stack([1 - G[:, 0] ** 2 / 10,
                                                         G[:, 0] ** 2 / 10]).clip(0, 1),
        "labels": lambda G: (G[:, 1] > 0.25).astype(int),
        "score": lambda G: G[:, 0] - G[:, 1],
    }
    for name, fn in functions.items():
        assert isinstance(plot_decision_boundary(fn, X, y, title=name, grid_steps=30), Figure)


@pytest.mark.parametrize("fn, kind", [
    (lambda G: np.full(len(G), 0.3), "probability"),
    (lambda G: np.full((len(G), 1), 0.7), "probability"),
    (lambda G: np.tile([0.2, 0.8], (len(G), 1)), "probability"),
    (lambda G: (G[:, 0] > 0).astype(int), "probability"),   # 0/1 labels: 0.5 contour
    (lambda G: G[:, 0] > 0, "probability"),                 # booleans too
    (lambda G: 3.0 * G[:, 0], "score"),
    (lambda G: np.where(G[:, 0] > 0, 1, -1), "score"),      # -1/+1 labels: 0 contour
    (lambda G: np.tile([0.1, 0.2, 0.7], (len(G), 1)), "classes"),
    (lambda G: np.arange(len(G)) % 3, "classes"),
])
def test_evaluate_field_kinds(fn, kind):
    G = np.random.default_rng(0).normal(size=(12, 2))
    got, values = evaluate_field(fn, G)
    assert got == kind and values.shape == (12,)


def test_column_two_of_two_is_class_one():
    G = np.zeros((4, 2))
    _, values = evaluate_field(lambda G: np.tile([0.9, 0.1], (len(G), 1)), G)
    assert np.all(values == 0.1)


def test_k_class_regions(tmp_path):
    from sklearn.datasets import make_blobs
    from sklearn.neighbors import KNeighborsClassifier

    X, y = make_blobs(n_samples=90, centers=3, random_state=0)
    for model in (KNeighborsClassifier().fit(X, y),
                  lambda G: np.argmin(np.abs(G[:, :1] - [[-2, 2, 6]]), axis=1)):
        fig = plot_decision_boundary(model, X, y, grid_steps=40, save=tmp_path / "k.png")
        assert isinstance(fig, Figure) and fig.axes[1].get_ylabel() == "predicted class"


def test_softmax_network_regions():
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=60, centers=3, random_state=1)
    net = NeuralNetwork([Input("x", 2), Dense("out", 3, activation="softmax")], loss_fn="cce")
    net.fit(X.T, y, epochs=20, print_every=0)
    assert isinstance(plot_decision_boundary(net, X, y, grid_steps=30), Figure)


@pytest.mark.parametrize("fn, message", [
    (lambda G: np.zeros(5), "shape"),
    (lambda G: np.full(len(G), np.nan), "NaN"),
    (lambda G: np.array(["a"] * len(G)), "non-numeric"),
    ("not a model", "predict_fn"),
])
def test_bad_predict_fn_is_a_value_error(data, fn, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        plot_decision_boundary(fn, X, y, grid_steps=10)


def test_bad_points_are_value_errors(data, net):
    X, y = data
    with pytest.raises(ValueError, match="shape"):
        visualize_dataset(np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="labels"):
        visualize_dataset(X, y[:-1])
    with pytest.raises(ValueError, match="grid_steps"):
        plot_decision_boundary(net, X, y, grid_steps=1)


def test_loss_curve_from_list_history_and_network(net, tmp_path):
    costs = [0.9, 0.5, 0.3, 0.29]
    fig = plot_loss_curve(costs, print_every=100, save=tmp_path / "l.png")
    assert isinstance(fig, Figure)
    line = fig.axes[0].lines[0]
    assert list(line.get_xdata()) == [0, 100, 200, 300]
    assert fig.axes[0].get_ylabel() == "cost J"
    assert list(plot_loss_curve(costs).axes[0].lines[0].get_xdata()) == [0, 1, 2, 3]
    history = {"epoch": [0, 10, 20], "loss": [0.7, 0.5, 0.4], "val_loss": [0.8, 0.6, 0.5]}
    assert len(plot_loss_curve(history, log_scale=True).axes[0].lines) == 2
    assert isinstance(plot_loss_curve(net), Figure)
    with pytest.raises(ValueError):
        plot_loss_curve([])


def test_drawing_into_given_axes(data, net):
    import matplotlib.pyplot as plt

    X, y = data
    fig, (a, b) = plt.subplots(1, 2)
    plt.close(fig)
    assert visualize_dataset(X, y, ax=a) is fig
    assert plot_decision_boundary(net, X, y, grid_steps=20, ax=b) is fig
