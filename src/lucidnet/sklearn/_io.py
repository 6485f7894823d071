"""Save a fitted estimator (or scaler + estimator pipeline) as a lucidnet model file."""

from __future__ import annotations

import numpy as np

__all__ = ["save"]


def save(estimator, path) -> None:
    """Write a fitted estimator as a lucidnet model file (``.npz``, no pickle).

    ``estimator`` is a fitted :class:`LucidClassifier` or :class:`LucidRegressor`,
    or a :class:`~sklearn.pipeline.Pipeline` of a ``StandardScaler`` followed by
    one.  The scaler's statistics become the file's standardization and its
    input column names the feature names, so ``lucidnet predict``, ``evaluate``
    and ``export`` take the raw columns, as the pipeline does.

    Raises
    ------
    ValueError
        For anything else in the pipeline (its effect could not be repeated
        from the file), or an estimator that is not fitted.
    """
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils.validation import check_is_fitted

    from ._base import BaseLucidMLP

    steps = [step for _, step in estimator.steps] if isinstance(estimator, Pipeline) \
        else [estimator]
    *before, final = [step for step in steps if step != "passthrough" and step is not None]
    if not isinstance(final, BaseLucidMLP):
        raise ValueError("save() takes a LucidClassifier/LucidRegressor or a Pipeline "
                         f"ending in one, got {type(final).__name__}")
    check_is_fitted(final)
    record = dict(final.net_.preprocessing)
    if before:
        scaler = before[0]
        if len(before) > 1 or not isinstance(scaler, StandardScaler):
            names = ", ".join(type(step).__name__ for step in before)
            raise ValueError(f"a model file can repeat a StandardScaler only; this pipeline "
                             f"has {names} before the estimator")
        check_is_fitted(scaler)
        d = scaler.n_features_in_
        mean = scaler.mean_ if scaler.with_mean else np.zeros(d)
        scale = scaler.scale_ if scaler.with_std else np.ones(d)
        record["standardize"] = {"mean": np.asarray(mean, float).tolist(),
                                 "scale": np.asarray(scale, float).tolist()}
        if hasattr(scaler, "feature_names_in_"):
            record["feature_names"] = [str(name) for name in scaler.feature_names_in_]
    net = final.net_
    kept = net.preprocessing
    net.preprocessing = record
    try:
        net.save(path)
    finally:
        net.preprocessing = kept
