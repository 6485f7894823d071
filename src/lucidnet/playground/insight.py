"""What only lucidnet can show in the page: the equations of the network being trained,
with its real shapes and live numbers, and its gradient check.

Both run on a copy of the session's network (``copy.deepcopy``: weights,
optimizer state and Generator), so asking for them never changes the training
run: the weights after the next epoch are the same bits with or without them.
"""

from __future__ import annotations

import copy
import re

import numpy as np

from .. import Dense

__all__ = ["explain_message", "gradcheck_message", "KINKED"]

# Activations whose derivative jumps at 0: central differences across the jump
# disagree with backprop without a bug (a "kink", as CS231n calls it).
KINKED = ("relu", "leaky_relu")
# A full check (every entry, as the text does it) up to this many parameters;
# a random directional check beyond (one pair of passes per tensor).
MAX_ENTRY_CHECK = 2000
_LAYER = re.compile(r"\[(\d+)\]")


def _sample(session, n: int = 256):
    """At most ``n`` evenly spaced training columns: the check's cost stays bounded."""
    N = session.A0_train.shape[1]
    cols = np.linspace(0, N - 1, min(n, N)).astype(int)
    return session.A0_train[:, cols], session.data.y_train[cols]


def explain_message(session) -> dict:
    """``net.explain`` of the current network on the training data, line by line, each
    line with the layers it mentions (the page highlights a layer's lines)."""
    net = copy.deepcopy(session.net)
    with np.errstate(all="ignore"):
        text = net.explain(session.A0_train, session.data.y_train, show=False)
    lines = [{"text": line, "layers": sorted({int(i) for i in _LAYER.findall(line)}),
              "layer": _owner(line)} for line in str(text).splitlines()]
    return {"type": "explain", "version": session.version, "epoch": session.epoch,
            "lines": lines}


def _owner(line: str):
    """The layer a line computes: the index on its left-hand side (``dW[3] = ... A[2].T``
    belongs to layer 3, though it mentions layer 2); None for a line that defines none."""
    lhs = line.split("=", 1)[0] if "=" in line else ""
    found = _LAYER.findall(lhs)
    return int(found[0]) if found else None


def _near_kink(net, X, layer_idx: int, eps: float) -> bool:
    """Does a pre-activation of a kinked layer at or after ``layer_idx`` lie within the
    check's step of 0 (so the difference quotient straddles the jump)?"""
    A = X
    for idx, layer in enumerate(net.layers):
        if isinstance(layer, Dense):
            Z = layer.params["W"] @ A + layer.params["b"]
            if idx >= layer_idx and layer.activation.name in KINKED and \
                    np.any(np.abs(Z) < 1e3 * eps):
                return True
            A = layer.activation.forward(Z)
    return False


def gradcheck_message(session) -> dict:
    """The gradient check of every parameter tensor, per layer: the largest relative
    error, pass or fail, and "kink" for a failure explained by a ReLU's corner."""
    net = copy.deepcopy(session.net).astype("float64")
    X, y = _sample(session)
    method = "entries" if net.n_params <= MAX_ENTRY_CHECK else "directional"
    rows, tol = [], None
    for idx, layer in enumerate(net.layers):
        for param in layer.params:
            with np.errstate(all="ignore"):
                try:
                    report = net.grad_check(X, y, idx, param=param, method=method,
                                            rng=np.random.default_rng(0))
                    passed, error, tol = True, report.max_rel_error, report.tol
                    analytic, numeric = report.analytic, report.numeric
                except AssertionError as exc:
                    passed, error, analytic, numeric = False, _worst(str(exc)), None, None
            verdict = "pass" if passed else ("kink" if _near_kink(net, X, idx, 1e-5)
                                             else "fail")
            rows.append({"layer": idx, "name": layer.name, "param": param,
                         "max_rel_error": error, "analytic": analytic, "numeric": numeric,
                         "verdict": verdict})
    return {"type": "gradcheck", "version": session.version, "epoch": session.epoch,
            "method": method, "examples": int(X.shape[1]), "rows": rows, "tol": tol,
            "passed": all(r["verdict"] != "fail" for r in rows)}


def _worst(message: str):
    """The largest relative error a failed check's message reports (None if absent)."""
    match = re.search(r"relative error[^0-9]*([0-9.]+e[-+]?[0-9]+|[0-9.]+)", message)
    return float(match.group(1)) if match else None
