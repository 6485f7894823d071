"""Numbers near the float limits: refused with a ValueError that says so, never a
RuntimeWarning (the suite turns those into errors) or a silent infinity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lucidnet as ln
from lucidnet.activations import ACTIVATIONS
from lucidnet.cli import main

EXTREMES = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 1.0, -1.0, 1e10,
            1e38, 3.4e38, 3.5e38, 1e154, 1e200, 1e300, 1.7e308, -1.7e308,
            np.finfo(np.float64).max, -np.finfo(np.float64).max]


def _net(activation="tanh", output="sigmoid", dtype="float64", loss="bce", n_out=1):
    return ln.NeuralNetwork([ln.Input("x", 2), ln.Dense("h", 3, activation=activation),
                             ln.Dense("o", n_out, activation=output)], loss_fn=loss,
                            dtype=dtype, seed=1)


@pytest.mark.parametrize("X,words", [
    (np.full((2, 3), 1.7e308), "too large in magnitude for the forward pass in float64"),
    ([[10**400, 1], [1, 1]], "an integer of 401 digits"),
    (np.full((2, 3), np.longdouble("1e400")), "beyond the float64 range"),
])
def test_the_issue_s_examples_are_refused_in_a_float64_net(X, words):
    net = _net()
    net.layers[1].params["W"][...] = 1.0   # 1.7e308 + 1.7e308 overflows for sure
    for call in (net.forward, net.predict, net.predict_proba,
                 lambda X: net.loss(X, np.zeros(np.shape(X)[1])),
                 lambda X: net.fit(X, np.zeros(np.shape(X)[1]), epochs=2, print_every=0)):
        with pytest.raises(ValueError, match=words):
            call(X)


def test_float64_values_beyond_float32_are_refused_before_the_cast():
    net = _net(dtype="float32")
    X = np.array([[1e300, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"X holds 1e\+300 at feature 0, example 0, beyond "
                                         r"the float32 range .* \(or use a float64 network\)"):
        net.forward(X)
    with pytest.raises(ValueError, match=r"beyond the float64 range \(largest 1.8e\+308\) of "
                                         r"the network: rescale it$"):  # no float64 advice
        _net().forward(np.full((2, 3), np.longdouble("1e400")))
    reg = _net(output="identity", dtype="float32", loss="mse")
    with pytest.raises(ValueError, match="y holds 1e[+]39 at output 0, example 0, beyond"):
        reg.loss(np.ones((2, 2)), np.array([[1e39, 0.0]]))


def test_a_refit_whose_trained_weights_overflow_blames_the_weights_not_the_data():
    net = ln.NeuralNetwork([ln.Input("x", 2), ln.Dense("h", 3, activation="relu"),
                            ln.Dense("o", 1, activation="identity")], loss_fn="mse", seed=1)
    X, y = np.ones((2, 4)), np.zeros(4)
    net.fit(X, y, epochs=1, print_every=0)
    net.layers[1].params["W"][...] = 1e200          # as a diverging run leaves them
    net.layers[2].params["W"][...] = 1e200          # 1e200 * 2e200 overflows
    with pytest.raises(ValueError, match=r"overflows in float64 with the weights that earlier "
                                         r"training left \(largest \|w\| 1e\+200\)"):
        net.fit(X, y, epochs=1, print_every=0)
    fresh = _net(activation="relu", output="identity", loss="mse")
    fresh.layers[1].params["W"][...] = 1.0
    with pytest.raises(ValueError, match="X is too large in magnitude"):  # untrained: the data
        fresh.fit(np.full((2, 3), 1.7e308), np.zeros(3), epochs=1, print_every=0)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(values=st.lists(st.one_of(st.sampled_from(EXTREMES),
                                 st.floats(allow_nan=False, allow_infinity=False)),
                       min_size=4, max_size=8),
       activation=st.sampled_from(sorted(ACTIVATIONS)),
       output=st.sampled_from(["sigmoid", "identity", "softmax"]),
       dtype=st.sampled_from(["float64", "float32"]))
def test_no_runtime_warning_for_any_finite_input(values, activation, output, dtype):
    """Any finite X: a finite answer, or a ValueError; never a RuntimeWarning."""
    if activation == "softmax":
        activation = "tanh"
    loss = {"sigmoid": "bce", "identity": "mse", "softmax": "cce"}[output]
    net = _net(activation, output, dtype, loss, n_out=2 if output == "softmax" else 1)
    X = np.array(values[:4]).reshape(2, 2)
    try:
        A = net.forward(X)
    except ValueError as exc:
        assert "range" in str(exc) or "overflows" in str(exc), exc
        return
    assert np.isfinite(A).all()
    y = np.array([0, 1]) if output != "identity" else np.array(values[4:6] or [0.0, 1.0])
    try:
        J = net.loss(X, y)
    except ValueError as exc:
        assert "overflows" in str(exc) or "range" in str(exc) or "y" in str(exc), exc
    else:
        assert np.isfinite(J)


@pytest.mark.parametrize("value", ["1.7e308", "-1.7e308"])
def test_cli_predict_refuses_huge_values_in_one_line(tmp_path, capsys, value):
    # column a's scale is 0.07: 1.7e308 standardized overflows
    (tmp_path / "d.csv").write_text("a,b,y\n0,2,0\n0.1,4,1\n0.2,6,0\n0.1,8,1\n")
    assert main(["train", "--data", str(tmp_path / "d.csv"), "--target", "y", "--epochs", "2",
                 "--quiet", "--no-plots", "--test-split", "0",
                 "--out", str(tmp_path / "run")]) == 0
    capsys.readouterr()
    (tmp_path / "p.csv").write_text(f"a,b\n{value},1\n")
    model = str(tmp_path / "run" / "model.npz")
    assert main(["predict", "--model", model, "--input", str(tmp_path / "p.csv")]) == 2
    err = capsys.readouterr().err
    assert "too large in magnitude" in err and len(err.strip().splitlines()) == 1, err
    (tmp_path / "e.csv").write_text(f"a,b,y\n{value},1,0\n1,2,1\n")
    assert main(["evaluate", "--model", model, "--input", str(tmp_path / "e.csv"),
                 "--target", "y"]) == 2
    err = capsys.readouterr().err
    assert "too large in magnitude" in err and "Traceback" not in err, err
    assert main(["predict", "--model", model, "--points", f"{value},1"]) == 2
    assert "too large in magnitude" in capsys.readouterr().err
    (tmp_path / "p.csv").write_text("a,b\n1e300,1\n")   # computed finitely
    assert main(["predict", "--model", model, "--input", str(tmp_path / "p.csv")]) == 0


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_estimators_on_huge_inputs_behave_as_scikit_learn_without_warnings(solver):
    """X * 1e150: scikit-learn's sgd raises at the end, its adam fits; lucidnet's estimators
    do the same, and no RuntimeWarning leaves lucidnet's code (the suite makes it an error)."""
    import warnings

    from sklearn.datasets import make_classification
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    X = X * 1e150
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's own overflow warnings
        try:
            reference = MLPClassifier(solver=solver, max_iter=20, random_state=0).fit(X, y)
        except ValueError:
            reference = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator = ln.LucidClassifier(solver=solver, max_iter=20, random_state=0)
        if reference is None:
            with pytest.raises(ValueError, match="non-finite"):
                estimator.fit(X, y)
        else:
            estimator.fit(X, y)
            assert estimator.score(X, y) == pytest.approx(reference.score(X, y), abs=0.1)


# ---------------------------------------------- the overflow test's bound (training.passes)
def _identity_net(w, b, dtype="float64"):
    net = ln.NeuralNetwork([ln.Input("x", 1), ln.Dense("o", 1, activation="identity")],
                           loss_fn="mse", dtype=dtype)
    net.layers[1].params["W"][...] = w
    net.layers[1].params["b"][...] = b
    return net


def test_the_bound_proves_a_small_pass_safe_and_refuses_to_prove_a_large_one():
    from lucidnet.training.passes import forward_cannot_overflow

    big = np.finfo(np.float64).max
    # |Z| <= |2| * 3 + |1| = 7: proved
    assert forward_cannot_overflow(_identity_net(2.0, 1.0), np.array([[3.0, -1.0]]))
    # 4 * max/8 = max/2 is finite, but above the bound's limit of max/4: not proved
    assert not forward_cannot_overflow(_identity_net(4.0, 0.0), np.array([[big / 8]]))
    # in float32 the limit is 3.4e38 / 4: 1e38 * 1 is not proved, 1e37 is
    assert not forward_cannot_overflow(_identity_net(1.0, 0.0, "float32"),
                                       np.array([[1e38]], np.float32))
    assert forward_cannot_overflow(_identity_net(1.0, 0.0, "float32"),
                                   np.array([[1e37]], np.float32))


def test_a_fit_runs_the_overflow_pass_only_when_the_bound_does_not_prove_it(monkeypatch):
    from lucidnet.training import loop

    calls = []
    real = loop.forward_in_batches
    monkeypatch.setattr(loop, "forward_in_batches",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    net = _net(activation="relu", output="identity", loss="mse")
    net.fit(np.ones((2, 4)), np.zeros(4), epochs=1, print_every=0)
    assert calls == []                                    # proved: no pass
    with pytest.raises(ValueError, match="X is too large in magnitude"):
        _net(activation="relu", output="identity", loss="mse").fit(
            np.full((2, 3), 1.7e308), np.zeros(3), epochs=1, print_every=0)
    assert calls == [1]                                   # not proved: the pass decided


@settings(max_examples=200, derandomize=True, deadline=None)
@given(scale=st.sampled_from([1.0, 1e10, 1e100, 1e150, 1e154, 1e160, 1e300, 1.7e308]),
       weight=st.sampled_from([0.5, 1.0, 1e10, 1e150, 1e300]),
       activation=st.sampled_from(sorted(ACTIVATIONS)),
       output=st.sampled_from(["sigmoid", "identity", "exp"]),
       dtype=st.sampled_from(["float64", "float32"]))
def test_a_pass_the_bound_proves_safe_never_overflows(scale, weight, activation, output, dtype):
    """Soundness: whenever the bound says "cannot overflow", the real pass does not."""
    from lucidnet import checks
    from lucidnet.training.passes import forward_cannot_overflow

    if activation == "softmax":
        return
    net = ln.NeuralNetwork([ln.Input("x", 2), ln.Dense("h", 4, activation=activation),
                            ln.Dense("h2", 3, activation=activation),
                            ln.Dense("o", 1, activation=output)], loss_fn="mse", seed=0,
                           dtype=dtype)
    limit = float(np.finfo(dtype).max)
    net.layers[2].params["W"][...] *= min(weight, limit / 16)  # |W| < 1: finite in dtype
    X = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]]) * min(scale, limit / 4)
    X = X.astype(dtype)
    if forward_cannot_overflow(net, X):
        checks.without_overflow(lambda: net.forward_checked(X), "X", net.dtype)  # no raise
