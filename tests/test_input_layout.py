"""The caller's memory layout never reaches the training loop.

Users pass ``X.T`` (a Fortran-ordered view of a row-wise array), as the
README and the notebook show.  ``fit``/``predict`` make the input C-ordered in
the network's dtype once, at the boundary, so training on ``X.T`` and on a
C-ordered copy is the same computation, bit for bit.
"""

import numpy as np
import pytest

from lucidnet import Dense, Input, NeuralNetwork


def _net(dtype, **kw):
    return NeuralNetwork([Input("x", 3), Dense("h", 8, "relu"), Dense("out", 4, "softmax")],
                         loss_fn="cce", optimizer="adam", lr=0.01, dtype=dtype, **kw)


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(50, 3))          # row-wise, as scikit-learn users hold it
    y = rng.integers(0, 4, size=50)
    return X, y


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_boundary_makes_input_c_ordered_in_the_network_dtype(data, dtype):
    X, _ = data
    net = _net(dtype)
    XT = X.T
    assert not XT.flags.c_contiguous
    inside = net.check_inputs(XT)
    assert inside.flags.c_contiguous and inside.dtype == np.dtype(dtype)
    assert np.array_equal(inside, XT.astype(dtype))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("batch_size", [None, 7])
def test_training_on_a_transposed_view_is_bit_identical(data, dtype, batch_size):
    X, y = data
    a, b = _net(dtype), _net(dtype)
    a.fit(X.T, y, epochs=5, print_every=0, batch_size=batch_size)
    b.fit(np.ascontiguousarray(X.T), y, epochs=5, print_every=0, batch_size=batch_size)
    for (_, wa, _), (_, wb, _) in zip(a.parameters(), b.parameters()):
        assert np.array_equal(wa, wb)
    assert np.array_equal(a.predict_proba(X.T), b.predict_proba(np.ascontiguousarray(X.T)))


def test_multi_output_targets_passed_transposed(data):
    X, _ = data
    rng = np.random.default_rng(3)
    Y_rows = rng.normal(size=(50, 2))
    a = NeuralNetwork([Input("x", 3), Dense("h", 5, "tanh"), Dense("out", 2, "identity")],
                      loss_fn="mse", lr=0.1)
    b = NeuralNetwork([Input("x", 3), Dense("h", 5, "tanh"), Dense("out", 2, "identity")],
                      loss_fn="mse", lr=0.1)
    a.fit(X.T, Y_rows.T, epochs=3, print_every=0, batch_size=8)
    b.fit(np.ascontiguousarray(X.T), np.ascontiguousarray(Y_rows.T), epochs=3, print_every=0,
          batch_size=8)
    for (_, wa, _), (_, wb, _) in zip(a.parameters(), b.parameters()):
        assert np.array_equal(wa, wb)
