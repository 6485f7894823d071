"""Looking inside the network while it learns: per-layer figures recorded by a callback.

:class:`Diagnostics` is a :class:`~lucidnet.training.Callback`; pass it to
``fit(..., callbacks=[diag])`` and it records, every ``every`` epochs and for
every Dense layer ``l``:

``grad_norm``
    ``sqrt(|dW[l]|^2 + |db[l]|^2)``: the norm of the layer's gradient from
    this epoch's (last) backward pass.
``update_ratio``
    ``|W[l]_after - W[l]_before| / |W[l]_after|`` over the epoch: how far one
    epoch of the optimizer moves the weights, relative to their size (a rule
    of thumb puts healthy training near 1e-3).
``saturated``
    sigmoid/tanh: fraction of (unit, example) pairs whose derivative
    ``sigma'(Z)`` is below 10% of its maximum (sigmoid: ``A < 0.026`` or
    ``A > 0.974``; tanh: ``|A| > 0.949``): there the unit passes almost no
    gradient down.  NaN for other activations and for an output layer whose
    error signal is fused with the loss (``Delta[L] = A[L] - Y`` has no sigma').
``dead``
    ReLU: fraction of units with ``Z <= 0`` on every example (they get no
    gradient at all).  NaN for other activations.
``effective_rank``
    participation ratio ``(sum_i lam_i)^2 / sum_i lam_i^2`` of the eigenvalues
    ``lam_i`` of the covariance of ``A[l]`` over the examples: about 1 when
    all the layer's units move together (one direction), ``d_l`` when they
    are all independent and equally strong.
``top_share``
    share ``lam_1 / sum_i lam_i`` of that variance along the layer's single
    strongest direction: 1 when the units are redundant copies of one signal.
``mean_activation``
    mean of ``A[l]`` over units and examples.

and a histogram of ``A[l]`` (``bins`` bins).  The activation figures come
from a forward pass on (up to ``max_examples`` of) the training inputs after
the epoch's update.  Nothing is recorded, and nothing costs time, unless the
callback is installed.  NumPy only; the plots are in
:mod:`lucidnet.plots.diagnostics`.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_int
from ..training.callbacks import Callback

__all__ = ["Diagnostics", "participation_ratio", "sharpness", "FIGURES"]

FIGURES = ("grad_norm", "update_ratio", "saturated", "dead", "effective_rank", "top_share",
           "mean_activation")
# sigma'(Z) below this fraction of its largest value counts as saturated
SATURATION_LEVEL = 0.1


def _spectrum(A: np.ndarray) -> np.ndarray:
    """Eigenvalues (ascending, >= 0) of the covariance of the rows of ``A`` ``(d, N)``."""
    A = np.asarray(A, dtype=np.float64)
    Ac = A - A.mean(axis=1, keepdims=True)
    return np.clip(np.linalg.eigvalsh(Ac @ Ac.T / A.shape[1]), 0.0, None)


def participation_ratio(A: np.ndarray) -> float:
    """``(sum lam)^2 / sum lam^2`` for the eigenvalues ``lam`` of the covariance of the
    rows of ``A`` ``(d, N)`` over its columns; between 1 and ``d`` (0 if ``A`` is constant)."""
    lam = _spectrum(A)
    total = lam.sum()
    return float(total * total / (lam @ lam)) if total > 0 else 0.0


def sharpness(net, X, y, iters: int = 50, eps: float = 1e-4, seed: int = 0) -> float:
    """Largest eigenvalue of the Hessian of J over all parameters, by power iteration.

    Each step is a Hessian-vector product by central differences of the
    backprop gradient, ``H v ~ (g(theta + eps v) - g(theta - eps v)) / (2 eps)``
    (two backward passes).  Plain gradient descent is stable along a direction
    of curvature ``lam`` only while ``lr * lam < 2``.  The parameters are
    restored exactly; the layers' ``grads`` are overwritten.
    """
    Xc = net.check_inputs(X)
    Y = net.check_targets(y, Xc.shape[1])
    thetas = [theta for _, theta, _ in net.parameters()]
    saved = [theta.copy() for theta in thetas]

    def grad_at(v, sign):
        i = 0
        for theta, start in zip(thetas, saved):
            theta[...] = start + sign * eps * v[i:i + theta.size].reshape(theta.shape)
            i += theta.size
        net.backward_checked(Xc, Y)
        return np.concatenate([g.ravel() for _, _, g in net.parameters()])

    v = np.random.default_rng(seed).standard_normal(sum(t.size for t in thetas))
    v /= np.linalg.norm(v)
    lam = 0.0
    try:
        for _ in range(iters):
            Hv = (grad_at(v, +1) - grad_at(v, -1)) / (2 * eps)
            lam = float(v @ Hv)
            v = Hv / (np.linalg.norm(Hv) or 1.0)
    finally:
        for theta, start in zip(thetas, saved):
            theta[...] = start
    return lam


def _saturated(name: str, A: np.ndarray) -> float:
    """Fraction of entries of ``A`` where sigma' is below 10% of its maximum."""
    if name == "sigmoid":  # sigma' = A (1 - A), largest 1/4 at A = 1/2
        return float(np.mean(A * (1.0 - A) < SATURATION_LEVEL * 0.25))
    if name == "tanh":     # sigma' = 1 - A^2, largest 1 at A = 0
        return float(np.mean(1.0 - A * A < SATURATION_LEVEL))
    return float("nan")


def _dead(name: str, Z: np.ndarray) -> float:
    """Fraction of ReLU units that are off (Z <= 0) for every example."""
    if name != "relu":
        return float("nan")
    return float(np.mean((Z <= 0).all(axis=1)))


class Diagnostics(Callback):
    """Record per-layer gradient, update and activation figures during training.

    Parameters
    ----------
    every : int, default 1
        Record at epochs 0, every, 2 every, ... (and at the last epoch).
    X : array (d0, N), optional
        Inputs for the activation figures; by default the training inputs.
    max_examples : int, default 1000
        Use at most this many columns of ``X`` (the first ones) for them.
    bins : int, default 30
        Bins of the activation histograms.

    Attributes
    ----------
    epochs : list of int
        The recorded epochs.
    costs : list of float
        The training cost J after each recorded epoch's update.
    layers : dict
        ``layers[l]`` for each Dense layer ``l`` (its position in
        ``net.layers``): ``{"name", "activation", "units"}`` plus one list per
        name in :data:`FIGURES` and ``"histograms"``, a list of ``(counts,
        edges)`` pairs.

    Example
    -------
    >>> diag = Diagnostics(every=10)
    >>> net.fit(X, y, epochs=2000, callbacks=[diag])            # doctest: +SKIP
    >>> diag.array(2, "grad_norm")                              # doctest: +SKIP
    """

    def __init__(self, every: int = 1, X=None, max_examples: int = 1000, bins: int = 30):
        for name, value in (("every", every), ("max_examples", max_examples), ("bins", bins)):
            check_int(name, value, 1)
        self.every, self.max_examples, self.bins = int(every), int(max_examples), int(bins)
        self.X = X
        self.epochs: list[int] = []
        self.costs: list[float] = []
        self.layers: dict[int, dict] = {}
        self._W_before: dict[int, np.ndarray] = {}

    # ------------------------------------------------------------- callback
    def on_train_begin(self, net, epochs):
        self._final_epoch = epochs - 1
        # a second fit() counts its epochs from 0 again; keep one time axis
        self._offset = int(net.training_record.get("epochs", 0) or 0)
        for idx, layer in enumerate(net.layers):
            if "W" in layer.params and idx not in self.layers:
                self.layers[idx] = {"name": layer.name, "activation": layer.activation.name,
                                    "units": layer.units, "histograms": [],
                                    **{key: [] for key in FIGURES}}
        self._snapshot(net)  # weights before epoch 0's update

    def _due(self, epoch: int) -> bool:
        return epoch % self.every == 0 or epoch == self._final_epoch

    def _snapshot(self, net):
        self._W_before = {idx: net.layers[idx].params["W"].copy() for idx in self.layers}

    def on_epoch_end(self, info):
        net, epoch = info.net, info.epoch
        if self._due(epoch):
            self._record(net, epoch, info)
        if self._due(epoch + 1):  # keep the weights the next recorded update starts from
            self._snapshot(net)

    # ------------------------------------------------------------- measures
    def _inputs(self, info):
        X = self.X
        if X is None:  # the training inputs the loop holds (EpochInfo keeps them)
            X = getattr(info, "X", None)
            X = info._X if X is None else X
        X = info.net.check_inputs(X)
        return X[:, :self.max_examples]

    def _record(self, net, epoch, info):
        grads = {idx: float(np.sqrt(sum(np.vdot(g, g) for g in net.layers[idx].grads.values())))
                 for idx in self.layers}
        cost = float(info.cost)
        net.forward(self._inputs(info))  # fills each layer's Z and A (after this update)
        # The output layer of a fused pair (sigmoid + BCE, ...) has Delta = A - Y:
        # no sigma' factor, so a confident output blocks nothing; not counted.
        fused = len(net.layers) - 1 if net.fused_output else None
        self.epochs.append(int(epoch) + self._offset)
        self.costs.append(cost)
        for idx, rec in self.layers.items():
            layer = net.layers[idx]
            W, A, name = layer.params["W"], layer.A, rec["activation"]
            step = np.linalg.norm(W - self._W_before[idx])
            rec["grad_norm"].append(grads[idx])
            rec["update_ratio"].append(float(step / (np.linalg.norm(W) or 1.0)))
            rec["saturated"].append(float("nan") if idx == fused else _saturated(name, A))
            rec["dead"].append(_dead(name, layer.Z))
            lam = _spectrum(A)
            total = float(lam.sum())
            rec["effective_rank"].append(total * total / float(lam @ lam) if total > 0 else 0.0)
            rec["top_share"].append(float(lam[-1]) / total if total > 0 else 1.0)
            rec["mean_activation"].append(float(A.mean()))
            lo, hi = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}.get(
                name, (float(A.min()), float(A.max()) + 1e-12))
            counts, edges = np.histogram(A, bins=self.bins, range=(lo, hi))
            rec["histograms"].append((counts, edges))

    # ------------------------------------------------------------- access
    def array(self, layer_idx: int, figure: str) -> np.ndarray:
        """The recorded values of ``figure`` for layer ``layer_idx``, one per epoch."""
        if layer_idx not in self.layers:
            raise ValueError(f"no diagnostics for layer {layer_idx}; recorded layers: "
                             f"{sorted(self.layers)}")
        if figure not in FIGURES:
            raise ValueError(f"unknown figure {figure!r}; known: {', '.join(FIGURES)}")
        return np.asarray(self.layers[layer_idx][figure], dtype=float)

    def window(self, start: int, stop: int) -> np.ndarray:
        """Boolean mask over the recorded epochs with ``start <= epoch < stop``."""
        e = np.asarray(self.epochs)
        return (e >= start) & (e < stop)

    def table(self, epochs=None) -> str:
        """A text table: per recorded epoch (or the given ones), cost and each layer's figures."""
        from .explain import Text, _table

        wanted = self.epochs if epochs is None else list(epochs)
        rows = []
        for e in wanted:
            if e not in self.epochs:
                raise ValueError(f"epoch {e} was not recorded (every={self.every})")
            i = self.epochs.index(e)
            for idx, rec in self.layers.items():
                rows.append([e, f"{self.costs[i]:.4f}", f"{idx} {rec['name']}",
                             f"{rec['grad_norm'][i]:.2e}", f"{rec['update_ratio'][i]:.2e}",
                             f"{rec['saturated'][i]:.3f}", f"{rec['dead'][i]:.3f}",
                             f"{rec['effective_rank'][i]:.2f}", f"{rec['top_share'][i]:.3f}"])
        return Text("\n".join(_table(["epoch", "cost", "layer", "|grad|", "update/W",
                                      "saturated", "dead", "eff. rank", "top share"], rows)))
