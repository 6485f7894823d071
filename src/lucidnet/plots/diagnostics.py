"""Pictures of the inside of a network: diagnostics over epochs, histograms, hidden-unit maps.

- :func:`plot_diagnostics`: what a :class:`~lucidnet.inspect.diagnostics.Diagnostics`
  callback recorded, one panel per figure (cost, gradient norm, update ratio,
  saturation / dead units, variance share of the strongest direction), one line
  per layer, with the epochs where the cost barely moves shaded as plateaus.
- :func:`plot_activation_histograms`: the distribution of each layer's
  activations at a few recorded epochs.
- :func:`plot_hidden_units`: for 2-D inputs, each hidden unit's activation over
  the input plane as a small heat map (like TensorFlow Playground's thumbnails).

Every function returns the matplotlib ``Figure``.
"""

from __future__ import annotations

import numpy as np

from ..atomic_files import save_figure
from ..inspect.diagnostics import Diagnostics

__all__ = ["plot_diagnostics", "plot_activation_histograms", "plot_hidden_units",
           "plateau_spans"]


def _figure(nrows, ncols, figsize, **kw):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, layout="constrained",
                             squeeze=False, **kw)
    plt.close(fig)  # keep the Figure, drop pyplot's reference (no leaks in loops)
    return fig, axes


def plateau_spans(epochs, costs, window=100, rel_change=0.02, min_length=150):
    """Epoch ranges where the cost stays nearly flat although training is not done.

    A recorded epoch ``e`` is flat when the cost changes by less than
    ``rel_change`` (relative) between ``e`` and ``e + window``; runs of flat
    epochs at least ``min_length`` long whose cost is still more than twice
    the final cost are returned as ``[(start, stop), ...]``.
    """
    e = np.asarray(epochs, dtype=float)
    J = np.asarray(costs, dtype=float)
    if e.size < 2:
        return []
    ahead = np.interp(e + window, e, J, right=np.nan)
    flat = (np.abs(ahead - J) < rel_change * J) & (J > 2.0 * J[-1])
    spans, start = [], None
    for i, is_flat in enumerate(np.append(flat, False)):
        if is_flat and start is None:
            start = i
        elif not is_flat and start is not None:
            stop = e[min(i - 1, e.size - 1)] + window  # flat until the window's end
            if stop - e[start] >= min_length:
                spans.append((int(e[start]), int(min(stop, e[-1]))))
            start = None
    return spans


_PANELS = (  # (figure, axis label, log scale)
    ("grad_norm", "gradient norm |dW|, |db|", True),
    ("update_ratio", "update / weight  |dW step| / |W|", True),
    ("saturated", "saturated (sigma' < 10% of max)\nor dead (ReLU) share", False),
    ("top_share", "variance share of the\nstrongest direction", False),
)


def plot_diagnostics(diag: Diagnostics, title="Inside the network", *, shade_plateaus=True,
                     save=None):
    """Cost and per-layer diagnostics against the epoch, one panel each.

    Parameters
    ----------
    diag : Diagnostics
        A callback that has been through ``fit``.
    title : str
    shade_plateaus : bool
        Shade the spans :func:`plateau_spans` finds in the cost.
    save : path, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not diag.epochs:
        raise ValueError("the Diagnostics callback recorded nothing; pass it to fit(callbacks=)")
    fig, axes = _figure(len(_PANELS) + 1, 1, (7.5, 11), sharex=True)
    axes = axes[:, 0]
    e = np.asarray(diag.epochs)
    axes[0].plot(e, diag.costs, color="k")
    axes[0].set_ylabel("training cost J")
    axes[0].set_yscale("log")
    for ax, (key, label, log) in zip(axes[1:], _PANELS):
        for idx, rec in diag.layers.items():
            values = diag.array(idx, key)
            if key == "saturated":
                dead = diag.array(idx, "dead")
                values = np.where(np.isnan(values), dead, values)
            if np.all(np.isnan(values)) or (key == "top_share" and rec["units"] == 1):
                continue  # nothing measured (or one unit: a single direction by definition)
            ax.plot(e, values, label=f"layer {idx} {rec['name']} ({rec['activation']}, "
                                     f"{rec['units']})")
        if log:
            ax.set_yscale("log")
        ax.set_ylabel(label, fontsize="small")
        ax.grid(True, alpha=0.3)
    axes[-1].set_ylim(None, 1.005)  # the last panel is the top-direction share
    axes[1].legend(fontsize="x-small", loc="best")
    if shade_plateaus:
        for start, stop in plateau_spans(e, diag.costs):
            for ax in axes:
                ax.axvspan(start, stop, color="orange", alpha=0.15, lw=0)
            axes[0].text((start + stop) / 2, axes[0].get_ylim()[1], "plateau", ha="center",
                         va="top", fontsize="small", color="darkorange")
    axes[-1].set_xlabel("epoch")
    axes[0].set_title(title)
    if save is not None:
        save_figure(fig, save, dpi=110)
    return fig


def plot_activation_histograms(diag: Diagnostics, epochs=None, title="Activations",
                               *, save=None):
    """Histograms of each layer's activations ``A[l]`` at a few recorded epochs.

    ``epochs`` defaults to the first, a few in between and the last recorded
    epoch (at most 4); each must have been recorded.
    """
    if not diag.epochs:
        raise ValueError("the Diagnostics callback recorded nothing; pass it to fit(callbacks=)")
    if epochs is None:
        picks = np.unique(np.linspace(0, len(diag.epochs) - 1, 4).round().astype(int))
        epochs = [diag.epochs[i] for i in picks]
    missing = [ep for ep in epochs if ep not in diag.epochs]
    if missing:
        raise ValueError(f"epochs {missing} were not recorded (every={diag.every})")
    import matplotlib as mpl

    colors = mpl.colormaps["viridis"](np.linspace(0, 0.9, len(epochs)))
    fig, axes = _figure(1, len(diag.layers), (3.2 * len(diag.layers), 3.2))
    for ax, (idx, rec) in zip(axes[0], diag.layers.items()):
        for ep, color in zip(epochs, colors):
            counts, edges = rec["histograms"][diag.epochs.index(ep)]
            share = counts / max(counts.sum(), 1)
            ax.stairs(share, edges, color=color, label=f"epoch {ep}", lw=1.5)
        ax.set_title(f"layer {idx} {rec['name']} ({rec['activation']})", fontsize="small")
        ax.set_xlabel(f"A[{idx}]")
        ax.set_ylabel("share of unit-example pairs", fontsize="small")
    axes[0][0].legend(fontsize="x-small")
    fig.suptitle(title)
    if save is not None:
        save_figure(fig, save, dpi=110)
    return fig


def plot_hidden_units(net, X=None, y=None, *, grid_steps=60, padding=0.5, bounds=None,
                      max_per_row=16, title="What each hidden unit computes", save=None):
    """Each hidden unit's activation over the 2-D input plane, as a grid of thumbnails.

    Row block ``l`` shows the units of hidden layer ``l`` (and the output last);
    each thumbnail is ``A[l][k]`` on a ``grid_steps x grid_steps`` grid over the
    data's bounding box (``X`` row-wise ``(N, 2)``, or ``bounds = (x1_min,
    x1_max, x2_min, x2_max)``).  With ``y`` the data is drawn faintly on top.

    Raises
    ------
    ValueError
        If the network does not take 2-D inputs.
    """
    if net.n_features != 2:
        raise ValueError(f"hidden-unit maps need 2-D inputs; this network takes "
                         f"{net.n_features}")
    if bounds is None:
        if X is None:
            raise ValueError("give the data X (N, 2) or bounds=(x1_min, x1_max, x2_min, x2_max)")
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"X must have shape (N, 2), got {X.shape}")
        lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
        bounds = (lo[0], hi[0], lo[1], hi[1])
    x1 = np.linspace(bounds[0], bounds[1], grid_steps)
    x2 = np.linspace(bounds[2], bounds[3], grid_steps)
    G1, G2 = np.meshgrid(x1, x2)
    net.forward(np.vstack([G1.ravel(), G2.ravel()]))          # (2, M) column-wise
    dense = [(idx, layer) for idx, layer in enumerate(net.layers) if "W" in layer.params]
    blocks = [(idx, layer, -(-layer.units // max_per_row)) for idx, layer in dense]
    nrows = sum(rows for _, _, rows in blocks)
    ncols = min(max_per_row, max(layer.units for _, layer in dense))
    fig, axes = _figure(nrows, ncols, (0.8 * ncols + 1.2, 0.8 * nrows + 0.6))
    for ax in axes.ravel():
        ax.set_axis_off()
    row = 0
    for idx, layer, rows in blocks:
        name = layer.activation.name
        vmin, vmax = {"sigmoid": (0, 1), "tanh": (-1, 1), "softmax": (0, 1)}.get(
            name, (float(layer.A.min()), float(layer.A.max()) or 1.0))
        for k in range(layer.units):
            ax = axes[row + k // max_per_row, k % max_per_row]
            image = ax.imshow(layer.A[k].reshape(G1.shape), origin="lower", cmap="RdBu",
                      vmin=vmin, vmax=vmax, extent=bounds, aspect="auto",
                      interpolation="bilinear")
            if y is not None:
                Xp = np.asarray(X, dtype=float)
                ax.scatter(Xp[:, 0], Xp[:, 1], c=np.asarray(y).ravel(), cmap="RdBu", s=0.4,
                           alpha=0.25, linewidths=0)
                ax.set_xlim(bounds[:2])
                ax.set_ylim(bounds[2:])
            ax.set_axis_on()
            ax.set_xticks([])
            ax.set_yticks([])
            if k == 0:
                ax.set_ylabel(f"{layer.name}\n{name}", fontsize="x-small")
        # one colour bar per layer: its units share the scale of its activation
        bar = fig.colorbar(image, ax=list(axes[row:row + rows].ravel()), fraction=0.02, pad=0.01,
                           aspect=8 * rows)
        bar.ax.tick_params(labelsize="x-small")
        bar.set_label(f"A[{idx}]", fontsize="x-small")
        row += rows
    fig.suptitle(title + "  (each unit's activation over the input plane)", fontsize="medium")
    if save is not None:
        save_figure(fig, save, dpi=110)
    return fig
