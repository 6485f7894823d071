"""The pictures ``lucidnet train`` writes tell the truth (issue 12, item 4): the loss
curve from the per-epoch history, the user's units and names on CSV plots, test points
told apart, one class-colour convention, a colour bar on every field, the GIF's first
frame explained.  Figures are captured in-process (Agg) and their artists read."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_hex

import lucidnet.plots.diagnostics as diagnostics_plots
import lucidnet.plots.boundary as plotting
import lucidnet.plots.surface as surface_plots
from lucidnet.cli import main

QUICK = ["--print-every", "0", "--grad-check-every", "0", "--quiet"]


@pytest.fixture
def figures(monkeypatch, tmp_path):
    """Run ``lucidnet ARGS`` in-process and return ``{file name: Figure}``."""
    monkeypatch.chdir(tmp_path)
    drawn = {}

    def capture(module, name):
        original = getattr(module, name)

        def wrapper(*args, save=None, **kwargs):
            fig = original(*args, save=save, **kwargs)
            drawn[str(save).rsplit("/", 1)[-1]] = fig
            return fig

        monkeypatch.setattr(module, name, wrapper)

    for name in ("visualize_dataset", "plot_decision_boundary", "plot_loss_curve"):
        capture(plotting, name)
    capture(diagnostics_plots, "plot_hidden_units")
    capture(surface_plots, "plot_regression_surface")

    def run(*args):
        assert main([str(a) for a in args]) == 0
        return drawn

    return run


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _scatter_colors(ax):
    """Legend label -> face colour (hex) of each scatter of the axes."""
    return {c.get_label(): to_hex(c.get_facecolor()[0]) for c in ax.collections
            if c.get_label() and not c.get_label().startswith("_")}


@pytest.fixture
def text_label_csv(tmp_path):
    rng = np.random.default_rng(3)
    age, income = rng.uniform(20, 80, 200), rng.uniform(1000, 5000, 200)
    label = np.where(income > 1000 + 40 * age, "yes", "no")
    lines = ["age,income,bought"] + [f"{a:.1f},{i:.0f},{b}" for a, i, b in
                                     zip(age, income, label)]
    (tmp_path / "buy.csv").write_text("\n".join(lines) + "\n")
    return age, income


def test_csv_plots_are_in_the_users_units_and_names(figures, text_label_csv):
    age, income = text_label_csv
    drawn = figures("train", "--data", "buy.csv", "--target", "bought", "--epochs", "20",
                    "--optimizer", "adam", "--lr", "0.01", *QUICK, "--out", "o")
    for name in ("dataset.png", "decision_boundary.png"):
        ax = drawn[name].axes[0]
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("age", "income"), name
        assert _legend(ax) == ["no (train)", "yes (train)", "no (test)", "yes (test)"]
        points = np.vstack([c.get_offsets() for c in ax.collections
                            if c.get_label().endswith(("(train)", "(test)"))])
        assert len(points) == 200  # 160 train + 40 test
        # the user's units: the raw ranges, not standardized ones around 0
        assert points[:, 0].min() >= 20 and points[:, 0].max() <= 80
        assert points[:, 1].min() >= 1000 and points[:, 1].max() <= 5000
    colorbar = drawn["decision_boundary.png"].axes[1]
    assert colorbar.get_ylabel().startswith("P(yes)")
    assert "train" in drawn["dataset.png"].axes[0].get_title()


def test_class_zero_has_one_colour_in_binary_and_multiclass_plots():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [0.5, 2.0]])
    binary = plotting.visualize_dataset(X, np.array([0, 1, 0, 1])).axes[0]
    multi = plotting.visualize_dataset(X, np.array([0, 1, 2, 1])).axes[0]
    assert _scatter_colors(binary)["class 0"] == _scatter_colors(multi)["class 0"] == "#d7301f"
    assert _scatter_colors(binary)["class 1"] == _scatter_colors(multi)["class 1"] == "#2166ac"
    # the probability field's colormap agrees: P = 0 red, P = 1 blue
    import matplotlib as mpl

    cmap = mpl.colormaps[plotting._FIELD_CMAP]
    r0, _, b0, _ = cmap(0.0)
    r1, _, b1, _ = cmap(1.0)
    assert r0 > b0 and b1 > r1


def test_loss_curve_is_drawn_from_every_recorded_epoch(figures):
    drawn = figures("train", "--epochs", "300", "--n-samples", "100", *QUICK[2:],
                    "--print-every", "100", "--out", "o")
    ax = drawn["loss_curve.png"].axes[0]
    (line,) = ax.get_lines()
    epochs = line.get_xdata()
    # 300 epochs, every epoch sampled (300 // 500 -> every 1), not the 3 print checkpoints
    assert len(epochs) == 300 and epochs[0] == 0 and epochs[-1] == 299


def test_early_stopping_curve_has_validation_and_the_kept_epoch(figures, tmp_path):
    import json

    drawn = figures("train", "--dataset", "moons", "--n-samples", "200", "--val-split", "0.3",
                    "--early-stopping", "10", "--optimizer", "adam", "--lr", "0.05",
                    "--epochs", "500", *QUICK, "--out", "es")
    record = json.loads((tmp_path / "es" / "metrics.json").read_text())["early_stopping"]
    ax = drawn["loss_curve.png"].axes[0]
    labels = _legend(ax)
    assert labels[:2] == ["training cost", "validation cost"]
    assert labels[2] == f"best epoch {record['best_epoch']} (weights kept)"
    train, val, best = ax.get_lines()
    assert len(train.get_xdata()) == len(val.get_xdata()) == record["stopped_epoch"] + 1
    assert list(best.get_xdata()) == [record["best_epoch"]] * 2


def test_log_scale_when_the_cost_spans_decades():
    spans = plotting.plot_loss_curve({"epoch": [0, 1, 2], "loss": [10.0, 1.0, 0.01]},
                                     log_scale="auto").axes[0]
    flat = plotting.plot_loss_curve({"epoch": [0, 1, 2], "loss": [0.9, 0.5, 0.3]},
                                    log_scale="auto").axes[0]
    assert spans.get_yscale() == "log" and flat.get_yscale() == "linear"


def test_hidden_units_have_a_colour_bar_per_layer(figures):
    drawn = figures("train", "--layers", "3,2", "--epochs", "5", "--n-samples", "60",
                    "--diagnostics", "--no-plots", *QUICK, "--out", "d")
    fig = drawn["hidden_units.png"]
    bars = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel().startswith("A[")]
    assert bars == ["A[1]", "A[2]", "A[3]"]


def test_the_first_gif_frame_says_what_it_shows():
    from lucidnet import Dense, Input, NeuralNetwork
    from lucidnet.plots.animation import BoundaryRecorder
    from lucidnet.data.toy import generate_toy_dataset

    X, y = generate_toy_dataset(60)
    net = NeuralNetwork([Input("x", 2), Dense("h", 4), Dense("out", 1)])
    rec = BoundaryRecorder(X, y, every=1, grid_steps=5)
    costs = net.fit(X.T, y, epochs=2, print_every=1, callbacks=[rec])
    assert rec.title(0) == f"initial weights, before any update:  cost J = {rec.costs[0]:.4f}"
    # the second frame is the log's "Epoch: 0 Cost ...": after epoch 0's update
    assert rec.title(1) == f"after epoch 0's update:  cost J = {costs[0]:.4f}"


def test_the_gif_ends_on_the_weights_early_stopping_kept(monkeypatch, tmp_path):
    from lucidnet.plots.animation import BoundaryRecorder

    monkeypatch.chdir(tmp_path)
    seen = {}
    original = BoundaryRecorder.save

    def save(self, path, **kwargs):
        seen["titles"] = [self.title(i) for i in range(len(self.outputs))]
        return original(self, path, **kwargs)

    monkeypatch.setattr(BoundaryRecorder, "save", save)
    assert main(["train", "--n-samples", "200", "--val-split", "0.3", "--early-stopping", "10",
                 "--optimizer", "adam", "--lr", "0.05", "--epochs", "500", "--animate",
                 "--frames", "20", "--no-plots", *QUICK, "--out", "es"]) == 0
    import json

    best = json.loads((tmp_path / "es" / "metrics.json").read_text())["early_stopping"]
    assert seen["titles"][-1].startswith(
        f"kept: the weights of epoch {best['best_epoch']} (early stopping)")


@pytest.fixture
def comfort_csv(tmp_path):
    """A regression on two features in their own units: temperature 0-40, humidity
    10-90, comfort about 5-85."""
    rng = np.random.default_rng(1)
    t, h = rng.uniform(0, 40, 200), rng.uniform(10, 90, 200)
    comfort = 50 + 30 * np.sin(t / 8) - 0.01 * (h - 50) ** 2 + rng.normal(0, 2, 200)
    lines = ["temperature,humidity,comfort"] + [f"{a:.2f},{b:.1f},{c:.2f}"
                                                for a, b, c in zip(t, h, comfort)]
    (tmp_path / "comfort.csv").write_text("\n".join(lines) + "\n")
    return t, h, comfort


@pytest.mark.parametrize("raw, ylabel", [([], "cost J of the standardized target"),
                                         (["--no-standardize-target"], "cost J")])
def test_regression_loss_curve_names_its_units_on_the_axis(figures, comfort_csv, raw, ylabel):
    drawn = figures("train", "--data", "comfort.csv", "--target", "comfort", "--epochs", "30",
                    *raw, *QUICK, "--out", "o")
    ax = drawn["loss_curve.png"].axes[0]
    assert ax.get_title() == "Cost per epoch: comfort.csv, 2-16-32-1"  # not clipped any more
    assert ax.get_ylabel().split("  (")[0] == ylabel


def test_two_feature_regression_draws_its_fitted_surface(figures, comfort_csv, tmp_path):
    t, h, comfort = comfort_csv
    drawn = figures("train", "--data", "comfort.csv", "--target", "comfort", "--epochs", "300",
                    "--optimizer", "adam", *QUICK, "--out", "o")
    assert (tmp_path / "o" / "fitted_surface.png").exists()
    fig = drawn["fitted_surface.png"]
    ax, bar = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("temperature", "humidity")
    assert bar.get_ylabel().startswith("comfort")
    assert "training part" in ax.get_title() and "test part" in ax.get_title()
    field = next(c for c in ax.collections if hasattr(c, "levels"))
    points = [c for c in ax.collections if c is not field]
    # every point in the user's units, coloured by its own target, on the field's scale
    xy = np.vstack([c.get_offsets() for c in points])
    colours = np.concatenate([c.get_array() for c in points])
    assert len(xy) == 200 and xy[:, 0].min() >= 0 and xy[:, 0].max() <= 40
    assert xy[:, 1].min() >= 10 and xy[:, 1].max() <= 90
    by_point = {(round(a, 2), round(b, 1)): c for a, b, c in zip(t, h, comfort)}
    for (a, b), c in zip(xy, colours):
        assert np.isclose(c, round(by_point[(round(a, 2), round(b, 1))], 2))
    for c in points:
        assert (c.norm.vmin, c.norm.vmax) == (field.norm.vmin, field.norm.vmax)
    assert field.levels[0] <= comfort.min() and field.levels[-1] >= comfort.max()


def test_the_surface_is_the_prediction_over_the_plane():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = 3 * X[:, 0] - X[:, 1]
    fig = surface_plots.plot_regression_surface(lambda G: 3 * G[:, 0] - G[:, 1], X, y,
                                                grid_steps=5)
    ax, bar = fig.axes
    field = next(c for c in ax.collections if hasattr(c, "levels"))
    # the grid spans the points +- 0.5: 3 x1 - x2 runs from 3(-0.5) - 1.5 = -3 to 3(1.5) + 0.5 = 5
    assert ax.get_xlim() == (-0.5, 1.5) and ax.get_ylim() == (-0.5, 1.5)
    assert field.levels[0] <= -3 < field.levels[1] and field.levels[-2] < 5 <= field.levels[-1]
    assert bar.get_ylabel().startswith("prediction")
    with pytest.raises(ValueError, match="one value per point"):
        surface_plots.plot_regression_surface(lambda G: G, X, y)


def test_the_sampled_curve_is_the_cost_of_each_epochs_weights(monkeypatch, tmp_path, capsys):
    """The curve's samples are read from the next epoch's step (no forward pass of their
    own); each must be the cost after its own epoch's update, as a fresh pass gives."""
    import json

    from lucidnet.cli._progress import CurveSampler

    monkeypatch.chdir(tmp_path)
    args = ["train", "--n-samples", "200", "--epochs", "1200", "--grad-check-every", "0",
            "--quiet", "--no-plots"]

    def history(out):
        monkeypatch.setattr("lucidnet.cli.train.make_callbacks",
                            lambda args: [CurveSampler(args.epochs, from_step=True,
                                                       print_every=args.print_every)])
        assert main([*args, "--out", out]) == 0
        return json.loads((tmp_path / out / "metrics.json").read_text())["history"]

    sampled = history("sampled")
    # the reference: every epoch recorded by the loop itself, each from a fresh pass
    monkeypatch.setattr(CurveSampler, "needs_history", True)
    every = history("every")
    assert every["epoch"] == list(range(1200))
    # 1200 // 500: a sample every 2 epochs, the last epoch, and the print checkpoints
    expected = sorted(set(range(0, 1200, 2)) | {1199} | set(range(0, 1200, 100)))
    assert sampled["epoch"] == expected
    for e, J, acc in zip(sampled["epoch"], sampled["loss"], sampled["accuracy"]):
        # equal to rounding (bit for bit today); one epoch off differs by 2e-5 or more
        assert J == pytest.approx(every["loss"][e], rel=1e-12, abs=0), e
        assert acc == every["accuracy"][e]
