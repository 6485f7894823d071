"""Learning curves, learning-rate schedules and runs compared (Agg)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet.curves import plot_history, plot_lr_schedule, plot_runs
from lucidnet.datasets import generate_toy_dataset

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def moons():
    X, y = generate_toy_dataset(200, 0.2, "moons", 42)
    return X.T, y


def trained(moons, optimizer="sgd", lr=1.0, **fit):
    X, y = moons
    net = NeuralNetwork([Input("x", 2), Dense("h", 8), Dense("out", 1)], lr=lr,
                        optimizer=optimizer, seed=0)
    net.fit(X, y, epochs=40, print_every=0, **fit)
    return net


def lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_history_train_and_validation_on_one_figure(moons, tmp_path):
    net = trained(moons, validation_split=0.25)
    fig = plot_history(net, save=tmp_path / "h.png")
    loss_ax, metric_ax = fig.axes
    assert set(lines(loss_ax)) == {"training cost J", "validation cost J"}
    assert set(lines(metric_ax)) == {"training accuracy", "validation accuracy"}
    x, yv = lines(loss_ax)["validation cost J"].get_data()
    assert list(x) == list(range(40))
    assert np.allclose(yv, net.history["val_loss"])
    assert (tmp_path / "h.png").stat().st_size > 0


def test_history_with_gaps_and_checkpoints_only(moons):
    net = trained(moons)          # no validation, no checkpoint: nothing recorded
    with pytest.raises(ValueError, match="empty"):
        plot_history(net)
    history = {"epoch": [0, 10, 20], "loss": [0.7, None, 0.5]}
    fig = plot_history(history)
    x, yv = lines(fig.axes[0])["training cost J"].get_data()
    assert list(x) == [0, 20] and list(yv) == [0.7, 0.5]
    assert len(fig.axes) == 1     # no metric recorded: no metric panel
    with pytest.raises(ValueError, match="history"):
        plot_history([0.7, 0.5])


def test_lr_schedule_closed_form_and_recorded(moons):
    fig = plot_lr_schedule("step", epochs=100, eta_0=0.1)
    x, lr = fig.axes[0].get_lines()[0].get_data()
    # step decay, step_size 30, gamma 0.1: 0.1 for epochs 0-29, 0.01 for 30-59, ...
    assert lr[0] == pytest.approx(0.1) and lr[29] == pytest.approx(0.1)
    assert lr[30] == pytest.approx(0.01) and lr[99] == pytest.approx(1e-4)
    net = trained(moons, schedule="cosine", validation_split=0.25)
    fig = plot_lr_schedule(net)
    x, lr = fig.axes[0].get_lines()[0].get_data()
    assert lr[0] == pytest.approx(1.0) and lr[-1] < 0.01   # cosine from eta_0 = 1 to ~0
    with pytest.raises(ValueError, match="reacts to the cost"):
        plot_lr_schedule("reduce_on_plateau", epochs=10, eta_0=1.0)
    with pytest.raises(ValueError, match="needs epochs"):
        plot_lr_schedule("cosine")
    with pytest.raises(ValueError, match="no 'lr'"):
        plot_lr_schedule(trained(moons, validation_split=0.25))


def test_runs_overlaid(moons):
    runs = {name: trained(moons, name, lr, validation_split=0.25)
            for name, lr in (("sgd", 1.0), ("adam", 0.01))}
    fig = plot_runs(runs, keys=("loss", "val_accuracy"))
    assert [set(lines(ax)) for ax in fig.axes] == [{"sgd", "adam"}, {"sgd", "adam"}]
    assert fig.axes[0].get_yscale() == "log" and fig.axes[1].get_yscale() == "linear"
    with pytest.raises(ValueError, match="no run has"):
        plot_runs(runs, keys=("val_r2",))
    with pytest.raises(ValueError, match="at least one"):
        plot_runs({})
