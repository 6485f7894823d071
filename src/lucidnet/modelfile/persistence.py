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
       "preprocessing": {...}, "training": {...}, "train_state": null,
       "sha256": {"param/1/W": "...", ..., "manifest": "..."}}

  A Dense layer whose activation has parameters also stores them, e.g.
  ``"activation_params": {"alpha": 0.2}`` for a leaky ReLU; ``loss_params``
  holds the loss's (e.g. huber's ``{"delta": 1.0}``).

- ``param/<layer index>/<name>``: every parameter array, e.g. ``param/1/W``.
- ``state/<key>/<name>``: optimizer state arrays, when a training state is saved.

``sha256`` holds the digest of every member (:mod:`lucidnet.modelfile.digest`):
a file edited or damaged since it was written is refused.

Files are read by :mod:`lucidnet.modelfile` (the archive, checked before any
array is read; the digests; the manifest, checked value by value), never unpickled, and
every name in the manifest resolves only through lucidnet's own registries,
so a file from a stranger cannot run code.  Files are written to a temporary file in the same
folder and then renamed over the target, so an interrupted save never leaves
a half-written model.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ..atomic_files import atomic_write  # noqa: F401 - re-exported from its old home
from ..errors import ModelFileError
from .archive import HARD_CAP_BYTES, MAX_MANIFEST_CHARS

__all__ = ["save", "load", "ModelFileError", "FORMAT_VERSION"]

FORMAT = "lucidnet-model"
FORMAT_VERSION = 1
MAX_TOTAL_BYTES = HARD_CAP_BYTES  # the old name


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


def save(net, path, *, train_state: dict | None = None, extra_arrays: dict | None = None):
    """Save ``net`` to ``path`` (``.npz``).  Refuses non-finite weights.

    ``train_state`` (JSON-able) and ``extra_arrays`` (name -> array) let the
    training loop store what it needs to resume.  The manifest records the
    SHA-256 of every member (:mod:`lucidnet.modelfile.digest`).
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
    # through JSON once, so that the digest is that of the text a reader parses
    manifest = json.loads(json.dumps(_manifest(net, train_state), allow_nan=False,
                                     default=_jsonable))
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"model files end in .npz, got {str(path)!r}")
    atomic_write(path, lambda fh: _write_archive(fh, arrays, manifest))


def _write_archive(fh, arrays: dict, manifest: dict) -> None:
    """The ``.npz`` that ``np.savez`` writes (stored ``.npy`` members), the arrays
    hashed as they are written and their digests put in the manifest, written last."""
    import zipfile

    from numpy.lib import format as npy

    from .digest import FIELD, Hashing, manifest_digest

    digests = {}
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, value in arrays.items():
            with zf.open(f"{name}.npy", "w", force_zip64=True) as raw:
                out = Hashing(raw)
                npy.write_array(out, np.asanyarray(value), allow_pickle=False)
            digests[name] = out.hexdigest()
        manifest[FIELD] = digests
        manifest[FIELD]["manifest"] = manifest_digest(manifest)
        with zf.open("manifest.npy", "w", force_zip64=True) as raw:
            npy.write_array(raw, np.array(json.dumps(manifest, allow_nan=False)),
                            allow_pickle=False)


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _parse_manifest(bad, text: str) -> dict:
    try:
        manifest = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise bad(f"the manifest is not valid JSON ({type(exc).__name__}: {str(exc)[:200]})") \
            from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise bad(f"not a lucidnet model (format is not {FORMAT!r})")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise bad(f"unsupported format_version {version!r:.40} (this lucidnet reads version "
                  f"{FORMAT_VERSION})")
    return manifest


def _reject_constant(name):
    raise ValueError(f"{name} is not a number a model file may hold")


def read(path) -> tuple[dict, dict]:
    """Read and validate the archive; return ``(manifest, arrays)``.

    The zip directory, the manifest (its digest: :mod:`lucidnet.modelfile.digest`;
    every value: :mod:`lucidnet.modelfile.manifest`) and each array's ``.npy``
    header are checked before any array is read, each array's digest as it is read;
    the arrays together may unpack to at most twice what the manifest's
    parameters need plus 64 MiB (for the shuffled order of a checkpoint), and
    never more than ``HARD_CAP_BYTES``.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ModelFileError
        For anything that is not a valid lucidnet model file; the message says what.
    """
    from .archive import Archive
    from .digest import check_manifest_digest, digest_record
    from .manifest import check_manifest

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such model file: {str(path)!r}")
    if not path.is_file():
        raise ModelFileError(f"{path}: not a file")

    def bad(message):
        return ModelFileError(f"{path}: {message}")

    try:
        with Archive(path) as archive:
            manifest = _parse_manifest(bad, archive.manifest_text())
            record = digest_record(bad, manifest)
            expected = check_manifest(bad, manifest, has_digests=record is not None)
            digests = None if record is None else \
                check_manifest_digest(bad, manifest, record, archive.members)
            fixed = sum(math.prod(shape) * np.dtype(dtypes[0]).itemsize
                        for shape, dtypes, _ in expected.values()
                        if shape is not None and None not in shape)
            arrays = archive.expect(expected, budget=2 * fixed + 2**26, digests=digests)
    except OSError as exc:  # the file vanished or cannot be read
        raise bad(f"cannot read it ({exc.strerror or exc})") from None
    for name, value in arrays.items():
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise bad(f"array {name} has non-finite values (NaN or infinity)")
    order = arrays.get("state/order")
    if order is not None and not np.array_equal(np.sort(order), np.arange(order.size)):
        raise bad("array state/order is not a permutation of the examples")
    return manifest, arrays


def load(path):
    """Load a model saved by :func:`save`.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ModelFileError
        (a ``ValueError``) for a file that is truncated, corrupted, of another
        format version, hostile (object arrays, pickles, unusual zip features,
        names outside lucidnet's registries, oversized members) or inconsistent
        (shapes, non-finite or out-of-range values, a bad training state); the
        message says which.  Nothing is built before the whole file is checked.
    """
    from ..core.layers import LAYERS
    from ..core.losses import LOSSES
    from ..core.network import NETWORKS
    from ..optim.optimizers import OPTIMIZERS

    manifest, arrays = read(path)

    def bad(msg):
        return ModelFileError(f"{path}: {msg}")

    try:  # every value was checked by type; the constructors check the ranges
        layers = [LAYERS[spec["kind"]](**{k: v for k, v in spec.items() if k != "kind"})
                  for spec in manifest["layers"]]
        loss_fn = LOSSES[manifest["loss"]]
        if manifest.get("loss_params"):  # e.g. huber's delta
            loss_fn = type(loss_fn)(**manifest["loss_params"])
        opt = manifest["optimizer"]
        config = dict(opt.get("config", {}))
        # A schedule may have taken the rate to 0 (cosine's eta_min) when a checkpoint
        # was written: no optimizer is built with that rate, but it trains on with it.
        paused = config.get("lr") == 0 and \
            ((manifest.get("train_state") or {}).get("options") or {}).get("schedule")
        optimizer = OPTIMIZERS[opt["name"]](**{**config, "lr": None} if paused else config)
        if paused:
            optimizer.lr = 0.0
        seed = manifest.get("seed")
        net = NETWORKS["NeuralNetwork"](
            loss_fn=loss_fn, seed=seed if seed is not None else 0, dtype=manifest["dtype"],
            l2=manifest.get("l2", 0.0), l1=manifest.get("l1", 0.0), optimizer=optimizer)
        net.seed = seed
        for layer in layers:
            net.add(layer)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise bad(f"invalid manifest ({type(exc).__name__}: {str(exc)[:200]})") from None
    for i, layer in enumerate(net.layers):
        for name, theta in layer.params.items():
            theta[...] = arrays[f"param/{i}/{name}"]
    net.preprocessing = manifest.get("preprocessing") or {}
    net.training_record = manifest.get("training") or {}
    net.train_state = manifest.get("train_state")
    net.state_arrays = {k[len("state/"):]: v for k, v in arrays.items() if k.startswith("state/")}
    return net
