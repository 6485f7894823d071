"""Initializers: bounds and variance, reproducibility, the default per activation.

Statistical checks draw a large matrix from a seeded Generator and compare its
sample variance with the published one, with a generous tolerance (5 %: with
60,000 draws the sample variance's relative standard error is about 0.4 % for
a uniform and 0.6 % for a normal, so the test is not flaky, while a wrong fan
or a missing factor 2 is far outside it).
"""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import Dense, Dropout, Input, NeuralNetwork
from lucidnet.activations import ACTIVATIONS
from lucidnet.initializers import INITIALIZERS, default_initializer, get_initializer

D_OUT, D_IN = 200, 300  # fan_out, fan_in

# name: (distribution, variance as a function of (fan_in, fan_out)), from the papers:
# Glorot & Bengio 2010, He et al. 2015, LeCun et al. 1998 (Efficient BackProp).
# A uniform U(-r, r) has variance r**2 / 3.
EXPECTED = {
    "glorot_uniform": ("uniform", lambda fi, fo: 2.0 / (fi + fo)),   # r = sqrt(6/(fi+fo))
    "glorot_normal": ("normal", lambda fi, fo: 2.0 / (fi + fo)),
    "he_uniform": ("uniform", lambda fi, fo: 2.0 / fi),              # r = sqrt(6/fi)
    "he_normal": ("normal", lambda fi, fo: 2.0 / fi),
    "lecun_uniform": ("uniform", lambda fi, fo: 1.0 / fi),           # r = sqrt(3/fi)
    "lecun_normal": ("normal", lambda fi, fo: 1.0 / fi),
}


def test_every_registered_initializer_has_expected_statistics():
    missing = sorted(set(INITIALIZERS) - set(EXPECTED))
    assert not missing, f"add the distribution and variance of {missing} to EXPECTED"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bounds_and_variance(name):
    kind, variance = EXPECTED[name]
    var = variance(D_IN, D_OUT)
    W = INITIALIZERS[name](np.random.default_rng(2024), D_OUT, D_IN)
    assert W.shape == (D_OUT, D_IN) and W.dtype == np.float64
    assert abs(W.mean()) < 0.05 * np.sqrt(var)
    assert W.var() == pytest.approx(var, rel=0.05)
    if kind == "uniform":
        r = np.sqrt(3.0 * var)
        assert np.abs(W).max() <= r
        assert np.abs(W).max() > 0.99 * r           # and it does reach out to the bound
    else:
        # a normal has tails: about 4.6 % beyond 2 sigma (a uniform has none past 1.73)
        assert 0.03 < np.mean(np.abs(W) > 2 * np.sqrt(var)) < 0.065


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_same_seed_same_bits_and_dtype(name, dtype):
    init = INITIALIZERS[name]
    W1 = init(np.random.default_rng(5), 7, 3, dtype)
    W2 = init(np.random.default_rng(5), 7, 3, dtype)
    assert W1.dtype == dtype and W1.shape == (7, 3)
    assert W1.tobytes() == W2.tobytes()
    assert not np.array_equal(W1, init(np.random.default_rng(6), 7, 3, dtype))


def test_glorot_uniform_is_the_texts_initializer():
    """r = sqrt(6 / (d_in + d_out)): for 2 -> 16, r = sqrt(6/18) = 0.5773502691896258."""
    W = INITIALIZERS["glorot_uniform"](np.random.default_rng(0), 16, 2)
    assert np.abs(W).max() <= 0.5773502691896258


def _weights(net):
    return [theta.tobytes() for _, theta, _ in net.parameters()]


def _net(seed=None, rng=None, dtype="float64", hidden="sigmoid"):
    kw = {"rng": rng} if rng is not None else {"seed": seed}
    return NeuralNetwork([Input("x", 2), Dense("h1", 16, activation=hidden), Dropout("d", 0.2),
                          Dense("h2", 32, activation=hidden), Dense("out", 1)],
                         dtype=dtype, **kw)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_same_seed_gives_bit_identical_networks(dtype):
    assert _weights(_net(3, dtype=dtype)) == _weights(_net(3, dtype=dtype))
    assert _weights(_net(3, dtype=dtype)) != _weights(_net(4, dtype=dtype))
    # a Generator passed in gives the same bits as the seed it was made from
    assert _weights(_net(rng=np.random.default_rng(3), dtype=dtype)) == \
        _weights(_net(3, dtype=dtype))


def test_default_seed_is_zero():
    net = NeuralNetwork([Input("x", 2), Dense("h", 4), Dense("out", 1)])
    assert net.seed == 0
    assert _weights(net) == _weights(NeuralNetwork([Input("x", 2), Dense("h", 4),
                                                    Dense("out", 1)], seed=0))


def test_network_draws_layers_in_order_from_its_generator():
    """Layer by layer, each W is the next draw of the network's Generator; b starts at 0."""
    net = _net(7)
    rng = np.random.default_rng(7)
    expected = [INITIALIZERS["glorot_uniform"](rng, 16, 2),
                INITIALIZERS["glorot_uniform"](rng, 32, 16),
                INITIALIZERS["glorot_uniform"](rng, 1, 32)]
    dense = [layer for layer in net.layers if isinstance(layer, Dense)]
    for layer, W in zip(dense, expected):
        np.testing.assert_array_equal(layer.params["W"], W)
        np.testing.assert_array_equal(layer.params["b"], np.zeros((layer.units, 1)))


def test_weights_do_not_touch_numpy_global_state():
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    _net(0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_default_initializer_follows_activation(activation):
    layer = Dense("h", 3, activation=activation)
    assert layer.initializer == default_initializer(activation)
    assert layer.initializer in INITIALIZERS


@pytest.mark.parametrize("activation, initializer", [
    ("sigmoid", "glorot_uniform"),     # the text's
    ("tanh", "glorot_uniform"),
    ("softmax", "glorot_uniform"),
    ("identity", "glorot_uniform"),
    ("relu", "he_uniform"),            # the rectifiers halve the variance: He
    ("leaky_relu", "he_uniform"),
    ("elu", "lecun_normal"),
])
def test_default_initializer_choices(activation, initializer):
    assert default_initializer(activation) == initializer


def test_named_initializer_overrides_default_and_unknown_is_refused():
    assert Dense("h", 3, activation="relu", initializer="glorot_normal").initializer == \
        "glorot_normal"
    with pytest.raises(ValueError, match="unknown initializer 'zeros'"):
        Dense("h", 3, initializer="zeros")
    with pytest.raises(ValueError, match="he_normal"):
        get_initializer("orthogonal")


def test_he_layer_variance_in_a_network():
    """A ReLU layer of a network really gets He's variance 2 / fan_in."""
    net = NeuralNetwork([Input("x", 400), Dense("h", 300, activation="relu"), Dense("out", 1)],
                        seed=1)
    assert net.layers[1].params["W"].var() == pytest.approx(2.0 / 400, rel=0.05)
