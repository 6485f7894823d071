"""The feed-forward network: forward pass, cost, backpropagation, update.

Column-wise notation throughout, as in the text: ``X`` is ``(d0, N)``, one
column per example; targets ``Y`` are ``(dL, N)``.

This is the NumPy-only core of :class:`lucidnet.NeuralNetwork`, which adds
the calls that reach the layers above (``fit``, ``grad_check``, ``save``,
``summary``, ``explain``).

The internal interface (for the training loop, the gradient check, the
solvers and the reports, which work on data checked once):
:meth:`Network.check_inputs`, :meth:`Network.check_targets`,
:meth:`Network.check_sample_weight`, :meth:`Network.forward_checked`,
:meth:`Network.cost_of_last_forward`, :meth:`Network.backward_checked` (which
honours an overridden :meth:`Network.backward`) and the overridable
:meth:`Network.backprop`.
"""

from __future__ import annotations

import math

import numpy as np

from .. import checks
from ..errors import DivergenceError
from ..features import expand_features
from ..optim.optimizers import get_optimizer
from . import network_data
from .activations import PROBABILITY_OUTPUTS
from .layers import Dense, Input, Layer
from .losses import bce_cost, get_loss
from .metrics import accuracy, labels_at_threshold, r2_score
from .penalty import add_penalty_gradients, penalty_cost

__all__ = ["Network", "NETWORKS"]

# Model files name the network class they hold; ``lucidnet.load`` builds
# NETWORKS["NeuralNetwork"], which lucidnet.network (above the model files,
# which must not import it) registers there, as layers are registered in LAYERS.
NETWORKS: dict[str, type] = {}


class Network:
    """A feed-forward network built from an ``Input`` layer and ``Dense`` layers.

    The weights are drawn when the network is constructed (or a layer is
    added), from ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    layers : list of Layer, optional
        ``[Input(...), Dense(...), ...]``; more can be appended with :meth:`add`.
    loss_fn : str, Loss or bce_cost, default bce_cost
        The loss; ``bce_cost`` (the notebook's) means binary cross-entropy.
    lr : float, optional
        Learning rate eta handed to the optimizer.  ``None`` means the
        optimizer's default, which for plain gradient descent is the
        notebook's 1.0.
    optimizer : str or Optimizer, default "sgd"
        A name from :data:`lucidnet.optim.optimizers.OPTIMIZERS` or an instance.
    seed : int, default 0
        Seed of the network's Generator (weights, shuffling, dropout).
    rng : numpy.random.Generator, optional
        Use this Generator instead of one made from ``seed``.
    dtype : {"float64", "float32"}
        Floating type of the parameters and of the computation.
    l2, l1 : float, default 0
        Penalties on the weights (not the biases), added to the cost as
        ``(l2 / 2N) sum W**2 + (l1 / N) sum |W|`` and to the gradients as
        ``(l2 / N) W + (l1 / N) sign(W)`` (scikit-learn's ``alpha`` is ``l2``).

    Example
    -------
    >>> from lucidnet import NeuralNetwork, Input, Dense, bce_cost
    >>> net = NeuralNetwork([Input("x", 2), Dense("h1", 16), Dense("out", 1)],
    ...                     loss_fn=bce_cost, lr=1.0)
    >>> net.forward(np.zeros((2, 5))).shape
    (1, 5)
    """

    def __init__(self, layers=None, loss_fn=bce_cost, lr=None, *, optimizer="sgd",
                 seed=0, rng=None, dtype="float64", l2=0.0, l1=0.0):
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise ValueError("rng must be a numpy.random.Generator")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                                 or seed < 0):
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float64, np.float32):
            raise ValueError(f"dtype must be float64 or float32, got {dtype!r}")
        self.seed = None if rng is not None else int(seed if seed is not None else 0)
        self.rng = rng if rng is not None else np.random.default_rng(self.seed)
        self.loss_obj = get_loss(loss_fn)
        self.optimizer = get_optimizer(optimizer, lr)
        self.l2 = checks.check_positive_number("l2", l2, allow_zero=True)
        self.l1 = checks.check_positive_number("l1", l1, allow_zero=True)
        self.layers: list[Layer] = []
        self.history: dict[str, list] = {}
        self.grad_checks: list = []
        self.diagnoses: list = []  # the last fit's verdicts on a poor result (training.diagnosis)
        self.training_record: dict = {}
        self.preprocessing: dict = {}
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ build
    def add(self, layer: Layer) -> "Network":
        """Append a layer and draw its weights; the first layer must be ``Input``."""
        if not isinstance(layer, Layer):
            raise ValueError(f"add() takes a Layer, got {type(layer).__name__}")
        if not self.layers:
            if not isinstance(layer, Input):
                raise ValueError("the first layer must be Input(name, n_features)")
        elif isinstance(layer, Input):
            raise ValueError("only the first layer can be an Input layer")
        if any(existing.name == layer.name for existing in self.layers):
            raise ValueError(f"layer name {layer.name!r} is used twice")
        d_in = self.layers[-1].units if self.layers else layer.units
        layer.build(d_in, self.rng, self.dtype)
        self.layers.append(layer)
        return self

    @property
    def lr(self) -> float:
        """The optimizer's learning rate eta."""
        return self.optimizer.lr

    @lr.setter
    def lr(self, value):
        self.optimizer.lr = value

    @property
    def output_layer(self) -> Dense:
        for layer in reversed(self.layers):
            if isinstance(layer, Dense):
                return layer
        raise ValueError("the network has no Dense layer yet; add one")

    @property
    def n_features(self) -> int:
        if not self.layers:
            raise ValueError("the network has no layers yet; add Input and Dense layers")
        return self.layers[0].n_features

    @property
    def n_outputs(self) -> int:
        return self.output_layer.units

    @property
    def fused_output(self) -> bool:
        """Whether the output activation and the loss form a fused pair
        (sigmoid + BCE, softmax + CCE, identity + MSE, exp + Poisson), so that
        ``Delta[L] = A[L] - Y`` and J is computed from the logits ``Z[L]``.

        Only when the output layer is last: a trailing Dropout changes the
        outputs that backward differentiates.
        """
        out = self.output_layer
        return self.loss_obj.canonical == out.activation.name and self.layers[-1] is out

    def parameters(self):
        """``(key, theta, grad)`` for every parameter tensor, e.g. ``("1.W", W, dW)``."""
        for idx, layer in enumerate(self.layers):
            for name, theta in layer.params.items():
                yield f"{idx}.{name}", theta, layer.grads[name]

    @property
    def n_params(self) -> int:
        return sum(theta.size for _, theta, _ in self.parameters())

    # ---------------------------------------------------------------- data in
    def check_inputs(self, X) -> np.ndarray:
        """``X`` checked as ``(d0, N)``, real and finite, C-ordered in the network's dtype."""
        return network_data.inputs(self, X)

    def check_targets(self, y, N: int) -> np.ndarray:
        """``y`` checked as ``(dL, N)`` targets (labels one-hot encoded for a softmax output)."""
        return network_data.targets(self, y, N)

    def check_sample_weight(self, sample_weight, N: int):
        """``None``, or the per-example weights checked as ``(N,)``, finite, >= 0, not all 0."""
        return network_data.sample_weights(self, sample_weight, N)

    # ---------------------------------------------------------------- compute
    def forward(self, X, training: bool = False) -> np.ndarray:
        """``A[0] = X``; ``A[l] = sigma(W[l] A[l-1] + b[l])``; returns ``Yhat = A[L]``,
        ``(dL, N)``; a ``ValueError`` for inputs so large that the pass overflows."""
        A0 = self.check_inputs(X)
        return checks.without_overflow(lambda: self.forward_checked(A0, training), "X", self.dtype)

    def forward_checked(self, A, training: bool = False) -> np.ndarray:
        """The forward pass on an already checked ``A[0]`` (the training loop's path)."""
        if not training:  # the last pass's caches go first: one pass's arrays alive, not two
            for layer in self.layers:
                layer.A_prev = layer.Z = layer.A = None
        for layer in self.layers:
            A = layer.forward(A, training)
        self.output = A  # for the cost: a Dropout may follow the output layer
        return A

    def penalty(self, N: int) -> float:
        """``(l2 / 2N) sum W**2 + (l1 / N) sum |W|`` over the weights (0 without penalties)."""
        if not (self.l2 or self.l1):
            return 0.0
        return penalty_cost(self.layers, self.l2, self.l1, N)

    def cost_of_last_forward(self, Y, penalty: bool = True, sample_weight=None) -> float:
        """J for the forward pass just run (from the logits for a fused pair);
        ``penalty=False`` leaves out the L2/L1 terms (the data cost alone).

        With ``sample_weight`` ``(N,)`` the mean over examples becomes the
        weighted mean and the penalty is divided by ``sum(w)`` instead of N
        (scikit-learn's convention).
        """
        if self.fused_output:
            J = self.loss_obj.cost_from_logits(Y, self.output_layer.Z, sample_weight)
        else:
            J = self.loss_obj.cost(Y, self.output, sample_weight)
        if not penalty:
            return J
        n = Y.shape[1] if sample_weight is None else float(sample_weight.sum())
        return J + self.penalty(n)

    def loss(self, X, y, sample_weight=None) -> float:
        """The cost ``J = (1/N) sum_n loss(y_n, yhat_n)`` (plus any penalty).

        ``sample_weight`` (optional, ``(N,)``) turns the mean into
        ``sum_n w_n loss_n / sum_n w_n``.
        """
        Xc = self.check_inputs(X)
        Y = self.check_targets(y, Xc.shape[1])
        w = self.check_sample_weight(sample_weight, Xc.shape[1])
        checks.without_overflow(lambda: self.forward_checked(Xc), "X", self.dtype)
        return checks.without_overflow(lambda: self.cost_of_last_forward(Y, sample_weight=w),
                                       "X or y", self.dtype)

    def backward(self, X, y, sample_weight=None) -> None:
        """Forward pass in training mode, then backpropagation into each layer's ``grads``.

        Checks ``X``, ``y`` (and ``sample_weight``), then runs :meth:`backprop`.
        ``fit`` and the gradient check go through :meth:`backward_checked`, so
        a subclass that overrides this method (or :meth:`backprop`) is the one
        that is trained and checked.

        Raises
        ------
        DivergenceError
            If the output error signal or the output logits ``Z[L]`` are not
            finite (checked by one cheap sum each).
        """
        Xc = self.check_inputs(X)
        self.backprop(Xc, self.check_targets(y, Xc.shape[1]),
                      self.check_sample_weight(sample_weight, Xc.shape[1]))

    def backward_checked(self, X, Y, sample_weight=None, check_finite=True) -> None:
        """Backward on already checked arrays: the entry of ``fit``, the gradient
        check and the solvers.

        Runs :meth:`backprop`, unless a subclass (or the instance itself)
        overrides :meth:`backward`: then that ``backward`` is called, with the
        checked ``X`` and ``Y`` (valid inputs of ``backward`` too), so what is
        trained and checked is the backward a learner wrote.  ``check_finite=False``
        skips backprop's divergence test (the scikit-learn estimators train
        through divergence, as scikit-learn's do).
        """
        backward = self.backward
        if getattr(backward, "__func__", None) is Network.backward:
            self.backprop(X, Y, sample_weight, check_finite)
        elif sample_weight is None:
            backward(X, Y)
        else:
            backward(X, Y, sample_weight)

    def backprop(self, X, Y, sample_weight=None, check_finite=True) -> None:
        """Backpropagation on checked ``X`` ``(d0, N)`` and ``Y`` ``(dL, N)`` (overridable).

        ``Delta[L] = A[L] - Y`` for a fused pair (sigmoid + BCE, softmax + CCE,
        identity + MSE); otherwise ``Delta[L] = dloss/dA * sigma'(Z[L])``.
        Then, layer by layer downwards, ``Delta[l-1] = (W[l].T Delta[l]) * sigma'(Z[l-1])``.

        ``sample_weight`` (optional, ``(N,)``) gives the gradient of the weighted
        cost: column n of the output error is scaled by ``N w_n / sum(w)``, so the
        layers' ``(1/N) Delta A_prev.T`` becomes ``sum_n w_n (...) / sum(w)``, and the
        penalty's gradient is divided by ``sum(w)`` instead of N.  ``check_finite=False``
        skips the divergence test.
        """
        A = self.forward_checked(X, training=True)
        out = self.output_layer
        if self.fused_output:
            Delta = A - Y                                             # (dL, N)
            dA = None
        else:
            Delta = None
            dA = self.loss_obj.grad(Y, A)                             # dloss/dA[L]
        if sample_weight is not None:
            # backprop is linear in the output error: weighting its columns weights
            # every example's contribution to every dW, db
            scale = sample_weight * (X.shape[1] / sample_weight.sum())  # (N,)
            if Delta is not None:
                Delta = Delta * scale
            else:
                dA = dA * scale
        # The cheap divergence test: two sums over (dL, N) arrays.  The logits
        # are tested too, because a saturated sigmoid hides an infinite Z[L].
        check = Delta if Delta is not None else dA
        if check_finite and not (math.isfinite(check.sum())
                                 and math.isfinite(out.Z.sum())):  # math: no ufunc call
            raise DivergenceError("the output (Z[L] or the error signal) is not finite")
        for idx in range(len(self.layers) - 1, 0, -1):
            layer = self.layers[idx]
            need = idx > 1  # no layer below layer 1 wants dJ/dA[0]
            if Delta is not None:
                dA = layer.backward(None, need, Delta=Delta)
                Delta = None
            else:
                # dA is used up by this layer: dA[l-1] may overwrite it (one
                # (d, N) array less per layer on a large batch)
                dA = layer.backward(dA, need, out=dA)
        if self.l2 or self.l1:
            N = X.shape[1] if sample_weight is None else float(sample_weight.sum())
            add_penalty_gradients(self.layers, self.l2, self.l1, N)

    def step(self) -> None:
        """Apply the optimizer to every parameter (plain descent: ``W -= eta dW``)."""
        self.optimizer.step(self.parameters())

    # ---------------------------------------------------------------- predict
    def _raw_inputs(self, X):
        """``A[0]`` from raw inputs when ``preprocessing`` names input feature transforms
        (``"input_features"``, see :mod:`lucidnet.features`); ``X`` itself otherwise."""
        names = (self.preprocessing or {}).get("input_features")
        if not names:
            return X
        d_raw = self.preprocessing["raw_inputs"]
        X = checks.as_numeric_array(X, "X")
        if X.ndim != 2 or X.shape[0] != d_raw:
            raise ValueError(f"X must have shape (d_raw, N) = ({d_raw}, N) raw inputs (the "
                             f"model computes its {self.n_features} inputs from them), "
                             f"got {X.shape}")
        checks.check_finite(X, "X", layout="columns")
        return expand_features(names, X, self.dtype)

    def predict_proba(self, X) -> np.ndarray:
        """The network's output ``A[L]``, ``(dL, N)``: probabilities for sigmoid/softmax.

        With input feature transforms in ``preprocessing`` (a playground model),
        ``X`` holds the raw inputs and ``A[0]`` is computed from them first."""
        return self.forward(self._raw_inputs(X))

    @property
    def is_classifier(self) -> bool:
        return self.output_layer.activation.name in PROBABILITY_OUTPUTS

    def predict(self, X) -> np.ndarray:
        """Class labels ``(N,)`` (sigmoid: ``A >= 0.5``; softmax: argmax), or the
        outputs ``(dL, N)`` of a regression in the target's units (raw inputs as for
        :meth:`predict_proba`; see :meth:`to_target_units`)."""
        A = self.forward(self._raw_inputs(X))
        name = self.output_layer.activation.name
        if name == "softmax":
            return A.argmax(axis=0)
        if name == "sigmoid":
            labels = labels_at_threshold(A)                           # A >= 0.5
            return labels[0] if labels.shape[0] == 1 else labels
        return self.to_target_units(A)

    def to_target_units(self, A) -> np.ndarray:
        """``A * scale + mean`` with ``preprocessing["target_standardize"]``, else ``A``."""
        return network_data.target_units(self, A)

    def score(self, X, y) -> float:
        """Accuracy for a classifier; R^2 of :meth:`predict` (target's units) for a regression."""
        Xc = self.check_inputs(X)
        if not self.is_classifier:
            return r2_score(self.check_targets(y, Xc.shape[1]), self.predict(Xc))
        self.check_targets(y, Xc.shape[1])  # same checks (shape, finite, labels) as in training
        y = np.asarray(y)
        if self.output_layer.activation.name == "softmax" and y.ndim == 2 and y.shape[0] > 1:
            y = y.argmax(axis=0)
        labels = self.predict(Xc)
        if labels.ndim == 2:  # several sigmoid outputs (multi-label): every entry counts
            return float(np.mean(y.reshape(labels.shape) == labels))
        return accuracy(y.reshape(-1), labels)

    # ---------------------------------------------------------------- copies
    def astype(self, dtype) -> "Network":
        """A copy of the network with parameters in ``dtype``."""
        import copy

        clone = copy.deepcopy(self)
        clone.dtype = np.dtype(dtype)
        for layer in clone.layers:
            for name in list(layer.params):
                layer.params[name] = layer.params[name].astype(clone.dtype)
                layer.grads[name] = np.zeros_like(layer.params[name])
        clone.optimizer.state.clear()
        return clone

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return (f"{type(self).__name__}([{inner}], loss={self.loss_obj.name!r}, "
                f"optimizer={self.optimizer!r})")
