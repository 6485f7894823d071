"""scikit-learn estimators on top of lucidnet's core.

:class:`LucidClassifier` and :class:`LucidRegressor` take every parameter of
scikit-learn's ``MLPClassifier`` / ``MLPRegressor``, with the same meaning and
default, and train the same model for the same ``random_state`` (they follow
scikit-learn's conventions, its RandomState included: see their Notes), plus a
few lucidnet extras, off by default (per-layer activations, dropout,
class weights, callbacks, a validation loss curve, the output activation,
more solvers and losses).  Data is row-major ``(n_samples, n_features)`` at the
boundary and transposed once into the core's column-wise ``X`` ``(d0, N)``.

Example
-------
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from lucidnet.sklearn import LucidClassifier
>>> model = make_pipeline(StandardScaler(), LucidClassifier(hidden_layer_sizes=(16,)))

:func:`save` writes a fitted estimator, or such a scaler + estimator pipeline,
as a lucidnet model file that ``lucidnet predict/evaluate/info/export`` read.
"""

from ._estimators import LucidClassifier, LucidRegressor
from ._io import save

__all__ = ["LucidClassifier", "LucidRegressor", "save"]
