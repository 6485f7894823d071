"""Validation split (shuffled, stratified), explicit validation data, net.history."""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet.callbacks import Callback
from lucidnet.validation import split_indices


def test_split_is_a_partition_and_repeatable():
    kept, held = split_indices(10, 0.2, np.random.default_rng(0))
    assert held.size == 2 and kept.size == 8
    np.testing.assert_array_equal(np.sort(np.concatenate([kept, held])), np.arange(10))
    kept2, held2 = split_indices(10, 0.2, np.random.default_rng(0))
    np.testing.assert_array_equal(held, held2)


def test_split_is_stratified():
    labels = np.array([0] * 80 + [1] * 20)
    kept, held = split_indices(100, 0.25, np.random.default_rng(3), labels)
    assert np.sum(labels[held] == 0) == 20 and np.sum(labels[held] == 1) == 5
    assert kept.size == 75


def test_stratified_shares_add_up():
    labels = np.array([0] * 7 + [1] * 7 + [2] * 6)          # 20 examples, 0.3 -> 6 held
    kept, held = split_indices(20, 0.3, np.random.default_rng(0), labels)
    assert held.size == 6
    assert sorted(np.bincount(labels[held]).tolist()) == [2, 2, 2]


def test_class_with_too_few_examples():
    labels = np.array([0, 0, 0, 1, 1, 1, 2])
    with pytest.raises(ValueError, match="class 2 has only 1 example"):
        split_indices(7, 0.3, np.random.default_rng(0), labels)


@pytest.mark.parametrize("fraction", [0, 1, 1.5, -0.1, "0.2", True])
def test_bad_fraction(fraction):
    with pytest.raises(ValueError, match="fraction"):
        split_indices(10, fraction, np.random.default_rng(0))


def test_split_that_leaves_nothing():
    with pytest.raises(ValueError, match="at least one"):
        split_indices(3, 0.1, np.random.default_rng(0))


def _data(n=120, seed=0, k=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, n))
    y = (X[0] > 0).astype(int) + (k == 3) * (X[1] > 0.5)
    return X, y


def test_fit_with_validation_split_records_every_epoch():
    X, y = _data()
    net = NeuralNetwork([Input("x", 2), Dense("h", 6), Dense("out", 1)], lr=1.0)
    costs = net.fit(X, y, epochs=7, print_every=5, verbose=False, validation_split=0.25)
    assert len(costs) == 2                              # checkpoints 0 and 5 only
    h = net.history
    assert h["epoch"] == list(range(7))
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert len(h[key]) == 7 and all(np.isfinite(h[key]))
    assert costs == [h["loss"][0], h["loss"][5]]


def test_stratified_split_in_fit_softmax():
    X, y = _data(k=3)
    seen = {}

    class Peek(Callback):
        def on_epoch_end(self, info):
            seen["train"], seen["val"] = info._Y, info._Yv

    net = NeuralNetwork([Input("x", 2), Dense("h", 6, "relu"), Dense("out", 3, "softmax")],
                        loss_fn="cce", optimizer="adam")
    net.fit(X, y, epochs=1, print_every=0, validation_split=0.25, callbacks=[Peek()])
    counts = np.bincount(y, minlength=3)
    val_counts = seen["val"].sum(axis=1)
    np.testing.assert_allclose(val_counts, np.round(counts * 0.25), atol=1)
    assert seen["train"].shape[1] + seen["val"].shape[1] == X.shape[1]


def test_validation_split_too_few_in_a_class():
    X = np.zeros((1, 5))
    y = np.array([0, 0, 0, 0, 1])
    net = NeuralNetwork([Input("x", 1), Dense("out", 1)])
    with pytest.raises(ValueError, match="class 1 has only 1 example"):
        net.fit(X, y, epochs=1, print_every=0, validation_split=0.4)


def test_explicit_validation_data_matches_the_cost_on_it():
    X, y = _data()
    Xv, yv = _data(40, seed=1)
    net = NeuralNetwork([Input("x", 2), Dense("h", 6), Dense("out", 1)], lr=1.0)
    net.fit(X, y, epochs=5, print_every=0, validation_data=(Xv, yv))
    assert net.history["val_loss"][-1] == pytest.approx(net.loss(Xv, yv), rel=1e-12)
    assert net.history["val_accuracy"][-1] == pytest.approx(net.score(Xv, yv))
    assert net.history["loss"][-1] == pytest.approx(net.loss(X, y), rel=1e-12)


def test_validation_loss_leaves_out_the_penalty():
    X, y = _data()
    net = NeuralNetwork([Input("x", 2), Dense("out", 1)], l2=1.0)
    net.fit(X, y, epochs=2, print_every=0, validation_data=(X, y))
    data_cost = net.loss(X, y) - 0.5 * np.sum(net.layers[1].params["W"] ** 2) / X.shape[1]
    assert net.history["val_loss"][-1] == pytest.approx(data_cost, rel=1e-10)


def test_same_seed_same_split_same_history():
    X, y = _data()
    runs = []
    for _ in range(2):
        net = NeuralNetwork([Input("x", 2), Dense("h", 6), Dense("out", 1)], seed=5)
        net.fit(X, y, epochs=3, print_every=0, validation_split=0.3, batch_size=16)
        runs.append(net.history)
    assert runs[0] == runs[1]


def test_regression_history_has_r2():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 60))
    Y = np.vstack([X[0] - X[1], 2 * X[2]])              # two outputs
    net = NeuralNetwork([Input("x", 3), Dense("h", 8, "tanh"), Dense("out", 2, "identity")],
                        loss_fn="mse", optimizer="adam", lr=0.01)
    net.fit(X, Y, epochs=3, print_every=0, validation_split=0.2)
    assert set(net.history) == {"epoch", "loss", "r2", "val_loss", "val_r2"}


def test_both_validation_options_is_an_error():
    X, y = _data()
    net = NeuralNetwork([Input("x", 2), Dense("out", 1)])
    with pytest.raises(ValueError, match="not both"):
        net.fit(X, y, epochs=1, validation_split=0.2, validation_data=(X, y))
    with pytest.raises(ValueError, match="pair"):
        net.fit(X, y, epochs=1, validation_data=X)
    with pytest.raises(ValueError, match="shape"):
        net.fit(X, y, epochs=1, validation_data=(X.T, y))


def test_history_stays_aligned_across_fits():
    X, y = _data()
    net = NeuralNetwork([Input("x", 2), Dense("out", 1)])
    net.fit(X, y, epochs=3, print_every=1, verbose=False)
    net.fit(X, y, epochs=2, print_every=0, validation_split=0.2)
    h = net.history
    assert all(len(v) == 5 for v in h.values())
    assert h["val_loss"][:3] == [None, None, None]


def test_no_figures_computed_when_nothing_needs_them():
    X, y = _data()
    net = NeuralNetwork([Input("x", 2), Dense("out", 1)])
    calls = []
    original = net.cost_of_last_forward
    net.cost_of_last_forward = lambda *a, **k: calls.append(1) or original(*a, **k)
    net.fit(X, y, epochs=10, print_every=0, callbacks=[Callback()])
    assert calls == [] and net.history.get("epoch", []) == []
