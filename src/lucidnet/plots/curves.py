"""Learning curves: train and validation figures per epoch, learning-rate schedules,
several runs overlaid.

All three read ``net.history`` (a dict of equal-length lists keyed ``epoch``,
``loss``, ``accuracy`` or ``r2``, ``val_loss``, ``val_accuracy``, ``lr``; a
figure an epoch did not compute is ``None``), or a network (its history).

- :func:`plot_history`: cost (train and validation) beside the metric (train
  and validation), one figure.
- :func:`plot_lr_schedule`: the learning rate per epoch, from a schedule's
  closed form or from the rates a run recorded.
- :func:`plot_runs`: one figure per key with every run as a line, e.g.
  optimizers or activations trained on the same data from the same seed.

Every function returns the matplotlib ``Figure``.
"""

from __future__ import annotations

import numpy as np

from ..atomic_files import save_figure

__all__ = ["plot_history", "plot_lr_schedule", "plot_runs"]

_METRICS = ("accuracy", "r2")


def _history(source) -> dict:
    history = getattr(source, "history", source)
    if not isinstance(history, dict):
        raise ValueError("expected a network or its history dict (with an 'epoch' list); "
                         f"got {type(source).__name__}")
    if not history.get("epoch"):
        raise ValueError("the history is empty: train with print_every > 0, validation "
                         "data or a callback that needs it")
    return history


def _series(history, key):
    """``(epochs, values)`` of ``key`` with the epochs where it is missing dropped."""
    values = history.get(key)
    if values is None:
        return None
    e = np.asarray(history["epoch"], dtype=float)
    v = np.array([np.nan if x is None else x for x in values], dtype=float)
    keep = np.isfinite(v)
    return (e[keep], v[keep]) if keep.any() else None


def _epoch_axis(ax, ylabel, *, log=False, legend_size="small"):
    """Epochs along x, ``ylabel`` up (logarithmic with ``log``), a grid and the legend."""
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=legend_size)


def _finish(fig, save):
    """Save the figure when asked; return it (the caller shows or saves it)."""
    if save is not None:
        save_figure(fig, save, dpi=110)  # atomically: temporary file + rename
    return fig


def _figure(ncols, figsize):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=figsize, layout="constrained", squeeze=False)
    plt.close(fig)  # keep the Figure only
    return fig, axes[0]


def plot_history(source, title="Learning curves", *, log_loss=True, save=None):
    """Training and validation cost (left) and metric (right) against the epoch.

    Parameters
    ----------
    source : NeuralNetwork or dict
        A trained network or its ``history``.
    title : str
    log_loss : bool
        Logarithmic cost axis.
    save : path, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    history = _history(source)
    metric = next((m for m in _METRICS if _series(history, m) or _series(history, "val_" + m)),
                  None)
    fig, axes = _figure(2 if metric else 1, (11 if metric else 6, 4.2))
    panels = [("loss", "cost J", axes[0])] + ([(metric, metric, axes[1])] if metric else [])
    for key, label, ax in panels:
        for name, style in ((key, "-"), ("val_" + key, "--")):
            series = _series(history, name)
            if series is not None:
                marker = "o" if series[0].size < 60 else None
                ax.plot(*series, style, marker=marker, markersize=3,
                        label=("validation " if name.startswith("val_") else "training ")
                        + label)
        _epoch_axis(ax, label, log=log_loss and ax is axes[0], legend_size=None)
    fig.suptitle(title)
    return _finish(fig, save)


def plot_lr_schedule(source, epochs=None, eta_0=None, title="Learning-rate schedule", *,
                     log_scale=False, save=None):
    """The learning rate of each epoch.

    Parameters
    ----------
    source : Schedule, str, NeuralNetwork or dict
        A schedule (or its name), drawn from its closed form over ``epochs``
        epochs starting at ``eta_0``; or a network / history with an ``lr``
        column (what a run actually used, the only way to see a
        ``reduce_on_plateau`` schedule, which reacts to the cost).
    epochs, eta_0 : needed with a schedule.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..optim.schedules import Schedule, get_schedule

    if isinstance(source, (Schedule, str)):
        schedule = get_schedule(source)
        if schedule.monitors:
            raise ValueError(f"{schedule!r} reacts to the cost: plot the 'lr' a run recorded "
                             "(pass the network or its history)")
        if epochs is None or eta_0 is None:
            raise ValueError("plotting a schedule needs epochs and eta_0")
        schedule.start(eta_0, epochs)
        e = np.arange(epochs)
        lr = np.array([schedule.lr(int(i)) for i in e])
        label = repr(schedule)
    else:
        series = _series(_history(source), "lr")
        if series is None:
            raise ValueError("the history has no 'lr' column (the run used no schedule)")
        e, lr = series
        label = "recorded"
    fig, (ax,) = _figure(1, (6, 3.6))
    ax.step(e, lr, where="post", label=label)
    _epoch_axis(ax, "learning rate eta", log=log_scale)
    ax.set_title(title)
    return _finish(fig, save)


def plot_runs(runs, keys=("loss",), title="Runs compared", *, log_loss=True, save=None):
    """Several runs overlaid, one panel per history key.

    Parameters
    ----------
    runs : dict
        ``{label: network or history}``, e.g. ``{"sgd": net1, "adam": net2}``.
    keys : sequence of str
        History names to show, one panel each (``"loss"``, ``"val_loss"``,
        ``"accuracy"``, ...); a run without that figure is left out of its panel.
    title : str
    log_loss : bool
        Logarithmic axis for keys ending in ``loss``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not runs:
        raise ValueError("plot_runs needs at least one run")
    histories = {label: _history(source) for label, source in runs.items()}
    keys = list(keys)
    fig, axes = _figure(len(keys), (5.5 * len(keys), 4.2))
    for key, ax in zip(keys, axes):
        drawn = 0
        for label, history in histories.items():
            series = _series(history, key)
            if series is not None:
                ax.plot(*series, label=label)
                drawn += 1
        if not drawn:
            raise ValueError(f"no run has a {key!r} column; known: "
                             f"{sorted(set().union(*histories.values()))}")
        _epoch_axis(ax, key, log=log_loss and key.endswith("loss"))
    fig.suptitle(title)
    return _finish(fig, save)
