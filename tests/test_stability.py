"""Extreme values: logits of +-1e4 and beyond, probabilities of exactly 0 and 1,
features scaled by 1e6.  Every test runs with all warnings turned into errors.

Expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lucidnet import Dense, DivergenceError, Input, NeuralNetwork
from lucidnet.activations import ACTIVATIONS, sigmoid
from lucidnet.losses import LOSSES, log_softmax

pytestmark = pytest.mark.filterwarnings("error")

DTYPES = [np.float64, np.float32]
HUGE = [1e4, 1e6, 1e30]


@pytest.fixture(autouse=True)
def _all_warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("big", HUGE)
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_finite_at_extreme_logits(name, big, dtype):
    if dtype == np.float32 and big > 1e30:
        pytest.skip("beyond float32")
    act = ACTIVATIONS[name]
    Z = np.array([[-big, big, 0.0], [big, -big, 1.0]], dtype=dtype)
    A = act.forward(Z)
    Delta = act.backward(Z, A, np.ones_like(Z))
    assert np.isfinite(A).all() and np.isfinite(Delta).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("big", HUGE)
def test_sigmoid_and_softmax_values_at_extreme_logits(big, dtype):
    Z = np.array([[-big, big, 0.0]], dtype=dtype)
    # sigmoid(-big) is 0 up to the smallest normal number, sigmoid(big) is 1,
    # sigmoid(0) = 1/2.
    np.testing.assert_allclose(sigmoid(Z), np.array([[0.0, 1.0, 0.5]], dtype=dtype),
                               rtol=0, atol=float(np.finfo(dtype).tiny))
    S = ACTIVATIONS["softmax"].forward(np.array([[big, -big], [-big, big]], dtype=dtype))
    np.testing.assert_array_equal(S, np.eye(2, dtype=dtype))


@pytest.mark.parametrize("big", HUGE)
def test_log_softmax_at_extreme_logits(big):
    Z = np.array([[big, -big, 0.0], [-big, big, np.log(3.0)]])
    L = log_softmax(Z)
    # column 0: log softmax = [0, -2 big]; column 2: [log(1/4), log(3/4)].
    np.testing.assert_allclose(L[:, 0], [0.0, -2 * big], rtol=1e-15)
    np.testing.assert_allclose(L[:, 2], [np.log(0.25), np.log(0.75)], rtol=1e-15)


def test_softmax_shift_invariance_with_huge_shift():
    Z = np.array([[1.0, -2.0], [3.0, 0.5], [0.0, 0.0]])
    S = ACTIVATIONS["softmax"].forward(Z)
    for shift in (1e4, -1e4, 1e6):
        np.testing.assert_allclose(ACTIVATIONS["softmax"].forward(Z + shift), S, atol=1e-10)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_losses_finite_at_probabilities_0_and_1(name, dtype):
    loss = LOSSES[name]
    A = np.array([[0.0, 1.0, 0.0, 1.0]], dtype=dtype)
    Y = np.array([[0.0, 1.0, 1.0, 0.0]], dtype=dtype)
    assert np.isfinite(loss.loss(Y, A)).all()
    assert np.isfinite(loss.grad(Y, A)).all()
    assert np.isfinite(loss.cost(Y, A))


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_at_exact_probabilities(dtype):
    bce = LOSSES["bce"]
    A = np.array([[0.0, 1.0, 0.0, 1.0]], dtype=dtype)
    Y = np.array([[0.0, 1.0, 1.0, 0.0]], dtype=dtype)
    loss = bce.loss(Y, A)
    # Right answers cost (almost) nothing; wrong ones a large finite amount:
    # a = 0 is clipped to 1e-12, -log(1e-12) = 27.631; a = 1 to 1 - 1e-12 in
    # float64 (27.631 again) but to 1 - 2**-24 in float32, -log(2**-24) = 16.636.
    assert loss[0, 0] < 1e-6 and loss[0, 1] < 1e-6
    upper = 27.631 if dtype == np.float64 else 16.636
    np.testing.assert_allclose(loss[0, 2:], [27.631, upper], rtol=1e-4)


@pytest.mark.parametrize("big", [1e4, 1e8, 1e30])
def test_cross_entropy_cost_from_logits_is_exact(big):
    bce, cce = LOSSES["bce"], LOSSES["cce"]
    # BCE, one output: z = big with y = 1 costs log(1 + e^-big) = 0 (to double precision);
    # z = -big with y = 1 costs big; z = 0 costs log 2.  Mean over 3 examples.
    Z = np.array([[big, -big, 0.0]])
    Y = np.array([[1.0, 1.0, 1.0]])
    np.testing.assert_allclose(bce.cost_from_logits(Y, Z), (big + np.log(2)) / 3, rtol=1e-12)
    # CCE: the right class at +big costs 0; the wrong class at +big costs 2 big;
    # logits (0, log 3) with class 0 cost -log(1/4) = log 4.
    Z = np.array([[big, big, 0.0], [-big, -big, np.log(3.0)]])
    Y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    np.testing.assert_allclose(cce.cost_from_logits(Y, Z), (2 * big + np.log(4)) / 3,
                               rtol=1e-12)


@pytest.mark.parametrize("out_act,loss", [("sigmoid", "bce"), ("softmax", "cce"),
                                          ("identity", "mse"), ("sigmoid", "mse")])
def test_backward_finite_with_extreme_logits(out_act, loss):
    units = 2 if out_act == "softmax" else 1
    net = NeuralNetwork([Input("x", 1), Dense("out", units, out_act)], loss_fn=loss)
    out = net.layers[1]
    out.params["W"][...] = 1.0
    X = np.array([[1e4, -1e4, 1e6]])
    y = np.array([0, 1, 1]) if out_act == "softmax" else np.array([[0.0, 1.0, 1.0]])
    if loss == "mse" and out_act == "identity":
        y = np.array([[0.0, 1.0, 1.0]])
    net.backward(X, y)
    for _, theta, grad in net.parameters():
        assert np.isfinite(grad).all()
    assert np.isfinite(net.loss(X, y))


def _moons(scale):
    from lucidnet.datasets import generate_toy_dataset

    X, y = generate_toy_dataset(200, random_state=3)
    return (X * scale).T, y


def test_data_scaled_by_1e6_trains_the_reference_network_without_warnings():
    # Sigmoid hidden units saturate at this scale: training is poor but finite.
    X, y = _moons(1e6)
    net = NeuralNetwork([Input("x", 2), Dense("h1", 16), Dense("h2", 32), Dense("out", 1)],
                        lr=1.0)
    costs = net.fit(X, y, epochs=60, print_every=20, verbose=False)
    assert all(np.isfinite(costs))
    assert all(np.isfinite(theta).all() for _, theta, _ in net.parameters())
    assert 0.5 <= net.score(X, y) <= 1.0


@pytest.mark.parametrize("optimizer,lr,batch_size", [("sgd", 1.0, None), ("adam", 0.01, 32)])
def test_data_scaled_by_1e6_relu_network_gives_a_clear_outcome(optimizer, lr, batch_size):
    # ReLU units pass the scale through; plain descent overflows.  Either training
    # ends with finite weights, or it stops with a DivergenceError that says to
    # standardize; never a NaN and never a warning.
    X, y = _moons(1e6)
    net = NeuralNetwork([Input("x", 2), Dense("h", 16, "relu"), Dense("out", 1)],
                        lr=lr, optimizer=optimizer)
    try:
        costs = net.fit(X, y, epochs=40, print_every=10, verbose=False, batch_size=batch_size)
        assert all(np.isfinite(costs))
    except DivergenceError as exc:
        assert "standardize the features" in str(exc)
    assert all(np.isfinite(theta).all() for _, theta, _ in net.parameters())
