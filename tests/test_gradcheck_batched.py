"""The batched entry-wise gradient check gives the numbers of the text's loop.

``grad_check(method="entries")`` evaluates many perturbations in one pass
(:func:`lucidnet.gradcheck.check_entries_batched`); ``method="entries_loop"``
is the readable reference, two cost evaluations per entry.  To compare their
central differences entry by entry, the backprop gradient handed to both is
replaced by one that is wrong at exactly one entry: each check then reports
that entry as its worst, with its numerical derivative.
"""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import Dense, Dropout, Input, NeuralNetwork
from lucidnet import gradcheck
from lucidnet.gradcheck_network import run_checks

ARCHS = {
    "sigmoid bce": ([3, 4, 5, 1], "sigmoid", "sigmoid", "bce", {}),
    "tanh softmax l2": ([3, 4, 3, 3], "tanh", "softmax", "cce", {"l2": 0.3}),
    "relu identity l1": ([2, 5, 2], "relu", "identity", "mse", {"l1": 0.2}),
    "softmax hidden": ([3, 4, 2], "softmax", "sigmoid", "bce", {}),
}


def _net(sizes, hidden, output, loss, extra, dropout=False):
    layers = [Input("x", sizes[0])]
    for i, d in enumerate(sizes[1:-1], start=1):
        layers.append(Dense(f"h{i}", d, activation=hidden))
        if dropout and i == 1:
            layers.append(Dropout("drop", 0.3))
    layers.append(Dense("out", sizes[-1], activation=output))
    return NeuralNetwork(layers, loss_fn=loss, seed=3, **extra)


def _data(sizes, output, N=7, seed=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(sizes[0], N))
    if output == "softmax":
        return X, rng.integers(0, sizes[-1], N)
    if output == "sigmoid":
        return X, rng.integers(0, 2, (sizes[-1], N)).astype(float)
    return X, rng.normal(size=(sizes[-1], N))


def _numeric_by_both(net, X, y):
    """Every entry's central difference from the batched check and from the loop."""
    Xc = net.check_inputs(X)
    Y = net.check_targets(y, Xc.shape[1])
    run_checks(net, Xc, Y, [])  # backward pass, dropout masks drawn from the check's stream
    for layer in net.layers:
        if hasattr(layer, "fixed_mask"):
            layer.fixed_mask = True

    def objective():
        net.forward_checked(Xc, training=True)
        return net.cost_of_last_forward(Y)

    pairs = []
    for idx, layer in enumerate(net.layers):
        for param, theta in layer.params.items():
            right = layer.grads[param].copy()
            for entry in np.ndindex(theta.shape):
                wrong = right.copy()
                wrong[entry] += 1e3                   # the worst entry of both checks
                layer.grads[param] = wrong
                batched = gradcheck.check_entries_batched(net, Xc, Y, idx, param)
                layer.grads[param] = wrong
                loop = gradcheck.check_entries(objective, theta, wrong, layer_idx=idx,
                                               layer_name=layer.name, param=param)
                assert batched.index == loop.index == entry
                pairs.append((batched.numeric, loop.numeric))
            layer.grads[param] = right
    return np.array(pairs)


@pytest.mark.parametrize("arch", list(ARCHS))
def test_batched_equals_loop_at_every_entry(arch):
    sizes, hidden, output, loss, extra = ARCHS[arch]
    net = _net(sizes, hidden, output, loss, extra)
    X, y = _data(sizes, output)
    pairs = _numeric_by_both(net, X, y)
    assert np.abs(pairs).max() > 1e-3   # the gradients are not all zero
    np.testing.assert_allclose(pairs[:, 0], pairs[:, 1], rtol=1e-6, atol=1e-9)


def test_batched_equals_loop_with_a_fixed_dropout_mask():
    sizes, hidden, output, loss, extra = ARCHS["sigmoid bce"]
    net = _net(sizes, hidden, output, loss, extra, dropout=True)
    X, y = _data(sizes, output)
    pairs = _numeric_by_both(net, X, y)
    np.testing.assert_allclose(pairs[:, 0], pairs[:, 1], rtol=1e-6, atol=1e-9)


def test_small_blocks_give_the_same_numbers():
    """Blocks of 2 copies (one entry at a time) or one block for all: same result."""
    sizes, hidden, output, loss, extra = ARCHS["tanh softmax l2"]
    net = _net(sizes, hidden, output, loss, extra)
    X, y = _data(sizes, output)
    Xc = net.check_inputs(X)
    Y = net.check_targets(y, Xc.shape[1])
    net.backward_checked(Xc, Y)
    tiny = gradcheck.check_entries_batched(net, Xc, Y, 1, "W", max_elements=1)
    whole = gradcheck.check_entries_batched(net, Xc, Y, 1, "W")
    assert tiny.index == whole.index
    assert tiny.numeric == pytest.approx(whole.numeric, rel=1e-9)


@pytest.mark.parametrize("method", ["entries", "entries_loop", "directional"])
def test_every_method_passes_on_a_correct_network_and_leaves_it_untouched(method):
    sizes, hidden, output, loss, extra = ARCHS["sigmoid bce"]
    net = _net(sizes, hidden, output, loss, extra)
    X, y = _data(sizes, output, N=11)
    before = [theta.copy() for _, theta, _ in net.parameters()]
    reports = net.check_gradients(X, y, method=method)
    assert all(r.passed for r in reports) and len(reports) == 6
    for (_, theta, _), saved in zip(net.parameters(), before):
        np.testing.assert_array_equal(theta, saved)
    # the caches hold the unperturbed batch again (N columns, not a stack of copies)
    assert net.layers[1].Z.shape == (4, 11)


def test_unknown_method_is_refused():
    sizes, hidden, output, loss, extra = ARCHS["sigmoid bce"]
    net = _net(sizes, hidden, output, loss, extra)
    X, y = _data(sizes, output)
    with pytest.raises(ValueError, match="entries_loop"):
        net.grad_check(X, y, 1, method="every")
