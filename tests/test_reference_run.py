"""SPEC.md's reference run, and the notebook's cells typed by hand.

A change to the training loop that moves the trajectory shows up here.
"""

from __future__ import annotations

import numpy as np
import pytest


def reference_network(seed=0):
    from lucidnet import Dense, Input, NeuralNetwork, bce_cost

    return NeuralNetwork(layers=[Input("x", 2), Dense("h1", 16), Dense("h2", 32),
                                 Dense("out", 1)], loss_fn=bce_cost, lr=1.0, seed=seed)


def test_reference_run_reaches_the_notebooks_result():
    from lucidnet import generate_toy_dataset

    X, y = generate_toy_dataset(n_samples=1000, noise=0.2, dataset_type="moons",
                                random_state=42)
    net = reference_network()
    costs = net.fit(X.T, y, epochs=2000, print_every=100, grad_check_every=199,
                    verbose=False)
    assert len(costs) == 20
    # the plateau near 0.289 the text describes, then the fall
    assert any(abs(c - 0.289) < 0.005 for c in costs[2:8])
    assert costs[-1] < 0.10
    assert net.loss(X.T, y) < 0.10
    assert net.score(X.T, y) >= 0.97
    assert [epoch for epoch, _ in net.grad_checks] == list(range(0, 2000, 199))
    assert all(r.passed for _, reports in net.grad_checks for r in reports)


def test_notebook_session_typed_by_hand(capsys):
    # The notebook's cells, with `from lucidnet import ...` in place of the definitions.
    from lucidnet import (Dense, Input, NeuralNetwork, bce_cost, generate_toy_dataset,
                          plot_decision_boundary, visualize_dataset)

    X, y = generate_toy_dataset(n_samples=1000, noise=0.2, dataset_type="moons",
                                random_state=42)
    visualize_dataset(X, y, title="Two moons")
    net = NeuralNetwork(layers=[Input("input", 2), Dense("hidden1", 16),
                                Dense("hidden2", 32), Dense("output", 1)],
                        loss_fn=bce_cost, lr=1.0)
    costs = net.fit(X.T, y, epochs=300, print_every=100, grad_check_every=199)
    printed = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in printed] == [["Epoch:", "0"], ["Epoch:", "100"],
                                                      ["Epoch:", "200"]]
    assert len(costs) == 3
    net.grad_check(X.T, y, layer_idx=1, param="W")
    net.grad_check(X.T, y, layer_idx=3, param="b")
    y_hat = net.forward(X.T)
    accuracy = np.mean((y_hat >= 0.5).astype(int).ravel() == y)
    assert accuracy == pytest.approx(net.score(X.T, y))
    plot_decision_boundary(lambda P: net.forward(P.T).T, X, y, title="After training")
