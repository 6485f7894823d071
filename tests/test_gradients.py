"""Whole-network gradient checks: backpropagation against central differences.

Every parameter tensor (``W`` and ``b`` of every Dense layer) of several
architectures is checked entry by entry with ``net.grad_check(...,
method="entries")`` (the text's check, float64, eps 1e-5, tol 1e-4), and all of
them at once with ``net.check_gradients(method="directional")``.  Hidden
activations and (loss, output activation) pairs are parametrized over the
registries, so a new activation or loss is checked inside a network too.
A deliberately wrong backward must be caught, with a report that names the
layer, the worst entry and both gradient values.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from registry_pairs import PAIRS, make_targets

from lucidnet import Dense, Dropout, Input, NeuralNetwork
from lucidnet.activations import ACTIVATIONS, Sigmoid
from lucidnet.losses import MeanSquaredError


def make_data(d0, dL, N, target, seed=0):
    """Column-wise ``X`` (d0, N) and targets suited to the output: 0/1 labels,
    integer class labels (softmax), or real values (regression)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(d0, N))
    if target == "binary":
        y = (rng.random((dL, N)) < 0.5).astype(float)
    elif target == "labels":
        y = np.arange(N) % dL                 # every class present
    elif target == "onehot":
        y = np.eye(dL)[:, np.arange(N) % dL]
    else:
        y = rng.uniform(-1.5, 1.5, size=(dL, N))
    return X, y


def build(sizes, hidden="sigmoid", output="sigmoid", loss="bce", seed=0, **kw):
    layers = [Input("x", sizes[0])]
    for i, units in enumerate(sizes[1:-1], start=1):
        layers.append(Dense(f"h{i}", units, activation=hidden))
    layers.append(Dense("out", sizes[-1], activation=output))
    return NeuralNetwork(layers, loss_fn=loss, seed=seed, **kw)


def check_every_tensor(net, X, y, **kw):
    """Entry-wise check of W and b of every layer that has them; return the reports."""
    reports = []
    for idx, layer in enumerate(net.layers):
        for param in layer.params:
            report = net.grad_check(X, y, idx, param=param, method="entries", **kw)
            assert report.passed and report.max_rel_error <= 1e-4, str(report)
            reports.append(report)
    assert reports, "nothing was checked"
    return reports


ARCHITECTURES = {
    # name: (sizes, hidden, output, loss, target, N)
    "reference 2-16-32-1 sigmoid bce": ((2, 16, 32, 1), "sigmoid", "sigmoid", "bce", "binary", 8),
    "deep wide 3-40-40-40-2 tanh softmax cce": ((3, 40, 40, 40, 2), "tanh", "softmax", "cce",
                                                "labels", 6),
    "relu 4-12-10-3 softmax one-hot": ((4, 12, 10, 3), "relu", "softmax", "cce", "onehot", 9),
    "regression 3-10-8-2 elu identity mse": ((3, 10, 8, 2), "elu", "identity", "mse", "real", 7),
    "multi-output 2-6-4 tanh sigmoid bce": ((2, 6, 4), "tanh", "sigmoid", "bce", "binary", 5),
    "single hidden 5-7-1 softplus identity huber": ((5, 7, 1), "softplus", "identity", "huber",
                                                    "real", 6),
}


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_every_layer_w_and_b_entrywise(arch):
    sizes, hidden, output, loss, target, N = ARCHITECTURES[arch]
    net = build(sizes, hidden, output, loss, seed=3)
    X, y = make_data(sizes[0], sizes[-1], N, target, seed=4)
    reports = check_every_tensor(net, X, y)
    assert len(reports) == 2 * (len(sizes) - 1)
    for r in reports:   # the report names what it checked
        assert r.method == "entries" and r.param in ("W", "b") and isinstance(r.index, tuple)


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_check_gradients_directional(arch):
    sizes, hidden, output, loss, target, N = ARCHITECTURES[arch]
    net = build(sizes, hidden, output, loss, seed=5)
    X, y = make_data(sizes[0], sizes[-1], N, target, seed=6)
    reports = net.check_gradients(X, y, method="directional")
    assert [(r.layer_idx, r.param) for r in reports] == \
        [(i, p) for i in range(1, len(sizes)) for p in ("W", "b")]
    assert all(r.passed and r.method == "directional" for r in reports), \
        "\n".join(map(str, reports))


@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
def test_every_activation_as_hidden_layer(hidden):
    """Two hidden layers of each registered activation (softmax included: it is a
    legitimate, if odd, hidden layer, and exercises its JVP inside the chain)."""
    net = build((3, 6, 5, 2), hidden, "sigmoid", "bce", seed=11)
    X, y = make_data(3, 2, 7, "binary", seed=12)
    check_every_tensor(net, X, y)


@pytest.mark.parametrize("loss, output", PAIRS)
def test_every_loss_with_every_output_it_accepts(loss, output):
    """Canonical pairs go through the fused ``A - Y``; all others through
    ``sigma'(Z) * dloss/dA``; both must match central differences of J."""
    net = build((3, 5, 3), "tanh", output, loss, seed=13)
    X = np.random.default_rng(14).normal(size=(3, 6))
    check_every_tensor(net, X, make_targets(loss, (3, 6), np.random.default_rng(15)))


def test_softmax_cce_with_soft_labels():
    """Targets that are class probabilities (label smoothing) keep the fused A - Y exact."""
    net = build((3, 6, 4), "tanh", "softmax", "cce", seed=17)
    X = np.random.default_rng(18).normal(size=(3, 8))
    Y = np.random.default_rng(19).dirichlet(np.ones(4), size=8).T      # (4, 8), columns sum to 1
    check_every_tensor(net, X, Y)


def test_softmax_cce_refuses_targets_that_are_not_distributions():
    """Delta = A - Y holds only when each column of Y sums to 1 (the softmax's own
    columns do); a two-hot column would train on a wrong gradient, so it is refused."""
    net = build((3, 6, 3), "tanh", "softmax", "cce", seed=17)
    X = np.random.default_rng(18).normal(size=(3, 4))
    Y = np.array([[1.0, 0.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]])
    for call in (net.backward, net.loss, net.grad_check):
        args = (X, Y, 1) if call == net.grad_check else (X, Y)
        with pytest.raises(ValueError, match=r"column 0 of y sums to 2"):
            call(*args)


@pytest.mark.parametrize("penalty", [{"l2": 0.3}, {"l1": 0.2}, {"l2": 0.1, "l1": 0.05}])
def test_penalties_are_in_cost_and_gradients(penalty):
    net = build((3, 8, 6, 1), "tanh", "sigmoid", "bce", seed=21, **penalty)
    X, y = make_data(3, 1, 6, "binary", seed=22)
    check_every_tensor(net, X, y)
    # and the penalty really is there: the cost exceeds the unpenalised one
    plain = build((3, 8, 6, 1), "tanh", "sigmoid", "bce", seed=21)
    assert net.loss(X, y) > plain.loss(X, y)


def test_dropout_with_fixed_mask():
    net = NeuralNetwork([Input("x", 3), Dense("h1", 10, activation="relu"),
                         Dropout("drop1", 0.4), Dense("h2", 8, activation="tanh"),
                         Dropout("drop2", 0.25), Dense("out", 2, activation="softmax")],
                        loss_fn="cce", seed=31, l2=0.05)
    X, y = make_data(3, 2, 8, "labels", seed=32)
    reports = check_every_tensor(net, X, y)
    assert [r.layer_idx for r in reports] == [1, 1, 3, 3, 5, 5]
    assert all(r.passed for r in net.check_gradients(X, y, method="directional"))
    with pytest.raises(ValueError, match="no parameter"):
        net.grad_check(X, y, 2)      # a Dropout layer has no W


def test_dropout_really_drops_in_the_checked_pass():
    """The check must run with dropout active (else the test above proves nothing)."""
    net = NeuralNetwork([Input("x", 3), Dense("h1", 10), Dropout("drop", 0.5),
                         Dense("out", 1)], seed=33)
    X, y = make_data(3, 1, 8, "binary", seed=34)
    net.grad_check(X, y, 1)
    mask = net.layers[2].mask
    assert mask is not None and (mask == 0).any() and (mask == 2.0).any()


@pytest.mark.parametrize("output", ["identity", "tanh"])
def test_dropout_after_the_output_layer(output):
    """A Dropout that follows the output layer drops outputs in training; the cost
    must then be the cost of the dropped outputs that backward differentiates
    (and not the fused cost from the output layer's logits)."""
    net = NeuralNetwork([Input("x", 3), Dense("h", 6, activation="tanh"),
                         Dense("out", 2, activation=output), Dropout("drop", 0.3)],
                        loss_fn="mse", seed=35)
    X, y = make_data(3, 2, 8, "real", seed=36)
    check_every_tensor(net, X, y)
    # in inference the trailing dropout is the identity, as ever
    np.testing.assert_array_equal(net.forward(X), net.layers[2].A)


@pytest.mark.parametrize("arch", ["reference 2-16-32-1 sigmoid bce",
                                  "deep wide 3-40-40-40-2 tanh softmax cce",
                                  "regression 3-10-8-2 elu identity mse"])
def test_float32_network_checked_on_float64_copy(arch):
    sizes, hidden, output, loss, target, N = ARCHITECTURES[arch]
    net = build(sizes, hidden, output, loss, seed=41, dtype="float32")
    X, y = make_data(sizes[0], sizes[-1], N, target, seed=42)
    before = [theta.copy() for _, theta, _ in net.parameters()]
    check_every_tensor(net, X, y)
    assert all(r.passed for r in net.check_gradients(X, y, method="directional"))
    # the float32 network itself is untouched and stays float32
    for (_, theta, grad), old in zip(net.parameters(), before):
        assert theta.dtype == np.float32 and grad.dtype == np.float32
        np.testing.assert_array_equal(theta, old)


def test_float32_backward_close_to_float64():
    """Backprop in float32 agrees with float64 to float32 precision."""
    net64 = build((3, 8, 2), "tanh", "softmax", "cce", seed=43)
    net32 = net64.astype("float32")
    X, y = make_data(3, 2, 10, "labels", seed=44)
    net64.backward(X, y)
    net32.backward(X, y)
    for (_, _, g64), (_, _, g32) in zip(net64.parameters(), net32.parameters()):
        assert g32.dtype == np.float32
        np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("loss, output", PAIRS)
def test_float32_backward_for_every_pair(loss, output):
    """Every (loss, output) pair backpropagates in float32 without upcasting, and a
    float32 network's grad_check (run on a float64 copy) passes."""
    net = build((3, 5, 3), "elu", output, loss, seed=47, dtype="float32")
    X = np.random.default_rng(48).normal(size=(3, 6))
    y = make_targets(loss, (3, 6), np.random.default_rng(49))
    net.backward(X, y)
    ref = net.astype("float64")
    ref.backward(X, y)
    for (_, theta, g32), (_, _, g64) in zip(net.parameters(), ref.parameters()):
        assert theta.dtype == np.float32 and g32.dtype == np.float32
        np.testing.assert_allclose(g32, g64, rtol=1e-3, atol=1e-5)
    assert all(r.passed for r in net.check_gradients(X, y, method="directional"))


def test_grad_check_leaves_parameters_bit_identical():
    net = build((2, 5, 1), seed=45)
    X, y = make_data(2, 1, 6, "binary", seed=46)
    before = [theta.copy() for _, theta, _ in net.parameters()]
    check_every_tensor(net, X, y)
    net.check_gradients(X, y)
    for (_, theta, _), old in zip(net.parameters(), before):
        np.testing.assert_array_equal(theta, old)


def test_grad_check_report_of_a_passing_check():
    net = build((2, 16, 32, 1), seed=0)
    X, y = make_data(2, 1, 8, "binary", seed=1)
    report = net.grad_check(X, y, 2, param="b")
    assert report.passed and report.layer_idx == 2 and report.layer_name == "h2"
    assert report.param == "b" and len(report.index) == 2 and report.index[1] == 0
    assert 0 <= report.max_rel_error <= 1e-4
    assert np.isfinite(report.analytic) and np.isfinite(report.numeric)
    d = report.as_dict()
    assert d["index"] == list(report.index) and d["passed"] is True
    assert "PASS" in str(report)


def test_grad_check_refuses_layers_without_parameters():
    net = build((2, 3, 1))
    X, y = make_data(2, 1, 4, "binary")
    with pytest.raises(ValueError, match="no parameter 'W'"):
        net.grad_check(X, y, 0)
    with pytest.raises(ValueError, match="layer_idx"):
        net.grad_check(X, y, 3)
    with pytest.raises(ValueError, match="no parameter 'V'"):
        net.grad_check(X, y, 1, param="V")


# ------------------------------------------------------- wrong backward caught
def _assert_readable_failure(excinfo, layer_idx, layer_name, param):
    """The message names the layer, the worst entry and both gradient values."""
    msg = str(excinfo.value)
    assert f"layer {layer_idx} ({layer_name})" in msg
    assert re.search(rf"worst entry\s+{param}\[\d+, \d+\]", msg), msg
    backprop = float(re.search(r"backprop\s+(\S+)", msg).group(1))
    numeric = float(re.search(r"central diff\.\s+(\S+)", msg).group(1))
    rel = float(re.search(r"relative error\s+(\S+)", msg).group(1))
    assert rel > 1e-4
    assert abs(backprop - numeric) / (abs(backprop) + abs(numeric) + 1e-10) == \
        pytest.approx(rel, rel=1e-3)


def test_wrong_activation_derivative_is_caught(monkeypatch):
    """sigma' off by 10 % in the hidden layers: layer 1's W check must fail."""
    net = build((2, 4, 3, 1), seed=51)
    X, y = make_data(2, 1, 6, "binary", seed=52)
    net.grad_check(X, y, 1)         # passes before the sabotage
    right = Sigmoid.backward        # Delta = dA * sigma'(Z), however it is computed

    def wrong(self, *args, **kwargs):
        return 1.1 * right(self, *args, **kwargs)

    monkeypatch.setattr(Sigmoid, "backward", wrong)
    with pytest.raises(AssertionError) as excinfo:
        net.grad_check(X, y, 1)
    _assert_readable_failure(excinfo, 1, "h1", "W")
    # the fused output layer does not use sigma', so its check still passes
    assert net.grad_check(X, y, 3).passed


def test_wrong_loss_gradient_is_caught(monkeypatch):
    """Drop a factor in a non-fused output error: the output layer's b check fails."""
    net = build((2, 4, 2), "tanh", "tanh", "mse", seed=53)
    X, y = make_data(2, 2, 5, "real", seed=54)
    monkeypatch.setattr(MeanSquaredError, "grad", lambda self, Y, A: 0.5 * (A - Y))
    with pytest.raises(AssertionError) as excinfo:
        net.grad_check(X, y, 2, param="b")
    _assert_readable_failure(excinfo, 2, "out", "b")


def test_missing_one_over_n_is_caught(monkeypatch):
    """dW without the 1/N of the text's dW = (1/N) Delta A_prev^T."""
    net = build((2, 3, 1), seed=55)
    X, y = make_data(2, 1, 4, "binary", seed=56)
    original = Dense.backward

    def no_mean(self, *args, **kwargs):
        out = original(self, *args, **kwargs)
        self.grads["W"] *= self.A_prev.shape[1]
        return out

    monkeypatch.setattr(Dense, "backward", no_mean)
    with pytest.raises(AssertionError) as excinfo:
        net.grad_check(X, y, 2)
    _assert_readable_failure(excinfo, 2, "out", "W")
    reports = net.check_gradients(X, y, method="directional")
    assert [r.passed for r in reports] == [False, True, False, True]


# ------------------------------------------ no state leaks between passes
# Backprop must be a function of (parameters, X, Y) alone: caches and any work
# arrays reused between passes must never leak one pass into the next, nor
# overwrite an array already handed to the caller.
LEAK_ARCHS = {
    "sigmoid bce": ((3, 7, 5, 1), "sigmoid", "sigmoid", "bce", "binary"),
    "tanh softmax": ((3, 7, 5, 3), "tanh", "softmax", "cce", "labels"),
    "relu identity": ((3, 7, 5, 2), "relu", "identity", "mse", "real"),
    "elu tanh mae": ((3, 7, 5, 2), "elu", "tanh", "mae", "real"),
}


def _grads(net):
    return [g.copy() for _, _, g in net.parameters()]


@pytest.mark.parametrize("arch", list(LEAK_ARCHS))
def test_backward_depends_only_on_its_inputs(arch):
    sizes, hidden, output, loss, target = LEAK_ARCHS[arch]
    X1, y1 = make_data(sizes[0], sizes[-1], 9, target, seed=61)
    X2, y2 = make_data(sizes[0], sizes[-1], 4, target, seed=62)   # another batch size
    fresh = build(sizes, hidden, output, loss, seed=60)
    fresh.backward(X2, y2)
    expected = _grads(fresh)
    net = build(sizes, hidden, output, loss, seed=60)
    net.backward(X1, y1)
    net.forward(X1)
    net.backward(X2, y2)
    for g, e in zip(_grads(net), expected):
        np.testing.assert_array_equal(g, e)
    net.backward(X1, y1)
    again = build(sizes, hidden, output, loss, seed=60)
    again.backward(X1, y1)
    for g, e in zip(_grads(net), _grads(again)):
        np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("arch", list(LEAK_ARCHS))
def test_returned_outputs_are_not_overwritten(arch):
    sizes, hidden, output, loss, target = LEAK_ARCHS[arch]
    net = build(sizes, hidden, output, loss, seed=63)
    X1, y1 = make_data(sizes[0], sizes[-1], 6, target, seed=64)
    X2, y2 = make_data(sizes[0], sizes[-1], 6, target, seed=65)
    A1 = net.forward(X1)
    P1 = net.predict_proba(X1)
    kept = A1.copy(), P1.copy()
    net.forward(X2)
    net.backward(X2, y2)
    net.step()
    net.forward(X2, training=True)
    np.testing.assert_array_equal(A1, kept[0])
    np.testing.assert_array_equal(P1, kept[1])


@pytest.mark.parametrize("arch", list(LEAK_ARCHS))
def test_caller_arrays_are_never_modified(arch):
    sizes, hidden, output, loss, target = LEAK_ARCHS[arch]
    net = build(sizes, hidden, output, loss, seed=66)
    X, y = make_data(sizes[0], sizes[-1], 6, target, seed=67)
    X0, y0 = X.copy(), np.array(y, copy=True)
    net.backward(X, y)
    net.step()
    net.loss(X, y)
    net.grad_check(X, y, 1)
    net.fit(X, y, epochs=3, print_every=1, verbose=False)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize("arch", list(LEAK_ARCHS))
def test_minibatch_fit_equals_the_same_steps_by_hand(arch):
    """fit(batch_size=4, shuffle=False) on N=10 (batches 4, 4, 2) is exactly
    backward + step on those column slices, epoch after epoch."""
    sizes, hidden, output, loss, target = LEAK_ARCHS[arch]
    X, y = make_data(sizes[0], sizes[-1], 10, target, seed=68)
    net = build(sizes, hidden, output, loss, seed=69, optimizer="adam", lr=0.01)
    by_hand = build(sizes, hidden, output, loss, seed=69, optimizer="adam", lr=0.01)
    net.fit(X, y, epochs=3, print_every=0, batch_size=4, shuffle=False, verbose=False)
    y_cols = np.asarray(y)
    for _ in range(3):
        for start in (0, 4, 8):
            cols = slice(start, start + 4)
            y_batch = y_cols[cols] if y_cols.ndim == 1 else y_cols[:, cols]
            by_hand.backward(X[:, cols], y_batch)
            by_hand.step()
    for (_, a, _), (_, b, _) in zip(net.parameters(), by_hand.parameters()):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------- sample weights
def _supports_sample_weight():
    import inspect

    return "sample_weight" in inspect.signature(NeuralNetwork.backward).parameters


needs_weights = pytest.mark.skipif(not _supports_sample_weight(),
                                   reason="the core has no sample_weight yet")
WEIGHTED = {
    "sigmoid bce (fused)": ((3, 5, 1), "tanh", "sigmoid", "bce", "binary"),
    "softmax cce (fused)": ((3, 5, 3), "relu", "softmax", "cce", "labels"),
    "identity mse (fused)": ((3, 5, 2), "elu", "identity", "mse", "real"),
    "tanh mae": ((3, 5, 2), "sigmoid", "tanh", "mae", "real"),
}


def _central_differences_of_loss(net, X, y, w, eps=1e-6):
    numeric = []
    for _, theta, _ in net.parameters():
        g = np.zeros_like(theta)
        for idx in np.ndindex(theta.shape):
            saved = theta[idx]
            theta[idx] = saved + eps
            j_plus = net.loss(X, y, sample_weight=w)
            theta[idx] = saved - eps
            j_minus = net.loss(X, y, sample_weight=w)
            theta[idx] = saved
            g[idx] = (j_plus - j_minus) / (2 * eps)
        numeric.append(g)
    return numeric


@needs_weights
@pytest.mark.parametrize("arch", list(WEIGHTED))
@pytest.mark.parametrize("penalty", [{}, {"l2": 0.3, "l1": 0.1}])
def test_weighted_gradients_match_central_differences(arch, penalty):
    sizes, hidden, output, loss, target = WEIGHTED[arch]
    net = build(sizes, hidden, output, loss, seed=71, **penalty)
    X, y = make_data(sizes[0], sizes[-1], 6, target, seed=72)
    w = np.array([0.5, 2.0, 0.0, 1.0, 3.0, 0.25])
    net.backward(X, y, sample_weight=w)
    analytic = _grads(net)
    for g, n in zip(analytic, _central_differences_of_loss(net, X, y, w)):
        np.testing.assert_allclose(g, n, rtol=1e-5, atol=1e-8)


@needs_weights
@pytest.mark.parametrize("arch", list(WEIGHTED))
def test_integer_weights_equal_repeated_examples(arch):
    """Weight 2 is the example twice, weight 0 is the example absent (penalty included)."""
    sizes, hidden, output, loss, target = WEIGHTED[arch]
    X, y = make_data(sizes[0], sizes[-1], 4, target, seed=73)
    w = np.array([2, 1, 0, 1])
    cols = [0, 0, 1, 3]
    y = np.asarray(y)
    y_rep = y[cols] if y.ndim == 1 else y[:, cols]
    weighted = build(sizes, hidden, output, loss, seed=74, l2=0.2)
    repeated = build(sizes, hidden, output, loss, seed=74, l2=0.2)
    weighted.backward(X, y, sample_weight=w)
    repeated.backward(X[:, cols], y_rep)
    for a, b in zip(_grads(weighted), _grads(repeated)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert weighted.loss(X, y, sample_weight=w) == \
        pytest.approx(repeated.loss(X[:, cols], y_rep), rel=1e-12)
