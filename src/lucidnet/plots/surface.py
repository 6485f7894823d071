"""The fitted surface of a regression on two features.

The prediction ``yhat = f(x1, x2)`` over the plane as filled contours, with the
data on top coloured by their target on the same colour scale: where a point's
colour differs from the field around it, the model misses that point.  The
grid is :func:`lucidnet.plots.boundary.plane_grid`, the one the decision
boundary uses.

Points are row-wise, like scikit-learn: ``X`` is ``(N, 2)``, ``y`` is ``(N,)``.
"""

from __future__ import annotations

import numpy as np

from .boundary import _finish, _new_axes, _points, frame_grid, plane_grid

__all__ = ["plot_regression_surface"]

_CMAP = "viridis"


def _predictions(model, G):
    """``model``'s predictions on the grid points ``G`` ``(M, 2)`` as ``(M,)``, in
    the target's units: a lucidnet network's ``predict`` (column-wise), an
    estimator's ``predict``, or a function of the ``(M, 2)`` points."""
    from ..core.network import Network

    if isinstance(model, Network):
        out = model.predict(G.T).T                                  # (M, 1)
    elif hasattr(model, "predict"):
        out = model.predict(G)
    elif callable(model):
        out = model(G)
    else:
        raise ValueError("predict_fn must be a lucidnet NeuralNetwork, a scikit-learn "
                         f"regressor or a function of (M, 2) points; got {type(model).__name__}")
    out = np.asarray(out, dtype=float)
    if out.size != G.shape[0]:
        raise ValueError(f"predict_fn must return one value per point, (M,) or (M, 1) for "
                         f"M = {G.shape[0]}, got shape {out.shape}")
    out = out.reshape(-1)
    if not np.isfinite(out).all():
        raise ValueError("predict_fn returned NaN or infinite values")
    return out


def plot_regression_surface(predict_fn, X, y, title="Fitted surface", grid_steps=200, *,
                            padding=0.5, feature_names=None, target_name=None, X_test=None,
                            y_test=None, ax=None, save=None):
    """The prediction of a regression over the plane of its two features, the data on top.

    Parameters
    ----------
    predict_fn : NeuralNetwork, estimator or callable
        Its predictions in the target's units (see :func:`_predictions`).
    X : array of shape (N, 2)
    y : array of shape (N,)
        The targets, coloured on the colour bar's scale.
    title : str
    grid_steps : int, default 200
    padding : float, default 0.5
        Margin in data units (a twentieth of each range with ``feature_names``).
    feature_names : (str, str), optional
        Axis labels.
    target_name : str, optional
        The colour bar's label (default ``prediction``).
    X_test, y_test : optional
        Held-out points, drawn as triangles.
    ax : matplotlib Axes, optional
    save : path, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.colors import Normalize
    from matplotlib.ticker import MaxNLocator

    X, y = _points(X, y)
    if X_test is not None:
        X_test, y_test = _points(X_test, y_test)
    G1, G2, G = plane_grid(X, X_test, grid_steps, padding, own_units=feature_names is not None)
    F = _predictions(predict_fn, G).reshape(G1.shape)
    targets = [F.ravel(), y.astype(float)] + ([] if y_test is None else [y_test.astype(float)])
    lo, hi = min(t.min() for t in targets), max(t.max() for t in targets)
    levels = MaxNLocator(nbins=20).tick_values(lo, hi if hi > lo else lo + 1.0)  # round steps
    norm = Normalize(vmin=levels[0], vmax=levels[-1])  # one scale for the field and the points

    fig, ax = _new_axes(ax)
    field = ax.contourf(G1, G2, F, levels=levels, cmap=_CMAP, norm=norm)
    cbar = fig.colorbar(field, ax=ax)
    name = target_name or "prediction"
    cbar.set_label(f"{name}   (field: predicted, points: actual)")
    parts = X_test is not None
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=_CMAP, norm=norm, s=18, edgecolors="k",
               linewidths=0.4, zorder=3)
    if parts:
        ax.scatter(X_test[:, 0], X_test[:, 1], c=y_test, cmap=_CMAP, norm=norm, s=32,
                   marker="^", edgecolors="k", linewidths=0.8, zorder=4)
        from matplotlib.lines import Line2D

        # grey markers in the legend: the marker says the part, the colour is the target's
        proxies = [Line2D([], [], linestyle="", marker=m, markersize=ms, markerfacecolor="0.75",
                          markeredgecolor="k", label=label)
                   for m, ms, label in (("o", 5, "training part"), ("^", 7, "test part"))]
        ax.legend(handles=proxies, loc="best", framealpha=0.85, fontsize="small")
    frame_grid(ax, G1, G2, feature_names, title)
    return _finish(fig, save)
