"""Gradient checks of a whole network: the plumbing around :mod:`lucidnet.gradcheck`.

:mod:`lucidnet.gradcheck` compares one tensor's backprop gradient with central
differences of a cost ``J(theta)``.  Here ``J`` is the network's cost on fixed
data, and:

- checks run in float64: a float32 network is checked on a float64 copy.
  ``fit(grad_check_every=k)`` makes that copy once, at its first check, and
  copies the current parameters into it at each later one
  (:class:`Float64Copy`): float32 -> float64 is exact, so each check sees what
  a fresh copy would, without a new network every time;
- dropout masks are drawn once per check from the check's own Generator and
  then held fixed, so ``J`` depends on the parameters alone and the
  training's random stream (hence its trajectory) is untouched;
- the directional check perturbs one layer's tensor at a time: the layers
  below it keep their outputs, so ``J`` is recomputed from that layer up.

:meth:`NeuralNetwork.grad_check <lucidnet.network.NeuralNetwork.grad_check>`
and :meth:`~lucidnet.network.NeuralNetwork.check_gradients` are thin wrappers
of :func:`grad_check` and :func:`check_gradients`; the check that
``fit(grad_check_every=k)`` runs is :mod:`lucidnet.gradcheck.periodic`.
"""

from __future__ import annotations

import numpy as np

from ..core import gradient_check as gradcheck
from ..core.dropout import Dropout
from .batched import check_entries_batched
from .copies import Float64Copy, _kept_input  # noqa: F401  (Float64Copy: the old path had it)

__all__ = ["Float64Copy", "run_checks", "grad_check", "check_gradients"]

METHODS = ("entries", "entries_loop", "directional")


def run_checks(net, X, Y, targets, eps=1e-5, tol=1e-4, abs_tol=1e-7,
               method="directional", rng=None) -> list:
    """Reports for ``targets = [(layer_idx, param), ...]`` of a float64 ``net``.

    ``X`` and ``Y`` are checked float64 ``(d0, N)`` and ``(dL, N)`` arrays;
    ``rng`` (default ``default_rng(12345)``) draws the dropout masks and the
    directions.  The parameters are left bit-identical.
    """
    if method not in METHODS:
        raise ValueError("method must be 'entries', 'entries_loop' or "
                         f"'directional', got {method!r}")
    rng = rng if rng is not None else np.random.default_rng(12345)
    layers = net.layers
    dropouts = [layer for layer in layers if isinstance(layer, Dropout)]
    for layer in dropouts:
        # Masks come from the check's own stream, so checking during fit()
        # leaves the training's random stream (and trajectory) untouched.
        layer.rng = rng
    net.backward_checked(X, Y)
    for layer in dropouts:
        layer.fixed_mask = True  # J must be a function of the parameters alone
    # The input of every layer in the unperturbed pass: the directional check
    # starts its passes there (copies: the work arrays are overwritten later).
    inputs = [X] + [_kept_input(layer) if method == "directional" else None
                    for layer in layers[1:]]

    def objective():
        """J after a whole forward pass (the text's check)."""
        net.forward_checked(X, training=True)
        return net.cost_of_last_forward(Y)

    def objective_from(idx):
        """J when only layer ``idx`` and those above it changed."""
        if inputs[idx] is None:  # a layer that keeps no input: the whole pass
            return objective

        def J():
            A = inputs[idx]
            for layer in layers[idx:]:
                A = layer.forward(A, training=True)
            net.output = A
            return net.cost_of_last_forward(Y)
        return J

    reports, work = [], {}  # work: the batched check's arrays, reused tensor after tensor
    try:
        for idx, param in targets:
            layer = layers[idx]
            kw = dict(eps=eps, tol=tol, abs_tol=abs_tol, layer_idx=idx,
                      layer_name=layer.name, param=param)
            theta, grad = layer.params[param], layer.grads[param].copy()
            if method == "entries":  # batched: the numbers of entries_loop, faster
                reports.append(check_entries_batched(
                    net, X, Y, idx, param, eps=eps, tol=tol, abs_tol=abs_tol, work=work))
            elif method == "entries_loop":  # the text's loop, kept as the reference
                reports.append(gradcheck.check_entries(objective, theta, grad, **kw))
            else:
                reports.append(gradcheck.check_direction(objective_from(idx), theta, grad,
                                                         rng, **kw))
    finally:
        for layer in dropouts:
            layer.fixed_mask = False
            layer.rng = net.rng
    return reports


def _data(net, X, y):
    Xc = net.check_inputs(X)
    return Xc, net.check_targets(y, Xc.shape[1])


def grad_check(net, X, y, layer_idx, eps=1e-5, tol=1e-4, abs_tol=1e-7, param="W",
               method="entries", rng=None):
    """:meth:`NeuralNetwork.grad_check <lucidnet.network.NeuralNetwork.grad_check>`."""
    if not (isinstance(layer_idx, (int, np.integer)) and 0 <= layer_idx < len(net.layers)):
        raise ValueError(f"layer_idx must be in [0, {len(net.layers) - 1}], got {layer_idx!r}")
    layer = net.layers[layer_idx]
    if param not in layer.params:
        raise ValueError(f"layer {layer_idx} ({layer.name}, {type(layer).__name__}) has "
                         f"no parameter {param!r}; it has {sorted(layer.params) or 'none'}")
    net64 = Float64Copy(net)()
    report = run_checks(net64, *_data(net64, X, y), [(layer_idx, param)], eps, tol, abs_tol,
                        method, rng)[0]
    if not report.passed:
        raise AssertionError(gradcheck._failure_message(report))
    return report


def check_gradients(net, X, y, method="directional", **kw) -> list:
    """:meth:`NeuralNetwork.check_gradients <lucidnet.network.NeuralNetwork.check_gradients>`."""
    net64 = Float64Copy(net)()
    targets = [(i, p) for i, layer in enumerate(net.layers) for p in layer.params]
    return run_checks(net64, *_data(net64, X, y), targets, method=method, **kw)


def __getattr__(name):
    # fit's periodic check moved to lucidnet.gradcheck.periodic (it imports this
    # module, so it is found lazily); the old path keeps the name
    if name == "PeriodicCheck":
        from .periodic import PeriodicCheck

        return PeriodicCheck
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
