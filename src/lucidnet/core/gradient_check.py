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
  ``fit(grad_check_every=k)`` runs it with a criterion of its own (no false
  alarms at kinks or on large costs): :mod:`lucidnet.gradcheck.periodic`.

Checks run in float64: a float32 network is checked on a float64 copy (see
:mod:`lucidnet.gradcheck`, which runs these checks on a network).  This
module knows nothing of networks: it checks any ``objective()`` of an array.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["relative_error", "GradCheckReport", "report", "check_entries", "check_direction"]


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
    # The periodic check's (lucidnet.gradcheck.periodic): its absolute tolerance,
    # how many examples crossed a kink, and what it did about them.
    atol: float | None = None
    kinks: int = 0
    note: str = ""

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
                f"numerical {self.numeric:.6e} (tol {self.tol:g})"
                + (f"; {self.note}" if self.note else ""))


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


def report(method, analytic, numeric, tol, abs_tol, *, layer_idx=0, layer_name="",
           param="W") -> GradCheckReport:
    """The verdict of one check: the largest relative error, where, and both values there.

    ``analytic`` and ``numeric`` are arrays of the tensor's shape (an
    entry-wise check) or two numbers (a directional check: no index).
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    err = _verdict(analytic, numeric, tol, abs_tol)
    worst = np.unravel_index(int(np.argmax(err)), err.shape)
    index = tuple(int(i) for i in worst) if err.ndim else None
    return GradCheckReport(layer_idx, layer_name, param, method, float(err[worst]), index,
                           float(analytic[worst]), float(numeric[worst]),
                           bool(err[worst] <= tol), tol)


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
    return report("entries", grad, numeric, tol, abs_tol, layer_idx=layer_idx,
                  layer_name=layer_name, param=param)


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
    return report("directional", analytic, numeric, tol, abs_tol, layer_idx=layer_idx,
                  layer_name=layer_name, param=param)
