"""Explain mode: summary table, equations with shapes, gradient-check table."""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import Dense, Dropout, Input, NeuralNetwork
from lucidnet.explain import Text, explain, gradcheck_table, summary
from lucidnet.gradcheck import GradCheckReport


def reference_net(**kw):
    return NeuralNetwork([Input("x", 2), Dense("h1", 16), Dense("h2", 32), Dense("out", 1)],
                         lr=1.0, seed=0, **kw)


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 40))
    y = (X[0] * X[1] > 0).astype(float)
    return X, y


def test_summary_counts_parameters_per_layer():
    text = summary(reference_net())
    lines = text.splitlines()
    # 16*2 + 16 = 48, 32*16 + 32 = 544, 1*32 + 1 = 33; 48 + 544 + 33 = 625
    assert lines[2].split() == ["0", "x", "Input", "2", "-", "-", "-", "0"]
    assert lines[3].split() == ["1", "h1", "Dense", "16", "sigmoid", "16x2", "16x1", "48"]
    assert lines[4].split() == ["2", "h2", "Dense", "32", "sigmoid", "32x16", "32x1", "544"]
    assert lines[5].split() == ["3", "out", "Dense", "1", "sigmoid", "1x32", "1x1", "33"]
    assert "total parameters: 625" in lines[6]
    assert repr(text) == str(text)  # a notebook shows the table, not an escaped string


def test_summary_method_prints_or_returns(capsys):
    net = reference_net()
    assert net.summary() is None
    assert "total parameters: 625" in capsys.readouterr().out
    assert isinstance(net.summary(show=False), Text)


def test_explain_writes_the_equations_with_shapes(data):
    X, y = data
    text = explain(reference_net(), X, y)
    for line in [
        "A[0] = X (2xN)",
        "Z[1] = W[1] (16x2) @ A[0] (2xN) + b[1] (16x1)   -> (16xN)",
        "Z[2] = W[2] (32x16) @ A[1] (16xN) + b[2] (32x1)   -> (32xN)",
        "Z[3] = W[3] (1x32) @ A[2] (32xN) + b[3] (1x1)   -> (1xN)",
        "Delta[3] = A[3] (1xN) - Y (1xN)",
        "dW[3] = (1/N) Delta[3] (1xN) @ A[2].T (Nx32)   -> (1x32)",
        "Delta[2] = (W[3].T (32x1) @ Delta[3] (1xN)) * sigmoid'(Z[2]) (32xN)   -> (32xN)",
        "dW[1] = (1/N) Delta[1] (16xN) @ A[0].T (Nx2)   -> (16x2)",
        "db[2] = (1/N) sum_n Delta[2] (32xN)   -> (32x1)",
    ]:
        assert line in text, line
    assert "N = 40 examples" in text
    assert "|dW[2]| = " in text  # gradient norms appear when y is given


def test_explain_leaves_the_network_untouched(data):
    X, y = data
    net = NeuralNetwork([Input("x", 2), Dense("h", 8, "relu"), Dropout("d", 0.3),
                         Dense("out", 1)], seed=1)
    before = [p.copy() for _, p, _ in net.parameters()]
    state = net.rng.bit_generator.state
    net.explain(X, y, show=False)
    assert net.rng.bit_generator.state == state  # the dropout mask was drawn on a copy
    assert all(np.array_equal(a, p) for a, (_, p, _) in zip(before, net.parameters()))
    assert all(not g.any() for _, _, g in net.parameters())


def test_explain_dropout_softmax_and_unfused_pairs(data):
    X, y = data
    net = NeuralNetwork([Input("x", 2), Dense("h", 8, "relu"), Dropout("d", 0.3),
                         Dense("out", 3, "softmax")], loss_fn="cce", seed=1)
    text = net.explain(X, y.astype(int), show=False)
    assert "A[2] = A[1] (8xN) * M[2] (8xN)" in text
    assert "dA[1] = dA[2] (8xN) * M[2] (8xN)" in text
    assert "dA[2] = W[3].T (8x3) @ Delta[3] (3xN)   -> (8xN)" in text
    assert "Delta[1] = dA[1] (8xN) * relu'(Z[1]) (8xN)" in text
    tanh_mse = NeuralNetwork([Input("x", 2), Dense("out", 1, "tanh")], loss_fn="mse")
    text = tanh_mse.explain(X, y, show=False)
    assert "Delta[1] = dA[1] (1xN) * tanh'(Z[1]) (1xN)" in text


def test_gradcheck_table_passes_and_fails():
    good = GradCheckReport(1, "h1", "W", "entries", 3e-9, (2, 1), 0.5, 0.5, True, 1e-4)
    bad = GradCheckReport(2, "out", "b", "entries", 0.5, (0, 0), 0.3, 0.1, False, 1e-4)
    text = gradcheck_table([good, bad])
    rows = text.splitlines()
    assert rows[2].split()[:6] == ["1", "h1", "W", "entries", "3.00e-09", "W[2,"]
    assert "PASS" in rows[2] and "FAIL" in rows[3]
    assert rows[-1] == "1 of 2 checks passed; 1 FAILED"
    with pytest.raises(ValueError):
        gradcheck_table([])


def test_gradcheck_table_from_training_checks(data):
    X, y = data
    net = reference_net()
    net.fit(X, y, epochs=4, print_every=0, grad_check_every=2)
    text = gradcheck_table(net.grad_checks)
    assert text.splitlines()[0].split()[0] == "epoch"
    assert text.splitlines()[-1] == "12 of 12 checks passed"  # 2 checks x 6 tensors


def test_broken_derivative_shows_in_table(data, monkeypatch):
    X, y = data
    net = reference_net()
    act = net.layers[2].activation
    # forgot the (1 - A) of sigma' = A (1 - A); backward is what the network
    # calls (Sigmoid computes dA * A (1 - A) there, fused, without derivative())
    monkeypatch.setattr(type(act), "backward", lambda self, Z, A, dA, out=None: dA * A)
    reports = net.check_gradients(X, y, method="entries")
    text = gradcheck_table(reports)
    verdicts = {(r.layer_idx, r.param): r.passed for r in reports}
    # hidden layers use sigmoid'; the output layer's fused Delta = A - Y does not
    assert not verdicts[(1, "W")] and not verdicts[(2, "W")] and verdicts[(3, "W")]
    assert "FAILED" in text.splitlines()[-1]


def test_explain_dropout_after_the_output(data):
    X, y = data
    net = NeuralNetwork([Input("x", 2), Dense("h", 4), Dense("out", 1), Dropout("d", 0.2)])
    text = net.explain(X, y, show=False)
    assert "dA[3] = dloss/dA[3] (1xN)" in text
    assert "dA[2] = dA[3] (1xN) * M[3] (1xN)" in text
    assert "Delta[2] = dA[2] (1xN) * sigmoid'(Z[2]) (1xN)   -> (1xN)" in text
