"""The periodic gradient check of ``fit`` and the CLI (lucidnet.gradcheck.periodic).

No false alarm on correct backprop for any activation x loss x optimizer of the
registries, nor at kinks (ReLU's 0, MAE's 0, Huber's switch), nor on a
regression whose cost is large next to its gradient; and still caught: a
sigma' that is off by 1%, one ``dW`` off by 1%.
"""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import Dense, DivergenceError, Input, NeuralNetwork, generate_toy_dataset
from lucidnet.activations import ACTIVATIONS, Activation
from lucidnet.losses import LOSSES
from lucidnet.optimizers import OPTIMIZERS

# The output layer and the number of outputs that go with each loss.
OUTPUT = {"bce": ("sigmoid", 1), "cce": ("softmax", 3), "mse": ("identity", 2),
          "mae": ("identity", 2), "huber": ("identity", 2), "poisson": ("exp", 2)}
# These runs are short on purpose: their poor fits' diagnoses are tested elsewhere.
pytestmark = pytest.mark.filterwarnings("ignore::lucidnet.TrainingDiagnosis")
LR = {"sgd": 0.005, "momentum": 0.002, "nesterov": 0.002}  # others: 0.01


def _data(loss, N=48, seed=1):
    rng = np.random.default_rng(seed)
    X = 0.5 * rng.normal(size=(3, N))
    if loss == "bce":
        y = (X[0] * X[1] > 0).astype(float)
    elif loss == "cce":
        y = np.argmax(X, axis=0)
    elif loss == "poisson":
        y = rng.poisson(np.exp(0.3 * X[:2])).astype(float)
    else:
        y = np.vstack([X[0] ** 2 + X[1], np.sin(X[2])]) + 0.1 * rng.normal(size=(2, N))
    return X, y


def _net(act, loss, opt="sgd", width=6):
    out, k = OUTPUT[loss]
    return NeuralNetwork([Input("x", 3), Dense("h1", width, act), Dense("h2", 5, act),
                          Dense("out", k, out)], loss_fn=loss, optimizer=opt,
                         lr=LR.get(opt, 0.01), seed=3)


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
def test_registry_sweep_raises_no_false_alarm(act, loss, opt):
    net = _net(act, loss, opt)
    X, y = _data(loss)
    net.fit(X, y, epochs=40, print_every=0, grad_check_every=4)   # a failure would raise
    assert len(net.grad_checks) == 10
    assert all(r.passed for _, reports in net.grad_checks for r in reports)


class OffByOnePercent(Activation):
    """``inner`` with a sigma' (its backward) 1% too large."""

    def __init__(self, inner):
        self.inner, self.name, self.kinks = inner, inner.name, inner.kinks

    def forward(self, Z, out=None):
        return self.inner.forward(Z)

    def backward(self, Z, A, dA, out=None):
        return 1.01 * self.inner.backward(Z, A, dA)


@pytest.mark.parametrize("width", [6, 64])
@pytest.mark.parametrize("where", [1, 2])
@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
def test_a_sigma_prime_off_by_one_percent_is_caught(act, where, width):
    net = _net(act, "bce", width=width)
    net.layers[where].activation = OffByOnePercent(net.layers[where].activation)
    X, y = _data("bce")
    with pytest.raises(AssertionError, match="at epoch 0: Gradient check failed for layer 1"):
        net.fit(X, y, epochs=1, print_every=0, grad_check_every=1)


@pytest.mark.parametrize("width", [6, 64, 256])
def test_one_dW_off_by_one_percent_is_caught(width):
    net = _net("tanh", "bce", width=width)
    backward = net.backward

    def wrong(X, y, sample_weight=None):  # a backward replaced on the instance
        backward(X, y, sample_weight)
        net.layers[2].grads["W"] *= 1.01

    net.backward = wrong
    X, y = _data("bce")
    net.fit(X, y, epochs=1, print_every=0, grad_check_every=1, on_grad_check_failure="record")
    verdicts = {(r.layer_name, r.param): r.passed for r in net.grad_checks[0][1]}
    assert verdicts == {("h1", "W"): True, ("h1", "b"): True, ("h2", "W"): False,
                        ("h2", "b"): True, ("out", "W"): True, ("out", "b"): True}


def test_relu_kinks_on_the_spirals_are_left_out_not_failed():
    """The issue's case: points at the spirals' centre have Z = b = 0 at the start."""
    X, y = generate_toy_dataset(dataset_type="spirals")
    net = NeuralNetwork([Input("x", 2), Dense("h1", 64, "relu"), Dense("h2", 64, "relu"),
                         Dense("out", 1)], loss_fn="bce", optimizer="adam", lr=0.01)
    net.fit(X.T, y, epochs=3, print_every=0, grad_check_every=1)
    first = net.grad_checks[0][1]
    assert all(r.passed for r in first)
    assert first[1].kinks > 0 and "crossed a kink" in first[1].note    # h1's b
    # SPEC's text check is still the text's: the same tensor fails its relative error
    with pytest.raises(AssertionError, match="relative error"):
        fresh = NeuralNetwork([Input("x", 2), Dense("h1", 64, "relu"),
                               Dense("h2", 64, "relu"), Dense("out", 1)],
                              loss_fn="bce", optimizer="adam", lr=0.01)
        fresh.grad_check(X.T, y, 1, param="b")


@pytest.mark.parametrize("loss, offset", [("mae", 0.0), ("huber", 1.0), ("huber", -1.0)])
def test_a_residual_on_a_loss_kink_is_left_out(loss, offset):
    X, _ = _data("mse")
    net = _net("tanh", loss)
    # targets exactly at the kink for every third example: residual a - y = offset
    A = net.forward(X)
    y = A + 0.5
    y[:, ::3] = A[:, ::3] - offset
    net.fit(X, y, epochs=1, print_every=0, grad_check_every=1)
    reports = net.grad_checks[0][1]
    assert all(r.passed for r in reports)
    assert all(r.kinks > 0 for r in reports if r.layer_name == "out")


def test_a_large_regression_cost_with_a_small_gradient_is_no_alarm():
    """Raw prices: J ~ 1e4, so J(theta + eps u) - J(theta - eps u) carries a rounding
    error of about 1e-16 J / eps that the text's relative error mistakes for a bug."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(3, 200))
    y = 400 + 150 * X[0] + 80 * X[1] ** 2 + rng.normal(0, 10, 200)
    net = NeuralNetwork([Input("x", 3), Dense("h1", 8, "sigmoid"), Dense("out", 1, "identity")],
                        loss_fn="mse", lr=1e-4, seed=1)
    net.fit(X, y, epochs=30, print_every=0, grad_check_every=5)
    reports = [r for _, rs in net.grad_checks for r in rs]
    assert all(r.passed for r in reports)
    assert max(r.atol for r in reports) > 1e-7   # the rounding floor is what it must be


def test_a_finite_but_exploded_cost_is_divergence_before_any_check():
    rng = np.random.default_rng(0)
    X = rng.uniform(30, 250, size=(1, 100))
    y = 100 + 2 * X[0]
    net = NeuralNetwork([Input("x", 1), Dense("h1", 4, "relu"), Dense("out", 1, "identity")],
                        loss_fn="mse", lr=0.1, seed=0)
    with pytest.raises(DivergenceError, match="the cost grew from"):
        net.fit(X, y, epochs=400, print_every=0, grad_check_every=5)
    assert all(np.isfinite(theta).all() for _, theta, _ in net.parameters())


def test_failures_can_warn_or_be_recorded():
    from lucidnet.errors import GradientCheckWarning, LucidnetWarning

    X, y = _data("bce")
    net = _net("sigmoid", "bce")
    net.layers[1].activation = OffByOnePercent(net.layers[1].activation)
    with pytest.warns(GradientCheckWarning, match="at epoch 0"):
        net.fit(X, y, epochs=2, print_every=0, grad_check_every=1, on_grad_check_failure="warn")
    assert issubclass(GradientCheckWarning, LucidnetWarning)
    assert len(net.grad_checks) == 2 and not net.grad_checks[0][1][0].passed
    with pytest.raises(ValueError, match="on_grad_check_failure"):
        net.fit(X, y, epochs=1, grad_check_every=1, on_grad_check_failure="ignore")


class ScaledBackward(NeuralNetwork):
    """A learner's subclass whose backward is 1% off in one dW."""

    calls = 0

    def backward(self, X, y, sample_weight=None):
        ScaledBackward.calls += 1
        super().backward(X, y, sample_weight)
        self.layers[2].grads["W"] *= 1.01


def test_fit_trains_through_and_checks_a_subclass_backward():
    X, y = _data("bce")
    layers = [Input("x", 3), Dense("h1", 6, "tanh"), Dense("h2", 5, "tanh"), Dense("out", 1)]
    ScaledBackward.calls = 0
    net = ScaledBackward(layers, loss_fn="bce", lr=0.5, seed=3)
    net.fit(X, y, epochs=3, print_every=0)
    assert ScaledBackward.calls == 3                     # trained by the learner's backward
    net = ScaledBackward([Input("x", 3), Dense("h1", 6, "tanh"), Dense("h2", 5, "tanh"),
                          Dense("out", 1)], loss_fn="bce", lr=0.5, seed=3)
    with pytest.raises(AssertionError, match="layer 2 \\(h2\\), parameter W"):
        net.fit(X, y, epochs=3, print_every=0, grad_check_every=1)
