"""One browser tab's experiment: its data, its network, its training run.

A :class:`Session` is plain Python with no web code in it: the server makes one
per WebSocket and calls its methods from a worker thread, one call at a time;
tests call them directly.  Everything goes through lucidnet's public API:
:class:`~lucidnet.NeuralNetwork` with ``Input``/``Dense``/``Dropout`` layers,
the optimizers and losses by name, ``fit`` for each chunk of epochs (so the
training loop, its divergence guard and its determinism are lucidnet's own),
``save`` for the export.

Which change rebuilds what, as in TensorFlow Playground:

- data settings (data set, noise, points, split, seed, target column):
  new data, new network, epoch 0;
- network settings (features, layers, activations, dropout, loss, seed):
  new network drawn from ``seed``, epoch 0;
- optimizer, learning rate, regularization, batch size: applied to the
  running network (the optimizer's state is kept when only its numbers change).
"""

from __future__ import annotations

import copy
import tempfile
import warnings
from pathlib import Path

import numpy as np

from .. import Dense, DivergenceError, Dropout, Input, NeuralNetwork
from ..errors import TrainingDiagnosis
from ..features import expand_features
from ..inspect.diagnostics import Diagnostics
from ..optim.optimizers import OPTIMIZERS
from . import data as pdata
from .watch import PlateauWatch, solved, trim
from .settings import LOSSES_FOR, OPTIMIZER_PARAMS, clean

__all__ = ["Session", "SessionError"]

_DATA_KEYS = ("dataset", "classes", "points", "noise", "train_pct", "data_seed", "target",
              "plot_x", "plot_y")
_NET_KEYS = ("features", "layers", "acts", "dropout", "loss", "seed")
_OPT_KEYS = ("optimizer", "lr", "momentum", "rho", "beta1", "beta2", "weight_decay")
# A chunk of training does at most about this many floating-point operations (an epoch
# costs about 6 N n_params: 2 forward, 4 backward), whatever epochs were asked for, so a
# big network on a big upload still answers the page a few times a second.  Counted, not
# timed: the same settings make the same chunks on a busy machine and on a quiet one.
CHUNK_FLOPS = 1e9
DIAG_EVERY = 30
MAX_WEIGHT = 1e3


class SessionError(ValueError):
    """A request the session cannot carry out (the message is shown in the page)."""


class Session:
    """The state of one playground tab.

    Parameters
    ----------
    settings : dict, optional
        Overrides of :data:`~lucidnet.playground.settings.DEFAULTS` (cleaned and
        clamped by :func:`~lucidnet.playground.settings.clean`).
    upload : (str, str), optional
        A CSV file's text and name to start on (``lucidnet playground --data``).
    table : tuple, optional
        Data already parsed, as :func:`~lucidnet.playground.data.from_arrays` returns
        it (the ``(X, y)`` given to :func:`lucidnet.playground.show`); its target is fixed.

    Example
    -------
    >>> s = Session({"dataset": "xor", "layers": [8], "acts": ["tanh"]})
    >>> s.train(50); s.epoch
    50
    """

    def __init__(self, settings=None, upload=None, table=None):
        self.settings = clean(settings or {})
        self._source = upload       # (text, name) of the CSV, kept to re-read another target
        self.upload = table         # the parsed table
        if upload is not None:
            self.upload = self._parse(self.settings["target"])
        if self.upload is not None:
            self.settings["target"] = self.upload[4]
        elif self.settings["dataset"] == "upload":
            self.settings["dataset"] = "circle"
        self.version = 0          # bumped by every change the page must redraw for
        self._new_data()

    # ------------------------------------------------------------------ build
    def _new_data(self):
        s = self.settings
        if s["dataset"] == "upload":
            self.data = pdata.upload_data(self.upload, s)
        else:
            self.data = pdata.make_builtin(s)
        self._new_network()

    @property
    def features(self) -> list:
        """The input features in use: the chosen ones the data offers (at least one)."""
        offered = self.data.features
        chosen = [f for f in self.settings["features"] if f in offered]
        return chosen or offered[:1]

    @property
    def loss_name(self) -> str:
        allowed = LOSSES_FOR[self.data.kind]
        loss = self.settings["loss"]
        return loss if loss in allowed else allowed[0]

    def _new_network(self):
        s, d = self.settings, self.data
        layers = [Input("x", len(self.features))]
        for i, (units, act) in enumerate(zip(s["layers"], s["acts"]), start=1):
            layers.append(Dense(f"h{i}", units, act))
            if s["dropout"] > 0:
                layers.append(Dropout(f"drop{i}", s["dropout"]))
        out = {"binary": ("sigmoid", 1), "multi": ("softmax", d.n_classes),
               "regression": ("identity", 1)}[d.kind]
        layers.append(Dense("out", out[1], out[0]))
        self.net = NeuralNetwork(layers, loss_fn=self.loss_name, optimizer=self._optimizer(),
                                 seed=s["seed"], **self._penalties())
        self.A0_train = expand_features(self.features, d.X_train.T)    # (d0, N_train)
        self.A0_test = expand_features(self.features, d.X_test.T)      # (d0, N_test)
        self.epoch = 0
        self.diverged = None
        self.edited = False       # a live change since epoch 0 (export-python says so)
        self.version += 1
        # lucidnet's own per-layer figures (gradient norms, update ratios, saturated and
        # dead units), recorded at each chunk's first and last epoch
        self.diag = Diagnostics(every=10**9, max_examples=500)
        self.plateau = PlateauWatch()
        self._watched = 0         # the epoch the diagnostics last recorded at

    def _optimizer(self):
        s = self.settings
        name = s["optimizer"]
        return OPTIMIZERS[name](lr=s["lr"], **{p: s[p] for p in OPTIMIZER_PARAMS[name]})

    def _penalties(self) -> dict:
        reg, rate = self.settings["reg"], self.settings["reg_rate"]
        return {"l1": rate if reg == "l1" else 0.0, "l2": rate if reg == "l2" else 0.0}

    # ---------------------------------------------------------------- changes
    def configure(self, settings) -> None:
        """Apply new settings (a full or partial dict); rebuild only what they change."""
        new = clean(settings, self.settings)
        if new["dataset"] == "upload" and self.upload is None:
            raise SessionError("no file uploaded yet: choose a CSV file first")
        changed = {k for k in new if new[k] != self.settings[k]}
        old, table = self.settings, self.upload
        try:   # new data all or nothing: a refused column or split leaves the tab as it was
            if "target" in changed and self.upload is not None:  # another column to predict
                self.upload = self._parse(new["target"])
            self.settings = new
            if changed & set(_DATA_KEYS):
                self._new_data()
                return
        except ValueError:
            self.settings, self.upload = old, table
            raise
        if changed & set(_NET_KEYS):
            self._new_network()
        else:
            if changed & (set(_OPT_KEYS) | {"reg", "reg_rate", "batch"}) and self.epoch:
                self.edited = True
            if changed & set(_OPT_KEYS):
                self._swap_optimizer(old)
            if changed & {"reg", "reg_rate"}:
                for name, value in self._penalties().items():
                    setattr(self.net, name, value)
            if changed:
                self.version += 1

    def _swap_optimizer(self, old):
        fresh = self._optimizer()
        if old["optimizer"] == self.settings["optimizer"]:  # same algorithm: keep its state
            fresh.state, fresh.t = self.net.optimizer.state, self.net.optimizer.t
        self.net.optimizer = fresh
        self.diverged = None

    def reset(self) -> None:
        """A fresh network drawn from the seed; epoch 0 (the data stay)."""
        self._new_network()

    @property
    def from_python(self) -> bool:
        """Is the uploaded data a table from Python (no file to re-read)?"""
        return self.upload is not None and self._source is None

    def _parse(self, target: str) -> tuple:
        if self._source is None:
            raise SessionError("the data given to show() has one target; it cannot change")
        text, name = self._source
        return (*pdata.read_upload(text, target, name), name)

    def load_upload(self, text: str, name: str = "upload.csv", target: str = "") -> None:
        """Parse an uploaded CSV (in memory) and train on it from now on."""
        old = self._source, self.upload, self.settings
        self._source = (text, name[:100])
        try:   # all or nothing: a file refused leaves the tab on its data and network
            self.upload = self._parse(target)
            self.settings = clean({"dataset": "upload", "target": self.upload[4],
                                   "plot_x": 0, "plot_y": 1}, self.settings)
            self._new_data()
        except ValueError:
            self._source, self.upload, self.settings = old
            raise

    def set_weight(self, layer: int, param: str, row: int, col: int, value: float) -> None:
        """Set one weight (``param="W"``) or bias (``"b"``, ``col=0``) of the ``layer``-th
        Dense layer (1 is the first hidden layer) to ``value``."""
        dense = [lay for lay in self.net.layers if isinstance(lay, Dense)]
        if not (isinstance(layer, int) and 1 <= layer <= len(dense)) or param not in ("W", "b"):
            raise SessionError(f"no Dense layer {layer!r} with parameter {param!r}")
        theta = dense[layer - 1].params[param]
        if not (isinstance(row, int) and isinstance(col, int)
                and 0 <= row < theta.shape[0] and 0 <= col < theta.shape[1]):
            raise SessionError(f"{param}[{row!r}, {col!r}] is outside the shape {theta.shape}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not abs(value) <= MAX_WEIGHT:
            raise SessionError(f"a weight must be a number in [-{MAX_WEIGHT:g}, {MAX_WEIGHT:g}]")
        theta[row, col] = value
        self.edited = True
        self.version += 1

    # ---------------------------------------------------------------- training
    def train(self, epochs: int) -> int:
        """Train up to ``epochs`` epochs (fewer if they would cost over ``CHUNK_FLOPS``);
        return how many ran.  A divergence is caught and kept in ``self.diverged``."""
        if self.diverged is not None:
            return 0
        per_epoch = 6.0 * self.A0_train.shape[1] * self.net.n_params
        epochs = min(epochs, max(1, int(CHUNK_FLOPS // per_epoch)))
        # the diagnostics (two records per chunk) every DIAG_EVERY epochs or so: the
        # charts need a few points a second, and each record costs a pass over the data
        watch = self.epoch - self._watched >= DIAG_EVERY or self.epoch == 0
        if watch:
            self._watched = self.epoch
        batch = self.settings["batch"]
        batch = batch if 0 < batch < self.A0_train.shape[1] else None
        try:
            # Near a divergence the diagnostics' forward pass overflows before lucidnet's
            # finite tests stop the run: that is the page's to explain, not a warning's.
            # A chunk is ~10 epochs of a longer run, so fit's end-of-run diagnosis
            # (TrainingDiagnosis) would judge a run that has just begun and print into
            # the server's terminal every chunk; the page explains plateaus itself.
            with np.errstate(over="ignore", invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", TrainingDiagnosis)
                self.net.fit(self.A0_train, self.data.y_train, epochs=epochs, print_every=0,
                             batch_size=batch, verbose=False,
                             callbacks=[self.diag] if watch else [])
        except DivergenceError as exc:
            # lucidnet counts epochs within this chunk; the page counts from the start
            lr, at = self.net.lr, self.epoch + exc.epoch
            reason = str(exc).split(": ", 1)[-1].split(";", 1)[0]
            try_lr = float(f"{lr / 10:.3g}")
            self.diverged = {
                "message": f"Training diverged at epoch {at} with learning rate {lr:g}: "
                           f"{reason}. The steps were too large for this loss surface, so "
                           f"each one overshot and the weights grew without bound. The "
                           f"network keeps its last finite weights (after epoch "
                           f"{self.epoch + exc.weights_epoch}). Try a learning rate of "
                           f"{try_lr:g}.",
                "epoch": at, "lr_to_try": try_lr}
            epochs = exc.epoch
        self.epoch += epochs
        if watch:
            trim(self.diag, keep=400)
            self.plateau.update(self.diag, solved(self.net, self.A0_train, self.data.y_train,
                                                  self.data.kind))
        return epochs

    # ----------------------------------------------------------------- export
    def export_network(self) -> NeuralNetwork:
        """A copy of the network whose model file predicts like the page on raw inputs."""
        d = self.data
        net = copy.deepcopy(self.net)
        pre = {"source": "lucidnet playground", "input_features": self.features,
               "raw_inputs": len(d.columns), "feature_names": list(d.columns)}
        if d.standardize is not None:
            pre["standardize"] = d.standardize
        if d.target:
            pre["target"] = d.target
        if d.class_labels is not None and d.class_labels != list(range(d.n_classes)):
            pre["class_labels"] = list(d.class_labels)
        net.preprocessing = pre
        net.training_record = {"epochs": self.epoch, "playground_settings": dict(self.settings)}
        return net

    def export_onnx_bytes(self) -> bytes:
        """The ONNX graph of :meth:`export_network` (raw inputs in, transforms included);
        needs the ``onnx`` package."""
        from ..modelfile.onnx_export import to_onnx

        try:
            import onnx  # noqa: F401
        except ImportError:
            raise SessionError("ONNX export needs the onnx package: "
                               "pip install 'lucidnet[onnx]'") from None
        return to_onnx(self.export_network()).SerializeToString()

    def export_bytes(self) -> bytes:
        """The model file (``.npz``) as bytes; written in a private temporary folder."""
        with tempfile.TemporaryDirectory(prefix="lucidnet-playground-") as folder:
            path = Path(folder) / "model.npz"
            self.export_network().save(path)
            return path.read_bytes()
