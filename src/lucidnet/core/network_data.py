"""What the network accepts as data: ``X`` as ``(d0, N)``, targets as ``(dL, N)``.

These checks run once per public call (``forward``, ``loss``, ``backward``,
``fit``, ...), never inside the training loop; the network calls them as
:meth:`~lucidnet.core.network.Network.check_inputs`,
:meth:`~lucidnet.core.network.Network.check_targets` and
:meth:`~lucidnet.core.network.Network.check_sample_weight`; and the way back from
standardized targets to the user's units (:func:`target_units`).
"""

from __future__ import annotations

import numpy as np

from .. import checks

__all__ = ["inputs", "targets", "sample_weights", "target_units"]


def inputs(net, X) -> np.ndarray:
    """Check ``X`` is ``(d0, N)``, real and finite; return it in the network's dtype.

    ``X`` itself is never modified.
    """
    d0 = net.n_features
    X = checks.as_numeric_array(X, "X")
    if X.ndim != 2 or X.shape[0] != d0:
        hint = ""
        if X.ndim == 2 and X.shape[1] == d0 and X.shape[0] != d0:
            hint = " (it looks row-wise: the core is column-wise, pass X.T)"
        elif X.ndim == 2:
            hint = f" ({X.shape[0]} features, but the input layer has {d0})"
        raise ValueError(f"X must have shape (d0, N) = ({d0}, N), got {X.shape}{hint}")
    if X.shape[1] == 0:
        raise ValueError("X is empty (no examples, N = 0)")
    checks.check_finite(X, "X", layout="columns")
    checks.check_fits(X, net.dtype, "X", layout="columns")  # before the cast below
    # Once per call, at the boundary: C order in the network's dtype.  Users
    # pass X.T (a Fortran-ordered view); mini-batch column gathers and the
    # row-block passes are 1.6x slower on it (measured on run M), so nothing
    # inside the loop may depend on the caller's memory layout.
    return np.ascontiguousarray(X, dtype=net.dtype)


def targets(net, y, N: int) -> np.ndarray:
    """Targets as ``(dL, N)``: labels are one-hot encoded for a softmax output."""
    dL = net.n_outputs
    output = net.output_layer.activation.name
    y = checks.as_numeric_array(y, "y")
    if output == "softmax" and (y.ndim == 1 or (y.ndim == 2 and y.shape[0] == 1 and dL > 1)):
        labels = y.reshape(-1)
        if labels.size != N:
            raise ValueError(f"y has {labels.size} labels for {N} examples")
        labels = checks.check_class_labels(labels, dL)
        Y = np.zeros((dL, N), dtype=net.dtype)
        Y[labels, np.arange(N)] = 1.0
        return Y
    if y.ndim == 1 and dL == 1:
        y = y.reshape(1, -1)
    if y.ndim != 2 or y.shape != (dL, N):
        hint = " (row-wise? pass y.T)" if y.ndim == 2 and y.shape == (N, dL) else ""
        if y.ndim == 1 and dL > 1:
            hint = f" (1-D labels need a softmax output; this one is {output})"
        elif y.size != dL * N and y.ndim >= 1 and y.shape[-1] != N:
            hint = f" ({y.shape[-1]} targets for {N} examples)"
        raise ValueError(f"y must have shape (dL, N) = ({dL}, {N}), got {y.shape}{hint}")
    checks.check_finite(y, "y", layout="targets")
    checks.check_fits(y, net.dtype, "y", layout="targets")
    if net.loss_obj.name in ("bce", "cce"):
        checks.check_probability_targets(y, net.loss_obj.name)
    if net.loss_obj.name == "cce" and output == "softmax":
        checks.check_distribution_targets(y)
    return np.ascontiguousarray(y, dtype=net.dtype)  # as X: C order, once per call


def sample_weights(net, sample_weight, N: int):
    """Per-example weights: ``None`` or ``(N,)``, finite, >= 0, not all 0."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=net.dtype).reshape(-1)
    if w.size != N:
        raise ValueError(f"sample_weight has {w.size} entries for {N} examples")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("sample_weight must be finite and non-negative")
    if not w.sum() > 0:
        raise ValueError("sample_weight must contain at least one non-zero weight")
    return w


def target_units(net, A) -> np.ndarray:
    """A regression's output in the target's units: ``A * scale + mean``.

    A network trained on standardized targets (``lucidnet train`` does that by
    default) keeps their statistics in ``preprocessing["target_standardize"]``
    (one mean and scale per output); ``forward``, ``fit`` and ``loss`` stay in
    the standardized units it learned in, and ``predict`` converts back.
    Without statistics, ``A`` itself.
    """
    stats = (net.preprocessing or {}).get("target_standardize")
    if not stats:
        return A
    scale = np.asarray(stats["scale"], dtype=A.dtype).reshape(-1, 1)        # (dL, 1)
    mean = np.asarray(stats["mean"], dtype=A.dtype).reshape(-1, 1)
    return A * scale + mean
