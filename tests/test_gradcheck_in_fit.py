"""The periodic gradient check of ``fit(grad_check_every=k)``.

A float32 network is checked on ONE float64 copy per run, made at the first
check and refreshed (``np.copyto``) at each later one.  These tests hold it to
what a fresh ``astype("float64")`` copy at every check gives, and check that
checking never changes the training's bits.
"""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import Dense, Dropout, Input, NeuralNetwork, gradcheck
from lucidnet import gradcheck_network
from lucidnet.gradcheck import periodic as gradcheck_periodic


def _net(dtype, dropout=False, l2=0.0, seed=5):
    layers = [Input("x", 2), Dense("h1", 6, activation="tanh")]
    if dropout:
        layers.append(Dropout("drop", 0.25))
    layers += [Dense("h2", 4), Dense("out", 1)]
    return NeuralNetwork(layers, loss_fn="bce", lr=0.5, seed=seed, dtype=dtype, l2=l2)


def _data(N=40, seed=6):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, N))
    y = (X[0] * X[1] > 0).astype(float)
    return X, y


def _fresh_copy_every_check(self):
    """What the check did before the cache: a new float64 network every time."""
    return self.net if self.net.dtype == np.float64 else self.net.astype("float64")


def _reports(net):
    return [(epoch, [r.as_dict() for r in reports]) for epoch, reports in net.grad_checks]


@pytest.mark.parametrize("dropout, l2", [(False, 0.0), (True, 0.3)])
def test_cached_float64_copy_reports_what_a_fresh_copy_reports(monkeypatch, dropout, l2):
    X, y = _data()
    cached = _net("float32", dropout, l2)
    cached.fit(X, y, epochs=13, print_every=0, grad_check_every=4)
    with monkeypatch.context() as m:
        m.setattr(gradcheck_network.Float64Copy, "__call__", _fresh_copy_every_check)
        fresh = _net("float32", dropout, l2)
        fresh.fit(X, y, epochs=13, print_every=0, grad_check_every=4)
    assert [epoch for epoch, _ in cached.grad_checks] == [0, 4, 8, 12]
    assert _reports(cached) == _reports(fresh)          # every float, exactly
    # the parameters moved between checks, so a stale copy would have shown
    first, last = cached.grad_checks[0][1], cached.grad_checks[-1][1]
    assert all(a.analytic != b.analytic for a, b in zip(first, last))
    assert all(r.passed for _, reports in cached.grad_checks for r in reports)


def test_one_float64_copy_per_run(monkeypatch):
    X, y = _data()
    net = _net("float32")
    made = []
    astype = NeuralNetwork.astype

    def counting_astype(self, dtype):
        made.append(dtype)
        return astype(self, dtype)

    monkeypatch.setattr(NeuralNetwork, "astype", counting_astype)
    net.fit(X, y, epochs=10, print_every=0, grad_check_every=3)
    assert len(net.grad_checks) == 4 and made == ["float64"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("dropout, batch_size", [(False, None), (True, 16)])
def test_checking_never_changes_the_training_bits(dtype, dropout, batch_size):
    X, y = _data()
    plain, checked = _net(dtype, dropout), _net(dtype, dropout)
    costs = plain.fit(X, y, epochs=12, print_every=2, batch_size=batch_size)
    costs_checked = checked.fit(X, y, epochs=12, print_every=2, batch_size=batch_size,
                                grad_check_every=5)
    assert len(checked.grad_checks) == 3
    assert costs_checked == costs
    for (_, a, _), (_, b, _) in zip(plain.parameters(), checked.parameters()):
        assert a.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(a, b)
    # the training's random stream is where it would be without checks
    assert plain.rng.random() == checked.rng.random()


def test_directional_check_from_the_perturbed_layer_up_equals_the_whole_pass():
    """J recomputed from the perturbed layer up gives the numbers of a whole forward pass."""
    X, y = _data(N=25)
    net = _net("float64", dropout=True, l2=0.2)
    Xc = net.check_inputs(X)
    Y = net.check_targets(y, Xc.shape[1])
    targets = [(i, p) for i, layer in enumerate(net.layers) for p in layer.params]
    fast = gradcheck_network.run_checks(net, Xc, Y, targets, rng=np.random.default_rng(9))

    rng = np.random.default_rng(9)
    dropout = net.layers[2]
    dropout.rng = rng
    net.backward_checked(Xc, Y)                                  # the same masks, the same gradients
    dropout.fixed_mask = True

    def objective():
        net.forward_checked(Xc, training=True)
        return net.cost_of_last_forward(Y)

    for report, (idx, param) in zip(fast, targets):
        layer = net.layers[idx]
        slow = gradcheck.check_direction(objective, layer.params[param],
                                         layer.grads[param].copy(), rng, layer_idx=idx,
                                         layer_name=layer.name, param=param)
        assert report.as_dict() == slow.as_dict()
    dropout.fixed_mask = False


def test_the_periodic_check_uses_at_most_256_evenly_spaced_examples():
    from lucidnet.activations import Activation, sigmoid

    X, y = _data(N=1000)
    net = _net("float64")
    check = gradcheck_periodic.PeriodicCheck(net, net.check_inputs(X), net.check_targets(y, 1000))
    assert check.X.shape == (2, 256) and check.Y.shape == (1, 256)
    np.testing.assert_array_equal(check.X[:, 0], X[:, 0])      # the first and last examples
    np.testing.assert_array_equal(check.X[:, -1], X[:, -1])
    np.testing.assert_array_equal(check.X[:, 1], X[:, 4])      # 999 / 255 = 3.92 -> 4
    small = gradcheck_periodic.PeriodicCheck(net, net.check_inputs(X[:, :40]),
                                            net.check_targets(y[:40], 40))
    assert small.X.shape == (2, 40)                            # all of them

    class WrongSigmoid(Activation):
        name = "sigmoid"

        def forward(self, Z, out=None):
            return sigmoid(Z, out=out)

        def derivative(self, Z, A):
            return A  # forgot the factor (1 - A)

    broken = _net("float64")
    broken.layers[2].activation = WrongSigmoid()  # h2 (sigmoid)
    with pytest.raises(AssertionError, match="at epoch 0"):
        broken.fit(X, y, epochs=1, print_every=0, grad_check_every=1)
