"""Early stopping: patience, min_delta, and the best weights restored in every case."""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet.callbacks import Callback, EarlyStopping


class Snapshots(Callback):
    """Keep a copy of the weights at the end of every epoch."""

    def on_train_begin(self, net, epochs):
        self.weights = []

    def on_epoch_end(self, info):
        self.weights.append([theta.copy() for _, theta, _ in info.net.parameters()])


def _overfitting_problem():
    """Few noisy training points, many parameters: validation cost turns upwards."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 30))
    y = ((X[0] + 0.8 * rng.normal(size=30)) > 0).astype(int)
    Xv = rng.normal(size=(2, 200))
    yv = (Xv[0] > 0).astype(int)
    return X, y, Xv, yv


def _net():
    return NeuralNetwork([Input("x", 2), Dense("h1", 64, "relu"), Dense("h2", 64, "relu"),
                          Dense("out", 1)], optimizer="adam", lr=0.01, seed=1)


def _params(net):
    return [theta.copy() for _, theta, _ in net.parameters()]


def test_stops_and_restores_the_best_weights():
    X, y, Xv, yv = _overfitting_problem()
    net, snaps = _net(), Snapshots()
    net.fit(X, y, epochs=400, print_every=0, validation_data=(Xv, yv), early_stopping=10,
            callbacks=[snaps])
    val = net.history["val_loss"]
    best = int(np.argmin(val))
    assert net.training_record["best_epoch"] == best
    assert net.training_record["stopped_epoch"] == best + 10   # stopped early
    assert len(val) == best + 11
    for now, then in zip(_params(net), snaps.weights[best]):
        np.testing.assert_array_equal(now, then)
    assert net.loss(Xv, yv) == pytest.approx(min(val), rel=1e-12)


def test_restores_the_best_weights_when_it_runs_to_the_end():
    X, y, Xv, yv = _overfitting_problem()
    net, snaps = _net(), Snapshots()
    net.fit(X, y, epochs=60, print_every=0, validation_data=(Xv, yv),
            early_stopping=EarlyStopping(patience=1000), callbacks=[snaps])
    val = net.history["val_loss"]
    assert len(val) == 60 and net.training_record["stopped_epoch"] is None
    best = int(np.argmin(val))
    assert best < 59                                          # the last epoch was not the best
    for now, then in zip(_params(net), snaps.weights[best]):
        np.testing.assert_array_equal(now, then)


def test_min_delta_and_training_cost_without_validation():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 50))
    y = (X[0] > 0).astype(int)
    net = NeuralNetwork([Input("x", 2), Dense("out", 1)], lr=1e-9)
    # the training cost barely moves, so nothing beats the first epoch by 1e-3
    net.fit(X, y, epochs=100, print_every=0, early_stopping=5, min_delta=1e-3)
    assert net.history["epoch"] == [0, 1, 2, 3, 4, 5]
    assert net.training_record["best_epoch"] == 0
    assert net.training_record["monitor"] == "loss"


def test_monitor_accuracy_is_maximised():
    X, y, Xv, yv = _overfitting_problem()
    net = _net()
    stopper = EarlyStopping(patience=5, monitor="val_accuracy")
    net.fit(X, y, epochs=200, print_every=0, validation_data=(Xv, yv), early_stopping=stopper)
    acc = net.history["val_accuracy"]
    assert net.training_record["best_monitored"] == max(acc)
    assert net.score(Xv, yv) == pytest.approx(max(acc))


def test_without_restore_keeps_the_last_weights():
    X, y, Xv, yv = _overfitting_problem()
    net = _net()
    net.fit(X, y, epochs=40, print_every=0, validation_data=(Xv, yv),
            early_stopping=EarlyStopping(patience=1000, restore_best_weights=False))
    assert net.loss(Xv, yv) == pytest.approx(net.history["val_loss"][-1], rel=1e-12)


@pytest.mark.parametrize("patience", [0, -1, 2.5, True])
def test_bad_patience(patience):
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=patience)


def test_unknown_monitor():
    net = NeuralNetwork([Input("x", 1), Dense("out", 1)])
    with pytest.raises(ValueError, match="val_loss"):
        net.fit(np.zeros((1, 4)), np.zeros(4), epochs=2, print_every=0,
                early_stopping=EarlyStopping(monitor="val_loss"))
