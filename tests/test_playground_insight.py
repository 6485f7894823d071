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
    assert line["layer"] == 2               # ... computes layer 2's gradient, not layer 1's


def test_each_line_belongs_to_the_layer_on_its_left_hand_side():
    owner = {m["text"]: m["layer"] for m in explain_message(Session({"layers": [4, 2]}))["lines"]}
    assert owner["Z[3] = W[3] (1x2) @ A[2] (2xN) + b[3] (1x1)   -> (1xN)"] == 3
    assert owner["A[0] = X (2xN)"] == 0
    delta = next(t for t in owner if t.startswith("Delta[2] = (W[3].T"))
    assert owner[delta] == 2
    assert owner[next(t for t in owner if t.startswith("|dW[1]| = "))] == 1
    assert owner["Forward pass"] is None and owner[""] is None


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
    assert report["tol"] == 1e-4            # the text's tolerance, said in the caption
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


def test_the_plateau_of_the_reference_run_is_said_and_unsaid():
    """The text's reference run (moons N=1000, noise 0.2, seed 42; 2-16-32-1 sigmoid, BCE,
    gradient descent lr 1), as an upload: the cost sits near 0.29 from about epoch 100,
    then falls (README: 'The plateau')."""
    from lucidnet import generate_toy_dataset

    X, y = generate_toy_dataset(1000, 0.2, "moons", 42)
    s = Session({"layers": [16, 32], "acts": ["sigmoid", "sigmoid"], "optimizer": "sgd",
                 "lr": 1.0})
    s.load_upload("x1,x2,y\n" + "\n".join(f"{float(a)!r},{float(b)!r},{c}"
                                       for (a, b), c in zip(X, y)),
                  "moons.csv")
    s.configure({"train_pct": 90})
    seen = []
    while s.epoch < 1300:
        s.train(20)
        message = s.plateau.message()
        state = message and message["state"]
        if not seen or seen[-1][0] != state:
            seen.append((state, s.epoch, message))
    states = [state for state, _, _ in seen]
    assert states == [None, "on", "left", None], states
    _, on_at, on = seen[1]
    assert 150 <= on_at <= 500 and 0.27 < on["level"] < 0.31
    assert "plateau" in on["text"] and "gradient norm" in on["text"]
    _, left_at, left = seen[2]
    assert on_at < left_at <= 1000 and "Left the plateau" in left["text"]


def test_diagnostics_travel_with_each_frame():
    from lucidnet.playground.frames import frame

    s = Session({"layers": [8, 8], "acts": ["relu", "tanh"]})
    s.train(10)
    figures = frame(s)["diagnostics"]
    assert [f["index"] for f in figures] == [1, 2, 3]
    relu, tanh, out = figures
    assert relu["dead"] is not None and relu["saturated"] is None
    assert tanh["saturated"] is not None and tanh["dead"] is None
    assert all(f["grad_norm"] > 0 and f["update_ratio"] > 0 for f in figures)


def _run_script(session, tmp_path):
    import os
    import subprocess
    import sys

    from conftest import SRC
    from lucidnet.playground.script import python_script

    script = tmp_path / "playground_run.py"
    script.write_text(python_script(session))
    # a clean environment, but the BLAS's own settings: OPENBLAS_CORETYPE picks the kernels,
    # and another kernel's sums differ in the last bits (measured: 8e-14 on the weights)
    blas = {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")}
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120,
                          env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin", **blas})
    assert proc.returncode == 0, proc.stderr
    import lucidnet

    return lucidnet.load(tmp_path / "playground-rebuilt.npz")


def test_export_python_reproduces_the_weights(tmp_path):
    s = Session({"dataset": "spiral", "classes": 3, "layers": [8, 6], "acts": ["relu", "tanh"],
                 "dropout": 0.1, "batch": 10, "features": ["x1", "x2", "sin(x1)"],
                 "optimizer": "nesterov", "reg": "l2", "reg_rate": 0.01})
    for k in (7, 5, 1):
        s.train(k)
    rebuilt = _run_script(s, tmp_path)
    assert all(np.array_equal(p, q) for (_, p, _), (_, q, _) in
               zip(rebuilt.parameters(), s.net.parameters()))
    assert "NOTE" not in (tmp_path / "playground_run.py").read_text()


def test_export_python_of_a_regression_and_of_an_upload(tmp_path):
    s = Session({"dataset": "reg-gauss", "layers": [5], "acts": ["tanh"], "noise": 0.05})
    s.train(9)
    rebuilt = _run_script(s, tmp_path)
    assert all(np.array_equal(p, q) for (_, p, _), (_, q, _) in
               zip(rebuilt.parameters(), s.net.parameters()))
    csv = "a,b,c,kind\n" + "\n".join(f"{i % 7},{(i * 3) % 5},{i % 4},{'xyz'[i % 3]}"
                                      for i in range(60))
    (tmp_path / "mine.csv").write_text(csv)
    u = Session()
    u.load_upload(csv, "mine.csv")
    u.configure({"features": ["x1", "x2", "x3", "x1*x2"], "lr": 0.1})
    u.train(6)
    u.configure({"lr": 0.01})               # a change while training: the script says so
    rebuilt = _run_script(u, tmp_path)
    assert "NOTE: this run's learning rate" in (tmp_path / "playground_run.py").read_text()
    assert rebuilt.n_features == 4
