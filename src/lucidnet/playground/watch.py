"""Watching a training run from its diagnostics: the figures the page charts, and the
plateau, said in words when the cost flattens and when it leaves.

The figures are lucidnet's :class:`~lucidnet.diagnostics.Diagnostics` (see its
docstring for their definitions); this module only reads them.
"""

from __future__ import annotations

import math

__all__ = ["PlateauWatch", "trim", "latest_figures", "solved", "WINDOW", "FLAT"]

# A plateau: over the last WINDOW epochs the training cost fell by less than FLAT
# (relative), while it is still far from its floor (above FLOOR) and the gradients
# are small.  The text's reference run sits near J = 0.29 for hundreds of epochs.
WINDOW = 200
FLAT = 0.02
FLOOR = 0.05
SMALL_GRADIENT = 0.05
# It has left the plateau once the cost is this far below the plateau's level; that is
# said for SHOW_LEFT epochs.  A task counts as learned (a flat cost is convergence)
# from SOLVED training accuracy or R^2 on.
LEFT = 0.9
SHOW_LEFT = 300
SOLVED = 0.95
CHARTED = ("grad_norm", "update_ratio", "saturated", "dead")


def trim(diag, keep: int) -> None:
    """Keep only the last ``keep`` records of ``diag`` (a long session stays small)."""
    if len(diag.epochs) <= keep:
        return
    del diag.epochs[:-keep], diag.costs[:-keep]
    for rec in diag.layers.values():
        for key, values in rec.items():
            if isinstance(values, list):
                del values[:-keep]


def _number(x):
    return float(x) if x is not None and math.isfinite(x) else None


def latest_figures(diag) -> list:
    """Per Dense layer, the last recorded value of each charted figure (None: not defined
    for that activation, or nothing recorded yet)."""
    out = []
    for idx, rec in sorted(diag.layers.items()):
        row = {"index": idx, "name": rec["name"], "activation": rec["activation"]}
        for key in CHARTED:
            row[key] = _number(rec[key][-1]) if rec[key] else None
        out.append(row)
    return out


class PlateauWatch:
    """Says when the cost has flattened on a plateau, why, and when it leaves it."""

    def __init__(self):
        self.on = None        # {"since", "level", "grad", "saturated", "dead"} while on it
        self.left = None      # {"epoch", "from", "to"} once it has left

    def update(self, diag, solved: bool = False) -> None:
        """Read the latest records; ``solved``: the task is learned (a flat cost is then
        convergence, not a plateau)."""
        epochs, costs = diag.epochs, diag.costs
        if len(epochs) < 2 or not all(map(math.isfinite, costs[-2:])):
            return
        now, J = epochs[-1], costs[-1]
        if self.left is not None and now - self.left["epoch"] > SHOW_LEFT:
            self.left = None      # said for a while; the page's message goes away
        if self.on is not None:
            if J < LEFT * self.on["level"]:
                self.left = {"epoch": now, "from": self.on["level"], "to": J,
                             "since": self.on["since"]}
                self.on = None
            return
        start = next((k for k, e in enumerate(epochs) if e >= now - WINDOW), None)
        if start is None or now - epochs[start] < WINDOW * 0.9:
            return
        J0 = costs[start]
        figures = latest_figures(diag)
        grads = [f["grad_norm"] for f in figures if f["grad_norm"] is not None]
        if not solved and J > FLOOR and J0 > 0 and (J0 - J) / J0 < FLAT and grads and \
                max(grads) < SMALL_GRADIENT:
            sat = [f["saturated"] for f in figures[:-1] if f["saturated"] is not None]
            dead = [f["dead"] for f in figures[:-1] if f["dead"] is not None]
            self.on = {"since": epochs[start], "level": J, "from": J0, "grad": max(grads),
                       "saturated": max(sat) if sat else None,
                       "dead": max(dead) if dead else None}
            self.left = None

    def message(self) -> dict | None:
        """What the page says, or None when there is nothing to say."""
        if self.on is not None:
            p = self.on
            why = [f"the cost has moved only from {p['from']:.4f} to {p['level']:.4f} since "
                   f"epoch {p['since']}, and the largest gradient norm of a layer is "
                   f"{p['grad']:.1e}: the network sits on a plateau, where every direction "
                   f"of the cost surface is nearly flat"]
            if p["saturated"]:
                why.append(f"{100 * p['saturated']:.0f}% of the hidden units' activations "
                           "are saturated (their derivative is below 10% of its largest "
                           "value), so little error signal flows back through them")
            if p["dead"]:
                why.append(f"{100 * p['dead']:.0f}% of a ReLU layer's units are dead (off "
                           "for every example) and get no gradient at all")
            why.append("it usually leaves on its own when the weights have drifted far "
                       "enough; a larger learning rate or Adam often shortens it")
            return {"state": "on", "since": p["since"], "level": p["level"],
                    "text": "Plateau: " + "; ".join(why) + "."}
        if self.left is not None:
            q = self.left
            return {"state": "left", "epoch": q["epoch"],
                    "text": f"Left the plateau by epoch {q['epoch']}: the cost fell from "
                            f"{q['from']:.4f} (where it had stayed since epoch {q['since']}) "
                            f"to {q['to']:.4f}."}
        return None


def solved(net, A0, y, kind: str) -> bool:
    """Training accuracy (classification) or R^2 (regression) at least ``SOLVED``."""
    import numpy as np

    from ..core.metrics import r2_score

    with np.errstate(all="ignore"):
        A = net.forward(A0)
        if kind == "regression":
            score = r2_score(y, A[0])
        else:
            labels = A.argmax(axis=0) if A.shape[0] > 1 else (A[0] >= 0.5).astype(int)
            score = float(np.mean(labels == y))
    return bool(np.isfinite(score) and score >= SOLVED)
