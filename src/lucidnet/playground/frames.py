"""What the page draws, computed from a :class:`~lucidnet.playground.session.Session`.

A frame is a JSON-able dict: the epoch, the train and test cost, the metrics,
the output over the plane (a ``HEATMAP x HEATMAP`` grid) and what every input
feature and hidden unit computes (``THUMB x THUMB`` grids), and the weights.
Grids travel as bytes (base64): a value in ``[-m, m]`` (or a probability in
``[0, 1]``) quantized to 0..255, which is all a colour can show, so a frame of
a 2-16-32-1 network is about 40 kB instead of several hundred as JSON numbers.

Grid row 0 is the top of the plane (the largest ``x2``), column 0 its left edge.
"""

from __future__ import annotations

import base64

import numpy as np

from .. import Dense
from ..core.metrics import labels_at_threshold
from ..features import expand_features
from ..metrics import accuracy, confusion_matrix, r2_score
from .watch import latest_figures

__all__ = ["frame", "dataset_message", "grid", "HEATMAP", "THUMB", "MAX_DRAWN_UNITS"]

HEATMAP = 100
THUMB = 25
# Units drawn per layer (a layer of 256 is summarized: the first 16 and a count).
MAX_DRAWN_UNITS = 16


def _b64(values01) -> str:
    """Values in [0, 1] as base64 bytes 0..255."""
    # a diverging network's overflow shows as the middle colour, not as garbage bytes
    values01 = np.nan_to_num(np.asarray(values01, dtype=float), nan=0.5)
    q = np.clip(np.rint(values01 * 255), 0, 255).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def grid(data, n: int) -> np.ndarray:
    """Raw column-wise points ``(d_raw, n*n)`` of an ``n x n`` grid over the plane: the two
    drawn columns vary over the domain (cell centres), the others sit at their medians."""
    x0, x1, y0, y1 = data.domain
    xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
    ys = y1 - (np.arange(n) + 0.5) * (y1 - y0) / n        # row 0 on top
    gx, gy = np.meshgrid(xs, ys)
    G = np.tile(np.asarray(data.medians, dtype=float)[:, None], (1, n * n))
    px, py = data.plot
    G[px], G[py] = gx.ravel(), gy.ravel()
    return G


def _signed(A) -> tuple[str, float]:
    """A grid of values of either sign, as bytes over ``[-m, m]``; returns it and ``m``."""
    finite = np.abs(A[np.isfinite(A)])
    m = float(finite.max()) if finite.size else 0.0
    m = m if 1e-12 < m < np.inf else 1.0
    return _b64((A / m + 1) / 2), m


def _output_map(session, A) -> dict:
    kind = session.data.kind
    if kind == "binary":
        return {"kind": kind, "p": _b64(A[0])}
    if kind == "multi":
        return {"kind": kind, "cls": base64.b64encode(A.argmax(axis=0).astype(np.uint8)
                                                      .tobytes()).decode("ascii"),
                "conf": _b64(A.max(axis=0))}
    m = float(np.abs(session.data.y_train).max()) or 1.0
    return {"kind": kind, "v": _b64((np.clip(A[0] / m, -1, 1) + 1) / 2), "m": m}


def activations32(net, A) -> list:
    """``[A[0], A[1], ..., A[L]]`` of the Dense layers on ``A[0]``, computed in float32.

    Only for pictures: a colour shows 256 levels, and float32 makes the page's
    100 x 100 output grid about 4x cheaper than the network's own float64 pass
    (measured: 1.1 ms instead of 4.4 ms for 2-16-32-1).  Dropout is the identity
    outside training, so it is skipped.  ``A[l] = sigma(W[l] A[l-1] + b[l])``.
    """
    A = np.asarray(A, dtype=np.float32)
    out = [A]
    for layer in net.layers:
        if isinstance(layer, Dense):
            W, b = layer.params["W"].astype(np.float32), layer.params["b"].astype(np.float32)
            A = layer.activation.forward(W @ A + b)                # (d_l, M)
            out.append(A)
    return out


def _units(session) -> list:
    """Thumbnails: the input features, each hidden Dense layer's units (the first 16),
    and the output units (probabilities as they are, other outputs signed)."""
    A0 = expand_features(session.features, grid(session.data, THUMB))   # (d0, THUMB^2)
    *hidden, out = activations32(session.net, A0)
    pictures = [[_signed(row)[0] for row in A[:MAX_DRAWN_UNITS]] for A in hidden]
    probability = session.net.output_layer.activation.name in ("sigmoid", "softmax")
    pictures.append([_b64(row) if probability else _signed(row)[0]
                     for row in out[:MAX_DRAWN_UNITS]])
    return pictures


def _weights(session) -> list:
    """Per Dense layer: ``W`` ``(d_l, d_{l-1})`` and ``b`` cut to the drawn units."""
    k = MAX_DRAWN_UNITS
    return [{"W": np.round(lay.params["W"][:k, :k], 4).tolist(),
             "b": np.round(lay.params["b"][:k, 0], 4).tolist(), "units": lay.units,
             "index": idx}                      # l in W[l]: the position in net.layers
            for idx, lay in enumerate(session.net.layers) if isinstance(lay, Dense)]


def _metrics(session, out_train, out_test) -> dict:
    d = session.data
    if d.kind == "regression":
        return {"r2_train": r2_score(d.y_train, out_train[0]),
                "r2_test": r2_score(d.y_test, out_test[0]) if len(d.y_test) > 1 else None}

    def labels(A):
        return A.argmax(axis=0) if A.shape[0] > 1 else labels_at_threshold(A[0])

    pred_train, pred_test = labels(out_train), labels(out_test)
    return {"acc_train": accuracy(d.y_train, pred_train),
            "acc_test": accuracy(d.y_test, pred_test) if len(d.y_test) else None,
            "confusion": confusion_matrix(d.y_test, pred_test,
                                          labels=list(range(d.n_classes))).tolist()
            if len(d.y_test) else None}


def _finite(x):
    return float(x) if x is not None and np.isfinite(x) else None


def frame(session) -> dict:
    """Everything the page needs to redraw after a chunk of training."""
    net = session.net
    # Near a divergence the weights are finite but huge: overflow is expected and
    # shown (as "-" losses and the middle colour), not warned about.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        train_loss = net.loss(session.A0_train, session.data.y_train)
        test_loss = net.loss(session.A0_test, session.data.y_test) \
            if session.A0_test.shape[1] else None
        out_train, out_test = net.forward(session.A0_train), net.forward(session.A0_test)
        out_grid = activations32(net, expand_features(session.features,
                                                      grid(session.data, HEATMAP)))[-1]
        metrics = {k: (_finite(v) if not isinstance(v, list) else v)
                   for k, v in _metrics(session, out_train, out_test).items()}
        units = _units(session)
    return {"type": "frame", "version": session.version, "epoch": session.epoch,
            "train_loss": _finite(train_loss), "test_loss": _finite(test_loss),
            "metrics": metrics, "output": _output_map(session, out_grid),
            "units": units, "weights": _weights(session),
            "features": session.features, "diverged": session.diverged,
            "diagnostics": latest_figures(session.diag), "plateau": session.plateau.message(),
            "settings": session.settings}


def _points(X, y, plot) -> list:
    return [[round(float(a), 4), round(float(b), 4), float(t)]
            for a, b, t in zip(X[:, plot[0]], X[:, plot[1]], y)]


def dataset_message(session, max_points: int = 5000) -> dict:
    """The data to draw (at most ``max_points`` of each part) and what the page may offer."""
    d = session.data
    return {"type": "dataset", "version": session.version, "name": d.name, "kind": d.kind,
            "columns": d.columns, "target": d.target, "features": d.features,
            "plot": list(d.plot), "domain": d.domain, "classes": d.n_classes,
            "class_labels": d.class_labels, "heatmap": HEATMAP, "thumb": THUMB,
            "train": _points(d.X_train[:max_points], d.y_train[:max_points], d.plot),
            "test": _points(d.X_test[:max_points], d.y_test[:max_points], d.plot),
            "n_train": len(d.y_train), "n_test": len(d.y_test),
            "uploaded": session.upload is not None}
