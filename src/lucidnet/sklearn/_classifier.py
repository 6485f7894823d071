"""``LucidClassifier``: scikit-learn's MLPClassifier on lucidnet's core."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._base import STOCHASTIC_SOLVERS, BaseLucidMLP, _dense
from ._docs import _ATTRS_DOC, _CONVENTIONS_DOC, _PARAMS_DOC

__all__ = ["LucidClassifier"]


def _stochastic(est):
    if est.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(f"partial_fit is only available for stochastic optimizers. "
                             f"{est.solver} is not stochastic.")
    return True


class LucidClassifier(ClassifierMixin, BaseLucidMLP):
    __doc__ = f"""Multi-layer perceptron classifier on lucidnet: a drop-in ``MLPClassifier``.

    With the same data, parameters and ``random_state`` it trains the same
    model as scikit-learn's ``MLPClassifier`` (same initial weights, batches,
    updates, losses and stopping; the same numbers up to rounding): binary
    and multi-label targets get sigmoid outputs with binary cross-entropy,
    more than two classes a softmax with categorical cross-entropy, and a
    single class is learnt as scikit-learn learns it (one output, predicted
    everywhere).  Labels may be strings; ``classes_`` keeps their order.

    Parameters
    ----------{_PARAMS_DOC}    class_weight : dict, 'balanced' or None, default=None
        *lucidnet extra*: weights per class, multiplied into ``sample_weight``
        (``'balanced'``: ``n_samples / (n_classes * count)``, see
        ``sklearn.utils.class_weight.compute_sample_weight``).

    Attributes
    ----------
    classes_ : ndarray
        The class labels (or label columns of a multi-label target).{_ATTRS_DOC}
    Notes
    -----{_CONVENTIONS_DOC}
    ``output_activation`` (an extra) may be ``'logistic'`` for more than two
    classes: one sigmoid output per class with binary cross-entropy (the
    predicted class is still the largest output; the rows of
    ``predict_proba`` then need not sum to 1).

    Example
    -------
    >>> from lucidnet.sklearn import LucidClassifier
    >>> clf = LucidClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    >>> clf.fit([[0, 0], [0, 1], [1, 0], [1, 1]], ["a", "b", "b", "a"]).predict([[0, 1]]).shape
    (1,)
    """

    _parameter_constraints: dict = {
        **BaseLucidMLP._parameter_constraints,
        "class_weight": [None, dict, StrOptions({"balanced"})],
    }

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000,
                 dropout=0.0, weight_decay=0.01, callbacks=None, output_activation=None,
                 class_weight=None):
        kwargs = dict(locals())
        for name in ("self", "__class__", "class_weight"):
            kwargs.pop(name, None)
        self.class_weight = class_weight
        super().__init__(**kwargs)

    def _is_classifier_task(self):
        return True

    def _output(self):
        natural = "softmax" if self._label_binarizer.y_type_ == "multiclass" else "sigmoid"
        if self.output_activation is None:
            return natural, "cce" if natural == "softmax" else "bce"
        if self.output_activation in ("logistic", "sigmoid"):
            return "sigmoid", "bce"
        raise ValueError(f"output_activation of {type(self).__name__} must be None or "
                         f"'logistic', got {self.output_activation!r}")

    def _loss_name(self):
        return "log_loss" if self.out_activation_ == "softmax" else "binary_log_loss"

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
        # Booleans, as in scikit-learn: the early-stopping split stratifies on them
        self._y_labels = y
        return X, self._label_binarizer.transform(y).astype(bool)

    def _class_weighted(self, sample_weight, Y):
        y = self.__dict__.pop("_y_labels")  # not kept: a fitted model carries no data
        if self.class_weight is None:
            return sample_weight
        if self._label_binarizer.y_type_.startswith("multilabel"):
            raise ValueError("class_weight is not supported for multi-label targets")
        weights = compute_sample_weight(self.class_weight, y)
        return weights if sample_weight is None else sample_weight * weights

    def _validation_set(self, X_val, Y_val, sw_val):
        """What the validation score needs: ``X.T``, the labels, ``Y.T`` (for the loss)."""
        return (np.ascontiguousarray(X_val.T), self._label_binarizer.inverse_transform(Y_val),
                np.ascontiguousarray(Y_val.T, dtype=X_val.dtype), sw_val)

    def _validation_score(self, A, y_val, sample_weight):
        """Accuracy of the held-out predictions (finite: labels, even if A is not)."""
        return accuracy_score(y_val, self._labels(A.T), sample_weight=sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit to ``X`` ``(n_samples, n_features)`` and labels ``y``; returns ``self``."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over ``X``, ``y``; ``classes`` is required on the first call
        (not for a multi-label indicator matrix, whose columns are the classes)."""
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

    def _labels(self, P):
        if self.n_outputs_ == 1:
            P = P.ravel()
        return self._label_binarizer.inverse_transform(P)

    def predict(self, X):
        """Class labels ``(n_samples,)`` (or an indicator matrix for multi-label)."""
        check_is_fitted(self)
        return self._labels(self._forward(X))

    def predict_proba(self, X):
        """Probabilities ``(n_samples, n_classes)``, columns in the order of ``classes_``
        (two columns for a single output: ``1 - p`` and ``p``)."""
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
