"""``LucidRegressor``: scikit-learn's MLPRegressor on lucidnet's core."""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ..core.activations import ACTIVATIONS
from ._base import BaseLucidMLP, _dense
from ._docs import _ATTRS_DOC, _CONVENTIONS_DOC, _PARAMS_DOC

__all__ = ["LucidRegressor"]


class LucidRegressor(RegressorMixin, BaseLucidMLP):
    __doc__ = f"""Multi-layer perceptron regressor on lucidnet: a drop-in ``MLPRegressor``.

    With the same data, parameters and ``random_state`` it trains the same
    model as scikit-learn's ``MLPRegressor`` (the same numbers up to rounding).

    Parameters
    ----------
    loss : {{'squared_error', 'poisson', 'absolute_error', 'huber'}}, default='squared_error'
        'squared_error' is half the squared error with an identity output;
        'poisson' the half Poisson deviance with an exp output; 'absolute_error'
        and 'huber' (delta 1) are lucidnet extras with an identity output
        (their ``loss_`` follows lucidnet's convention, a sum over outputs).
    {_PARAMS_DOC.lstrip()}
    Attributes
    ----------{_ATTRS_DOC}
    Notes
    -----{_CONVENTIONS_DOC}
    As in scikit-learn, the reported squared loss (``loss_``, ``loss_curve_``,
    and the objective of L-BFGS) is *averaged* over the outputs,
    ``(1/2) mean_k mean_n (y - yhat)**2``, while the gradient is that of the
    sum over outputs (lucidnet's own cost convention, SPEC): with several
    outputs the two differ by the factor ``n_outputs_``.

    ``output_activation`` (an extra) may name any activation of
    :data:`lucidnet.ACTIVATIONS` (e.g. ``'sigmoid'`` for targets in (0, 1),
    ``'softplus'`` for positive ones); the loss stays ``loss``.

    ``partial_fit`` exists whatever the solver, as on ``MLPRegressor``
    (with ``solver='lbfgs'`` it runs a whole L-BFGS fit from the current weights).

    The targets are used as given, as ``MLPRegressor`` does: unlike ``lucidnet
    train``, which standardizes a regression target by default, the estimator
    does not scale ``y`` (wrap it in ``sklearn.compose.TransformedTargetRegressor``
    for that).
    """

    _parameter_constraints: dict = {
        **BaseLucidMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson", "absolute_error", "huber"})],
    }

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 dropout=0.0, weight_decay=0.01, callbacks=None, output_activation=None):
        kwargs = dict(locals())
        for name in ("self", "__class__", "loss"):
            kwargs.pop(name, None)
        self.loss = loss
        super().__init__(**kwargs)

    def _is_classifier_task(self):
        return False

    _OUTPUTS = {"squared_error": ("identity", "mse"), "poisson": ("exp", "poisson"),
                "absolute_error": ("identity", "mae"), "huber": ("identity", "huber")}

    def _output(self):
        activation, loss = self._OUTPUTS[self.loss]
        if self.output_activation is not None:
            activation = {"logistic": "sigmoid"}.get(self.output_activation,
                                                     self.output_activation)
            if activation not in ACTIVATIONS:
                raise ValueError(f"output_activation must be None or one of "
                                 f"{sorted(ACTIVATIONS)}, got {self.output_activation!r}")
        return activation, loss

    def _loss_name(self):
        return self.loss

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=(np.float64, np.float32), reset=reset)
        X = _dense(X)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _validation_set(self, X_val, Y_val, sw_val):
        """``X.T``, the targets ``(n_val, n_outputs)`` (for R^2) and ``Y.T`` (for the loss)."""
        return (np.ascontiguousarray(X_val.T), Y_val,
                np.ascontiguousarray(Y_val.T, dtype=X_val.dtype), sw_val)

    def _validation_score(self, A, y_val, sample_weight):
        """R^2 on the held-out part; ``nan`` when a prediction is not finite (as
        scikit-learn's scorer, so a diverged epoch never looks best)."""
        P = A.T
        if P.shape[1] == 1:
            P = P.ravel()
        if not np.isfinite(P).all():
            return np.nan
        return r2_score(y_val, P, sample_weight=sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit to ``X`` ``(n_samples, n_features)`` and targets ``y``; returns ``self``."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``X``, ``y`` (stochastic solvers)."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict(self, X):
        """Predictions ``(n_samples,)``, or ``(n_samples, n_outputs)`` for several outputs."""
        check_is_fitted(self)
        P = self._forward(X)
        return P.ravel() if P.shape[1] == 1 else P

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
