"""Model files: one ``.npz`` archive, no pickle.

Layout (documented in the README):

- ``manifest``: a 0-d unicode array holding JSON text::

      {"format": "lucidnet-model", "format_version": 1,
       "lucidnet_version": "...", "dtype": "float64", "seed": 0,
       "loss": "bce", "loss_params": {}, "l2": 0.0, "l1": 0.0,
       "optimizer": {"name": "sgd", "config": {"lr": 1.0}},
       "layers": [{"kind": "Input", "name": "x", "n_features": 2},
                  {"kind": "Dense", "name": "h1", "units": 16,
                   "activation": "sigmoid", "initializer": "glorot_uniform"}, ...],
       "preprocessing": {...}, "training": {...}, "train_state": null}

  A Dense layer whose activation has parameters also stores them, e.g.
  ``"activation_params": {"alpha": 0.2}`` for a leaky ReLU; ``loss_params``
  holds the loss's (e.g. huber's ``{"delta": 1.0}``).

- ``param/<layer index>/<name>``: every parameter array, e.g. ``param/1/W``.
- ``state/<key>/<name>``: optimizer state arrays, when a training state is saved.

Files are read with ``np.load(..., allow_pickle=False)``, and every name in the
manifest resolves only through lucidnet's own registries, so a file from a
stranger cannot run code.  Files are written to a temporary file in the same
folder and then renamed over the target, so an interrupted save never leaves
a half-written model.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["save", "load", "ModelFileError", "FORMAT_VERSION"]

FORMAT = "lucidnet-model"
FORMAT_VERSION = 1
MAX_MANIFEST_CHARS = 1_000_000


class ModelFileError(ValueError):
    """A file that is not a valid lucidnet model (says what is wrong)."""


def _manifest(net, train_state=None) -> dict:
    from . import __version__

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "lucidnet_version": __version__,
        "dtype": net.dtype.name,
        "seed": net.seed,
        "loss": net.loss_obj.name,
        "loss_params": net.loss_obj.get_config(),
        "l2": net.l2,
        "l1": net.l1,
        "optimizer": {"name": net.optimizer.name, "config": net.optimizer.get_config()},
        "layers": [layer.get_config() for layer in net.layers],
        "preprocessing": net.preprocessing,
        "training": net.training_record,
        "train_state": train_state,
    }


def atomic_write(path, write) -> None:
    """Call ``write(file_object)`` on a temporary file beside ``path``, then rename it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        # mkstemp makes the file private (0600); give it the permissions a plain
        # open() would (0666 minus the umask), so the result is readable as usual
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(net, path, *, train_state: dict | None = None, extra_arrays: dict | None = None):
    """Save ``net`` to ``path`` (``.npz``).  Refuses non-finite weights.

    ``train_state`` (JSON-able) and ``extra_arrays`` (name -> array) let the
    training loop store what it needs to resume.
    """
    arrays = {}
    for idx, layer in enumerate(net.layers):
        for name, theta in layer.params.items():
            if not np.isfinite(theta).all():
                raise ValueError(f"refusing to save: layer {idx} ({layer.name}) parameter "
                                 f"{name} has non-finite values")
            arrays[f"param/{idx}/{name}"] = theta
    for key, value in (extra_arrays or {}).items():
        arrays[f"state/{key}"] = np.asarray(value)
    manifest = json.dumps(_manifest(net, train_state), allow_nan=False, default=_jsonable)
    arrays["manifest"] = np.array(manifest)
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"model files end in .npz, got {str(path)!r}")
    atomic_write(path, lambda fh: np.savez(fh, **arrays))


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def read(path) -> tuple[dict, dict]:
    """Read and validate the archive; return ``(manifest, arrays)``."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such model file: {str(path)!r}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            names = list(archive.files)
            if "manifest" not in names:
                raise ModelFileError(f"{path}: not a lucidnet model (no manifest entry)")
            raw = archive["manifest"]
            if raw.dtype.kind != "U" or raw.ndim != 0:
                raise ModelFileError(f"{path}: the manifest entry is not a text string")
            if raw.dtype.itemsize // 4 > MAX_MANIFEST_CHARS:
                raise ModelFileError(f"{path}: the manifest is too large "
                                     f"(over {MAX_MANIFEST_CHARS} characters)")
            text = str(raw)
            arrays = {name: archive[name] for name in names if name != "manifest"}
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelFileError(f"{path}: not a readable .npz archive ({exc})") from None
    except ValueError as exc:
        if isinstance(exc, ModelFileError):
            raise
        # numpy refuses object arrays without allow_pickle with a ValueError
        raise ModelFileError(f"{path}: invalid array in archive ({exc})") from None
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{path}: the manifest is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a lucidnet model (format is not {FORMAT!r})")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(f"{path}: unsupported format_version {version!r} "
                             f"(this lucidnet reads version {FORMAT_VERSION})")
    return manifest, arrays


def load(path):
    """Load a model saved by :func:`save`; ``ModelFileError`` says what is wrong."""
    from .layers import LAYERS
    from .losses import LOSSES
    from .network import NeuralNetwork
    from .optimizers import OPTIMIZERS

    manifest, arrays = read(path)

    def bad(msg):
        return ModelFileError(f"{path}: {msg}")

    try:
        dtype = manifest["dtype"]
        if dtype not in ("float64", "float32"):
            raise bad(f"unsupported dtype {dtype!r}")
        if manifest["loss"] not in LOSSES:
            raise bad(f"unknown loss {manifest['loss']!r}")
        opt = manifest["optimizer"]
        if opt["name"] not in OPTIMIZERS:
            raise bad(f"unknown optimizer {opt['name']!r}")
        layer_specs = manifest["layers"]
        if not isinstance(layer_specs, list) or not layer_specs:
            raise bad("the manifest lists no layers")
        layers = []
        for i, spec in enumerate(layer_specs):
            if not isinstance(spec, dict) or spec.get("kind") not in LAYERS:
                raise bad(f"layer {i}: unknown layer kind {spec.get('kind') if isinstance(spec, dict) else spec!r}")
            kwargs = {k: v for k, v in spec.items() if k != "kind"}
            try:
                layers.append(LAYERS[spec["kind"]](**kwargs))
            except (TypeError, ValueError) as exc:
                raise bad(f"layer {i} ({spec['kind']}): {exc}") from None
        seed = manifest.get("seed")
        loss_fn = LOSSES[manifest["loss"]]
        if manifest.get("loss_params"):  # e.g. huber's delta
            loss_fn = type(loss_fn)(**manifest["loss_params"])
        net = NeuralNetwork(loss_fn=loss_fn, seed=seed if seed is not None else 0,
                            dtype=dtype, l2=manifest.get("l2", 0.0), l1=manifest.get("l1", 0.0),
                            optimizer=OPTIMIZERS[opt["name"]](**opt.get("config", {})))
        net.seed = seed
        for layer in layers:
            net.add(layer)
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise bad(f"invalid manifest ({type(exc).__name__}: {exc})") from None

    expected = {f"param/{i}/{name}" for i, layer in enumerate(net.layers) for name in layer.params}
    found = {name for name in arrays if name.startswith("param/")}
    if expected != found:
        missing, unexpected = sorted(expected - found), sorted(found - expected)
        raise bad(f"parameter arrays do not match the layers (missing {missing}, "
                  f"unexpected {unexpected})")
    for i, layer in enumerate(net.layers):
        for name, theta in layer.params.items():
            value = arrays[f"param/{i}/{name}"]
            if value.shape != theta.shape:
                raise bad(f"layer {i} ({layer.name}) {name} has shape {value.shape}, "
                          f"expected {theta.shape}")
            if value.dtype.kind != "f":
                raise bad(f"layer {i} ({layer.name}) {name} has dtype {value.dtype}, "
                          "expected floating point")
            if not np.isfinite(value).all():
                raise bad(f"layer {i} ({layer.name}) {name} has non-finite values")
            theta[...] = value
    net.preprocessing = manifest.get("preprocessing") or {}
    net.training_record = manifest.get("training") or {}
    net.train_state = manifest.get("train_state")
    net.state_arrays = {k[len("state/"):]: v for k, v in arrays.items() if k.startswith("state/")}
    return net
