"""The playground's equations panel and gradient check (issue 17, items 1 and 2)."""

from __future__ import annotations

import numpy as np

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet.playground.insight import _near_kink, explain_message, gradcheck_message
from lucidnet.playground.session import Session


def _texts(msg):
    return [line["text"] for line in msg["lines"]]


def test_equations_carry_the_live_shapes():
    small = _texts(explain_message(Session({"layers": [4, 2]})))
    assert "Z[1] = W[1] (4x2) @ A[0] (2xN) + b[1] (4x1)   -> (4xN)" in small
    assert "Z[3] = W[3] (1x2) @ A[2] (2xN) + b[3] (1x1)   -> (1xN)" in small
    assert any(t.startswith("NeuralNetwork: input + 3 layer(s), 25 parameters; N = 250")
               for t in small)
    big = Session({"layers": [16, 32], "acts": ["relu", "relu"], "dataset": "spiral",
                   "classes": 3, "features": ["x1", "x2", "sin(x1)"]})
    texts = _texts(explain_message(big))
    assert "Z[1] = W[1] (16x3) @ A[0] (3xN) + b[1] (16x1)   -> (16xN)" in texts
    assert "A[3] = softmax(Z[3])   -> (3xN)" in texts
    line = next(m for m in explain_message(big)["lines"] if m["text"].startswith("dW[2]"))
    assert line["layers"] == [1, 2]         # dW[2] = (1/N) Delta[2] @ A[1].T


def test_gradient_check_passes_on_every_tensor_and_changes_nothing():
    a, b = Session({"batch": 10, "dropout": 0.2}), Session({"batch": 10, "dropout": 0.2})
    a.train(3)
    b.train(3)
    report = gradcheck_message(a)
    explain_message(a)
    assert report["passed"] and report["method"] == "entries"
    assert [(r["layer"], r["param"]) for r in report["rows"]] == [
        (1, "W"), (1, "b"), (3, "W"), (3, "b"), (5, "W"), (5, "b")]
    assert all(r["verdict"] == "pass" and r["max_rel_error"] < 1e-4 for r in report["rows"])
    a.train(4)
    b.train(4)   # same weights as if nobody had looked
    assert all(np.array_equal(p, q) for (_, p, _), (_, q, _) in
               zip(a.net.parameters(), b.net.parameters()))


def test_a_relu_corner_is_reported_as_a_kink():
    net = NeuralNetwork([Input("x", 1), Dense("h", 1, "relu"), Dense("out", 1, "identity")],
                        loss_fn="mse")
    net.layers[1].params["W"][...] = 1.0
    at_corner = np.array([[0.0, 1.0]])      # Z[1] = 0 for the first example
    away = np.array([[0.5, 1.0]])
    assert _near_kink(net, at_corner, 1, 1e-5)
    assert not _near_kink(net, away, 1, 1e-5)
    assert not _near_kink(net, at_corner, 2, 1e-5)   # the output layer has no corner
