"""The gradient check that ``fit(grad_check_every=k)`` and ``lucidnet train`` run.

SPEC's check (:meth:`NeuralNetwork.grad_check`, :func:`lucidnet.core.gradient_check.check_entries`)
judges one entry at a time by ``|a - b| / (|a| + |b|) < 1e-4``: the text's
criterion, kept as it is.  A check that runs unattended during training must
not cry wolf on a correct backprop, and that criterion does in two cases:

- a gradient that is small next to the cost (a regression cost of 1e3 with a
  gradient entry of 1e-7) has a central difference whose rounding error alone
  exceeds 1e-4 of it;
- a perturbation that moves a pre-activation across a kink (ReLU's 0) or a
  residual across a loss kink (MAE's 0, Huber's +-delta) measures a slope that
  is not the derivative at theta.

So this check, one unit direction ``u`` per parameter tensor (half along
backprop's gradient, half random), judges

    |a - n| <= atol + rtol ||g||,    a = g . u,
    n = (J(theta + eps u) - J(theta - eps u)) / (2 eps)

like ``torch.autograd.gradcheck``'s ``atol + rtol |n|``, but scaled by the whole
gradient tensor ``g`` (``|g . u| <= ||g||``; half along ``g``, ``g . u`` is about
``||g|| / sqrt 2``, where a random direction alone gives about ``||g|| / sqrt P``
and would hide a 1% error in a large tensor).  ``atol = 1000 eps_64 max(|J+|, |J-|) / eps`` is the
rounding error of the difference of two costs.  ``rtol = 1e-5``: on the
registry sweep in the tests (every activation, loss and optimizer) correct
backprop stays below 1/300 of the tolerance, and a 1% error in sigma' or in
one ``dW`` exceeds it by a factor of more than 100.

Kinks: after each of the two passes the side of every kink each value is on
is recorded (hidden layers from the perturbed one up, and the loss).  An
example where the two passes differ crossed a kink.  When examples crossed
the check is repeated on the other examples (backprop's gradient of their
cost, the same ``u``), and the report counts the examples left out; with no
example left it says so instead of failing.  An L1 penalty
has a kink at ``W = 0``: entries of ``u`` that would move a weight across it
are set to 0 first.
"""

from __future__ import annotations

import numpy as np

from ..core.dropout import Dropout
from ..core.gradient_check import GradCheckReport
from .copies import Float64Copy, _kept_input

__all__ = ["PeriodicCheck", "check_tensor", "RTOL", "ROUNDING"]

RTOL = 1e-5
ROUNDING = 1000.0  # atol = ROUNDING * eps_64 * |J| / eps
EPS = 1e-5
METHOD = "directional, scaled"


def _sides(net, first: int, Y) -> list:
    """Which side of each kink every value is on after the last pass: one
    boolean ``(d, N)`` array per kink, for the layers from ``first`` up and the loss."""
    sides = []
    for layer in net.layers[first:]:
        for k in getattr(getattr(layer, "activation", None), "kinks", ()):
            sides.append(layer.Z > k)
    kinks = getattr(net.loss_obj, "kinks", ())
    if kinks:
        R = net.output - Y                                         # the residual a - y
        sides += [R > k for k in kinks]
    return sides


def _crossed(plus: list, minus: list, N: int) -> np.ndarray:
    """Columns (examples) where some value is on another side in the two passes."""
    crossed = np.zeros(N, dtype=bool)
    for p, m in zip(plus, minus):
        crossed |= (p != m).any(axis=0)
    return crossed


def _directional(objective, sides, theta, g, u):
    """``(a, n, atol, crossed)`` for direction ``u``; ``theta`` is restored exactly."""
    saved = theta.copy()
    theta += EPS * u
    j_plus = objective()
    side_plus = sides()
    theta[...] = saved - EPS * u
    j_minus = objective()
    side_minus = sides()
    theta[...] = saved
    numeric = (j_plus - j_minus) / (2 * EPS)
    analytic = float(np.vdot(g, u))
    atol = ROUNDING * np.finfo(np.float64).eps * max(abs(j_plus), abs(j_minus)) / EPS
    return analytic, float(numeric), atol, side_plus, side_minus


def _direction(g, rng):
    """``g / ||g|| + w`` for a random unit ``w``: half along backprop's gradient, so
    that a gradient that is off by a factor (a sigma' or a ``dW`` 1% too large)
    shows its whole error, and half random, for errors in any other direction."""
    w = rng.standard_normal(g.shape)
    w /= np.linalg.norm(w)
    norm = np.linalg.norm(g)
    return w + g / norm if norm > 0 else w


def check_tensor(net, X, Y, idx, param, g, rng, objective, backward) -> GradCheckReport:
    """The scaled directional check of ``net.layers[idx].params[param]``.

    ``g`` is backprop's gradient on all of ``X``; ``objective()`` returns J on
    all of ``X`` (after a pass from layer ``idx`` up); ``backward(keep)``
    returns backprop's gradient of this tensor on the columns ``keep`` alone,
    for the repeat without the examples that crossed a kink.
    """
    layer = net.layers[idx]
    theta = layer.params[param]
    u = _direction(g, rng)
    if param == "W" and net.l1:
        u[np.abs(theta) <= 2 * EPS * np.abs(u)] = 0.0  # would cross |W|'s kink at 0
    norm = np.linalg.norm(u)
    if norm > 0:
        u /= norm
    N = X.shape[1]
    a, n, atol, plus, minus = _directional(objective, lambda: _sides(net, idx, Y), theta, g, u)
    scale = float(np.linalg.norm(g))
    crossed = _crossed(plus, minus, N)
    n_crossed, note = int(crossed.sum()), ""
    if n_crossed:
        keep = np.flatnonzero(~crossed)
        note = (f"{n_crossed} of {N} examples crossed a kink (ReLU-like unit or loss) "
                f"within +-eps and were left out")
        if keep.size == 0:
            return GradCheckReport(idx, layer.name, param, METHOD, 0.0, None, a, n, True, RTOL,
                                   atol=float(atol), kinks=n_crossed,
                                   note=f"all {N} examples crossed a kink: no verdict")
        Xs, Ys = X[:, keep], Y[:, keep]
        g = backward(keep)

        def objective_kept():
            net.forward_checked(Xs, training=True)
            return net.cost_of_last_forward(Ys)

        a, n, atol, _, _ = _directional(objective_kept, list, theta, g, u)
        scale = float(np.linalg.norm(g))
    passed = abs(a - n) <= atol + RTOL * scale
    err = abs(a - n) / scale if scale > 0 else abs(a - n)
    return GradCheckReport(idx, layer.name, param, METHOD, float(err), None, a, n,
                           bool(passed), RTOL, atol=float(atol), kinks=n_crossed, note=note)


class PeriodicCheck:
    """The check of every tensor that ``fit(grad_check_every=k)`` runs.

    Holds the float64 data and the float64 copy for the whole run; calling it
    returns the reports, or raises ``AssertionError`` naming the epoch when
    ``on_failure`` is ``"raise"`` (``"warn"``: a :class:`~lucidnet.errors.GradientCheckWarning`;
    ``"record"``: only the reports, whose ``passed`` says it).

    The check runs on at most ``max_examples`` evenly spaced columns (all of
    them for a smaller ``N``), the same ones at every check: it verifies that
    backprop computes the derivative of the cost it is given, which a sample
    of examples exercises as well as all of them, at a cost that no longer
    grows with ``N``.
    """

    max_examples = 256

    def __init__(self, net, X, Y, on_failure="raise"):
        if on_failure not in ("raise", "warn", "record"):
            raise ValueError("on_grad_check_failure must be 'raise', 'warn' or 'record', "
                             f"got {on_failure!r}")
        self.net64 = Float64Copy(net)
        self.on_failure = on_failure
        N = X.shape[1]
        if N > self.max_examples:
            cols = np.linspace(0, N - 1, self.max_examples).round().astype(np.intp)
            X, Y = X[:, cols], Y[:, cols]
        self.X, self.Y = X.astype(np.float64), Y.astype(np.float64)
        self.targets = [(i, p) for i, layer in enumerate(net.layers) for p in layer.params]

    def cost(self) -> float:
        """J on the check's examples at the current weights (a forward pass on at
        most ``max_examples`` columns): the divergence test before each check."""
        net = self.net64()
        with np.errstate(all="ignore"):
            net.forward_checked(self.X)
            return float(net.cost_of_last_forward(self.Y))

    def __call__(self, epoch, rng) -> list:
        reports = run(self.net64(), self.X, self.Y, self.targets, rng)
        failed = [r for r in reports if not r.passed]
        if failed and self.on_failure != "record":
            message = f"at epoch {epoch}: " + failure_message(failed[0])
            if self.on_failure == "raise":
                raise AssertionError(message)
            import warnings

            from ..errors import GradientCheckWarning

            warnings.warn(message, GradientCheckWarning, stacklevel=4)
        return reports


def failure_message(r: GradCheckReport) -> str:
    """What a failed scaled check says."""
    return (f"Gradient check failed for layer {r.layer_idx} ({r.layer_name}), "
            f"parameter {r.param} [{r.method}]:\n"
            f"  backprop . u     {r.analytic:.10e}\n"
            f"  central diff.    {r.numeric:.10e}\n"
            f"  |difference|     {abs(r.analytic - r.numeric):.3e} > atol {r.atol:.1e} + "
            f"rtol {r.tol:g} x |grad| (error / |grad| = {r.max_rel_error:.2e})"
            + (f"\n  note             {r.note}" if r.note else ""))


def run(net, X, Y, targets, rng) -> list:
    """Reports for ``targets = [(layer_idx, param), ...]`` of a float64 ``net``
    (backprop through ``net.backward_checked``: a learner's own ``backward`` is
    the one checked)
    (dropout masks drawn once from ``rng`` and held fixed, as in
    :func:`lucidnet.gradcheck.network.run_checks`); parameters left bit-identical."""
    layers = net.layers
    dropouts = [layer for layer in layers if isinstance(layer, Dropout)]
    for layer in dropouts:
        layer.rng = rng  # the check's own stream: the training's is untouched
    net.backward_checked(X, Y)
    for layer in dropouts:
        layer.fixed_mask = True  # J must be a function of the parameters alone
    grads = {(i, p): layers[i].grads[p].copy() for i, p in targets}
    inputs = [X] + [_kept_input(layer) for layer in layers[1:]]
    masks = [layer.mask for layer in dropouts]

    def objective_from(idx):
        """J when only layer ``idx`` and those above it changed."""
        def J():
            A = inputs[idx] if inputs[idx] is not None else X
            for layer in layers[idx if inputs[idx] is not None else 0:]:
                A = layer.forward(A, training=True)
            net.output = A
            return net.cost_of_last_forward(Y)
        return J

    def backward_on(idx, param):
        def gradient(keep):
            for layer, mask in zip(dropouts, masks):
                layer.mask = None if mask is None else mask[:, keep]
            net.backward_checked(X[:, keep], Y[:, keep])
            return layers[idx].grads[param].copy()
        return gradient

    reports = []
    try:
        for idx, param in targets:
            reports.append(check_tensor(net, X, Y, idx, param, grads[idx, param], rng,
                                        objective_from(idx), backward_on(idx, param)))
            for layer, mask in zip(dropouts, masks):
                layer.mask = mask
    finally:
        for layer, mask in zip(dropouts, masks):
            layer.fixed_mask = False
            layer.mask = mask
            layer.rng = net.rng
    return reports
