"""What the two estimators share: parameters, the network they build, the fit driver.

The estimator keeps a :class:`lucidnet.NeuralNetwork` in ``net_`` and trains
it with scikit-learn's semantics (:mod:`._stochastic`, :mod:`._lbfgs`).
Data is row-major ``(n_samples, n_features)`` at the boundary and transposed
once into the core's column-wise ``X`` ``(d0, N)``.

Randomness follows scikit-learn, not lucidnet's Generator rule (the one
documented exception): ``random_state`` goes through
``sklearn.utils.check_random_state`` (an int seeds a fresh
``numpy.random.RandomState`` at every ``fit``/``partial_fit``; ``None`` is
NumPy's global one), and the initial weights, the early-stopping split and
the per-epoch shuffles are drawn from it in scikit-learn's order.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ..core.layers import Dense
from ..training.memory import release_work_arrays, released_on_error
from . import _lbfgs, _stochastic
from ._architecture import _LUCID_TO_SK, ArchitectureMixin
from ._params import ParamList, write

STOCHASTIC_SOLVERS = ("sgd", "adam", "rmsprop", "adamw")


class BaseLucidMLP(ArchitectureMixin, BaseEstimator):
    """Parameters and machinery shared by :class:`LucidClassifier` and
    :class:`LucidRegressor` (see their docstrings)."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        # any name of lucidnet's ACTIVATIONS registry (which can grow at run time),
        # or one per hidden layer: checked in _hidden_activations
        "activation": "no_validation",
        "solver": [StrOptions({"lbfgs", "sgd", "adam", "rmsprop", "adamw"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        # lucidnet extras (all off by default)
        "dropout": [Interval(Real, 0, 1, closed="left"), list, tuple],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "callbacks": [None, list, tuple],
        "output_activation": [None, str],
    }

    def __init__(self, hidden_layer_sizes, activation, solver, alpha, batch_size,
                 learning_rate, learning_rate_init, power_t, max_iter, shuffle, random_state,
                 tol, verbose, warm_start, momentum, nesterovs_momentum, early_stopping,
                 validation_fraction, beta_1, beta_2, epsilon, n_iter_no_change, max_fun,
                 dropout, weight_decay, callbacks, output_activation):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.weight_decay = weight_decay
        self.callbacks = callbacks
        self.output_activation = output_activation

    # ------------------------------------------------------------- attributes
    def _dense_layers(self):
        return [layer for layer in self.net_.layers if isinstance(layer, Dense)]

    def _params(self, what, key):
        if "net_" in self.__dict__:
            return ParamList(what, self._dense_layers(), key)
        if f"_{what}_set" in self.__dict__:  # assigned before any fit
            return self.__dict__[f"_{what}_set"]
        raise AttributeError(f"{what} exists once the estimator is fitted (or assigned)")

    def _set_params_from(self, what, key, values):
        if "net_" not in self.__dict__:
            self.__dict__[f"_{what}_set"] = list(values)
            return
        layers = self._dense_layers()
        if len(values) != len(layers):
            raise ValueError(f"{what} needs {len(layers)} arrays, got {len(values)}")
        for layer, value in zip(layers, values):
            write(what, layer, key, value)

    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weight matrices ``(n_in, n_out)``, views of the layers' ``W.T``."""
        return self._params("coefs_", "W")

    @coefs_.setter
    def coefs_(self, values):
        self._set_params_from("coefs_", "W", values)

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Bias vectors ``(n_out,)``, views of the layers' ``b``."""
        return self._params("intercepts_", "b")

    @intercepts_.setter
    def intercepts_(self, values):
        self._set_params_from("intercepts_", "b", values)

    # ------------------------------------------------------------------ fitting
    def _validate_input(self, X, y, incremental, reset):
        raise NotImplementedError

    def _fit(self, X, y, sample_weight=None, incremental=False):
        hidden = self._hidden_sizes()
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, Y = self._validate_input(X, y, incremental, reset=first_pass)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        sample_weight = self._class_weighted(sample_weight, Y)
        if Y.ndim == 1:
            Y = Y.reshape(-1, 1)
        self.n_outputs_ = Y.shape[1]
        sizes = [X.shape[1], *hidden, Y.shape[1]]
        self._random_state = check_random_state(self.random_state)
        if first_pass or "net_" not in self.__dict__:
            self._initialize(sizes, X.dtype, keep_assigned=not first_pass)
        else:
            built = [self.net_.n_features] + [layer.units for layer in self._dense_layers()]
            if built != sizes:
                raise ValueError(f"warm_start/partial_fit: the network has layer sizes "
                                 f"{built} but this fit needs {sizes} (hidden_layer_sizes "
                                 "or the number of outputs changed); set warm_start=False")
            self._dropout_rates(len(hidden))  # a solver switched to lbfgs is refused
        X = X.astype(self.net_.dtype, copy=False)
        if sample_weight is not None:
            sample_weight = sample_weight.astype(self.net_.dtype, copy=False)
        with released_on_error(self.net_):
            if self.solver == "lbfgs":
                _lbfgs.fit_lbfgs(self, X, Y, sample_weight)
            else:
                _stochastic.fit_stochastic(self, X, Y, sample_weight, incremental)
        _clear_caches(self.net_)
        release_work_arrays(self.net_)  # large ones would stay beside a predict over all N
        # The model file names the core's optimizers only: it records the core one
        # closest to the solver (scikit-learn's optimizer state stays in _optimizer).
        self.net_.optimizer = _stochastic.core_optimizer(self)
        self._record()
        if not all(np.isfinite(theta).all() for _, theta, _ in self.net_.parameters()):
            raise ValueError("Solver produced non-finite parameter weights. The input data "
                             "may contain large values and need to be preprocessed.")
        return self

    def _class_weighted(self, sample_weight, Y):
        return sample_weight  # the classifier's class_weight (an extra) overrides this

    def _initialize(self, sizes, dtype, keep_assigned=False):
        """First pass: build the network and reset the training record, as
        scikit-learn does.  ``keep_assigned``: start from ``coefs_`` and
        ``intercepts_`` assigned before any fit (with ``warm_start``)."""
        assigned = [self.__dict__.pop(f"_{what}_set", None) for what in ("coefs_", "intercepts_")]
        self.n_iter_ = 0
        self.t_ = 0
        self.n_layers_ = len(sizes)
        self.net_ = self._build_network(sizes, dtype)
        name = self.net_.output_layer.activation.name
        self.out_activation_ = _LUCID_TO_SK.get(name, name)
        if keep_assigned:
            if any(values is None for values in assigned):
                raise ValueError("warm_start from assigned weights needs both coefs_ and "
                                 "intercepts_")
            self.coefs_, self.intercepts_ = assigned
        for name in ("_optimizer", "loss_curve_", "best_loss_", "validation_scores_",
                     "best_validation_score_", "validation_loss_curve_", "loss_"):
            self.__dict__.pop(name, None)
        self._keep_best()
        if self.solver in STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.validation_loss_curve_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    def _keep_best(self):
        """Copy the weights (the best so far on the held-out part)."""
        self._best_params = [(layer.params["W"].copy(), layer.params["b"].copy())
                             for layer in self._dense_layers()]

    def _restore_best(self):
        """Put the best weights back.  NOTE: scikit-learn then *shares* its best
        arrays with ``coefs_``, so a later warm fit without a better score keeps
        its own last weights: ``None`` stands for that."""
        if self._best_params is not None:
            for layer, (W, b) in zip(self._dense_layers(), self._best_params):
                layer.params["W"][...] = W
                layer.params["b"][...] = b
        self._best_params = None

    def _record(self):
        """What ``net_.save(path)`` stores so that ``lucidnet predict/evaluate`` can
        read CSV columns by name (and, for a classifier, print the class labels)."""
        self.net_.preprocessing = self._preprocessing_record()
        record = {"estimator": type(self).__name__, "solver": self.solver,
                  "n_iter": int(self.n_iter_),
                  "final_loss": float(self.loss_) if "loss_" in self.__dict__ else None}
        if self.__dict__.get("best_validation_score_") is not None:
            record["best_validation_score"] = float(self.best_validation_score_)
        self.net_.training_record = record

    def _preprocessing_record(self) -> dict:
        record = {"source": type(self).__name__}
        if "feature_names_in_" in self.__dict__:
            record["feature_names"] = [str(name) for name in self.feature_names_in_]
        return record

    # ---------------------------------------------------------------- predict
    def _forward(self, X, check_input=True) -> np.ndarray:
        """Row-major outputs ``(n_samples, n_outputs)``: ``A[L].T`` for ``X.T``."""
        check_is_fitted(self, "net_")
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False,
                              dtype=(np.float64, np.float32))
            X = _dense(X)
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged model predicts nan
            A = self.net_.forward_checked(np.ascontiguousarray(X.T, dtype=self.net_.dtype))
        _clear_caches(self.net_)
        return A.T

    def __sklearn_is_fitted__(self):
        return "net_" in self.__dict__

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # sparse input is accepted and densified (the core is dense NumPy)
        tags.input_tags.sparse = True
        return tags


def _dense(X):
    """Sparse input is densified: the core works on dense NumPy arrays."""
    return X.toarray() if hasattr(X, "toarray") else X


def _clear_caches(net) -> None:
    """Drop the forward/backward caches so a pickled estimator carries only the model."""
    for layer in net.layers:
        for name in ("A_prev", "Z", "A", "Delta", "mask"):
            if name in layer.__dict__:
                setattr(layer, name, None)
    net.__dict__.pop("output", None)  # the last forward pass's A[L]
