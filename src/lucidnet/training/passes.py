"""Passes over all the training examples outside the steps, a block of columns at a time.

Before training, ``train`` runs one forward pass over ``X`` to tell inputs that
overflow (the data's fault) from a learning rate that diverges; after it, the
diagnosis needs ``A[L]`` for every example (both :func:`forward_in_batches`).
During it, a print checkpoint (``fit``'s default, at epoch 0), validation,
early stopping or a callback needs the cost J, and accuracy or R^2, over all
examples (:func:`figures_in_batches`).  They go a block of columns at a time
(:func:`column_blocks`), for two reasons, both measured:

- memory: an inference pass makes new ``Z`` and ``A`` arrays for every layer
  (and leaves the last ones cached on the layers), beside the training work
  arrays that the steps keep; over all N columns at once that took the peak of
  a full-batch run from 5 to 9 arrays of ``(64, N)`` (2-64-64-1, N = 10^6:
  2.5 to 4.4 GiB in float64; ``fit``'s default print checkpoint did the same
  until its J went in blocks too).  Blocks of :data:`PASS_COLUMNS` columns
  add a few MB.
- threads: the two passes of a mini-batch run go in its own batches, so they
  make the same matrix products as its steps.  One product over all N columns
  is large enough for OpenBLAS to wake a second thread that the steps never
  use, and on a busy 2-core machine that thread then competed with every step
  after it (run M took 1.8x as long).  The cost evaluations go in blocks of
  :data:`PASS_COLUMNS` in every run (see :func:`figures_in_batches`).
"""

from __future__ import annotations

import numpy as np

from ..core import activation_functions as af
from ..core.metrics import labels_at_threshold, r2_from_sums

__all__ = ["column_blocks", "forward_in_batches", "figures_in_batches",
           "figures_of_last_forward", "metric_of_outputs", "forward_cannot_overflow",
           "PASS_COLUMNS"]

PASS_COLUMNS = 4096  # columns per block of a full-batch pass and of J (64 rows: 2 MB in float64)


def column_blocks(N: int, batch_size=None) -> list:
    """The column slices of a pass over ``N`` examples: of a mini-batch run's batch
    size, else of :data:`PASS_COLUMNS`; one slice when ``N`` is no more than that."""
    block = batch_size if batch_size is not None and batch_size < N else PASS_COLUMNS
    return [slice(start, start + block) for start in range(0, N, block)]


def forward_in_batches(net, X, batch_size=None) -> np.ndarray:
    """``A[L]`` ``(dL, N)`` for the checked ``X`` ``(d0, N)``: an inference pass,
    a block of :func:`column_blocks` at a time."""
    blocks = column_blocks(X.shape[1], batch_size)
    if len(blocks) <= 1:
        return net.forward_checked(X)
    return np.concatenate([net.forward_checked(X[:, cols]) for cols in blocks], axis=1)


def figures_of_last_forward(net, Y, penalty=True):
    """``(J, metric name, metric value)`` of the forward pass the network ran last
    (its output ``A[L]`` and logits ``Z[L]``, against ``Y``), with no pass of its own."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        J = net.cost_of_last_forward(Y, penalty=penalty)
    return (J, *metric_of_outputs(net, net.output, Y))


def metric_of_outputs(net, A, Y):
    """``(name, value)``: accuracy of the outputs ``A`` ``(dL, N)`` against ``Y`` for a
    sigmoid/softmax output (``A >= 0.5`` or the argmax), R^2 (averaged over outputs)
    otherwise."""
    name = net.output_layer.activation.name
    Y_mean = None if name in _CLASSIFIERS else np.asarray(Y, float).mean(axis=1, keepdims=True)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _metric(name, _metric_sums(name, A, Y, Y_mean), Y)


_CLASSIFIERS = ("softmax", "sigmoid")


def _metric_sums(name, A, Y, Y_mean):
    """What a block of outputs adds to the metric: the correct labels (and 0) for a
    classifier; ``SS_res`` and ``SS_tot`` per output, about ``Y_mean``, for R^2."""
    if name == "softmax":
        return int(np.count_nonzero(A.argmax(axis=0) == Y.argmax(axis=0))), 0
    if name == "sigmoid":
        return int(np.count_nonzero(labels_at_threshold(A) == labels_at_threshold(Y))), 0
    Y = np.asarray(Y, dtype=np.float64)
    return ((Y - A) ** 2).sum(axis=1), ((Y - Y_mean) ** 2).sum(axis=1)  # (y - a)^2, (y - ybar)^2


def _metric(name, sums, Y):
    """``(name, value)`` from the sums of all blocks (see :func:`_metric_sums`)."""
    if name == "softmax":
        return "accuracy", sums[0] / Y.shape[1]
    if name == "sigmoid":
        return "accuracy", sums[0] / Y.size          # multi-label: every entry counts
    return "r2", r2_from_sums(*sums)


def figures_in_batches(net, X, Y, penalty=True):
    """``(J, metric name, metric value)`` of the network on the checked ``X``, ``Y``:
    an inference pass :data:`PASS_COLUMNS` columns at a time.

    With blocks ``b`` of ``N_b`` columns, ``J = (1/N) sum_b N_b J_b`` (each
    ``J_b`` the mean over its block, without penalty) plus the penalty over N
    once.  The metric is summed block by block too (correct labels; for R^2
    ``SS_res`` and ``SS_tot`` per output about the mean of all of ``Y``), so
    nothing of N columns is made but ``Y``'s mean.  Blocks of
    :data:`PASS_COLUMNS` in a mini-batch run too, not of its batch size: J of up
    to 4,096 examples is then the plain pass over all of them, bit for bit
    (:func:`figures_of_last_forward`), and a run of batch 1 does not pay N calls
    for it.  No warnings: the training loop tests the cost itself
    (:mod:`lucidnet.training.divergence`), and a diverging run may overflow here.
    """
    N = X.shape[1]
    blocks = column_blocks(N)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if len(blocks) <= 1:
            net.forward_checked(X)                                           # (dL, N)
            return figures_of_last_forward(net, Y, penalty)
        name = net.output_layer.activation.name
        Y_mean = None if name in _CLASSIFIERS else Y.mean(axis=1, keepdims=True,
                                                          dtype=np.float64)
        total, sums = 0.0, (0, 0)
        for cols in blocks:
            net.forward_checked(X[:, cols])                                  # (dL, N_b)
            Y_b = Y[:, cols]
            total += net.cost_of_last_forward(Y_b, penalty=False) * Y_b.shape[1]  # N_b J_b
            block = _metric_sums(name, net.output, Y_b, Y_mean)
            sums = tuple(s + b for s, b in zip(sums, block, strict=True))
        J = total / N + (net.penalty(N) if penalty else 0.0)
        return (J, *_metric(name, sums, Y))


# ------------------------------------------------------------ the overflow test, proved
def _activation_bound(activation, z: np.ndarray, dtype):
    """An upper bound on ``|sigma(z)|`` given ``|Z| <= z`` (per unit), or None for an
    activation this function does not know (a user's own): then the pass is run."""
    kind = type(activation)
    if kind in (af.Sigmoid, af.Tanh, af.Softmax):
        return np.ones_like(z)                             # |sigma| <= 1
    if kind in (af.ReLU, af.Identity):
        return z
    if kind is af.LeakyReLU:
        return max(1.0, abs(float(activation.alpha))) * z
    if kind is af.ELU:
        return np.maximum(z, abs(float(activation.alpha)))
    if kind is af.Softplus:
        return z + np.log(2.0)
    if kind is af.Exp:
        return np.exp(np.minimum(z, 0.5 * af._exp_limit(dtype)))  # exp_clipped's clip
    return None


def forward_cannot_overflow(net, X) -> bool:
    """True when no value of the inference pass over ``X`` can overflow ``net.dtype``,
    by the bound ``|Z| <= |W| a + |b|`` with ``a`` each unit's largest ``|A_prev|``.

    Every partial sum of ``W A_prev`` is at most that bound, and each activation
    is finite for finite ``Z`` (they silence their own ``exp``), so a bound below
    a quarter of the dtype's largest number proves the overflow test's pass would
    find nothing.  It costs two reductions over ``X`` ``(d0, N)`` instead of a forward
    pass over every layer (28% of a 3-epoch full-batch fit of 2-256-256-1).  False
    means "not proved": the pass itself decides.
    """
    from ..core.dense import Dense
    from ..core.dropout import Dropout
    from ..core.layer import Input

    limit = 0.25 * float(np.finfo(net.dtype).max)
    with np.errstate(all="ignore"):  # a bound that overflows is inf: not proved
        # largest |A[0]| of each feature, by two reductions: no (d0, N) copy of |X|
        a = np.maximum(X.max(axis=1), -X.min(axis=1)).astype(np.float64)
        for layer in net.layers:
            if type(layer) in (Input, Dropout):           # A = A_prev in an inference pass
                continue
            if type(layer) is not Dense:
                return False
            W, b = layer.params["W"], layer.params["b"][:, 0]
            z = np.abs(W).astype(np.float64) @ a + np.abs(b).astype(np.float64)
            if not np.all(z <= limit):                     # NaN compares False too
                return False
            a = _activation_bound(layer.activation, z, net.dtype)
            if a is None:
                return False
    return True
