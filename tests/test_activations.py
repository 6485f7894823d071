"""Every registered activation against float64 central differences.

Parametrized over ``ACTIVATIONS`` at collection time, so a new registry entry
is checked without anyone writing a new test.  The backward pass of any
activation, element-wise or not (softmax), is the vector-Jacobian product

    Delta[k, n] = sum_j dA[j, n] * dA[j, n]/dZ[k, n]  =  d/dZ[k, n] sum(dA * sigma(Z))

so one numerical recipe checks them all: the central difference of the
scalar ``sum(dA * sigma(Z))`` with respect to each entry of ``Z``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lucidnet
from lucidnet.activations import (ACTIVATIONS, ELU, LeakyReLU, get_activation,
                                  register_activation, sigmoid)

NAMES = sorted(ACTIVATIONS)
EPS = 1e-6


def _is_elementwise(act) -> bool:
    """An element-wise activation defines ``derivative``; softmax refuses it with TypeError."""
    Z = np.array([[0.3], [-0.2]])
    try:
        act.derivative(Z, act.forward(Z))
    except TypeError:
        return False
    return True


ELEMENTWISE = [name for name in NAMES if _is_elementwise(ACTIVATIONS[name])]


def _away_from_kinks(rng, shape, low=0.05, high=3.0):
    """Entries in [-high, -low] U [low, high]: piecewise activations (ReLU, ELU)
    have a kink at 0 where a central difference means nothing."""
    magnitude = rng.uniform(low, high, size=shape)
    return np.where(rng.random(shape) < 0.5, -magnitude, magnitude)


def _numeric_vjp(act, Z, dA, eps=EPS):
    """Central difference of ``sum(dA * sigma(Z))`` w.r.t. every entry of ``Z``."""
    numeric = np.zeros_like(Z)
    for idx in np.ndindex(Z.shape):
        Zp, Zm = Z.copy(), Z.copy()
        Zp[idx] += eps
        Zm[idx] -= eps
        numeric[idx] = ((dA * act.forward(Zp)).sum() - (dA * act.forward(Zm)).sum()) / (2 * eps)
    return numeric


@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_central_differences(name):
    act = ACTIVATIONS[name]
    rng = np.random.default_rng(7)
    Z = _away_from_kinks(rng, (4, 6))          # (d_l, N)
    dA = rng.normal(size=Z.shape)               # gradient arriving from above
    A = act.forward(Z)
    Delta = act.backward(Z, A, dA)
    assert Delta.shape == Z.shape
    np.testing.assert_allclose(Delta, _numeric_vjp(act, Z, dA), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("act", [LeakyReLU(0.2), LeakyReLU(1.5), ELU(0.5), ELU(2.0)],
                         ids=lambda a: f"{a.name}({a.alpha})")
def test_non_default_parameters(act):
    """The registry holds the defaults; instances with other parameters are checked here."""
    rng = np.random.default_rng(10)
    Z = _away_from_kinks(rng, (3, 5))
    dA = rng.normal(size=Z.shape)
    Delta = act.backward(Z, act.forward(Z), dA)
    np.testing.assert_allclose(Delta, _numeric_vjp(act, Z, dA), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_differences(name):
    """``sigma'(Z)`` itself, for the element-wise activations; and the default
    ``backward = dA * sigma'`` agrees with any faster override (ReLU, identity)."""
    act = ACTIVATIONS[name]
    rng = np.random.default_rng(8)
    Z = _away_from_kinks(rng, (3, 5))
    A = act.forward(Z)
    numeric = (act.forward(Z + EPS) - act.forward(Z - EPS)) / (2 * EPS)
    np.testing.assert_allclose(act.derivative(Z, A), numeric, rtol=1e-6, atol=1e-9)
    dA = rng.normal(size=Z.shape)
    np.testing.assert_allclose(act.backward(Z, A, dA), dA * act.derivative(Z, A),
                               rtol=1e-12, atol=0)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_inputs_stay_finite_without_warnings(name, dtype):
    """Large finite pre-activations: no overflow warning (pytest makes it an
    error), finite outputs and error signals, and the input's dtype is kept."""
    act = ACTIVATIONS[name]
    Z = np.array([[-1e4, -800.0, -90.0, 0.0],
                  [90.0, 800.0, 1e4, -1e-300]], dtype=dtype)  # (2, 4): one softmax column each
    A = act.forward(Z)
    Delta = act.backward(Z, A, np.ones_like(Z))
    assert A.dtype == dtype and Delta.dtype == dtype
    assert np.isfinite(A).all() and np.isfinite(Delta).all()


@pytest.mark.parametrize("name", NAMES)
def test_float32_forward_agrees_with_float64(name):
    act = ACTIVATIONS[name]
    Z = _away_from_kinks(np.random.default_rng(9), (3, 4))
    np.testing.assert_allclose(act.forward(Z.astype(np.float32)), act.forward(Z),
                               rtol=1e-5, atol=1e-6)


def test_known_values():
    """A few values worked out by hand (e.g. sigmoid(0) = 1/2, softplus(0) = log 2)."""
    Z = np.array([[0.0, 1.0, -2.0]])
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].forward(Z),
                               [[0.5, 0.7310585786300049, 0.11920292202211755]], rtol=1e-14)
    np.testing.assert_allclose(ACTIVATIONS["relu"].forward(Z), [[0.0, 1.0, 0.0]])
    np.testing.assert_allclose(ACTIVATIONS["leaky_relu"].forward(Z), [[0.0, 1.0, -0.02]])
    np.testing.assert_allclose(ACTIVATIONS["elu"].forward(Z),
                               [[0.0, 1.0, -0.8646647167633873]], rtol=1e-14)
    np.testing.assert_allclose(ACTIVATIONS["softplus"].forward(Z),
                               [[0.6931471805599453, 1.3132616875182228, 0.1269280110429725]],
                               rtol=1e-14)
    np.testing.assert_allclose(ACTIVATIONS["tanh"].forward(Z),
                               [[0.0, 0.7615941559557649, -0.9640275800758169]], rtol=1e-14)
    # softmax of the column (0, log 3): e^0 / (1 + 3), 3 / (1 + 3)
    np.testing.assert_allclose(ACTIVATIONS["softmax"].forward(np.array([[0.0], [np.log(3.0)]])),
                               [[0.25], [0.75]], rtol=1e-14)


def test_sigmoid_never_warns_and_saturates_exactly():
    Z = np.array([-1e308, -745.0, -709.0, 709.0, 1e308])
    A = sigmoid(Z)
    assert np.isfinite(A).all()
    assert A[-1] == 1.0 and 0.0 <= A[0] < 1e-300


def test_softmax_columns_sum_to_one_and_ignore_a_shift():
    softmax = ACTIVATIONS["softmax"]
    Z = np.random.default_rng(3).normal(scale=5.0, size=(5, 8))
    A = softmax.forward(Z)
    np.testing.assert_allclose(A.sum(axis=0), 1.0, rtol=1e-14)
    np.testing.assert_allclose(softmax.forward(Z + 123.0), A, rtol=1e-12)


def test_get_activation_unknown_name_lists_known_ones():
    with pytest.raises(ValueError, match="unknown activation 'swoosh'.*sigmoid"):
        get_activation("swoosh")


# ------------------------------------------------------------ user activations
@pytest.fixture
def registry_cleanup():
    """Remove whatever a test registered, so the registry is the same afterwards."""
    before = dict(ACTIVATIONS)
    yield
    for name in set(ACTIVATIONS) - set(before):
        del ACTIVATIONS[name]
    assert ACTIVATIONS == before


def _swish(z):
    return z * sigmoid(np.asarray(z, dtype=float))


def _swish_derivative(z):
    s = sigmoid(np.asarray(z, dtype=float))
    return s + z * s * (1.0 - s)


def test_register_activation_refuses_a_wrong_derivative(registry_cleanup):
    def wrong(z):  # drops the z * s * (1 - s) term
        return sigmoid(np.asarray(z, dtype=float))

    with pytest.raises(ValueError, match="derivative of activation 'swish_wrong' fails"):
        register_activation("swish_wrong", _swish, wrong)
    assert "swish_wrong" not in ACTIVATIONS


def test_register_activation_refuses_a_slightly_scaled_derivative(registry_cleanup):
    with pytest.raises(ValueError, match="central difference"):
        register_activation("tanh_scaled", np.tanh, lambda z: 1.01 * (1.0 - np.tanh(z) ** 2))
    assert "tanh_scaled" not in ACTIVATIONS


def test_register_activation_accepts_a_right_one_and_trains_with_it(registry_cleanup):
    act = register_activation("swish_test", _swish, _swish_derivative)
    assert ACTIVATIONS["swish_test"] is act
    assert get_activation("swish_test") is act
    net = lucidnet.NeuralNetwork([lucidnet.Input("x", 2),
                                  lucidnet.Dense("h", 4, activation="swish_test"),
                                  lucidnet.Dense("out", 1)], seed=1)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(2, 6)), (rng.random(6) < 0.5).astype(float)
    for param in ("W", "b"):
        assert net.grad_check(X, y, 1, param=param).passed


def test_register_activation_refuses_builtin_and_duplicate_names(registry_cleanup):
    with pytest.raises(ValueError, match="already registered"):
        register_activation("relu", _swish, _swish_derivative)
    register_activation("swish_dup", _swish, _swish_derivative)
    with pytest.raises(ValueError, match="already registered"):
        register_activation("swish_dup", _swish, _swish_derivative)
    register_activation("swish_dup", _swish, _swish_derivative, overwrite=True)
    with pytest.raises(ValueError, match="identifier"):
        register_activation("not a name", _swish, _swish_derivative)


@pytest.mark.parametrize("act", [LeakyReLU(0.3), ELU(0.4)], ids=lambda a: a.name)
def test_activation_parameters_survive_save_and_load(act, tmp_path):
    """A model file stores alpha, so the loaded network predicts identically."""
    net = lucidnet.NeuralNetwork([lucidnet.Input("x", 2),
                                  lucidnet.Dense("h", 4, activation=act),
                                  lucidnet.Dense("out", 1, activation="identity")],
                                 loss_fn="mse", seed=2)
    net.save(tmp_path / "m.npz")
    loaded = lucidnet.load(tmp_path / "m.npz")
    assert loaded.layers[1].activation.alpha == act.alpha
    X = np.random.default_rng(3).normal(size=(2, 9)) * 3.0     # many negative Z
    np.testing.assert_array_equal(loaded.forward(X), net.forward(X))


# ------------------------------------------------------------ property tests
# Any finite logits up to 1e300 in size (a column's spread then stays below the
# float64 maximum, so even ``Z - max(Z)`` is representable).
finite_logits = arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5)),
                       elements=st.floats(-1e300, 1e300, allow_nan=False))


@pytest.mark.parametrize("name", NAMES)
@given(Z=finite_logits)
def test_any_finite_logits_give_finite_outputs_without_warnings(name, Z):
    act = ACTIVATIONS[name]
    A = act.forward(Z)
    Delta = act.backward(Z, A, np.ones_like(Z))
    assert A.shape == Z.shape and Delta.shape == Z.shape
    assert np.isfinite(A).all() and np.isfinite(Delta).all()


@given(Z=finite_logits)
def test_sigmoid_in_unit_interval_and_monotone(Z):
    A = sigmoid(Z)
    assert ((0.0 <= A) & (A <= 1.0)).all()
    order = np.argsort(Z, axis=None, kind="stable")
    assert (np.diff(A.ravel()[order]) >= 0).all()


@given(Z=arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 4)),
                elements=st.floats(-500, 500)),
       shift=st.floats(-100, 100))
def test_softmax_columns_are_distributions_invariant_to_a_shift(Z, shift):
    softmax = ACTIVATIONS["softmax"]
    A = softmax.forward(Z)
    assert ((A >= 0) & (A <= 1)).all()
    np.testing.assert_allclose(A.sum(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(softmax.forward(Z + shift), A, rtol=1e-9, atol=1e-12)
