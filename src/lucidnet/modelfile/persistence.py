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

from ..errors import ModelFileError
from .checks import (_check_preprocessing, _check_weights, _members,
                               _reject_constant)

__all__ = ["save", "load", "ModelFileError", "FORMAT_VERSION"]

FORMAT = "lucidnet-model"
FORMAT_VERSION = 1
MAX_MANIFEST_CHARS = 1_000_000
# Refuse archives that would unpack to more than this (a zip bomb): 8 GiB.
MAX_TOTAL_BYTES = 8 * 2**30


def _manifest(net, train_state=None) -> dict:
    from .._version import __version__

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
    """Read and validate the archive; return ``(manifest, arrays)``.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ModelFileError
        For anything that is not a valid lucidnet model file; the message says what.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such model file: {str(path)!r}")
    if not path.is_file():
        raise ModelFileError(f"{path}: not a file")
    members = _members(path, MAX_TOTAL_BYTES, MAX_MANIFEST_CHARS)
    for member in members:
        if not member.endswith(".npy"):
            raise ModelFileError(f"{path}: archive member {member!r} is not a NumPy array "
                                 "(a model file holds .npy arrays only)")
    if "manifest.npy" not in members:
        raise ModelFileError(f"{path}: not a lucidnet model (no manifest entry)")
    arrays = {}
    try:
        with np.load(path, allow_pickle=False) as archive:
            for name in archive.files:
                try:
                    arrays[name] = archive[name]
                except ValueError as exc:
                    if "allow_pickle" in str(exc):
                        raise ModelFileError(
                            f"{path}: array {name!r} holds Python objects (a pickle), "
                            "which a model file never loads") from None
                    raise ModelFileError(f"{path}: array {name!r} is corrupted ({exc})") from None
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ModelFileError(f"{path}: the archive is corrupted "
                             f"({type(exc).__name__}: {exc})") from None
    raw = arrays.pop("manifest")
    if raw.dtype.kind != "U" or raw.ndim != 0:
        raise ModelFileError(f"{path}: the manifest entry is not a text string")
    if raw.dtype.itemsize // 4 > MAX_MANIFEST_CHARS:
        raise ModelFileError(f"{path}: the manifest is too large "
                             f"(over {MAX_MANIFEST_CHARS} characters)")
    try:
        manifest = json.loads(str(raw), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ModelFileError(f"{path}: the manifest is not valid JSON "
                             f"({type(exc).__name__}: {exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a lucidnet model (format is not {FORMAT!r})")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(f"{path}: unsupported format_version {version!r} "
                             f"(this lucidnet reads version {FORMAT_VERSION})")
    return manifest, arrays


def load(path):
    """Load a model saved by :func:`save`.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ModelFileError
        (a ``ValueError``) for a file that is truncated, corrupted, of another
        format version, hostile (object arrays, pickles, names outside lucidnet's
        registries, oversized manifest) or inconsistent (shapes, non-finite
        weights); the message says which.
    """
    from ..core.layers import LAYERS
    from ..core.losses import LOSSES
    from ..core.network import NETWORKS
    from ..optim.optimizers import OPTIMIZERS

    manifest, arrays = read(path)

    def bad(msg):
        return ModelFileError(f"{path}: {msg}")

    try:
        dtype = manifest["dtype"]
        if dtype not in ("float64", "float32"):
            raise bad(f"unsupported dtype {dtype!r}")
        if not isinstance(manifest["loss"], str) or manifest["loss"] not in LOSSES:
            raise bad(f"unknown loss {manifest['loss']!r}; known: {', '.join(sorted(LOSSES))}")
        opt = manifest["optimizer"]
        if not isinstance(opt.get("name"), str) or opt["name"] not in OPTIMIZERS:
            raise bad(f"unknown optimizer {opt.get('name')!r}; "
                      f"known: {', '.join(sorted(OPTIMIZERS))}")
        layer_specs = manifest["layers"]
        if not isinstance(layer_specs, list) or not layer_specs:
            raise bad("the manifest lists no layers")
        layers = []
        for i, spec in enumerate(layer_specs):
            kind = spec.get("kind") if isinstance(spec, dict) else spec
            if not isinstance(kind, str) or kind not in LAYERS:
                raise bad(f"layer {i}: unknown layer kind {kind!r}; "
                          f"known: {', '.join(sorted(LAYERS))}")
            kwargs = {k: v for k, v in spec.items() if k != "kind"}
            try:
                layers.append(LAYERS[kind](**kwargs))
            except (TypeError, ValueError) as exc:
                raise bad(f"layer {i} ({kind}): {exc}") from None
        _check_weights(bad, layers, arrays)
        seed = manifest.get("seed")
        loss_fn = LOSSES[manifest["loss"]]
        if manifest.get("loss_params"):  # e.g. huber's delta
            loss_fn = type(loss_fn)(**manifest["loss_params"])
        net = NETWORKS["NeuralNetwork"](loss_fn=loss_fn, seed=seed if seed is not None else 0,
                            dtype=dtype, l2=manifest.get("l2", 0.0), l1=manifest.get("l1", 0.0),
                            optimizer=OPTIMIZERS[opt["name"]](**opt.get("config", {})))
        net.seed = seed
        for layer in layers:
            net.add(layer)
        net.preprocessing = _check_preprocessing(bad, manifest.get("preprocessing"),
                                                 net.n_features, net.n_outputs)
        training = manifest.get("training") or {}
        if not isinstance(training, dict):
            raise bad("training must be a JSON object")
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise bad(f"invalid manifest ({type(exc).__name__}: {exc})") from None

    for i, layer in enumerate(net.layers):
        for name, theta in layer.params.items():
            theta[...] = arrays[f"param/{i}/{name}"]
    net.training_record = training
    net.train_state = manifest.get("train_state")
    net.state_arrays = {k[len("state/"):]: v for k, v in arrays.items() if k.startswith("state/")}
    return net
