"""Every registered loss against float64 central differences.

Parametrized over ``LOSSES`` x ``ACTIVATIONS`` at collection time:

- ``grad(Y, A)`` is ``d loss / dA`` element-wise (the 1/N comes later, in dW);
- chained with every output activation the loss accepts, the error signal
  ``Delta[L] = sigma_backward(Z, A, grad(Y, A))`` is ``d(N J)/dZ[L]``;
- for the canonical pairs the fused ``Delta[L] = A - Y`` is the derivative of
  ``N * cost_from_logits(Y, Z)``, and that cost equals ``cost(Y, sigma(Z))``.

Which output activations a loss accepts, and targets that suit it, are read
from the registries in ``registry_pairs.py``: the cross-entropies take the log
of the output, so they get the outputs in (0, 1) (sigmoid and softmax, also the
non-canonical bce + softmax and cce + sigmoid); a loss defined for any real
output is paired with every activation (mse + sigmoid, mse + tanh, huber +
relu, ...).
"""

from __future__ import annotations

import numpy as np
import pytest

from registry_pairs import CANONICAL, PAIRS, make_targets

from lucidnet.activations import ACTIVATIONS
from lucidnet.losses import LOSSES, Huber, bce_cost, bce_loss, get_loss

EPS = 1e-6


def logits(rng, shape):
    """Moderate logits away from 0 (ReLU/ELU kinks) so central differences are meaningful."""
    magnitude = rng.uniform(0.05, 2.5, size=shape)
    return np.where(rng.random(shape) < 0.5, -magnitude, magnitude)


def central_difference(f, X, eps=EPS):
    numeric = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        Xp, Xm = X.copy(), X.copy()
        Xp[idx] += eps
        Xm[idx] -= eps
        numeric[idx] = (f(Xp) - f(Xm)) / (2 * eps)
    return numeric


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
def test_grad_is_derivative_of_loss(loss_name):
    loss = LOSSES[loss_name]
    rng = np.random.default_rng(1)
    A = rng.uniform(0.05, 0.95, size=(3, 5))       # inside every loss's domain
    Y = make_targets(loss_name, A.shape, rng)
    numeric = central_difference(lambda A_: loss.loss(Y, A_).sum(), A)
    np.testing.assert_allclose(loss.grad(Y, A), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("delta", [0.3, 2.5])
def test_huber_with_other_deltas(delta):
    """The registry holds delta = 1; residuals spread over both sides of other deltas."""
    loss = Huber(delta)
    A = np.linspace(-3.0, 3.0, 12).reshape(3, 4) + 0.01
    Y = np.zeros_like(A)
    numeric = central_difference(lambda A_: loss.loss(Y, A_).sum(), A)
    np.testing.assert_allclose(loss.grad(Y, A), numeric, rtol=1e-6, atol=1e-9)
    # residual 3: the linear part, delta (|r| - delta / 2)
    assert loss.loss(np.array([[0.0]]), np.array([[3.0]]))[0, 0] == \
        pytest.approx(delta * (3.0 - delta / 2) if delta < 3.0 else 4.5)


@pytest.mark.parametrize("loss_name, act_name", PAIRS)
def test_output_error_signal_matches_central_differences(loss_name, act_name):
    """``Delta[L] = sigma'(Z) applied to dloss/dA`` equals ``d(N J)/dZ``, for any pairing."""
    loss, act = LOSSES[loss_name], ACTIVATIONS[act_name]
    rng = np.random.default_rng(2)
    Z = logits(rng, (3, 4))                           # (dL, N)
    Y = make_targets(loss_name, Z.shape, rng)
    N = Z.shape[1]
    A = act.forward(Z)
    Delta = act.backward(Z, A, loss.grad(Y, A))
    numeric = central_difference(lambda Z_: N * loss.cost(Y, act.forward(Z_)), Z)
    np.testing.assert_allclose(Delta, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("loss_name", CANONICAL)
def test_fused_delta_is_derivative_of_cost_from_logits(loss_name):
    """The canonical pair's ``Delta[L] = A - Y`` is ``d(N * cost_from_logits)/dZ``."""
    loss = LOSSES[loss_name]
    act = ACTIVATIONS[loss.canonical]
    rng = np.random.default_rng(3)
    Z = logits(rng, (3, 5))
    Y = make_targets(loss_name, Z.shape, rng)
    N = Z.shape[1]
    numeric = central_difference(lambda Z_: N * loss.cost_from_logits(Y, Z_), Z)
    np.testing.assert_allclose(act.forward(Z) - Y, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("loss_name", CANONICAL)
def test_cost_from_logits_equals_cost_of_outputs(loss_name):
    loss = LOSSES[loss_name]
    act = ACTIVATIONS[loss.canonical]
    rng = np.random.default_rng(4)
    Z = logits(rng, (3, 6))
    Y = make_targets(loss_name, Z.shape, rng)
    assert loss.cost_from_logits(Y, Z) == pytest.approx(loss.cost(Y, act.forward(Z)), rel=1e-12)


@pytest.mark.parametrize("loss_name", CANONICAL)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cost_from_logits_finite_for_large_logits(loss_name, dtype):
    """Where a clipped log would saturate, the cost from the logits stays exact and finite."""
    loss = LOSSES[loss_name]
    Z = np.array([[-800.0, 60.0, 0.5], [800.0, -60.0, -0.5]], dtype=dtype)
    Y = make_targets(loss_name, Z.shape, np.random.default_rng(5)).astype(dtype)
    J = loss.cost_from_logits(Y, Z)
    assert np.isfinite(J) and J >= 0


def test_cost_from_logits_is_exact_where_clipping_is_not():
    """bce from the logit z = -40 with target 1 is softplus(40) - 0 = 40 + log1p(e^-40)
    (~40), while the clipped log of the sigmoid would stop near -log(1e-12) = 27.6."""
    bce = LOSSES["bce"]
    assert bce.cost_from_logits(np.array([[1.0]]), np.array([[-40.0]])) == pytest.approx(40.0)
    cce = LOSSES["cce"]
    # logits (0, -50), target class 1: logsumexp(0, -50) - (-50) = 50 + log1p(e^-50)
    Y = np.array([[0.0], [1.0]])
    assert cce.cost_from_logits(Y, np.array([[0.0], [-50.0]])) == pytest.approx(50.0)


def test_cost_convention_literals():
    """Mean over examples, sum over output units; squared error carries 1/2 (worked by hand)."""
    A = np.array([[0.0, 0.0], [1.0, 3.0]])      # (2 units, 2 examples)
    Y = np.array([[1.0, 2.0], [1.0, 1.0]])
    # mse: (1/2)[(1 + 4) + (0 + 4)] / 2 = 9/4
    assert LOSSES["mse"].cost(Y, A) == 2.25
    # mae: [(1 + 2) + (0 + 2)] / 2 = 5/2
    assert LOSSES["mae"].cost(Y, A) == 2.5
    # huber, delta 1: residuals 1, 2, 0, 2 -> 1/2, 1*(2 - 1/2), 0, 3/2; sum 7/2, / 2 = 7/4
    assert LOSSES["huber"].cost(Y, A) == 1.75
    # bce on two examples, one unit: -(log 0.9 + log(1 - 0.2)) / 2
    #   = (0.105360515657826277 + 0.223143551314209700) / 2 = 0.164252033486017988
    assert LOSSES["bce"].cost(np.array([[1.0, 0.0]]), np.array([[0.9, 0.2]])) == \
        pytest.approx(0.164252033486017988, rel=1e-14)
    # cce, one example with probabilities (0.2, 0.8) and class 1: -log 0.8
    assert LOSSES["cce"].cost(np.array([[0.0], [1.0]]), np.array([[0.2], [0.8]])) == \
        pytest.approx(0.223143551314209700, rel=1e-14)


def test_notebook_bce_functions():
    # bce_loss(1, 0.5) = log 2; probability 0 is clipped to 1e-12: -log(1e-12) = 27.6310211159...
    np.testing.assert_allclose(bce_loss(np.array([1.0, 1.0]), np.array([0.5, 0.0])),
                               [0.693147180559945309, 27.6310211159285482], rtol=1e-12)
    assert bce_cost(np.array([1, 0]), np.array([0.9, 0.2])) == \
        pytest.approx(0.164252033486017988, rel=1e-14)
    assert bce_cost(np.array([1, 0]), np.array([0.9, 0.2]), agg=np.sum) == \
        pytest.approx(0.328504066972035977, rel=1e-14)
    assert isinstance(bce_cost(np.array([1]), np.array([0.5])), float)


def test_get_loss_names_aliases_and_errors():
    assert get_loss(bce_cost) is LOSSES["bce"]
    assert get_loss("binary_crossentropy") is LOSSES["bce"]
    assert get_loss("cross_entropy") is LOSSES["cce"]
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        get_loss("hinge")
    with pytest.raises(ValueError, match="unknown loss"):
        get_loss(lambda y, p: 0.0)


def test_loss_parameters_survive_save_and_load(tmp_path):
    import lucidnet

    net = lucidnet.NeuralNetwork([lucidnet.Input("x", 2),
                                  lucidnet.Dense("out", 1, activation="identity")],
                                 loss_fn=Huber(0.25), seed=0)
    net.save(tmp_path / "m.npz")
    loaded = lucidnet.load(tmp_path / "m.npz")
    assert loaded.loss_obj.delta == 0.25
    X, y = np.array([[1.0, -2.0, 3.0], [0.5, 0.5, -1.0]]), np.array([2.0, -1.0, 0.3])
    assert loaded.loss(X, y) == net.loss(X, y)


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
def test_float32_in_float32_out(loss_name):
    """No silent upcast: a float32 network's loss and error signal stay float32."""
    loss = LOSSES[loss_name]
    rng = np.random.default_rng(6)
    A = rng.uniform(0.05, 0.95, size=(3, 4)).astype(np.float32)
    Y = make_targets(loss_name, A.shape, rng).astype(np.float32)
    assert loss.loss(Y, A).dtype == np.float32
    assert loss.grad(Y, A).dtype == np.float32


def test_poisson_literals_and_sample_weights():
    """Half Poisson deviance y log(y/a) - y + a, worked by hand:
    y=2, a=1: 2 log 2 - 1 = 0.386294361119890618; y=0, a=0.5: 0.5."""
    Y, A = np.array([[2.0, 0.0]]), np.array([[1.0, 0.5]])
    assert LOSSES["poisson"].cost(Y, A) == pytest.approx(0.443147180559945309, rel=1e-14)
    # weights (3, 1): (3 * 0.386294361119890618 + 0.5) / 4 = 0.414720770839917964
    assert LOSSES["poisson"].cost(Y, A, np.array([3.0, 1.0])) == \
        pytest.approx(0.414720770839917964, rel=1e-14)
    assert LOSSES["poisson"].cost_from_logits(Y, np.log(A), np.array([3.0, 1.0])) == \
        pytest.approx(0.414720770839917964, rel=1e-14)
