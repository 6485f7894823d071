"""A one-line verdict at the end of a run that went poorly, with the option to try.

``fit`` ends with :func:`diagnose` on its training data and issues each finding
as a :class:`lucidnet.TrainingDiagnosis` warning (filter it with
``warnings.simplefilter("ignore", lucidnet.LucidnetWarning)``); the findings are
also kept in ``net.diagnoses``, and ``lucidnet train`` prints them with its own
option names.  What is looked for (divergence raises ``DivergenceError``, whose
message already names the learning rate and what to try):

- **chance**: a classifier whose training accuracy is within 0.05 of the share of
  the largest class;
- **plateau**: a classifier no better than the best straight boundary (a
  least-squares linear fit of the one-hot targets, thresholded; SPEC's two moons
  sit at about 0.87 there) while that boundary is not good enough (< 0.98), and
  the cost flat (< 1% change over the last third of the recorded costs);
- **r2**: a regression with R^2 < 0.1 on the training data (R^2 does not depend
  on the target's units, so standardized targets give the user's figure);
- **overfitting**: a validation cost that rose more than 10% above its best while
  the training cost went on falling, without early stopping.

Costs: one forward pass over at most :data:`DIAGNOSIS_COLUMNS` evenly spaced
training examples (all of them when there are fewer), and a least-squares fit of
``(n, d0 + 1)`` on the same ones only for a classifier that is neither good nor at
chance.  The verdicts compare shares with margins of 0.02-0.05; 4096 examples
measure a share to within 0.008 (one standard deviation), and a pass over all of
``X`` cost 15% of a 3-epoch full-batch fit of 2-256-256-1 on 20,000 examples.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np

from ..core.metrics import labels_at_threshold
from .passes import forward_in_batches

__all__ = ["Diagnosis", "diagnose", "warn_if_poor", "linear_accuracy", "DIAGNOSIS_COLUMNS"]

DIAGNOSIS_COLUMNS = 4096  # examples the verdicts are measured on, at most


@dataclass
class Diagnosis:
    """One finding: ``kind``, what was seen (``finding``), what to try in Python
    (``python``: arguments of ``NeuralNetwork``/``fit``) and on the command line (``cli``)."""

    kind: str
    finding: str
    python: str
    cli: str

    def text(self, cli: bool = False) -> str:
        return f"{self.finding}; try {self.cli if cli else self.python}"

    def as_dict(self) -> dict:
        return asdict(self)


def _labels(A) -> np.ndarray:
    return A.argmax(axis=0) if A.shape[0] > 1 else labels_at_threshold(A[0])


def linear_accuracy(X, Y) -> float:
    """Training accuracy of the least-squares linear boundary: ``[X; 1]`` fitted to the
    one-hot (or 0/1) targets ``Y`` ``(dL, N)``, then thresholded at 0.5 (argmax)."""
    N = X.shape[1]
    F = np.vstack([X, np.ones((1, N))]).T.astype(np.float64)       # (N, d0 + 1)
    coef, *_ = np.linalg.lstsq(F, Y.T.astype(np.float64), rcond=None)
    return float(np.mean(_labels((F @ coef).T) == _labels(Y)))


def _flat(costs) -> bool:
    """Less than 1% change over the last third of the recorded costs (at least 3)."""
    costs = [c for c in costs if c is not None and np.isfinite(c)]
    if len(costs) < 3:
        return False
    tail = costs[-max(2, len(costs) // 3):]
    return abs(tail[0] - tail[-1]) <= 0.01 * max(abs(tail[0]), 1e-12)


def diagnose(net, X, Y, *, history=None, epochs=None, early_stopping=False,
             batch_size=None) -> list:
    """Findings for ``net`` trained on ``X`` ``(d0, N)``, ``Y`` ``(dL, N)`` (checked arrays).

    ``history`` is ``net.history``; ``epochs`` the number of epochs run (for the
    advice to train longer); ``early_stopping`` says the run had it.
    """
    history = net.history if history is None else history
    epochs = epochs or 0
    N = X.shape[1]
    step = -(-N // DIAGNOSIS_COLUMNS)           # every step-th example: at most 4096 of them
    majority = None
    if net.is_classifier:                       # the largest class's share, of all N
        majority = float(np.bincount(_labels(Y)).max() / N)
    X, Y = np.ascontiguousarray(X[:, ::step]), np.ascontiguousarray(Y[:, ::step])
    on = f" (on {X.shape[1]} of the {N} examples)" if step > 1 else ""
    with np.errstate(all="ignore"):
        A = forward_in_batches(net, X, batch_size)
    found = []
    multi_label = net.output_layer.activation.name == "sigmoid" and A.shape[0] > 1
    if net.is_classifier and not multi_label:
        labels, truth = _labels(A), _labels(Y)
        acc = float(np.mean(labels == truth))
        longer = f"epochs={4 * epochs}" if epochs else "more epochs"
        # chance: no better than always naming the largest class, by 0.05 or, when
        # that class is most of the data, a tenth of what it leaves to get right
        # (96% of one class: 0.964); data of one class have nothing to learn
        if majority < 1.0 and acc <= majority + min(0.05, 0.1 * (1.0 - majority)):
            found.append(Diagnosis(
                "chance", f"training accuracy {acc:.3f}{on} is chance level (the largest class "
                f"is {majority:.3f} of the examples): the network has not learned",
                "optimizer='adam' with lr=0.01, activation='tanh', or " + longer,
                "--optimizer adam --lr 0.01, --activation tanh, or more --epochs"))
        elif acc < 0.98:
            linear = linear_accuracy(X, Y)
            costs = history.get("loss", [])
            if linear < 0.98 and acc <= linear + 0.02 and _flat(costs):
                found.append(Diagnosis(
                    "plateau", f"still on a plateau: the cost stayed near {costs[-1]:.4g} and "
                    f"the training accuracy {acc:.3f}{on} is what a straight boundary gets "
                    f"({linear:.3f})", f"{longer} (the plateau can last ~1500 epochs), or "
                    "optimizer='adam'", "more --epochs (e.g. 4000), or --optimizer adam"))
    elif not net.is_classifier:
        Yf, Af = Y.astype(np.float64), A.astype(np.float64)
        ss_tot = float(((Yf - Yf.mean(axis=1, keepdims=True)) ** 2).sum())
        r2 = 1.0 - float(((Yf - Af) ** 2).sum()) / ss_tot if ss_tot > 0 else 1.0
        if r2 < 0.1:
            found.append(Diagnosis(
                "r2", f"R^2 {r2:.2f} on the training data{on}: the network predicts "
                + ("worse than the mean" if r2 < 0 else "little more than the mean"), "standardized targets ((y - mean) / std) and features, "
                "optimizer='adam', or more epochs", "--optimizer adam, more --epochs, or "
                "a smaller --lr (and keep the target standardized)"))
    val = [v for v in history.get("val_loss", []) if v is not None]
    train = history.get("loss", [])
    if not early_stopping and len(val) >= 5 and len(train) == len(history.get("val_loss", [])):
        best = int(np.argmin(val))
        if val[-1] > 1.1 * val[best] and best < len(val) - 1 and train[-1] < train[best]:
            epoch = history["epoch"][best] if "epoch" in history else best
            found.append(Diagnosis(
                "overfitting", f"overfitting: the validation cost rose from {val[best]:.4g} "
                f"(epoch {epoch}) to {val[-1]:.4g} while the training cost fell",
                "early_stopping=20, l2=1e-3 or a Dropout layer",
                "--early-stopping 20, --l2 0.001 or --dropout 0.2"))
    return found


def warn_if_poor(net, X, Y, **kw) -> list:
    """:func:`diagnose`, kept in ``net.diagnoses``; each finding issued as a warning."""
    from ..errors import TrainingDiagnosis

    net.diagnoses = diagnose(net, X, Y, **kw)
    for d in net.diagnoses:
        w = TrainingDiagnosis(d.text())
        w.diagnosis = d
        warnings.warn(w, stacklevel=4)
    return net.diagnoses
