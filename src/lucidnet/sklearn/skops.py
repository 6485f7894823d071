"""The types ``skops.io`` must trust to load a Lucid estimator: pipelines without pickle.

``pickle.load`` runs whatever code a file names, so a pickled pipeline from
someone else is a program you run.  ``skops.io`` stores the same objects as
data and, on loading, refuses every type it does not already trust unless the
caller lists it.  scikit-learn's own classes it trusts already; lucidnet's
objects inside a fitted estimator (the network, its layers, activations,
loss, optimizer and initializers) must be listed, and :func:`trusted_types`
is that list, built from lucidnet's own classes, so a reader can review it::

    import skops.io as sio
    sio.dump(pipeline, "model.skops")
    pipeline = sio.load("model.skops", trusted=trusted_types())

Anything else in the file (a user's own activation, a third-party
transformer) is still refused until its type is listed too.  This module
does not import skops; lucidnet's own model file (``lucidnet.sklearn.save``)
needs no such list, but keeps only a scaler and the network.
"""

from __future__ import annotations

__all__ = ["trusted_types"]


def _name(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def trusted_types() -> list[str]:
    """Names of the lucidnet types a fitted :class:`LucidClassifier` / :class:`LucidRegressor`
    holds, for ``skops.io.load(..., trusted=trusted_types())``.

    Returns
    -------
    list of str
        Sorted ``"module.Class"`` names: the two estimators, ``NeuralNetwork``,
        lucidnet's own layer, activation, loss and optimizer classes (the
        estimators' scikit-learn-style optimizers included), the weight
        initializers, and ``numpy.dtype`` (which skops does not trust by
        itself).  Activations registered at run time with
        :func:`lucidnet.register_activation` are not included: they wrap
        arbitrary functions.

    Example
    -------
    >>> "lucidnet.network.NeuralNetwork" in trusted_types()
    True
    """
    import numpy as np

    from ..core.activations import Activation, _UserActivation
    from ..core.initializers import INITIALIZERS
    from ..core.layers import Layer
    from ..core.losses import Loss
    from ..network import NeuralNetwork
    from ..optim.optimizers import Optimizer
    from ._estimators import LucidClassifier, LucidRegressor  # imports their optimizers too

    def lucidnet_subclasses(cls):
        """Every subclass of ``cls`` defined in lucidnet itself (not a user's)."""
        found = set()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("lucidnet."):
                found.add(sub)
            found |= lucidnet_subclasses(sub)
        return found

    objects = {LucidClassifier, LucidRegressor, NeuralNetwork, *INITIALIZERS.values()}
    for base in (Layer, Activation, Loss, Optimizer):
        objects |= lucidnet_subclasses(base)
    objects -= {_UserActivation}
    return sorted({_name(obj) for obj in objects} | {_name(np.dtype)})
