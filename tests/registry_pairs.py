"""Which output activations each registered loss accepts, and targets that suit it.

Shared by ``test_losses.py`` and ``test_gradients.py``.  Read at collection
time from the registries, so a new activation or loss is paired up without a
new test:

- a loss's *domain* is the set of outputs A where it is defined and smooth:
  the cross-entropies take ``log(A)`` and ``log(1 - A)`` (probabilities, the
  open interval (0, 1)); a Poisson deviance takes ``log(A)`` (A > 0); every
  other loss is taken to be defined for any real output (a loss that is not
  declares ``Loss.domain`` or gets an entry in ``LOSS_DOMAIN``);
- an activation's *range* is probed on a grid of logits, so the table needs no
  entry for a new activation;
- a loss accepts an activation when the range lies strictly inside the domain
  (bce: sigmoid and softmax, canonical or not; poisson: exp, softplus,
  sigmoid, softmax but not ReLU, whose outputs reach 0; mse: all of them).
"""

from __future__ import annotations

import numpy as np

from lucidnet.activations import ACTIVATIONS
from lucidnet.losses import LOSSES

# A loss may declare its domain (``Loss.domain``: "real", "probability" or
# "positive"); otherwise this table gives (lowest, highest) allowed output, both
# excluded, and a loss in neither is taken to be defined on the real line.
DOMAINS = {"real": (-np.inf, np.inf), "probability": (0.0, 1.0), "positive": (0.0, np.inf)}
LOSS_DOMAIN = {
    "bce": DOMAINS["probability"],
    "cce": DOMAINS["probability"],
    "poisson": DOMAINS["positive"],
}


def loss_domain(loss_name: str) -> tuple[float, float]:
    declared = getattr(LOSSES[loss_name], "domain", None)
    if declared in DOMAINS:
        return DOMAINS[declared]
    return LOSS_DOMAIN.get(loss_name, DOMAINS["real"])


def output_range(act) -> tuple[float, float]:
    """Smallest and largest output over logits in [-6, 6] (three units per column)."""
    Z = np.linspace(-6.0, 6.0, 300).reshape(3, -1)
    A = act.forward(np.concatenate([Z, Z[::-1]], axis=1))
    return float(A.min()), float(A.max())


def accepts(loss_name: str, act_name: str) -> bool:
    low, high = loss_domain(loss_name)
    a_min, a_max = output_range(ACTIVATIONS[act_name])
    return low < a_min and a_max < high


def accepted_activations(loss_name: str) -> list[str]:
    return [act for act in sorted(ACTIVATIONS) if accepts(loss_name, act)]


# (loss, output activation) for every registered loss and every output it accepts
PAIRS = [(loss, act) for loss in sorted(LOSSES) for act in accepted_activations(loss)]
CANONICAL = sorted(name for name, loss in LOSSES.items() if loss.canonical)


def make_targets(loss_name: str, shape, rng) -> np.ndarray:
    """Targets that suit the loss: 0/1 labels (bce), one-hot columns (cce),
    counts including zeros (poisson), real values otherwise."""
    d, N = shape
    if loss_name == "bce":
        return (rng.random(shape) < 0.5).astype(float)
    if loss_name == "cce":
        Y = np.zeros(shape)
        Y[rng.integers(0, d, size=N), np.arange(N)] = 1.0
        return Y
    if loss_domain(loss_name) == DOMAINS["positive"]:
        return rng.poisson(1.5, size=shape).astype(float)
    return rng.uniform(-2.0, 2.0, size=shape)
