"""Memory of a training step: which (d, N) arrays exist, and that a step allocates none.

On a large batch the arrays of shape (d_l, N) are the whole memory of
training.  A 2-H-H-1 sigmoid network needs five of them: Z and A of both
hidden layers (Delta[l] is written over Z[l], which is dead once sigma'(Z) has
been applied) and one dA array shared by the layers going down.
"""

import tracemalloc

import numpy as np
import pytest

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet.activations import Activation

H, N = 32, 4000


def _net(activation="sigmoid"):
    return NeuralNetwork([Input("x", 2), Dense("h1", H, activation),
                          Dense("h2", H, activation), Dense("out", 1)], lr=0.5)


def _data():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((2, N))
    return X, (X[0] * X[1] > 0).astype(float)


def _large_work_arrays(net):
    """Distinct arrays of shape (H, N) held by the layers after a training step."""
    arrays = {}
    for layer in net.layers:
        for buf in layer.__dict__.get("_work", {}).values():
            if buf.shape == (H, N):
                arrays[id(buf)] = buf
    return list(arrays.values())


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_a_step_keeps_five_large_arrays_and_allocates_none(activation):
    net = _net(activation)
    X, y = _data()
    Xc, Y = net.check_inputs(X), net.check_targets(y, N)
    for _ in range(2):  # the first step allocates the work arrays
        net.backward_checked(Xc, Y)
        net.step()
    assert len(_large_work_arrays(net)) == 5
    tracemalloc.start()
    try:
        net.backward_checked(Xc, Y)
        net.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # one (H, N) float64 array is 1 MB; the (1, N) output arrays are 32 kB each
    assert peak < H * N * 8 / 4


def test_delta_overwrites_z_and_the_gradients_are_unchanged():
    net = _net()
    X, y = _data()
    net.backward(X, y)
    h2 = net.layers[2]
    assert h2.Z is None                     # used up: it now holds Delta
    assert h2.Delta is h2._work["Z"]
    fresh = _net()                          # the same weights (seed 0), Delta kept apart
    fresh.layers[2].activation = type(fresh.layers[2].activation)()
    fresh.layers[2].activation.delta_over_Z = False
    fresh.backward(X, y)
    assert fresh.layers[2].Z is not None
    for (_, _, g), (_, _, g_ref) in zip(net.parameters(), fresh.parameters()):
        np.testing.assert_array_equal(g, g_ref)
    with pytest.raises(RuntimeError, match="run forward first"):
        h2.backward(np.ones((H, N)))
    net.forward(X)                          # a new forward pass restores Z
    assert h2.Z.shape == (H, N)


def test_a_user_activation_with_its_own_backward_keeps_z():
    class Cube(Activation):
        name = "cube"

        def forward(self, Z, out=None):
            return np.power(Z, 3, out=out)

        def backward(self, Z, A, dA, out=None):
            Delta = np.multiply(dA, 3.0, out=out)
            Delta *= Z * Z  # reads Z after writing out: overwriting Z would be wrong
            return Delta

    assert Cube.delta_over_Z is False
    net = NeuralNetwork([Input("x", 2), Dense("h", 3, Cube()), Dense("out", 1)])
    X, y = _data()
    net.backward(X[:, :50], y[:50])
    assert net.layers[1].Z is not None
    report = net.grad_check(X[:, :50], y[:50], 1, method="entries_loop")
    assert report.passed


class _Square(Activation):  # a user's activation written without ``out``
    name = "square"

    def forward(self, Z):
        return Z * Z

    def derivative(self, Z, A):
        return 2 * Z


@pytest.mark.parametrize("block_bytes,blocks", [
    (None, 3),          # 8 x 35,000 float64: 280 kB per row, so 1 MB blocks are 3 rows (3 + 3 + 2)
    (65_536, 40),       # 64 kB: pieces of 8192 columns, 5 a row (4 x 8192 + 2232), 8 rows
])
@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh", "identity", "elu", "square"])
def test_large_arrays_by_blocks_of_rows_give_the_same_numbers(monkeypatch, activation,
                                                              block_bytes, blocks):
    if block_bytes is not None:
        monkeypatch.setattr("lucidnet.core.work_arrays.BLOCK_BYTES", block_bytes)
    act = _Square() if activation == "square" else activation
    rng = np.random.default_rng(7)
    X = rng.standard_normal((2, 35_000))
    y = (X[0] > X[1]).astype(float)

    def run():
        net = NeuralNetwork([Input("x", 2), Dense("h1", 8, act), Dense("h2", 8, act),
                             Dense("out", 1)], lr=0.1, seed=4)
        for _ in range(2):
            net.backward(X, y)
            net.step()
        return net

    assert net_blocks(run()) == [blocks, blocks]
    blocked = run()
    monkeypatch.setattr("lucidnet.core.work_arrays.BLOCK_BYTES", 1 << 40)  # one block: whole arrays
    assert net_blocks(run()) == [None, None]
    whole = run()
    for (key, theta, g), (_, theta_ref, g_ref) in zip(blocked.parameters(), whole.parameters()):
        np.testing.assert_allclose(theta, theta_ref, rtol=1e-12, atol=1e-15, err_msg=key)
        np.testing.assert_allclose(g, g_ref, rtol=1e-10, atol=1e-15, err_msg=key)
    for layer, ref in zip(blocked.layers[1:], whole.layers[1:]):
        np.testing.assert_allclose(layer.A, ref.A, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer.Delta, ref.Delta, rtol=1e-10, atol=1e-15)


def net_blocks(net):
    """Number of row blocks each hidden layer uses (None: whole arrays)."""
    from lucidnet.core.work_arrays import row_blocks

    out = []
    for layer in net.layers[1:-1]:
        blocks = row_blocks(layer.A.shape, layer.A.dtype)
        out.append(None if len(blocks) == 1 else len(blocks))
    return out


def test_a_users_dense_subclass_written_without_out_still_trains():
    class LoggedDense(Dense):
        calls = 0

        def backward(self, dA, need_dA_prev=True, Delta=None):  # an older signature
            LoggedDense.calls += 1
            return super().backward(dA, need_dA_prev, Delta)

    net = NeuralNetwork([Input("x", 2), LoggedDense("h", 5), LoggedDense("out", 1)])
    X, y = _data()
    net.fit(X[:, :100], y[:100], epochs=3, print_every=0)
    assert LoggedDense.calls == 6  # two layers, three epochs (the output gets Delta=)
    assert all(r.passed for r in net.check_gradients(X[:, :100], y[:100]))


def test_a_row_larger_than_a_block_goes_in_pieces_of_the_row():
    from lucidnet.core.work_arrays import BLOCK_BYTES, row_blocks

    assert BLOCK_BYTES == 1024 * 1024
    # a float64 row of 300,000 values is 2.4 MB: pieces of 131,072 columns (1 MB), 3 a row
    blocks = row_blocks((2, 300_000), np.float64)
    assert blocks == [(slice(0, 1), slice(0, 131_072)), (slice(0, 1), slice(131_072, 262_144)),
                      (slice(0, 1), slice(262_144, 393_216)),
                      (slice(1, 2), slice(0, 131_072)), (slice(1, 2), slice(131_072, 262_144)),
                      (slice(1, 2), slice(262_144, 393_216))]
    covered = np.zeros((2, 300_000), int)
    for block in blocks:
        covered[block] += 1
    assert (covered == 1).all()                           # every element once
    assert row_blocks((5, 50_000), np.float64) == [slice(0, 2), slice(2, 4), slice(4, 6)]  # 400 kB rows
