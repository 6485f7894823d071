"""Targets of every kind, and model files with every layer and activation."""

from __future__ import annotations

import numpy as np
import pytest

import lucidnet
from lucidnet import ACTIVATIONS, Dense, Dropout, Input, NeuralNetwork

HIDDEN = sorted(name for name in ACTIVATIONS if name != "softmax")


def test_integer_labels_and_one_hot_give_the_same_cost_and_score():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 20))
    labels = rng.integers(0, 4, size=20)
    net = NeuralNetwork([Input("x", 3), Dense("h", 5, "relu"), Dense("out", 4, "softmax")],
                        loss_fn="cce")
    one_hot = np.eye(4)[:, labels]                                 # (k, N)
    assert net.loss(X, labels) == net.loss(X, one_hot)
    assert net.score(X, labels) == net.score(X, one_hot)


def test_multi_output_regression_learns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 200))
    Y = np.vstack([X[0] - 2 * X[1], 0.5 * X[2] + 1.0])            # (2, N)
    net = NeuralNetwork([Input("x", 3), Dense("h", 16, "tanh"), Dense("out", 2, "identity")],
                        loss_fn="mse", optimizer="adam", lr=0.01)
    net.fit(X, Y, epochs=300, print_every=0, batch_size=32)
    assert net.predict(X).shape == (2, 200)
    assert net.score(X, Y) > 0.95


def test_multi_label_sigmoid_score_counts_every_entry():
    X = np.zeros((1, 2))
    net = NeuralNetwork([Input("x", 1), Dense("out", 2)])         # sigmoid(0) = 0.5 -> 1
    assert net.score(X, np.array([[1, 1], [0, 1]])) == pytest.approx(0.75)


@pytest.mark.parametrize("activation", HIDDEN)
def test_saved_model_predicts_identically(tmp_path, activation):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 30))
    y = rng.integers(0, 3, size=30)
    net = NeuralNetwork([Input("x", 4), Dense("h1", 7, activation), Dropout("drop", 0.3),
                         Dense("h2", 5, activation, initializer="lecun_uniform"),
                         Dense("out", 3, "softmax")], loss_fn="cce", optimizer="adamw",
                        l2=0.01, l1=0.001)
    net.fit(X, y, epochs=3, print_every=0, batch_size=8)
    net.preprocessing = {"standardize": {"mean": [0.0] * 4, "scale": [1.0] * 4}}
    net.save(tmp_path / "m.npz")
    back = lucidnet.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(back.predict_proba(X), net.predict_proba(X))
    np.testing.assert_array_equal(back.predict(X), net.predict(X))
    assert back.preprocessing == net.preprocessing
    assert [type(layer) for layer in back.layers] == [type(layer) for layer in net.layers]


@pytest.mark.parametrize("output, loss", [("sigmoid", "bce"), ("identity", "mse"),
                                          ("identity", "huber"), ("tanh", "mae")])
def test_saved_model_outputs_and_losses(tmp_path, output, loss):
    X = np.random.default_rng(2).normal(size=(2, 10))
    net = NeuralNetwork([Input("x", 2), Dense("h", 3, "elu"), Dense("out", 2, output)],
                        loss_fn=loss, optimizer="rmsprop")
    net.save(tmp_path / "m.npz")
    back = lucidnet.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(back.predict(X), net.predict(X))
