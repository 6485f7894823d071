"""Divergence: a huge learning rate stops training with a clear error and
leaves the network holding its last finite weights; such weights are never saved."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lucidnet import Dense, DivergenceError, Input, NeuralNetwork
from lucidnet.divergence import weights_are_finite
from lucidnet.training import Callback


def _regression(n=50, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3, n))
    return X, np.array([[1.0, -2.0, 0.5]]) @ X + 0.1


class _Recorder(Callback):
    """Copies the weights after every epoch."""

    def __init__(self):
        self.weights = []

    def on_epoch_end(self, info):
        self.weights.append([theta.copy() for _, theta, _ in info.net.parameters()])


# Adam and RMSProp take steps of about lr whatever the gradient: they do not overflow.
@pytest.mark.parametrize("optimizer,batch_size", [("sgd", None), ("sgd", 8), ("nesterov", None),
                                                  ("momentum", 16)])
def test_huge_learning_rate_stops_with_a_clear_error(optimizer, batch_size):
    X, Y = _regression()
    net = NeuralNetwork([Input("x", 3), Dense("h", 8, "relu"), Dense("out", 1, "identity")],
                        loss_fn="mse", lr=1e3, optimizer=optimizer, seed=1)
    recorder = _Recorder()
    with pytest.raises(DivergenceError) as info:
        net.fit(X, Y, epochs=500, print_every=0, batch_size=batch_size, callbacks=[recorder])
    exc = info.value
    message = str(exc)
    assert f"at epoch {exc.epoch}" in message
    assert "learning rate 1000" in message
    assert re.search(r"last finite cost [0-9.e+]+", message), message
    assert exc.lr == 1e3 and np.isfinite(exc.last_cost)
    # The network holds the weights after one of the last two epochs that
    # completed (or its initial weights), the latest whose cost is finite.
    assert weights_are_finite(net)
    assert exc.epoch == len(recorder.weights)
    assert exc.epoch - 2 <= exc.weights_epoch <= exc.epoch - 1
    assert f"keeps its weights after epoch {exc.weights_epoch}" in message or \
        (exc.weights_epoch == -1 and "the weights it started with" in message)
    if exc.weights_epoch >= 0:
        for (_, theta, _), kept in zip(net.parameters(), recorder.weights[exc.weights_epoch]):
            np.testing.assert_array_equal(theta, kept)
    # ... and those weights give the finite cost the message names.
    assert np.isfinite(net.loss(X, Y))


def test_divergence_is_caught_in_the_epoch_it_happens_without_computing_the_cost():
    # print_every=0 and no callbacks: the cost is never computed, yet the
    # first non-finite value stops training.
    X, Y = _regression()
    net = NeuralNetwork([Input("x", 3), Dense("out", 1, "identity")], loss_fn="mse", lr=1e200)
    with pytest.raises(DivergenceError, match="at epoch [0-9]+ with learning rate 1e\\+200"):
        net.fit(X, Y, epochs=50, print_every=0)
    assert weights_are_finite(net)


def test_sigmoid_output_with_saturated_logits_is_caught():
    # A saturated sigmoid keeps A - Y finite while Z[L] overflows; the check on Z[L] sees it.
    from lucidnet.datasets import generate_toy_dataset

    X, y = generate_toy_dataset(100)
    net = NeuralNetwork([Input("x", 2), Dense("h", 8, "relu"), Dense("out", 1)], lr=1e6)
    with pytest.raises(DivergenceError, match="lower the learning rate"):
        net.fit(X.T * 1e6, y, epochs=300, print_every=0)
    assert weights_are_finite(net)


def test_slow_blow_up_falls_back_to_the_last_checkpoint_with_a_finite_cost():
    # lr = 1e4 on a linear regression multiplies the error by about 1e4 per
    # epoch: the weights stay finite for ~75 epochs while the cost overflows
    # earlier.  The network goes back to the last print checkpoint whose cost
    # was finite, and can continue from there with a smaller rate.
    X, Y = _regression()
    net = NeuralNetwork([Input("x", 3), Dense("out", 1, "identity")], loss_fn="mse", lr=1e4)
    recorder = _Recorder()
    with pytest.raises(DivergenceError) as info:
        net.fit(X, Y, epochs=500, print_every=10, verbose=False, callbacks=[recorder])
    exc = info.value
    assert exc.weights_epoch % 10 == 0 and exc.weights_epoch < exc.epoch
    assert f"last finite cost {exc.last_cost:.6g} (after epoch {exc.weights_epoch})" in str(exc)
    assert net.loss(X, Y) == exc.last_cost
    for (_, theta, _), kept in zip(net.parameters(), recorder.weights[exc.weights_epoch]):
        np.testing.assert_array_equal(theta, kept)
    net.lr = 0.1
    costs = net.fit(X, Y, epochs=300, print_every=100, verbose=False)
    assert costs[-1] < costs[0] and np.isfinite(costs).all()


def test_non_finite_weights_are_never_saved(tmp_path):
    net = NeuralNetwork([Input("x", 2), Dense("out", 1)])
    net.layers[1].params["W"][0, 1] = np.nan
    path = tmp_path / "model.npz"
    with pytest.raises(ValueError, match="refusing to save: layer 1 .* non-finite"):
        net.save(path)
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind
    net.layers[1].params["W"][0, 1] = np.inf
    with pytest.raises(ValueError, match="refusing to save"):
        net.save(path)
