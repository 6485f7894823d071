"""Property tests (hypothesis): random shapes and values for every built-in
activation and loss, and random CSV text for the CSV reader.

Sizes are bounded in the strategies; the profile in conftest.py sets no deadline.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lucidnet.activations import ACTIVATIONS
from lucidnet.data import load_csv, read_csv
from lucidnet.losses import LOSSES, log_softmax

BUILTIN_ACTIVATIONS = sorted(name for name, act in ACTIVATIONS.items()
                             if type(act).__module__ == "lucidnet.core.activation_functions"
                             and type(act).__name__ != "_UserActivation")
BUILTIN_LOSSES = sorted(name for name, loss in LOSSES.items()
                        if type(loss).__module__ == "lucidnet.core.losses")
PROBABILITY_LOSSES = {"bce", "cce"}

shapes = st.tuples(st.integers(1, 6), st.integers(1, 8))


def matrices(shape, low, high, dtype=np.float64):
    return hnp.arrays(dtype, shape, elements=st.floats(low, high, allow_nan=False,
                                                       allow_infinity=False, width=64
                                                       if dtype == np.float64 else 32))


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ------------------------------------------------------------------ activations
@pytest.mark.parametrize("name", BUILTIN_ACTIVATIONS)
@given(data=st.data(), shape=shapes)
def test_activation_forward_and_backward_are_finite(name, data, shape):
    act = ACTIVATIONS[name]
    Z = data.draw(matrices(shape, -1e300, 1e300))
    dA = data.draw(matrices(shape, -1e3, 1e3))
    Z_copy = Z.copy()
    A = act.forward(Z)
    Delta = act.backward(Z, A, dA)
    assert A.shape == Z.shape and Delta.shape == Z.shape
    assert np.isfinite(A).all() and np.isfinite(Delta).all()
    np.testing.assert_array_equal(Z, Z_copy)  # the input is not modified


@pytest.mark.parametrize("name", BUILTIN_ACTIVATIONS)
@given(data=st.data(), shape=shapes)
def test_activation_float32_stays_finite(name, data, shape):
    act = ACTIVATIONS[name]
    Z = data.draw(matrices(shape, -2.0**99, 2.0**99, np.float32))  # about 6e29
    A = act.forward(Z)
    Delta = act.backward(Z, A, np.ones_like(Z))
    assert np.isfinite(A).all() and np.isfinite(Delta).all()


@given(Z=shapes.flatmap(lambda s: matrices(s, -1e300, 1e300)))
def test_softmax_columns_are_distributions(Z):
    A = ACTIVATIONS["softmax"].forward(Z)
    assert (A >= 0).all() and (A <= 1).all()
    np.testing.assert_allclose(A.sum(axis=0), 1.0, rtol=0, atol=1e-12)


@given(Z=shapes.flatmap(lambda s: matrices(s, -100, 100)), shift=st.floats(-1e4, 1e4))
def test_softmax_and_log_softmax_ignore_a_constant_shift(Z, shift):
    softmax = ACTIVATIONS["softmax"].forward
    # z + shift is rounded to the spacing of 1e4 (about 2e-12), hence the tolerance.
    np.testing.assert_allclose(softmax(Z + shift), softmax(Z), rtol=0, atol=1e-10)
    np.testing.assert_allclose(log_softmax(Z + shift), log_softmax(Z), rtol=1e-9, atol=1e-9)


@given(Z=shapes.flatmap(lambda s: matrices(s, -1e300, 1e300)))
def test_log_softmax_is_finite_and_consistent(Z):
    L = log_softmax(Z)
    assert np.isfinite(L).all() and (L <= 0).all()
    np.testing.assert_allclose(np.exp(L).sum(axis=0), 1.0, atol=1e-12)


# ------------------------------------------------------------------ losses
def _targets_and_outputs(data, name, shape):
    if name in PROBABILITY_LOSSES:
        # Probabilities including exactly 0 and 1; 0/1 or soft targets.
        prob = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0, 1))
        A = data.draw(hnp.arrays(np.float64, shape, elements=prob))
        Y = data.draw(hnp.arrays(np.float64, shape, elements=prob))
        return Y, A
    if name == "poisson":
        # counts y >= 0 and positive outputs (an exp or softplus layer's)
        return (data.draw(matrices(shape, 0.0, 1e100)), data.draw(matrices(shape, 1e-100, 1e100)))
    Y = data.draw(matrices(shape, -1e150, 1e150))
    A = data.draw(matrices(shape, -1e150, 1e150))
    return Y, A


@pytest.mark.parametrize("name", BUILTIN_LOSSES)
@given(data=st.data(), shape=shapes)
def test_loss_gradient_and_cost_are_finite(name, data, shape):
    loss = LOSSES[name]
    Y, A = _targets_and_outputs(data, name, shape)
    A_copy = A.copy()
    values, grad = loss.loss(Y, A), loss.grad(Y, A)
    assert values.shape == A.shape and grad.shape == A.shape
    assert np.isfinite(values).all() and np.isfinite(grad).all()
    assert (values >= 0).all()
    assert np.isfinite(loss.cost(Y, A))
    np.testing.assert_array_equal(A, A_copy)


@pytest.mark.parametrize("name", [n for n in BUILTIN_LOSSES if LOSSES[n].canonical])
@given(data=st.data(), shape=shapes)
def test_cost_from_logits_is_finite_and_matches_the_probability_form(name, data, shape):
    loss = LOSSES[name]
    d, N = shape
    if name == "cce":
        labels = data.draw(hnp.arrays(np.intp, N, elements=st.integers(0, d - 1)))
        Y = np.zeros(shape)
        Y[labels, np.arange(N)] = 1.0
    elif name == "bce":
        Y = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    else:  # poisson needs counts y >= 0
        Y = data.draw(matrices(shape, 0.0 if name == "poisson" else -1e3, 1e3))
    Z = data.draw(matrices(shape, -1e100, 1e100))
    J = loss.cost_from_logits(Y, Z)
    assert np.isfinite(J) and J >= 0
    # Where the logits are moderate (no probability below the loss's 1e-12
    # clipping: e**-20 / 6 is 3e-10), the probability form agrees.
    Zm = np.clip(Z, -10, 10)
    A = ACTIVATIONS[loss.canonical].forward(Zm)
    np.testing.assert_allclose(loss.cost_from_logits(Y, Zm), loss.cost(Y, A),
                               rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ CSV reader
CSV_ERRORS = (ValueError, FileNotFoundError)  # documented in read_csv/load_csv
names = st.text(alphabet="abcxyz_ 1", min_size=1, max_size=4)
numbers = st.one_of(st.floats(allow_nan=False, allow_infinity=False).map(repr),
                    st.integers(-10**6, 10**6).map(str))
odd_cells = st.one_of(
    st.sampled_from(["", " ", "NA", "nan", "NaN", "inf", "-inf", "1e400", "?", "null",
                     "1,5", '"2"', '"3', "0x10", "1_000", "  3 ", "\t4", "true", "é", "\x00"]),
    st.text(max_size=5))


usually = st.sampled_from([True] * 9 + [False])  # shrinks towards True: the common case


@st.composite
def csv_texts(draw):
    """CSV text: a header and rows, mostly rectangular and numeric, sometimes not."""
    n_cols = draw(st.integers(2, 4)) if draw(usually) else 1
    header = draw(st.lists(names, min_size=n_cols, max_size=n_cols))
    n_rows = draw(st.integers(2, 7)) if draw(usually) else draw(st.integers(0, 1))
    rows = []
    for _ in range(n_rows):
        width = n_cols if draw(usually) else draw(st.integers(0, n_cols + 2))
        # Mostly numbers, so that many tables are well formed and an odd cell stands out.
        rows.append([draw(numbers) if draw(usually) else draw(odd_cells)
                     for _ in range(width)])
    lines = [",".join(header)] + [",".join(r) for r in rows]
    if not draw(usually):
        lines.insert(draw(st.integers(0, len(lines))), "")
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    target = draw(st.sampled_from(header)) if draw(usually) else draw(names)
    return text, target


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150)
@given(case=csv_texts(), task=st.sampled_from(["auto", "classification", "regression"]),
       bom=st.booleans())
def test_csv_reader_raises_only_documented_errors(tmp_path, case, task, bom):
    text, target = case
    path = tmp_path / "data.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8",
                                                                      "surrogatepass"))
    try:
        X, y, features, classes = read_csv(path, target, task)
    except CSV_ERRORS as exc:
        assert str(exc)  # a message, never an empty one
        return
    assert X.dtype == np.float64 and np.isfinite(X).all()
    assert X.shape == (len(y), len(features)) and len(y) >= 2
    assert target not in features
    if classes is None:
        assert np.isfinite(np.asarray(y, dtype=float)).all()
    else:
        assert set(np.unique(y)) <= set(range(len(classes)))
    try:
        load_csv(path, target, test_size=0.3, task=task)
    except CSV_ERRORS as exc:
        assert str(exc)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(data=hnp.arrays(np.float64, st.tuples(st.integers(2, 12), st.integers(1, 4)),
                       elements=st.floats(-1e300, 1e300, allow_nan=False)),
       labels=st.lists(st.sampled_from(["a", "b", "c"]), min_size=12, max_size=12))
def test_well_formed_csv_round_trips(tmp_path, data, labels):
    n, d = data.shape
    header = [f"x{j}" for j in range(d)] + ["label"]
    rows = [",".join([*map(repr, data[i].tolist()), labels[i]]) for i in range(n)]
    path = tmp_path / "ok.csv"
    path.write_text("\n".join([",".join(header), *rows]) + "\n")
    X, y, features, classes = read_csv(path, "label")
    np.testing.assert_array_equal(X, data)  # repr round-trips float64 exactly
    assert features == header[:-1]
    assert [classes[i] for i in y] == labels[:n]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(row=st.integers(0, 4), col=st.integers(0, 2),
       bad=st.sampled_from(["", "NA", "abc", "inf", "1e400", "nan"]))
def test_csv_error_names_the_line_and_the_column(tmp_path, row, col, bad):
    table = [[f"{i + j / 10}" for j in range(3)] + [str(i % 2)] for i in range(5)]
    table[row][col] = bad
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(["f0,f1,f2,y", *(",".join(r) for r in table)]) + "\n")
    with pytest.raises(ValueError) as info:
        read_csv(path, "y")
    message = str(info.value)
    assume("line" in message)
    assert f"line {row + 2}" in message and f"'f{col}'" in message
