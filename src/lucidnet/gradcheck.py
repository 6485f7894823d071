"""Gradient checks: backpropagation against central differences.

The numerical derivative of the cost J along a perturbation of size eps is

    (J(theta + eps) - J(theta - eps)) / (2 eps)

and it is compared with the backprop gradient by the relative error

    |a - b| / (|a| + |b| + 1e-10)

which must stay below ``tol`` (1e-4); where both values are below ``abs_tol``
(1e-7) in absolute value the entry passes whatever its relative error.

Two checks:

- ``entries``: the text's check, one pair of cost evaluations per entry of a
  parameter tensor.  Exact, but its cost grows with the parameter count.
- ``directional``: one random unit direction u per parameter tensor; compare
  the central difference of J along u with ``grad . u``.  Two cost evaluations
  per tensor whatever its size, so each layer still gets its own verdict.
  ``fit(grad_check_every=k)`` uses this one.

Checks run in float64: a float32 network is checked on a float64 copy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["relative_error", "GradCheckReport", "check_entries", "check_entries_batched",
           "check_direction"]


def relative_error(a, b, stability_eps: float = 1e-10):
    """``|a - b| / (|a| + |b| + stability_eps)``, element-wise."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return np.abs(a - b) / (np.abs(a) + np.abs(b) + stability_eps)


@dataclass
class GradCheckReport:
    """Outcome of one gradient check of one parameter tensor.

    ``index`` is the worst entry (a tuple) for the entry-wise check and
    ``None`` for the directional one; ``analytic`` and ``numeric`` are the two
    gradient values there.
    """

    layer_idx: int
    layer_name: str
    param: str
    method: str
    max_rel_error: float
    index: tuple | None
    analytic: float
    numeric: float
    passed: bool
    tol: float

    def as_dict(self) -> dict:
        d = asdict(self)
        d["index"] = list(self.index) if self.index is not None else None
        return d

    def __str__(self) -> str:
        where = f" at {self.param}{list(self.index)}" if self.index is not None else ""
        verdict = "PASS" if self.passed else "FAIL"
        return (f"grad check {verdict} layer {self.layer_idx} ({self.layer_name}) "
                f"{self.param} [{self.method}]: max relative error "
                f"{self.max_rel_error:.2e}{where}, backprop {self.analytic:.6e}, "
                f"numerical {self.numeric:.6e} (tol {self.tol:g})")


def _failure_message(report: GradCheckReport) -> str:
    return (f"Gradient check failed for layer {report.layer_idx} ({report.layer_name}), "
            f"parameter {report.param} [{report.method}]:\n"
            f"  worst entry      {report.param}{list(report.index) if report.index else ''}\n"
            f"  backprop         {report.analytic:.10e}\n"
            f"  central diff.    {report.numeric:.10e}\n"
            f"  relative error   {report.max_rel_error:.3e} > tol {report.tol:g}")


def _verdict(analytic, numeric, tol, abs_tol):
    """Per-entry relative errors, with entries small on both sides counted as 0."""
    err = relative_error(analytic, numeric)
    tiny = (np.abs(analytic) < abs_tol) & (np.abs(numeric) < abs_tol)
    return np.where(tiny, 0.0, err)


def check_entries(objective, theta, grad, *, eps=1e-5, tol=1e-4, abs_tol=1e-7,
                  layer_idx=0, layer_name="", param="W") -> GradCheckReport:
    """Entry-wise check of ``grad`` against central differences of ``objective``.

    ``objective()`` returns J at the current value of ``theta``, which this
    function perturbs in place and restores exactly.
    """
    numeric = np.zeros(theta.shape, dtype=np.float64)
    for idx in np.ndindex(theta.shape):
        saved = theta[idx]
        theta[idx] = saved + eps
        j_plus = objective()
        theta[idx] = saved - eps
        j_minus = objective()
        theta[idx] = saved
        numeric[idx] = (j_plus - j_minus) / (2 * eps)
    analytic = np.asarray(grad, dtype=np.float64)
    err = _verdict(analytic, numeric, tol, abs_tol)
    worst = np.unravel_index(int(np.argmax(err)), err.shape)
    return GradCheckReport(layer_idx, layer_name, param, "entries", float(err[worst]),
                           tuple(int(i) for i in worst), float(analytic[worst]),
                           float(numeric[worst]), bool(err[worst] <= tol), tol)


def check_entries_batched(net, X, Y, layer_idx, param, *, eps=1e-5, tol=1e-4, abs_tol=1e-7,
                          max_elements=2 ** 19) -> GradCheckReport:
    """The entry-wise check, with many perturbations evaluated in one pass.

    Gives the numbers of :func:`check_entries` (the readable reference, a loop
    of two cost evaluations per entry) at a fraction of its cost.  Perturbing
    entry ``(i, j)`` of ``W[l]`` by ``+-eps`` changes only row ``i`` of ``Z[l]``,
    by ``+-eps A[l-1][j, :]`` (an entry ``i`` of ``b[l]``: by ``+-eps``), so the
    perturbed networks share everything below layer ``l``.  A block of K of
    them (both signs of K/2 entries) then runs side by side:

    - row ``i`` of ``A[l]`` is ``sigma(Z[l][i] +- delta)``: one row per copy
      when sigma is element-wise;
    - if layer ``l+1`` is Dense, its ``Z`` in copy ``k`` is the unperturbed
      ``Z[l+1]`` plus the rank-one change ``W[l+1][:, i] (A'[l][i] - A[l][i])``;
    - every layer above goes through its own ``forward`` on ``K N`` columns
      (copy ``k`` in columns ``k N .. k N + N - 1``);
    - J of each copy is the cost of its own N columns (plus the penalty).

    ``net`` is a float64 network (as for every check); ``X``, ``Y`` are checked
    ``(d0, N)`` and ``(dL, N)`` arrays.  Dropout masks must be fixed (as in
    ``NeuralNetwork._grad_check``).
    """
    from .layers import Dense  # the rank-one shortcut uses Dense's Z = W A_prev + b

    layers = net.layers
    layer = layers[layer_idx]
    theta = layer.params[param]
    grad = np.asarray(layer.grads[param], dtype=np.float64)
    net._forward(X, training=True)                  # caches at the unperturbed theta
    N = X.shape[1]
    A_prev, Z0, A0 = layer.A_prev, layer.Z.copy(), layer.A.copy()
    nxt = layers[layer_idx + 1] if layer_idx + 1 < len(layers) else None
    rank_one = layer.activation.elementwise and isinstance(nxt, Dense)
    if rank_one:
        W1, Z1_0 = nxt.params["W"], nxt.Z.copy()
    out = net.output_layer
    fused = net.loss_obj.canonical == out.activation.name and layers[-1] is out
    Yb = Y[:, None, :]                               # broadcast over the copies
    # K copies per block, so that the widest (d, K, N) array of the block stays small
    widest = max(lay.units for lay in layers[layer_idx + (1 if rank_one else 0):])
    K_max = max(2, max_elements // (widest * N) // 2 * 2)

    entries = list(np.ndindex(theta.shape))
    numeric = np.zeros(theta.shape, dtype=np.float64)
    for start in range(0, len(entries), K_max // 2):
        block = entries[start:start + K_max // 2]
        K = 2 * len(block)
        rows = np.array([e[0] for e in block] * 2)   # copies 0..K/2-1: +eps, then -eps
        if param == "W":
            delta = eps * A_prev[[e[1] for e in block]]                  # (K/2, N)
        else:
            delta = np.full((len(block), N), eps)
        delta = np.concatenate([delta, -delta])                         # (K, N)
        copies = np.arange(K)
        Zrows = Z0[rows] + delta                     # the changed row of Z[l], per copy
        Z_out = None
        if rank_one:
            # Z[l+1] of copy k = Z[l+1] + W[l+1][:, i] (A'[l][i] - A[l][i]): rank one.
            dA_rows = layer.activation.forward(Zrows) - A0[rows]        # (K, N)
            Z = Z1_0[:, None, :] + W1[:, rows][:, :, None] * dA_rows    # (d_{l+1}, K, N)
            A = nxt.activation.forward(Z.reshape(nxt.units, K * N))
            if nxt is out:
                Z_out = Z
            above = layers[layer_idx + 2:]
        else:
            Z = np.repeat(Z0[:, None, :], K, axis=1)                    # (d_l, K, N)
            Z[rows, copies] = Zrows
            A = layer.activation.forward(Z.reshape(layer.units, K * N))
            if layer is out:
                Z_out = Z
            above = layers[layer_idx + 1:]
        for lay in above:
            A = lay.forward(A, training=True)
            if lay is out:
                Z_out = lay.Z.reshape(out.units, K, N)
        if fused:
            losses = net.loss_obj.loss_from_logits(Yb, Z_out)            # (dL, K, N)
        else:
            losses = net.loss_obj.loss(Yb, A.reshape(-1, K, N))
        J = losses.sum(axis=(0, 2)) / N                                  # (K,)
        half = K // 2
        diff = J[:half] - J[half:]                   # J(theta + eps) - J(theta - eps)
        if param == "W" and (net.l2 or net.l1):      # the penalty's share of the difference
            w = theta[tuple(np.array(block).T)]
            diff = diff + (0.5 * net.l2 * ((w + eps) ** 2 - (w - eps) ** 2)
                           + net.l1 * (np.abs(w + eps) - np.abs(w - eps))) / N
        numeric[tuple(np.array(block).T)] = diff / (2 * eps)
    net._forward(X, training=True)                   # caches (and work arrays) back to N columns
    err = _verdict(grad, numeric, tol, abs_tol)
    worst = np.unravel_index(int(np.argmax(err)), err.shape)
    return GradCheckReport(layer_idx, layer.name, param, "entries", float(err[worst]),
                           tuple(int(i) for i in worst), float(grad[worst]),
                           float(numeric[worst]), bool(err[worst] <= tol), tol)


def check_direction(objective, theta, grad, rng, *, eps=1e-5, tol=1e-4, abs_tol=1e-7,
                    layer_idx=0, layer_name="", param="W") -> GradCheckReport:
    """Directional check: ``(J(theta + eps u) - J(theta - eps u)) / (2 eps)`` vs ``grad . u``.

    ``u`` is a random unit vector drawn from ``rng`` (pass a generator of the
    check's own, so that checking does not move the training's random stream).
    """
    u = rng.standard_normal(theta.shape)
    u /= np.linalg.norm(u)
    saved = theta.copy()
    theta += eps * u
    j_plus = objective()
    theta[...] = saved - eps * u
    j_minus = objective()
    theta[...] = saved
    numeric = (j_plus - j_minus) / (2 * eps)
    analytic = float(np.vdot(np.asarray(grad, dtype=np.float64), u))
    err = float(_verdict(np.float64(analytic), np.float64(numeric), tol, abs_tol))
    return GradCheckReport(layer_idx, layer_name, param, "directional", err, None,
                           analytic, float(numeric), err <= tol, tol)
