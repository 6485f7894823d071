"""Learning-rate schedules and gradient clipping (expected values worked by hand)."""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet.schedules import (SCHEDULES, CosineAnnealing, ExponentialDecay, ReduceOnPlateau,
                                StepDecay, clip_grad_norm, get_schedule)


def _rates(schedule, eta_0, epochs):
    schedule.start(eta_0, epochs)
    return [schedule.lr(e) for e in range(epochs)]


def test_step_decay():
    assert _rates(StepDecay(step_size=2, gamma=0.5), 0.1, 5) == pytest.approx(
        [0.1, 0.1, 0.05, 0.05, 0.025])


def test_exponential_decay():
    assert _rates(ExponentialDecay(gamma=0.9), 1.0, 4) == pytest.approx([1, 0.9, 0.81, 0.729])


def test_cosine_annealing():
    # eta_min + (1 - eta_min) (1 + cos(pi e / 4)) / 2, held at eta_min after T
    sched = CosineAnnealing(t_max=4)
    assert _rates(sched, 1.0, 6) == pytest.approx(
        [1.0, 0.8535533906, 0.5, 0.1464466094, 0.0, 0.0])
    # T defaults to the run's epochs; eta_min is the floor
    assert _rates(CosineAnnealing(eta_min=0.1), 1.0, 3) == pytest.approx([1.0, 0.775, 0.325])


def test_reduce_on_plateau():
    sched = ReduceOnPlateau(factor=0.5, patience=2, min_delta=0.0)
    sched.start(1.0, 100)
    seen = []
    for cost in [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.8]:
        sched.observe(cost)
        seen.append(sched.lr(0))
    # three epochs without improvement (more than patience=2) halve the rate
    assert seen == pytest.approx([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25])


def test_reduce_on_plateau_min_delta_and_floor():
    sched = ReduceOnPlateau(factor=0.1, patience=0, min_delta=0.5, min_lr=0.05)
    sched.start(1.0, 10)
    sched.observe(1.0)           # first value is an improvement over inf
    sched.observe(0.6)           # not by more than 0.5: reduce
    assert sched.lr(1) == pytest.approx(0.1)
    sched.observe(0.59)
    assert sched.lr(2) == pytest.approx(0.05)   # floor min_lr


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_every_schedule_runs_in_fit_and_restores_lr(name):
    X = np.random.default_rng(0).normal(size=(2, 40))
    y = (X[0] > 0).astype(float)
    net = NeuralNetwork([Input("x", 2), Dense("h", 4), Dense("out", 1)], lr=0.5)
    net.fit(X, y, epochs=6, print_every=1, verbose=False, schedule=name)
    assert len(net.history["lr"]) == 6
    assert net.history["lr"][0] == pytest.approx(0.5)
    assert all(np.isfinite(net.history["loss"]))
    assert net.lr == pytest.approx(0.5)


def test_schedule_changes_the_updates_exactly():
    """A step schedule equals training in pieces with the rate set by hand."""
    X = np.random.default_rng(1).normal(size=(2, 30))
    y = (X[0] * X[1] > 0).astype(float)

    def make():
        return NeuralNetwork([Input("x", 2), Dense("h", 5, "tanh"), Dense("out", 1)], lr=0.4)

    scheduled = make()
    scheduled.fit(X, y, epochs=4, print_every=1, verbose=False,
                  schedule=StepDecay(step_size=2, gamma=0.25))
    assert scheduled.history["lr"] == pytest.approx([0.4, 0.4, 0.1, 0.1])
    by_hand = make()
    by_hand.fit(X, y, epochs=2, print_every=0)
    by_hand.lr = 0.1
    by_hand.fit(X, y, epochs=2, print_every=0)
    for (_, a, _), (_, b, _) in zip(scheduled.parameters(), by_hand.parameters()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)


def test_clip_grad_norm():
    g1, g2 = np.array([3.0, 0.0]), np.array([[4.0]])
    assert clip_grad_norm([g1, g2], 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(g1, [0.6, 0.0])
    np.testing.assert_allclose(g2, [[0.8]])
    # below the bound: untouched
    g = np.array([0.3, 0.4])
    assert clip_grad_norm([g], 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(g, [0.3, 0.4])


def test_clip_norm_bounds_each_sgd_step():
    X = np.random.default_rng(2).normal(size=(2, 50)) * 10
    y = (X[0] > 0).astype(float)
    net = NeuralNetwork([Input("x", 2), Dense("h", 8), Dense("out", 1)], lr=1.0)
    before = np.concatenate([theta.ravel() for _, theta, _ in net.parameters()])
    net.fit(X, y, epochs=1, print_every=0, clip_norm=0.01)
    after = np.concatenate([theta.ravel() for _, theta, _ in net.parameters()])
    # plain descent with eta = 1: the step is the clipped gradient, norm <= 0.01
    assert np.linalg.norm(after - before) == pytest.approx(0.01, rel=1e-9)


@pytest.mark.parametrize("bad", [dict(schedule="warmup"), dict(clip_norm=0),
                                 dict(clip_norm=float("nan")), dict(schedule=StepDecay)])
def test_bad_options_are_value_errors(bad):
    net = NeuralNetwork([Input("x", 1), Dense("out", 1)])
    with pytest.raises(ValueError):
        net.fit(np.zeros((1, 4)), np.zeros(4), epochs=1, print_every=0, **bad)


@pytest.mark.parametrize("name, config", [("step", {"gamma": 1.5}), ("step", {"step_size": 0}),
                                          ("exponential", {"gamma": 0}),
                                          ("cosine", {"eta_min": -1}),
                                          ("reduce_on_plateau", {"factor": 1.0}),
                                          ("cosine", {"warm": 1})])
def test_bad_hyperparameters(name, config):
    with pytest.raises(ValueError, match=name if "warm" in config else next(iter(config))):
        get_schedule(name, **config)
