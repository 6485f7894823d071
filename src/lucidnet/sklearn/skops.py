"""The types ``skops.io`` must trust to load a Lucid estimator: pipelines without pickle.

``pickle.load`` runs whatever code a file names, so a pickled pipeline from
someone else is a program you run.  ``skops.io`` stores the same objects as
data and, on loading, refuses every type it does not already trust unless the
caller lists it.  scikit-learn's own classes it trusts already; lucidnet's
objects inside a fitted estimator (the network, its layers, activations,
loss, optimizer and initializers) must be listed, and :func:`trusted_types`
is that list, built from lucidnet's registries, so a reader can review it::

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
        lucidnet's layer classes, the classes of the built-in activations,
        losses and optimizers, the weight initializers, and ``numpy.dtype``
        (which skops does not trust by itself).  Activations registered at
        run time with :func:`lucidnet.register_activation` are not included:
        they wrap arbitrary functions.

    Example
    -------
    >>> "lucidnet.network.NeuralNetwork" in trusted_types()
    True
    """
    import numpy as np

    from ..activations import ACTIVATIONS, _UserActivation
    from ..initializers import INITIALIZERS
    from ..layers import Layer
    from ..losses import LOSSES
    from ..network import NeuralNetwork
    from ..optimizers import OPTIMIZERS
    from ._estimators import LucidClassifier, LucidRegressor

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    layers = [cls for cls in subclasses(Layer) if cls.__module__.startswith("lucidnet.")]
    activations = {type(act) for act in ACTIVATIONS.values()} - {_UserActivation}
    objects = [LucidClassifier, LucidRegressor, NeuralNetwork, *layers, *activations,
               *(type(loss) for loss in LOSSES.values()), *OPTIMIZERS.values(),
               *INITIALIZERS.values()]
    return sorted({_name(obj) for obj in objects} | {_name(np.dtype)})
