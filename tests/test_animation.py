"""The decision-boundary animation: snapshots during training, frames, GIF/MP4 files."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from PIL import Image

from lucidnet import Dense, Input, NeuralNetwork
from lucidnet.animation import BoundaryRecorder, animate_training, mp4_available
from lucidnet.datasets import generate_toy_dataset

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def moons():
    return generate_toy_dataset(200, 0.2, "moons", 42)


def small_net(seed=0, units=8):
    return NeuralNetwork([Input("x", 2), Dense("h", units), Dense("out", 1)], lr=1.0, seed=seed)


def test_snapshots_at_the_right_epochs(moons):
    X, y = moons
    rec = BoundaryRecorder(X, y, every=10, grid_steps=15)
    net = small_net()
    net.fit(X.T, y, epochs=25, print_every=0, callbacks=[rec])
    assert rec.epochs == [None, 0, 10, 20, 24]        # initial weights, every 10, the last
    assert all(out.shape == (15 * 15, 1) for out in rec.outputs)
    assert rec.costs[-1] == pytest.approx(net.loss(X.T, y))
    assert rec.title(0).startswith("initial weights, before any update")
    assert rec.title(4) == f"after epoch 24's update:  cost J = {rec.costs[-1]:.4f}"
    # frames default: epochs // frames
    rec = BoundaryRecorder(X, y, frames=5, grid_steps=5)
    small_net().fit(X.T, y, epochs=50, print_every=0, callbacks=[rec])
    assert rec.epochs == [None, 0, 10, 20, 30, 40, 49]


def test_recording_does_not_change_training(moons):
    X, y = moons
    plain, watched = small_net(), small_net()
    plain.fit(X.T, y, epochs=30, print_every=0)
    watched.fit(X.T, y, epochs=30, print_every=0,
                callbacks=[BoundaryRecorder(X, y, every=3, grid_steps=10)])
    for (_, a, _), (_, b, _) in zip(plain.parameters(), watched.parameters()):
        assert np.array_equal(a, b)


def test_lookup_gives_back_the_network_output_on_the_grid(moons):
    X, y = moons
    rec = BoundaryRecorder(X, y, every=5, grid_steps=12)
    net = small_net()
    net.fit(X.T, y, epochs=5, print_every=0, callbacks=[rec])
    G1, G2 = np.meshgrid(rec.x1, rec.x2)
    G = np.column_stack([G1.ravel(), G2.ravel()])
    expected = net.predict_proba(G.T).T                       # the network now, row-wise
    assert np.allclose(rec._lookup(len(rec.outputs) - 1)(G), expected, atol=1e-6)
    assert rec.x1[0] == pytest.approx(X[:, 0].min() - 0.5)   # plot_decision_boundary's box


def test_frame_figure_and_gif(moons, tmp_path):
    X, y = moons
    rec = animate_training(small_net(), X, y, tmp_path / "train.gif", epochs=20, frames=4,
                           grid_steps=20, dpi=50, fps=5)
    fig = rec.frame_figure(2)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert fig.axes[0].get_title() == rec.title(2)
    assert fig.axes[0].collections  # the probability field and the contour
    with Image.open(tmp_path / "train.gif") as gif:
        assert gif.format == "GIF"
        assert gif.n_frames >= 3  # Pillow merges identical neighbours (the held last frame)
        assert gif.size[0] > 100 and gif.size[1] > 100
        assert gif.info.get("loop") == 0


def test_k_class_regions(tmp_path):
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=150, centers=3, cluster_std=0.8, random_state=0)
    net = NeuralNetwork([Input("x", 2), Dense("h", 8, "tanh"), Dense("out", 3, "softmax")],
                        loss_fn="cce", optimizer="adam", lr=0.05, seed=0)
    rec = BoundaryRecorder(X, y, every=10, grid_steps=20)
    net.fit(X.T, y, epochs=30, print_every=0, callbacks=[rec])
    assert rec.outputs[-1].shape == (400, 3)
    fig = rec.frame_figure(len(rec.outputs) - 1)
    assert any(ax.get_ylabel() == "predicted class" for ax in fig.axes)  # class regions
    rec.save(tmp_path / "k.gif", dpi=40, hold_last=0)
    with Image.open(tmp_path / "k.gif") as gif:
        assert gif.n_frames >= 2


def test_mp4_where_ffmpeg_exists(moons, tmp_path):
    X, y = moons
    rec = BoundaryRecorder(X, y, every=5, grid_steps=10)
    small_net().fit(X.T, y, epochs=6, print_every=0, callbacks=[rec])
    if mp4_available():
        rec.save(tmp_path / "a.mp4", dpi=40)
        assert (tmp_path / "a.mp4").stat().st_size > 0
    else:
        with pytest.raises(ValueError, match="ffmpeg"):
            rec.save(tmp_path / "a.mp4")
    with pytest.raises(ValueError, match=".gif or .mp4"):
        rec.save(tmp_path / "a.avi")


def test_bad_input():
    X = np.zeros((10, 3))
    with pytest.raises(ValueError, match="shape"):
        BoundaryRecorder(X, np.zeros(10))
    with pytest.raises(ValueError, match="frames"):
        BoundaryRecorder(np.zeros((10, 2)), np.zeros(10), frames=0)
    rec = BoundaryRecorder(np.random.default_rng(0).normal(size=(10, 2)), np.arange(10) % 2)
    with pytest.raises(ValueError, match="no snapshots"):
        rec.frame_figure(0)


def test_cli_animate(run_cli, tmp_path):
    proc = run_cli("train", "--epochs", "30", "--n-samples", "100", "--grad-check-every", "0",
                   "--animate", "--frames", "3", "--quiet", "--no-plots", "--out", "run",
                   check=True)
    assert "training.gif" in proc.stdout
    with Image.open(tmp_path / "run" / "training.gif") as gif:
        assert gif.n_frames >= 3
    assert (tmp_path / "run" / "training.mp4").exists() == mp4_available()
    proc = run_cli("train", "--frames", "0", "--animate")
    assert proc.returncode == 2 and "--frames" in proc.stderr and len(proc.stderr.splitlines()) == 1
