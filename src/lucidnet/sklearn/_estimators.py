"""``LucidClassifier`` and ``LucidRegressor``: MLPClassifier/MLPRegressor on lucidnet."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .. import checks
from ._base import STOCHASTIC_SOLVERS, BaseLucidMLP, _dense

__all__ = ["LucidClassifier", "LucidRegressor"]

_PARAMS_DOC = """
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Units of each hidden layer.
    activation : str or list of str, default='relu'
        Hidden-layer activation: scikit-learn's 'identity', 'logistic', 'tanh',
        'relu', or any name of :data:`lucidnet.ACTIVATIONS` ('leaky_relu', 'elu',
        'softplus', ...).  *lucidnet extra*: a list gives one per hidden layer.
    solver : {'lbfgs', 'sgd', 'adam', 'rmsprop', 'adamw'}, default='adam'
        'lbfgs' is scipy's L-BFGS-B; 'rmsprop' (decay rate ``beta_2``) and
        'adamw' (decay ``weight_decay``) are lucidnet extras.
    alpha : float, default=0.0001
        L2 penalty ``alpha/2 * sum W**2 / n_samples`` (``sum(sample_weight)``).
    batch_size : int or 'auto', default='auto'
        Mini-batch size; 'auto' is ``min(200, n_samples)``.  Not used by 'lbfgs'.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Schedule of the step size, used by solver='sgd' only (as in scikit-learn):
        'invscaling' is ``learning_rate_init / (t + 1) ** power_t`` (t: samples
        seen); 'adaptive' divides it by 5 whenever ``n_iter_no_change`` epochs
        fail to improve by ``tol``.
    learning_rate_init : float, default=0.001
        Initial step size eta (stochastic solvers).
    power_t : float, default=0.5
        Exponent of 'invscaling'.
    max_iter : int, default=200
        Epochs (stochastic solvers) or iterations (lbfgs).
    shuffle : bool, default=True
        Reshuffle the samples every epoch (stochastic solvers).
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the shuffling, dropout and the early-stopping split.
    tol : float, default=1e-4
        Improvement below which an epoch counts as no progress; lbfgs' ``gtol``.
    verbose : bool, default=False
        Print the loss of each iteration.
    warm_start : bool, default=False
        Continue from the previous fit's weights.
    momentum : float in [0, 1), default=0.9
        Momentum of solver='sgd'.
    nesterovs_momentum : bool, default=True
        Nesterov's momentum (solver='sgd' with momentum > 0).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its score
        stops improving; the best weights are kept (stochastic solvers).
    validation_fraction : float, default=0.1
        Share held out for early stopping.
    beta_1, beta_2 : float in [0, 1), default=0.9, 0.999
        Adam's moment decay rates.
    epsilon : float, default=1e-8
        Adam's (and RMSProp's) numerical-stability constant.
    n_iter_no_change : int, default=10
        Epochs without progress (by ``tol``) before stopping.
    max_fun : int, default=15000
        Maximum number of loss evaluations of solver='lbfgs'.
    dropout : float or list of float, default=0.0
        *lucidnet extra*: inverted-dropout rate after each hidden layer (one
        value, or one per hidden layer).  Needs a stochastic solver.
    weight_decay : float, default=0.01
        *lucidnet extra*: decoupled weight decay of solver='adamw' (only).
"""

_ATTRS_DOC = """
    n_features_in_ : int
    feature_names_in_ : ndarray of str (when X has column names)
    n_outputs_, n_layers_ : int
    out_activation_ : str
        scikit-learn's name of the output activation.
    coefs_ : list of ndarray (n_in, n_out)
        Views of the layers' ``W.T``; ``intercepts_`` views of ``b``, (n_out,).
    loss_ : float
        Last training loss; ``loss_curve_`` one per epoch (stochastic solvers).
    best_loss_, validation_scores_, best_validation_score_ :
        As in scikit-learn (stochastic solvers).
    n_iter_, t_ : int
        Iterations run; samples seen.
    net_ : lucidnet.NeuralNetwork
        The underlying network (column-wise; save it with ``net_.save(path)``).
"""


def _stochastic(est):
    if est.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(f"partial_fit is only available for stochastic optimizers. "
                             f"{est.solver} is not stochastic.")
    return True


class LucidClassifier(ClassifierMixin, BaseLucidMLP):
    __doc__ = f"""Multi-layer perceptron classifier on lucidnet: a drop-in ``MLPClassifier``.

    Binary and multi-label targets get sigmoid outputs with binary
    cross-entropy; more than two classes a softmax with categorical
    cross-entropy.  Labels may be strings; ``classes_`` keeps their order.

    Parameters
    ----------{_PARAMS_DOC}
    Attributes
    ----------
    classes_ : ndarray
        The class labels (or label columns of a multi-label target).{_ATTRS_DOC}
    Example
    -------
    >>> from lucidnet.sklearn import LucidClassifier
    >>> clf = LucidClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    >>> clf.fit([[0, 0], [0, 1], [1, 0], [1, 1]], ["a", "b", "b", "a"]).predict([[0, 1]]).shape
    (1,)
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 dropout=0.0, weight_decay=0.01):
        kwargs = dict(locals())
        kwargs.pop("self")
        kwargs.pop("__class__", None)
        super().__init__(**kwargs)

    def _is_classifier_task(self):
        return True

    def _output(self):
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax", "cce"
        return "sigmoid", "bce"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)
        X = _dense(X)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if "classes_" not in self.__dict__ or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
            if self._label_binarizer.y_type_ in ("binary", "multiclass"):
                checks.check_two_classes(y, type(self).__name__)  # one class: nothing to learn
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError("warm_start can only be used where `y` has the same "
                                     "classes as in the previous call to fit. Previously "
                                     f"got {self.classes_}, `y` has {classes}")
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` "
                                 f"has {self.classes_}. 'y' has {classes}.")
        Y = self._label_binarizer.transform(y).astype(X.dtype)
        return X, Y

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit to ``X`` ``(n_samples, n_features)`` and labels ``y``; returns ``self``."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over ``X``, ``y``; ``classes`` is required on the first call."""
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _preprocessing_record(self):
        record = super()._preprocessing_record()
        if self._label_binarizer.y_type_ in ("binary", "multiclass"):
            # labels as JSON: NumPy scalars become plain numbers or strings
            record["class_labels"] = [c.item() if hasattr(c, "item") else c
                                      for c in self.classes_]
        return record

    def _validation_score(self, X, Y, sample_weight):
        y_true = self._label_binarizer.inverse_transform(Y)
        P = self._forward(X, check_input=False)
        if not np.isfinite(P).all():
            return np.nan
        return accuracy_score(y_true, self._labels(P), sample_weight=sample_weight)

    def _labels(self, P):
        if self.n_outputs_ == 1:
            P = P.ravel()
        return self._label_binarizer.inverse_transform(P)

    def predict(self, X):
        """Class labels ``(n_samples,)`` (or an indicator matrix for multi-label)."""
        check_is_fitted(self)
        return self._labels(self._forward(X))

    def predict_proba(self, X):
        """Probabilities ``(n_samples, n_classes)``, columns in the order of ``classes_``."""
        check_is_fitted(self)
        P = self._forward(X)
        if self.n_outputs_ == 1:
            p = P.ravel()
            return np.vstack([1 - p, p]).T
        return P

    def predict_log_proba(self, X):
        """``log(predict_proba(X))``."""
        P = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(P, out=P)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class LucidRegressor(RegressorMixin, BaseLucidMLP):
    __doc__ = f"""Multi-layer perceptron regressor on lucidnet: a drop-in ``MLPRegressor``.

    Parameters
    ----------
    loss : {{'squared_error', 'poisson', 'absolute_error', 'huber'}}, default='squared_error'
        'squared_error' is half the squared error with an identity output;
        'poisson' the half Poisson deviance with an exp output; 'absolute_error'
        and 'huber' (delta 1) are lucidnet extras with an identity output.
    {_PARAMS_DOC.lstrip()}
    Attributes
    ----------{_ATTRS_DOC}
    Notes
    -----
    The loss sums over output units (lucidnet's convention); scikit-learn's
    reported squared loss averages over them, so with several outputs
    ``loss_`` differs by that factor (the gradients are the same).

    The targets are used as given, as scikit-learn's ``MLPRegressor`` does:
    unlike ``lucidnet train``, which standardizes a regression target by
    default, the estimator does not scale ``y`` (wrap it in
    ``sklearn.compose.TransformedTargetRegressor`` for that).
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
                 dropout=0.0, weight_decay=0.01):
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
        return self._OUTPUTS[self.loss]

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=(np.float64, np.float32), reset=reset)
        X = _dense(X)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and (y < 0).any():
            raise ValueError("loss='poisson' needs non-negative targets y")
        return X, y.astype(X.dtype, copy=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit to ``X`` ``(n_samples, n_features)`` and targets ``y``; returns ``self``."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``X``, ``y``."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _validation_score(self, X, Y, sample_weight):
        P = self._forward(X, check_input=False)
        if not np.isfinite(P).all():
            return np.nan
        return r2_score(Y, P, sample_weight=sample_weight)

    def predict(self, X):
        """Predictions ``(n_samples,)``, or ``(n_samples, n_outputs)`` for several outputs."""
        check_is_fitted(self)
        P = self._forward(X)
        return P.ravel() if P.shape[1] == 1 else P

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
