"""The decision boundary as it evolves over training, as an animated GIF (or MP4).

Two steps, so that training pays only for what it records:

1. :class:`BoundaryRecorder`, a :class:`~lucidnet.training.Callback`, evaluates
   the network on a fixed grid over the data every ``every`` epochs (one
   forward pass of ``grid_steps**2`` columns) and keeps the outputs, the epoch
   and the cost J.  A callback that is not installed costs nothing.
2. :meth:`BoundaryRecorder.save` draws each snapshot with
   :func:`lucidnet.plots.boundary.plot_decision_boundary` (probability field, 0.5
   contour and the data on top; class regions for a softmax network) titled
   with the epoch and the cost, and writes the frames with matplotlib's
   ``PillowWriter`` (``.gif``) or ``FFMpegWriter`` (``.mp4``, when ffmpeg is
   installed).

:func:`animate_training` does both in one call.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..checks import check_int
from ..training.callbacks import Callback

__all__ = ["BoundaryRecorder", "animate_training", "mp4_available"]


def mp4_available() -> bool:
    """True when matplotlib finds an ffmpeg binary to write MP4 files."""
    from matplotlib import animation

    return animation.writers.is_available("ffmpeg")


class BoundaryRecorder(Callback):
    """Snapshot the network's output on a grid over 2-D data during training.

    Parameters
    ----------
    X : array (N, 2) (or the core's column-wise (2, N))
        The data; the grid spans its bounding box plus ``padding``.
    y : array (N,)
        Labels, drawn on top of every frame.
    frames : int, default 60
        Number of snapshots to aim for when ``every`` is not given
        (``every = max(1, epochs // frames)``); the state before training and
        after the last epoch are always included.
    every : int, optional
        Snapshot every ``every`` epochs (epochs 0, every, 2 every, ...).
    grid_steps : int, default 100
        The grid has ``grid_steps x grid_steps`` points.
    padding : float, default 0.5

    Attributes
    ----------
    epochs : list of int or None
        Epoch of each snapshot (``None``: the initial weights).
    costs : list of float
        Training cost J at each snapshot.
    outputs : list of ndarray (M, dL), float32
        The network's output at the ``M = grid_steps**2`` grid points.
    """

    def __init__(self, X, y, *, frames: int = 60, every: int | None = None,
                 grid_steps: int = 100, padding: float = 0.5):
        from .boundary import _points, plane_grid

        X, y = _points(X, y)
        for name, value in (("frames", frames), ("grid_steps", grid_steps)) + (
                (("every", every),) if every is not None else ()):
            check_int(name, value, 1)
        check_int("grid_steps", grid_steps, 2)
        self.X, self.y = X, y
        self.frames, self.every, self.grid_steps = int(frames), every, int(grid_steps)
        self.padding = float(padding)
        # the plane plot_decision_boundary draws, so a frame and the still picture agree
        G1, G2, G = plane_grid(X, grid_steps=grid_steps, padding=padding)
        self.x1, self.x2 = G1[0], G2[:, 0]
        self._G = np.ascontiguousarray(G.T)                # (2, M) column-wise
        self.epochs: list[int | str | None] = []  # str: a labelled frame (add_kept)
        self.costs: list[float] = []
        self.outputs: list[np.ndarray] = []

    # ------------------------------------------------------------- callback
    def on_train_begin(self, net, epochs):
        if net.n_features != 2:
            raise ValueError(f"the boundary animation needs 2-D inputs; the network takes "
                             f"{net.n_features}")
        self._every = self.every or max(1, epochs // self.frames)
        self._last = epochs - 1
        self._offset = int(net.training_record.get("epochs", 0) or 0)  # a second fit()
        if not self.epochs:
            self._snap(net, None, float(net.loss(self.X.T, self.y)))

    def on_epoch_end(self, info):
        if info.epoch % self._every == 0 or info.epoch == self._last:
            self._snap(info.net, info.epoch + self._offset, float(info.cost))

    def _snap(self, net, epoch, cost):
        # In chunks of the training batch's size: one big (d_l, 10^4) product wakes
        # OpenBLAS's threads, which then slow the next epochs on a busy machine.
        step = max(self.X.shape[0], 256)
        chunks = [net.forward(self._G[:, i:i + step]).T                # (chunk, dL)
                  for i in range(0, self._G.shape[1], step)]
        self.outputs.append(np.concatenate(chunks).astype(np.float32))
        self.epochs.append(epoch)
        self.costs.append(cost)

    def add_kept(self, net, epoch: int):
        """One last frame: the weights training kept, when early stopping restored an
        earlier epoch's (otherwise the film would end on weights the model does not have)."""
        self._snap(net, f"kept: the weights of epoch {epoch} (early stopping)",
                   float(net.loss(self.X.T, self.y)))

    # ------------------------------------------------------------- drawing
    def _lookup(self, i):
        """A ``predict_fn`` answering from snapshot ``i``: nearest stored grid point."""
        values = self.outputs[i]
        x1, x2, steps = self.x1, self.x2, self.grid_steps

        def predict_fn(G):
            G = np.asarray(G, dtype=float)
            col = np.clip(np.rint((G[:, 0] - x1[0]) / (x1[1] - x1[0])), 0, steps - 1)
            row = np.clip(np.rint((G[:, 1] - x2[0]) / (x2[1] - x2[0])), 0, steps - 1)
            return values[(row * steps + col).astype(np.intp)]

        return predict_fn

    def title(self, i) -> str:
        # The log's "Epoch: k Cost J" is the cost after epoch k's update, so the
        # first frame (the initial weights, before any update) says so in words.
        epoch = self.epochs[i]
        when = "initial weights, before any update" if epoch is None else epoch \
            if isinstance(epoch, str) else f"after epoch {epoch}'s update"
        return f"{when}:  cost J = {self.costs[i]:.4f}"

    def frame_figure(self, i, *, title_prefix=""):
        """Snapshot ``i`` drawn by :func:`~lucidnet.plots.boundary.plot_decision_boundary`."""
        from .boundary import plot_decision_boundary

        if not self.outputs:
            raise ValueError("no snapshots yet: pass the recorder to fit(callbacks=[...])")
        return plot_decision_boundary(self._lookup(i), self.X, self.y,
                                      title=title_prefix + self.title(i),
                                      grid_steps=self.grid_steps, padding=self.padding)

    def frame_images(self, *, dpi=80, title_prefix=""):
        """Every snapshot as an RGB array ``(height, width, 3)`` (uint8)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        images, positions = [], None
        for i in range(len(self.outputs)):
            fig = self.frame_figure(i, title_prefix=title_prefix)
            fig.set_dpi(dpi)
            if positions is not None and len(positions) == len(fig.axes):
                # every frame has the same layout: reuse the first frame's instead of
                # running the (slow) constrained-layout solver again
                fig.set_layout_engine("none")
                for ax, pos in zip(fig.axes, positions):
                    ax.set_position(pos)
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            if positions is None:
                positions = [ax.get_position() for ax in fig.axes]
            images.append(np.asarray(canvas.buffer_rgba())[..., :3].copy())
        return images

    def save(self, path, *, fps: int = 10, dpi: int = 80, hold_last: int = 10,
             title_prefix: str = "") -> Path:
        """Write the animation to ``path`` (``.gif``, or ``.mp4`` when ffmpeg is available).

        ``hold_last`` repeats the final frame so the result stays on screen a moment.
        Returns the path written.

        Raises
        ------
        ValueError
            For another extension, for ``.mp4`` without ffmpeg, or before any snapshot.
        """
        import matplotlib.pyplot as plt
        from matplotlib import animation

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".gif", ".mp4"):
            raise ValueError(f"the animation is written as .gif or .mp4, got {str(path)!r}")
        if suffix == ".mp4" and not mp4_available():
            raise ValueError("writing .mp4 needs ffmpeg, which matplotlib cannot find; "
                             "write a .gif instead")
        images = self.frame_images(dpi=dpi, title_prefix=title_prefix)
        h, w, _ = images[0].shape
        fig = plt.figure(figsize=(w / dpi, h / dpi), dpi=dpi)
        plt.close(fig)  # keep the Figure only
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        shown = ax.imshow(images[0], interpolation="none")
        writer = (animation.PillowWriter(fps=fps) if suffix == ".gif"
                  else animation.FFMpegWriter(fps=fps))
        from ..atomic_files import atomic_path, sigint_hook

        with atomic_path(path) as tmp, writer.saving(fig, str(tmp), dpi):
            for image in images + [images[-1]] * hold_last:
                shown.set_data(image)
                writer.grab_frame()
                sigint_hook("gif")
        return path


def animate_training(net, X, y, path="training.gif", *, epochs=2000, frames=60,
                     grid_steps=100, fps=10, dpi=80, **fit_options):
    """Train ``net`` on row-wise ``X`` ``(N, 2)`` and ``y`` and save the boundary animation.

    ``fit_options`` go to :meth:`~lucidnet.NeuralNetwork.fit` (``print_every``
    defaults to 0 here).  Returns the :class:`BoundaryRecorder` (its
    ``epochs``, ``costs`` and ``frame_figure(i)``); the file is at ``path``.

    Example
    -------
    >>> rec = animate_training(net, X, y, "moons.gif", epochs=2000)   # doctest: +SKIP
    """
    recorder = BoundaryRecorder(X, y, frames=frames, grid_steps=grid_steps)
    fit_options.setdefault("print_every", 0)
    callbacks = [*fit_options.pop("callbacks", ()), recorder]
    net.fit(recorder.X.T, y, epochs=epochs, callbacks=callbacks, **fit_options)
    recorder.save(path, fps=fps, dpi=dpi)
    return recorder
