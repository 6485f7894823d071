"""What the two estimators share: parameters, the network they build, prediction.

The estimator keeps a :class:`lucidnet.NeuralNetwork` in ``net_``.  The
scikit-learn attributes ``coefs_`` and ``intercepts_`` are views of the
network's parameters in scikit-learn's orientation: ``coefs_[i]`` is
``W[i+1].T``, shape ``(n_in, n_out)``, and ``intercepts_[i]`` is ``b[i+1]``
flattened to ``(n_out,)``.  Editing them in place edits the network.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ..checks import check_number
from ..core.activations import ACTIVATIONS
from ..core.layers import Dense, Dropout, Input
from ..network import NeuralNetwork
from . import _solvers

# scikit-learn's activation names -> lucidnet's
_SK_TO_LUCID = {"logistic": "sigmoid"}
_LUCID_TO_SK = {"sigmoid": "logistic"}
STOCHASTIC_SOLVERS = ("sgd", "adam", "rmsprop", "adamw")


class BaseLucidMLP(BaseEstimator):
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
        # NOTE: scikit-learn accepts momentum == 1 (velocity that never decays);
        # lucidnet's Momentum refuses it, so 1 is an invalid value here.
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        # lucidnet extras
        "dropout": [Interval(Real, 0, 1, closed="left"), list, tuple],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, hidden_layer_sizes, activation, solver, alpha, batch_size,
                 learning_rate, learning_rate_init, power_t, max_iter, shuffle, random_state,
                 tol, verbose, warm_start, momentum, nesterovs_momentum, early_stopping,
                 validation_fraction, beta_1, beta_2, epsilon, n_iter_no_change, max_fun,
                 dropout, weight_decay):
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

    # ------------------------------------------------------------ architecture
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if any(isinstance(s, bool) or not isinstance(s, (Integral, np.integer)) or s <= 0
               for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {sizes}")
        return [int(s) for s in sizes]

    def _per_layer(self, name, value, n_hidden, check):
        values = list(value) if isinstance(value, (list, tuple)) else [value] * n_hidden
        if len(values) != n_hidden:
            raise ValueError(f"{name} lists {len(values)} values for {n_hidden} hidden "
                             f"layers (hidden_layer_sizes); give one value or one per layer")
        for v in values:
            check(v)
        return values

    def _hidden_activations(self, n_hidden) -> list[str]:
        known = sorted({*ACTIVATIONS, "logistic"})

        def check(name):
            if not isinstance(name, str) or _SK_TO_LUCID.get(name, name) not in ACTIVATIONS:
                raise ValueError(f"The 'activation' parameter of {type(self).__name__} must "
                                 f"be one of {known} (or a list, one per hidden layer). "
                                 f"Got {name!r} instead.")

        names = self._per_layer("activation", self.activation, n_hidden, check)
        return [_SK_TO_LUCID.get(name, name) for name in names]

    def _dropout_rates(self, n_hidden) -> list[float]:
        def check(rate):
            check_number("dropout rates", rate, 0, 1, high_open=True)

        rates = self._per_layer("dropout", self.dropout, n_hidden, check)
        if any(rates) and self.solver == "lbfgs":
            raise ValueError("dropout needs a stochastic solver (the L-BFGS objective must "
                             "be deterministic); use solver='adam' or 'sgd', or dropout=0")
        return [float(r) for r in rates]

    def _output(self) -> tuple[str, str]:
        """``(output activation, loss)`` in lucidnet's names, for the targets seen."""
        raise NotImplementedError

    def _build_network(self, n_features, n_outputs, dtype, rng) -> NeuralNetwork:
        sizes = self._hidden_sizes()
        activations = self._hidden_activations(len(sizes))
        rates = self._dropout_rates(len(sizes))
        out_activation, loss = self._output()
        layers = [Input("x", n_features)]
        for i, (units, act, rate) in enumerate(zip(sizes, activations, rates), start=1):
            layers.append(Dense(f"h{i}", units, activation=act))
            if rate:
                layers.append(Dropout(f"drop{i}", rate))
        layers.append(Dense("out", n_outputs, activation=out_activation))
        # The optimizer is replaced by the solver before training; alpha is
        # scikit-learn's L2 term, alpha/2 sum W**2 / n_samples, which is the core's l2.
        net = NeuralNetwork(layers, loss_fn=loss, rng=rng, dtype=dtype, l2=float(self.alpha))
        _init_like_sklearn(net, logistic=self.activation in ("logistic", "sigmoid"))
        return net

    # ------------------------------------------------------------- attributes
    def _dense_layers(self):
        return [layer for layer in self.net_.layers if isinstance(layer, Dense)]

    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weight matrices in scikit-learn's ``(n_in, n_out)`` orientation (views of ``W.T``)."""
        if "net_" not in self.__dict__:
            raise AttributeError("coefs_ exists once the estimator is fitted")
        return [layer.params["W"].T for layer in self._dense_layers()]

    @coefs_.setter
    def coefs_(self, values):
        self._set_params_from("coefs_", values, "W", lambda v: np.asarray(v).T)

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Bias vectors, shape ``(n_out,)`` (views of ``b``)."""
        if "net_" not in self.__dict__:
            raise AttributeError("intercepts_ exists once the estimator is fitted")
        return [layer.params["b"].reshape(-1) for layer in self._dense_layers()]

    @intercepts_.setter
    def intercepts_(self, values):
        self._set_params_from("intercepts_", values, "b",
                              lambda v: np.asarray(v).reshape(-1, 1))

    def _set_params_from(self, what, values, key, orient):
        if "net_" not in self.__dict__:
            raise AttributeError(f"{what} can be set only on a fitted estimator")
        layers = self._dense_layers()
        if len(values) != len(layers):
            raise ValueError(f"{what} needs {len(layers)} arrays, got {len(values)}")
        for layer, value in zip(layers, values):
            value = orient(value)
            if value.shape != layer.params[key].shape:
                raise ValueError(f"{what}: shape {value.shape} does not fit layer "
                                 f"{layer.name} ({layer.params[key].shape})")
            layer.params[key][...] = value

    # ------------------------------------------------------------------ fitting
    def _validate_input(self, X, y, incremental, reset):
        raise NotImplementedError

    def _fit(self, X, y, sample_weight=None, incremental=False):
        first_pass = "net_" not in self.__dict__ or (not self.warm_start and not incremental)
        X, Y = self._validate_input(X, y, incremental, reset=first_pass)
        if Y.ndim == 1:
            Y = Y.reshape(-1, 1)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype,
                                                 ensure_non_negative=True)
        random_state = check_random_state(self.random_state)
        sizes = [X.shape[1], *self._hidden_sizes(), Y.shape[1]]
        if first_pass:
            seed = random_state.randint(np.iinfo(np.int32).max)
            self.net_ = self._build_network(X.shape[1], Y.shape[1], X.dtype,
                                            np.random.default_rng(seed))
            self._initialize()
        else:
            built = [self.net_.n_features] + [layer.units for layer in self._dense_layers()]
            if built != sizes:
                raise ValueError(f"warm_start/partial_fit: the network has layer sizes "
                                 f"{built} but this fit needs {sizes} (hidden_layer_sizes "
                                 "or the number of outputs changed); set warm_start=False")
            self._dropout_rates(len(sizes) - 2)  # a solver switched to lbfgs is refused
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(sizes)
        self.out_activation_ = _LUCID_TO_SK.get(self.net_.output_layer.activation.name,
                                                self.net_.output_layer.activation.name)
        X = X.astype(self.net_.dtype, copy=False)
        Y = Y.astype(self.net_.dtype, copy=False)
        if sample_weight is not None:
            sample_weight = sample_weight.astype(self.net_.dtype, copy=False)
        if self.solver == "lbfgs":
            _solvers.fit_lbfgs(self, X, Y, sample_weight)
        else:
            _solvers.fit_stochastic(self, X, Y, sample_weight, random_state, incremental)
        _clear_caches(self.net_)
        self.net_.preprocessing = self._preprocessing_record()
        record = {"estimator": type(self).__name__, "solver": self.solver,
                  "n_iter": int(self.n_iter_),
                  "final_loss": float(self.loss_) if "loss_" in self.__dict__ else None}
        if self.__dict__.get("best_validation_score_") is not None:
            record["best_validation_score"] = float(self.best_validation_score_)
        self.net_.training_record = record
        if not all(np.isfinite(theta).all() for _, theta, _ in self.net_.parameters()):
            raise ValueError("Solver produced non-finite parameter weights. The input data "
                             "may contain large values and need to be preprocessed.")
        return self

    def _preprocessing_record(self) -> dict:
        """What ``net_.save(path)`` stores so that ``lucidnet predict/evaluate`` can
        read CSV columns by name (and, for a classifier, print the class labels)."""
        record = {"source": type(self).__name__}
        if "feature_names_in_" in self.__dict__:
            record["feature_names"] = [str(name) for name in self.feature_names_in_]
        return record

    def _initialize(self):
        """Reset the training record, as scikit-learn does on a first pass."""
        self.n_iter_ = 0
        self.t_ = 0
        for name in ("_optimizer", "loss_curve_", "best_loss_", "validation_scores_",
                     "best_validation_score_"):
            self.__dict__.pop(name, None)
        if self.solver in STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    # ---------------------------------------------------------------- predict
    def _forward(self, X, check_input=True) -> np.ndarray:
        """Row-major outputs ``(n_samples, n_outputs)``: ``A[L].T`` for ``X.T``."""
        check_is_fitted(self, "net_")
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False,
                              dtype=(np.float64, np.float32))
            X = _dense(X)
        A = self.net_.forward(X.T.astype(self.net_.dtype, copy=False))   # (dL, N)
        _clear_caches(self.net_)
        return A.T

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # sparse input is accepted and densified (the core is dense NumPy)
        tags.input_tags.sparse = True
        return tags


def _init_like_sklearn(net, logistic) -> None:
    """Redraw every ``W`` and ``b`` as scikit-learn's MLP does, from ``net.rng``.

    ``W, b ~ U(-r, r)`` with ``r = sqrt(6 / (fan_in + fan_out))`` (``2`` instead
    of ``6`` for a logistic network).  NOTE: unlike the core's default (zero
    biases, He for ReLU), this is what makes a fit behave like MLPClassifier's.
    """
    factor = 2.0 if logistic else 6.0
    for layer in net.layers:
        if isinstance(layer, Dense):
            W, b = layer.params["W"], layer.params["b"]
            r = np.sqrt(factor / (W.shape[0] + W.shape[1]))
            W[...] = net.rng.uniform(-r, r, size=W.shape)
            b[...] = net.rng.uniform(-r, r, size=b.shape)


def _dense(X):
    """Sparse input is densified: the core works on dense NumPy arrays."""
    return X.toarray() if hasattr(X, "toarray") else X


def _clear_caches(net) -> None:
    """Drop the forward/backward caches so a pickled estimator carries only the model."""
    for layer in net.layers:
        for name in ("A_prev", "Z", "A", "Delta", "mask"):
            if name in layer.__dict__:
                setattr(layer, name, None)
