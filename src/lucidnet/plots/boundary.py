"""Plots of the data, the decision boundary and the training cost.

matplotlib is imported here and nowhere else in lucidnet.  Every function
returns the matplotlib ``Figure`` (never calls ``plt.show()``): in Jupyter the
returned figure is displayed; in a script, save it with ``save=path`` or
``fig.savefig(path)``.  Figures are closed in pyplot's registry as soon as they
are drawn, so making many of them neither leaks memory nor warns.

Points are row-wise here, like scikit-learn: ``X`` is ``(N, 2)``, ``y`` is ``(N,)``.
"""

from __future__ import annotations

import numpy as np

from ..atomic_files import save_figure

__all__ = ["visualize_dataset", "plot_decision_boundary", "plot_loss_curve", "evaluate_field",
           "plane_grid", "frame_grid"]

# One class-colour convention in every picture: class 0 red, class 1 blue (as the
# probability field's colormap, RdBu: 0 red, 1 blue), then tab10's other colours.
_CLASS_COLORS = ("#d7301f", "#2166ac", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
_FIELD_CMAP = "RdBu"


def _new_axes(ax, figsize=(6.4, 5.2)):
    """``(fig, ax)``: the given axes' figure, or a new figure closed in pyplot."""
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    plt.close(fig)  # keep the Figure object, drop pyplot's reference to it
    return fig, ax


def _finish(fig, save):
    if save is not None:
        save_figure(fig, save, dpi=120)
    return fig


def _points(X, y):
    """``X`` as ``(N, 2)`` and ``y`` as ``(N,)``; a column-wise ``(2, N)`` X is transposed."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).reshape(-1)
    if X.ndim == 2 and X.shape[0] == 2 and X.shape[1] != 2 and X.shape[1] == y.size:
        X = X.T  # the core's column-wise (d0, N): plots want one row per point
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}")
    if y.size != X.shape[0]:
        raise ValueError(f"y has {y.size} labels for {X.shape[0]} points")
    return X, y


def _class_colors(classes):
    """The colour of each class index, the same in binary and multi-class pictures."""
    return [_CLASS_COLORS[int(i) % len(_CLASS_COLORS)] for i in range(len(classes))]


def _class_label(cls, class_names):
    if class_names is not None:
        return str(class_names[int(cls)])
    return f"class {cls:g}" if np.issubdtype(np.asarray(cls).dtype, np.number) else f"class {cls}"


def _scatter(ax, X, y, *, s=18, edge="k", class_names=None, X_test=None, y_test=None):
    """The points coloured by class; test points (if given) as triangles, same colours."""
    classes = np.unique(y) if y_test is None else np.union1d(np.unique(y), np.unique(y_test))
    colors = dict(zip(classes, _class_colors(range(int(classes.max()) + 1))
                      if np.issubdtype(classes.dtype, np.integer) else _class_colors(classes)))
    for cls in classes:
        mask = y == cls
        label = _class_label(cls, class_names) + (" (train)" if X_test is not None else "")
        ax.scatter(X[mask, 0], X[mask, 1], s=s, color=colors[cls], edgecolors=edge,
                   linewidths=0.4, label=label, zorder=3)
    if X_test is not None:
        for cls in classes:
            mask = y_test == cls
            ax.scatter(X_test[mask, 0], X_test[mask, 1], s=s * 1.8, marker="^",
                       color=colors[cls], edgecolors="k", linewidths=0.8,
                       label=_class_label(cls, class_names) + " (test)", zorder=4)
    ax.legend(loc="best", framealpha=0.85, fontsize="small")


def _axis_labels(ax, feature_names):
    names = feature_names or ("$x_1$", "$x_2$")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])


def visualize_dataset(X, y, title="Toy dataset", *, feature_names=None, class_names=None,
                      X_test=None, y_test=None, ax=None, save=None):
    """Scatter plot of 2-D points coloured by class.

    Parameters
    ----------
    X : array of shape (N, 2)
    y : array of shape (N,)
    title : str
    feature_names : (str, str), optional
        Axis labels (default ``x_1``, ``x_2``).
    class_names : list of str, optional
        Legend entry of class ``i`` (default ``class i``).
    X_test, y_test : arrays of shape (M, 2) and (M,), optional
        Held-out points, drawn as triangles in their class's colour.
    ax : matplotlib Axes, optional
        Draw into these axes instead of a new figure.
    save : path, optional
        Also write the figure to this file (PNG, SVG, PDF by extension).

    Returns
    -------
    matplotlib.figure.Figure
    """
    X, y = _points(X, y)
    if X_test is not None:
        X_test, y_test = _points(X_test, y_test)
    fig, ax = _new_axes(ax)
    _scatter(ax, X, y, class_names=class_names, X_test=X_test, y_test=y_test)
    _axis_labels(ax, feature_names)
    ax.set_title(title)
    if feature_names is None:  # the toy data's x1, x2 share one unit; named columns may not
        ax.set_aspect("equal", adjustable="datalim")
    return _finish(fig, save)


def _call_model(model, G):
    """Raw outputs of ``model`` on grid points ``G`` ``(M, 2)``, row-wise, as an array."""
    from ..core.network import Network

    if isinstance(model, Network):
        return model.predict_proba(G.T).T                      # (M, dL)
    if hasattr(model, "predict_proba"):                        # scikit-learn classifier
        try:
            return np.asarray(model.predict_proba(G))
        except AttributeError:  # e.g. SVC(probability=False) advertises it but refuses
            pass
    if hasattr(model, "decision_function"):
        return np.asarray(model.decision_function(G))
    if hasattr(model, "predict"):
        return np.asarray(model.predict(G))
    if callable(model):
        return np.asarray(model(G))
    raise ValueError("predict_fn must be a lucidnet NeuralNetwork, a scikit-learn "
                     f"estimator or a function of (M, 2) points; got {type(model).__name__}")


def plane_grid(X, X_test=None, grid_steps=300, padding=0.5, *, own_units=False):
    """``(G1, G2, G)``: a ``grid_steps x grid_steps`` grid over the points ``X``
    ``(N, 2)`` (and ``X_test``) with a margin, as ``meshgrid`` arrays and as the
    ``(M, 2)`` rows a model is evaluated on.

    The margin is ``padding`` in data units, or a twentieth of each axis's
    range with ``own_units`` (named columns have their own units).
    """
    if isinstance(grid_steps, bool) or not isinstance(grid_steps, (int, np.integer)) \
            or grid_steps < 2:
        raise ValueError(f"grid_steps must be an integer >= 2, got {grid_steps!r}")
    shown = X if X_test is None else np.vstack([X, X_test])
    lo, hi = shown.min(axis=0), shown.max(axis=0)
    pad = (hi - lo) / 20 + 1e-12 if own_units else padding
    (x1_min, x2_min), (x1_max, x2_max) = lo - pad, hi + pad
    x1 = np.linspace(x1_min, x1_max, grid_steps)
    x2 = np.linspace(x2_min, x2_max, grid_steps)
    G1, G2 = np.meshgrid(x1, x2)
    return G1, G2, np.column_stack([G1.ravel(), G2.ravel()])       # (M, 2)


def frame_grid(ax, G1, G2, feature_names, title):
    """The axes fitted to the grid, the column names on them, the title."""
    ax.set_xlim(G1[0, 0], G1[0, -1])
    ax.set_ylim(G2[0, 0], G2[-1, 0])
    _axis_labels(ax, feature_names)
    ax.set_title(title)


def evaluate_field(predict_fn, G):
    """Interpret ``predict_fn``'s output on the grid points ``G`` ``(M, 2)``.

    Returns ``(kind, values)`` where ``kind`` is ``"probability"`` (values in
    [0, 1], the probability of class 1), ``"score"`` (any real value, the
    boundary at 0) or ``"classes"`` (integer class index per point, for more
    than two classes); ``values`` has shape ``(M,)``.
    """
    out = _call_model(predict_fn, G)
    M = G.shape[0]
    if out.dtype.kind == "b":
        out = out.astype(float)
    if out.dtype.kind not in "iuf":
        raise ValueError(f"predict_fn returned non-numeric values (dtype {out.dtype})")
    if out.ndim == 2 and out.shape[0] != M and out.shape[1] == M:
        out = out.T  # a column-wise (k, M) answer
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.shape[0] != M or out.ndim not in (1, 2):
        raise ValueError(f"predict_fn must return shape (M,), (M, 1) or (M, k) for M = {M} "
                         f"points, got {out.shape}")
    if not np.isfinite(out).all():
        raise ValueError("predict_fn returned NaN or infinite values")
    if out.ndim == 2:
        if out.shape[1] == 2:
            out = out[:, 1]  # column 1 is the probability (or score) of class 1
        else:
            return "classes", out.argmax(axis=1)
    if out.dtype.kind in "iu" or np.array_equal(out, np.round(out)):
        labels = np.unique(out)
        if labels.size > 2 and labels.min() >= 0:  # integer labels of k > 2 classes
            return "classes", out.astype(int)
    if out.min() >= 0.0 and out.max() <= 1.0:
        return "probability", out.astype(float)
    return "score", out.astype(float)


def plot_decision_boundary(predict_fn, X, y, title="Decision boundary", grid_steps=300, *,
                           padding=0.5, feature_names=None, class_names=None, X_test=None,
                           y_test=None, ax=None, save=None):
    """The model's output over the plane, its decision boundary and the data on top.

    ``predict_fn`` is a black box:

    - a lucidnet :class:`~lucidnet.NeuralNetwork` (its ``predict_proba``;
      the core's column-wise convention is handled here);
    - a scikit-learn classifier (``predict_proba`` if it has one, else
      ``decision_function``, else ``predict``);
    - a plain function taking ``(M, 2)`` points and returning labels, scores or
      probabilities of shape ``(M,)``, ``(M, 1)`` or ``(M, 2)`` (then column 1
      is class 1), or ``(M, k)`` class probabilities.

    Values inside [0, 1] are drawn as a probability field with the 0.5 contour;
    other values as a score field with the 0 contour; ``k > 2`` classes (``(M, k)``
    outputs or integer labels) as coloured class regions.

    Parameters
    ----------
    predict_fn : NeuralNetwork, estimator or callable
    X : array of shape (N, 2)
    y : array of shape (N,)
    title : str
    grid_steps : int, default 300
        The grid has ``grid_steps x grid_steps`` points.
    padding : float, default 0.5
        Margin around the data, in data units (a twentieth of each axis's range
        when ``feature_names`` are given: named columns have their own units).
    feature_names, class_names, X_test, y_test : optional
        As in :func:`visualize_dataset`.
    ax : matplotlib Axes, optional
    save : path, optional
        Also write the figure to this file.

    Returns
    -------
    matplotlib.figure.Figure
    """
    X, y = _points(X, y)
    if X_test is not None:
        X_test, y_test = _points(X_test, y_test)
    G1, G2, G = plane_grid(X, X_test, grid_steps, padding, own_units=feature_names is not None)
    kind, values = evaluate_field(predict_fn, G)
    F = values.reshape(G1.shape)

    fig, ax = _new_axes(ax)
    if kind == "probability":
        field = ax.contourf(G1, G2, F, levels=np.linspace(0, 1, 21), cmap=_FIELD_CMAP,
                            vmin=0, vmax=1, alpha=0.8)
        ax.contour(G1, G2, F, levels=[0.5], colors="k", linewidths=1.5)
        cbar = fig.colorbar(field, ax=ax, ticks=np.linspace(0, 1, 6))
        positive = "class 1" if class_names is None else class_names[1]
        cbar.set_label(f"P({positive})   (black line: 0.5)")
    elif kind == "score":
        bound = float(np.abs(F).max()) or 1.0
        field = ax.contourf(G1, G2, F, levels=np.linspace(-bound, bound, 21), cmap=_FIELD_CMAP,
                            alpha=0.8)
        if F.min() < 0 < F.max():
            ax.contour(G1, G2, F, levels=[0.0], colors="k", linewidths=1.5)
        from matplotlib.ticker import MaxNLocator

        cbar = fig.colorbar(field, ax=ax, ticks=MaxNLocator(nbins=8, symmetric=True))
        cbar.set_label("score   (black line: 0)")
    else:
        from matplotlib.colors import ListedColormap

        classes = np.union1d(np.unique(F), np.unique(y).astype(int))
        k = int(classes.max()) + 1
        cmap = ListedColormap(_class_colors(range(k)))
        field = ax.contourf(G1, G2, F, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.45)
        ax.contour(G1, G2, F, levels=np.arange(k - 1) + 0.5, colors="k", linewidths=1.0)
        cbar = fig.colorbar(field, ax=ax, ticks=np.arange(k))
        if class_names is not None:
            cbar.set_ticklabels([str(c) for c in class_names[:k]])
        cbar.set_label("predicted class")
    _scatter(ax, X, y, class_names=class_names, X_test=X_test, y_test=y_test)
    frame_grid(ax, G1, G2, feature_names, title)
    return _finish(fig, save)


def plot_loss_curve(costs, print_every=None, title="Training cost", *, log_scale=False,
                    best_epoch=None, ylabel="cost J", ax=None, save=None):
    """The cost J against the epoch.

    Parameters
    ----------
    costs : list of float, dict or NeuralNetwork
        The list ``fit`` returns (then ``print_every`` gives the epochs
        0, k, 2k, ...; without it the x axis counts checkpoints), a
        ``net.history`` dict (``"epoch"``, ``"loss"`` and, when present,
        ``"val_loss"``), or a network (its ``history``).
    print_every : int, optional
    title : str
    log_scale : bool or "auto"
        Logarithmic cost axis; ``"auto"``: when the costs span more than a
        factor of 30 (a linear axis would show everything after the first
        drop as a flat line).
    best_epoch : int, optional
        Mark this epoch (e.g. the one whose weights early stopping kept).
    ylabel : str
    ax : matplotlib Axes, optional
    save : path, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..core.network import Network

    history = costs.history if isinstance(costs, Network) else costs
    series = {}
    if isinstance(history, dict):
        if "loss" not in history:
            raise ValueError("a history dict must have a 'loss' list")
        epochs = np.asarray(history.get("epoch", range(len(history["loss"]))), dtype=float)
        for key, label in (("loss", "training cost"), ("val_loss", "validation cost")):
            values = history.get(key)
            if values is not None and len(values):
                values = np.asarray(values, dtype=float)
                series[label] = (epochs[:values.size], values)
        xlabel = "epoch"
    else:
        values = np.asarray(costs, dtype=float).reshape(-1)
        if print_every:
            epochs, xlabel = np.arange(values.size) * print_every, "epoch"
        else:
            epochs, xlabel = np.arange(values.size), "checkpoint"
        series["training cost"] = (epochs, values)
    if not series or all(v.size == 0 for _, v in series.values()):
        raise ValueError("no costs to plot (did fit run with print_every > 0?)")
    fig, ax = _new_axes(ax, figsize=(6.4, 4.2))
    for label, (epochs, values) in series.items():
        few = values.size <= 60  # dots show where the figures were taken; many would blot
        ax.plot(epochs, values, marker="o" if few else None, markersize=3, label=label)
    every = np.concatenate([v[np.isfinite(v)] for _, v in series.values()])
    if log_scale == "auto":
        log_scale = every.size > 0 and every.min() > 0 and every.max() > 30 * every.min()
    if log_scale:
        ax.set_yscale("log")
    if best_epoch is not None:
        ax.axvline(best_epoch, color="k", linestyle="--", linewidth=1,
                   label=f"best epoch {best_epoch} (weights kept)")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel + ("  (log scale)" if log_scale else ""))
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if len(series) > 1 or best_epoch is not None:
        ax.legend()
    return _finish(fig, save)
