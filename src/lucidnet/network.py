"""The feed-forward network: forward pass, cost, backpropagation, update.

Column-wise notation throughout, as in the text: ``X`` is ``(d0, N)``, one
column per example; targets ``Y`` are ``(dL, N)``.
"""

from __future__ import annotations

import math

import numpy as np

from . import checks
from .activations import PROBABILITY_OUTPUTS
from .layers import Dense, Input, Layer
from .losses import bce_cost, get_loss
from .optimizers import get_optimizer

__all__ = ["NeuralNetwork", "DivergenceError"]


class DivergenceError(FloatingPointError):
    """Training produced a non-finite error signal or gradient."""


class NeuralNetwork:
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
        A name from :data:`lucidnet.optimizers.OPTIMIZERS` or an instance.
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
        if lr is None and optimizer == "sgd":
            lr = 1.0  # the notebook's learning rate for plain gradient descent
        self.optimizer = get_optimizer(optimizer, lr)
        for name, value in (("l2", l2), ("l1", l1)):
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a non-negative number, got {value!r}")
        self.l2, self.l1 = float(l2), float(l1)
        self.layers: list[Layer] = []
        self.history: dict[str, list] = {}
        self.grad_checks: list = []
        self.training_record: dict = {}
        self.preprocessing: dict = {}
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ build
    def add(self, layer: Layer) -> "NeuralNetwork":
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
        return self._require_built().n_features

    @property
    def n_outputs(self) -> int:
        return self.output_layer.units

    def _require_built(self) -> Input:
        if not self.layers:
            raise ValueError("the network has no layers yet; add Input and Dense layers")
        return self.layers[0]

    def parameters(self):
        """``(key, theta, grad)`` for every parameter tensor, e.g. ``("1.W", W, dW)``."""
        for idx, layer in enumerate(self.layers):
            for name, theta in layer.params.items():
                yield f"{idx}.{name}", theta, layer.grads[name]

    @property
    def n_params(self) -> int:
        return sum(theta.size for _, theta, _ in self.parameters())

    # ---------------------------------------------------------------- data in
    def _inputs(self, X) -> np.ndarray:
        """Check ``X`` is ``(d0, N)``, real and finite; return it in the network's dtype.

        The checks (see :mod:`lucidnet.checks`) run once per public call,
        never inside the training loop.  ``X`` itself is never modified.
        """
        d0 = self.n_features
        X = checks.as_numeric_array(X, "X")
        if X.ndim != 2 or X.shape[0] != d0:
            hint = ""
            if X.ndim == 2 and X.shape[1] == d0 and X.shape[0] != d0:
                hint = " (it looks row-wise: the core is column-wise, pass X.T)"
            elif X.ndim == 2:
                hint = f" ({X.shape[0]} features, but the input layer has {d0})"
            raise ValueError(f"X must have shape (d0, N) = ({d0}, N), got {X.shape}{hint}")
        if X.shape[1] == 0:
            raise ValueError("X is empty (no examples, N = 0)")
        checks.check_finite(X, "X", layout="columns")
        # Once per call, at the boundary: C order in the network's dtype.  Users
        # pass X.T (a Fortran-ordered view); mini-batch column gathers and the
        # row-block passes are 1.6x slower on it (measured on run M), so nothing
        # inside the loop may depend on the caller's memory layout.
        return np.ascontiguousarray(X, dtype=self.dtype)

    def _targets(self, y, N: int) -> np.ndarray:
        """Targets as ``(dL, N)``: labels are one-hot encoded for a softmax output."""
        dL = self.n_outputs
        y = checks.as_numeric_array(y, "y")
        if self.output_layer.activation.name == "softmax" and (
                y.ndim == 1 or (y.ndim == 2 and y.shape[0] == 1 and dL > 1)):
            labels = y.reshape(-1)
            if labels.size != N:
                raise ValueError(f"y has {labels.size} labels for {N} examples")
            labels = checks.check_class_labels(labels, dL)
            Y = np.zeros((dL, N), dtype=self.dtype)
            Y[labels, np.arange(N)] = 1.0
            return Y
        if y.ndim == 1 and dL == 1:
            y = y.reshape(1, -1)
        if y.ndim != 2 or y.shape != (dL, N):
            hint = " (row-wise? pass y.T)" if y.ndim == 2 and y.shape == (N, dL) else ""
            if y.ndim == 1 and dL > 1:
                hint = (" (1-D labels need a softmax output; this one is "
                        f"{self.output_layer.activation.name})")
            elif y.size != dL * N and y.ndim >= 1 and y.shape[-1] != N:
                hint = f" ({y.shape[-1]} targets for {N} examples)"
            raise ValueError(f"y must have shape (dL, N) = ({dL}, {N}), got {y.shape}{hint}")
        checks.check_finite(y, "y", layout="targets")
        if self.loss_obj.name in ("bce", "cce"):
            checks.check_probability_targets(y, self.loss_obj.name)
        if self.loss_obj.name == "cce" and self.output_layer.activation.name == "softmax":
            checks.check_distribution_targets(y)
        return np.ascontiguousarray(y, dtype=self.dtype)  # as X: C order, once per call

    # ---------------------------------------------------------------- compute
    def forward(self, X, training: bool = False) -> np.ndarray:
        """``A[0] = X``; ``A[l] = sigma(W[l] A[l-1] + b[l])``; returns ``Yhat = A[L]``, ``(dL, N)``."""
        return self._forward(self._inputs(X), training)

    def _forward(self, A, training: bool = False) -> np.ndarray:
        """The forward pass on an already checked ``A[0]`` (the training loop's path)."""
        for layer in self.layers:
            A = layer.forward(A, training)
        self._output = A  # for the cost: a Dropout may follow the output layer
        return A

    def _penalty(self, N: int) -> float:
        if not (self.l2 or self.l1):
            return 0.0
        W = [layer.params["W"] for layer in self.layers if "W" in layer.params]
        total = 0.5 * self.l2 * sum(float(np.vdot(w, w)) for w in W) if self.l2 else 0.0
        if self.l1:
            total += self.l1 * sum(float(np.abs(w).sum()) for w in W)
        return total / N

    def _cost_of_forward(self, Y, penalty: bool = True, sample_weight=None) -> float:
        """J for the forward pass just run (from the logits for a fused pair);
        ``penalty=False`` leaves out the L2/L1 terms (the data cost alone).

        With ``sample_weight`` ``(N,)`` the mean over examples becomes the
        weighted mean and the penalty is divided by ``sum(w)`` instead of N
        (scikit-learn's convention).
        """
        out = self.output_layer
        # Fused only when the output layer is last, as in _backward: a trailing
        # Dropout changes the outputs that backward differentiates.
        if self.loss_obj.canonical == out.activation.name and self.layers[-1] is out:
            J = self.loss_obj.cost_from_logits(Y, out.Z, sample_weight)
        else:
            J = self.loss_obj.cost(Y, self._output, sample_weight)
        if not penalty:
            return J
        n = Y.shape[1] if sample_weight is None else float(sample_weight.sum())
        return J + self._penalty(n)

    def _weights(self, sample_weight, N: int):
        """Check per-example weights: ``None`` or ``(N,)``, finite, >= 0, not all 0."""
        if sample_weight is None:
            return None
        w = np.asarray(sample_weight, dtype=self.dtype).reshape(-1)
        if w.size != N:
            raise ValueError(f"sample_weight has {w.size} entries for {N} examples")
        if not np.isfinite(w).all() or (w < 0).any():
            raise ValueError("sample_weight must be finite and non-negative")
        if not w.sum() > 0:
            raise ValueError("sample_weight must contain at least one non-zero weight")
        return w

    def loss(self, X, y, sample_weight=None) -> float:
        """The cost ``J = (1/N) sum_n loss(y_n, yhat_n)`` (plus any penalty).

        ``sample_weight`` (optional, ``(N,)``) turns the mean into
        ``sum_n w_n loss_n / sum_n w_n``.
        """
        Xc = self._inputs(X)
        Y = self._targets(y, Xc.shape[1])
        w = self._weights(sample_weight, Xc.shape[1])
        self.forward(Xc)
        return self._cost_of_forward(Y, sample_weight=w)

    def backward(self, X, y, sample_weight=None) -> None:
        """Forward pass in training mode, then backpropagation into each layer's ``grads``.

        ``Delta[L] = A[L] - Y`` for a fused pair (sigmoid + BCE, softmax + CCE,
        identity + MSE); otherwise ``Delta[L] = dloss/dA * sigma'(Z[L])``.
        Then, layer by layer downwards, ``Delta[l-1] = (W[l].T Delta[l]) * sigma'(Z[l-1])``.

        ``sample_weight`` (optional, ``(N,)``) gives the gradient of the weighted
        cost: column n of the output error is scaled by ``N w_n / sum(w)``, so the
        layers' ``(1/N) Delta A_prev.T`` becomes ``sum_n w_n (...) / sum(w)``, and the
        penalty's gradient is divided by ``sum(w)`` instead of N.

        Raises
        ------
        DivergenceError
            If the output error signal or the output logits ``Z[L]`` are not
            finite (checked by one cheap sum each).
        """
        Xc = self._inputs(X)
        self._backward(Xc, self._targets(y, Xc.shape[1]),
                       self._weights(sample_weight, Xc.shape[1]))

    def _backward(self, X, Y, sample_weight=None, check_finite=True) -> None:
        """:meth:`backward` on checked arrays; ``check_finite=False`` skips the
        divergence test (the scikit-learn estimators train through divergence)."""
        A = self._forward(X, training=True)
        out = self.output_layer
        last = len(self.layers) - 1
        if self.loss_obj.canonical == out.activation.name and self.layers[last] is out:
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
        for idx in range(last, 0, -1):
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
            for layer in self.layers:
                if "W" in layer.params:
                    W, dW = layer.params["W"], layer.grads["W"]
                    if self.l2:
                        dW += (self.l2 / N) * W
                    if self.l1:
                        dW += (self.l1 / N) * np.sign(W)

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
        from .features import expand_features

        d_raw = self.preprocessing["raw_inputs"]
        X = checks.as_numeric_array(X, "X")
        if X.ndim != 2 or X.shape[0] != d_raw:
            raise ValueError(f"X must have shape (d_raw, N) = ({d_raw}, N) raw inputs (the "
                             f"model computes its {self.n_features} inputs from them), "
                             f"got {X.shape}")
        checks.check_finite(X, "X", layout="columns")
        return expand_features(names, X)

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
        outputs ``(dL, N)`` of a regression network (raw inputs as for :meth:`predict_proba`)."""
        A = self.forward(self._raw_inputs(X))
        name = self.output_layer.activation.name
        if name == "softmax":
            return A.argmax(axis=0)
        if name == "sigmoid":
            labels = (A >= 0.5).astype(int)
            return labels[0] if labels.shape[0] == 1 else labels
        return A

    def score(self, X, y) -> float:
        """Accuracy for a classifier; R^2 for a regression network."""
        from .metrics import accuracy, r2_score

        Xc = self._inputs(X)
        if not self.is_classifier:
            return r2_score(self._targets(y, Xc.shape[1]), self.predict(Xc))
        self._targets(y, Xc.shape[1])  # same checks (shape, finite, labels) as in training
        y = np.asarray(y)
        if self.output_layer.activation.name == "softmax" and y.ndim == 2 and y.shape[0] > 1:
            y = y.argmax(axis=0)
        labels = self.predict(Xc)
        if labels.ndim == 2:  # several sigmoid outputs (multi-label): every entry counts
            return float(np.mean(y.reshape(labels.shape) == labels))
        return accuracy(y.reshape(-1), labels)

    # ---------------------------------------------------------------- training
    def fit(self, X, y, epochs=500, print_every=100, grad_check_every=0, **options):
        """Train; return the costs recorded at epochs 0, k, 2k, ... (``k = print_every``).

        Each epoch is a forward pass, backpropagation and one optimizer step per
        batch (full batch unless ``batch_size`` is given).  The cost is printed as
        ``Epoch: k Cost J`` after the update of each checkpoint epoch;
        ``print_every=0`` prints nothing and returns ``[]``.  Every
        ``grad_check_every`` epochs every parameter tensor gets a directional
        gradient check; a failure raises ``AssertionError``.  The fuller record
        goes to ``self.history``.  See :func:`lucidnet.training.train` for the
        other options (``batch_size``, ``validation_data``, ``callbacks``,
        ``checkpoint_path``, ``checkpoint_every``, ...).

        Bad data or options raise ``ValueError`` before anything changes.  If
        training diverges, ``DivergenceError`` is raised and the network keeps
        its last finite weights.  On Ctrl-C the current step is finished, a
        checkpoint is saved when ``checkpoint_path`` is given, and
        ``lucidnet.interrupt.TrainingInterrupted`` (a ``KeyboardInterrupt``) is
        *raised*, not returned: the network keeps the weights of that step, and
        :func:`lucidnet.checkpoint.resume` continues the run bit for bit.
        """
        from .training import train

        return train(self, X, y, epochs=epochs, print_every=print_every,
                     grad_check_every=grad_check_every, **options)

    # ---------------------------------------------------------------- checks
    def grad_check(self, X, y, layer_idx, eps=1e-5, tol=1e-4, abs_tol=1e-7, param="W",
                   method="entries", rng=None):
        """Check backprop's gradient of one parameter tensor against central differences.

        Runs in float64 (a float32 network is checked on a float64 copy); see
        :mod:`lucidnet.gradcheck_network`.

        Parameters
        ----------
        layer_idx : int
            Position in ``self.layers`` (the input layer is 0).
        param : {"W", "b"}
        method : {"entries", "entries_loop", "directional"}
            Every entry (the text's check, with many perturbations per batched
            pass), the same with the text's loop of two passes per entry (the
            readable reference), or one random direction.
        rng : numpy.random.Generator, optional
            Draws the direction and any dropout mask (default: seed 12345).

        Returns
        -------
        GradCheckReport
            Largest relative error, where, and both gradient values there.

        Raises
        ------
        AssertionError
            If the check fails, with a readable report of the worst entry.
        ValueError
            If the layer has no such parameter.
        """
        from .gradcheck_network import grad_check

        return grad_check(self, X, y, layer_idx, eps, tol, abs_tol, param, method, rng)

    def check_gradients(self, X, y, method="directional", **kw):
        """Run the gradient check on every parameter tensor; return all reports
        (``kw``: ``eps``, ``tol``, ``abs_tol``, ``rng``, as for :meth:`grad_check`)."""
        from .gradcheck_network import check_gradients

        return check_gradients(self, X, y, method=method, **kw)

    # ---------------------------------------------------------------- explain
    def summary(self, show=True):
        """Print a table of the layers (shapes, activations, parameter counts);
        with ``show=False`` return it as a string instead (see :mod:`lucidnet.explain`)."""
        from .explain import summary

        text = summary(self)
        return print(text) if show else text

    def explain(self, X, y=None, show=True):
        """Print this network's forward and backward equations with their shapes on ``X``
        (and J and the gradient norms when ``y`` is given); ``show=False`` returns the text."""
        from .explain import explain

        text = explain(self, X, y)
        return print(text) if show else text

    # ---------------------------------------------------------------- copies
    def astype(self, dtype) -> "NeuralNetwork":
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

    def save(self, path) -> None:
        """Write the model to ``path`` (a ``.npz`` file; see :mod:`lucidnet.persistence`)."""
        from .persistence import save

        save(self, path)

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"NeuralNetwork([{inner}], loss={self.loss_obj.name!r}, optimizer={self.optimizer!r})"
