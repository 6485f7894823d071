"""The manifest of a model file, checked value by value before anything is built.

:func:`check_manifest` takes the parsed JSON and either raises
:class:`~lucidnet.persistence.ModelFileError` naming the first bad value, or
returns the arrays the archive must hold (name -> shape and dtypes), which
:meth:`lucidnet.modelfile.archive.Archive.expect` then checks header by header.
Nothing is constructed here: the layers, loss and optimizer are only looked up
in lucidnet's registries (a name outside them is refused, so no code a file
names can run) and their settings checked by type and range.

The rules, by field: text anywhere is valid UTF-8 (no lone surrogates) and
names are printable; numbers are finite (JSON's ``1e400`` is infinity); sizes
and counts are integers in range; lists have the length the network implies.
"""

from __future__ import annotations

from .values import check_all_text, check_settings, check_text, is_number
from .values import defaults as _defaults
from .values import is_int as _is_int

__all__ = ["check_manifest", "check_text", "is_number", "MAX_UNITS", "MAX_LAYERS"]

MAX_UNITS = 10_000_000   # units of one layer
MAX_LAYERS = 1_000
_FLOATS = ("float32", "float64")


def _check_layers(bad, specs) -> list[dict]:
    from ..core.activations import ACTIVATIONS
    from ..core.initializers import INITIALIZERS
    from ..core.layers import LAYERS

    if not isinstance(specs, list) or not 2 <= len(specs) <= MAX_LAYERS:
        raise bad(f"layers must be a list of 2 to {MAX_LAYERS} layer descriptions")
    seen = set()
    for i, spec in enumerate(specs):
        where = f"layer {i}"
        if not isinstance(spec, dict):
            raise bad(f"{where} must be a JSON object")
        kind = spec.get("kind")
        if not isinstance(kind, str) or kind not in LAYERS:
            raise bad(f"{where}: unknown layer kind {kind!r:.40}; known: {', '.join(sorted(LAYERS))}")
        if (kind == "Input") != (i == 0):
            raise bad(f"{where}: the first layer, and only the first, is an Input layer")
        allowed = {"Input": {"n_features"}, "Dense": {"units", "activation", "initializer",
                                                     "activation_params"},
                   "Dropout": {"rate"}}[kind] | {"kind", "name"}
        extra = sorted(set(spec) - allowed)
        if extra:
            raise bad(f"{where} ({kind}): unknown field {extra[0]!r:.40}")
        name = check_text(bad, spec.get("name"), f"{where}: the name", name=True)
        if name in seen:
            raise bad(f"{where}: layer name {name!r} is used twice")
        seen.add(name)
        size = spec.get("n_features") if kind == "Input" else spec.get("units")
        if kind != "Dropout" and not _is_int(size, 1, MAX_UNITS):
            raise bad(f"{where}: {'n_features' if kind == 'Input' else 'units'} must be an "
                      f"integer from 1 to {MAX_UNITS}, got {size!r:.40}")
        if kind == "Dropout" and not (is_number(spec.get("rate")) and 0 <= spec["rate"] < 1):
            raise bad(f"{where}: the dropout rate must be a number in [0, 1), "
                      f"got {spec.get('rate')!r:.40}")
        if kind == "Dense":
            act = spec.get("activation", "sigmoid")
            if not isinstance(act, str) or act not in ACTIVATIONS:
                raise bad(f"{where}: unknown activation {act!r:.40}; known: "
                          f"{', '.join(sorted(ACTIVATIONS))}")
            init = spec.get("initializer")
            if init is not None and (not isinstance(init, str) or init not in INITIALIZERS):
                raise bad(f"{where}: unknown initializer {init!r:.40}")
            if spec.get("activation_params") is not None:
                check_settings(bad, spec["activation_params"],
                                _defaults(type(ACTIVATIONS[act])),
                                f"{where}: activation_params")
    return specs


def _parameter_shapes(specs) -> dict:
    """``param/<i>/W`` ``(d_l, d_{l-1})`` and ``param/<i>/b`` ``(d_l, 1)`` of every Dense layer."""
    shapes, d_in = {}, None
    for i, spec in enumerate(specs):
        if spec["kind"] == "Input":
            d_in = spec["n_features"]
        elif spec["kind"] == "Dense":
            shapes[f"param/{i}/W"] = (spec["units"], d_in)
            shapes[f"param/{i}/b"] = (spec["units"], 1)
            d_in = spec["units"]
    return shapes


def check_manifest(bad, manifest: dict, has_digests: bool = False) -> dict:
    """Check every value of ``manifest``; return the expected arrays
    (name -> ``(shape, dtypes, required)``), ``state/`` ones included.

    ``has_digests``: the file records digests (:mod:`.digest`, checked next), so
    any edit is refused by them; a file without digests (lucidnet 0.1.0) also
    gets the consistency checks that only an edit can fail (:mod:`.train_state`).

    ``bad(message)`` makes the exception to raise (a ``ModelFileError`` naming the file).
    """
    from ..core.losses import LOSSES
    from ..optim.optimizers import OPTIMIZERS
    from .preprocessing import check_preprocessing

    check_all_text(bad, manifest)
    dtype = manifest.get("dtype")
    if dtype not in _FLOATS:
        raise bad(f"unsupported dtype {dtype!r:.40} (float32 or float64)")
    version = manifest.get("lucidnet_version")
    if version is not None:
        check_text(bad, version, "lucidnet_version", name=True)
    seed = manifest.get("seed")
    if seed is not None and not _is_int(seed, 0, 2**128):
        raise bad(f"seed must be null or an integer from 0 to 2**128, got {seed!r:.40}")
    loss = manifest.get("loss")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise bad(f"unknown loss {loss!r:.40}; known: {', '.join(sorted(LOSSES))}")
    check_settings(bad, manifest.get("loss_params") or {}, _defaults(type(LOSSES[loss])),
                    "loss_params")
    for key in ("l2", "l1"):
        value = manifest.get(key, 0.0)
        if not (is_number(value) and value >= 0):
            raise bad(f"{key} must be a non-negative finite number, got {value!r:.40}")
    opt = manifest.get("optimizer")
    if not isinstance(opt, dict) or not isinstance(opt.get("name"), str) \
            or opt["name"] not in OPTIMIZERS:
        name = opt.get("name") if isinstance(opt, dict) else opt
        raise bad(f"unknown optimizer {name!r:.40}; known: {', '.join(sorted(OPTIMIZERS))}")
    optimizer = OPTIMIZERS[opt["name"]]
    check_settings(bad, opt.get("config", {}), _defaults(optimizer), "optimizer.config")
    specs = _check_layers(bad, manifest.get("layers"))
    shapes = _parameter_shapes(specs)
    n_outputs = specs[-1].get("units") if specs[-1]["kind"] == "Dense" else None
    if n_outputs is None:
        raise bad("the last layer must be a Dense layer (the output)")
    check_preprocessing(bad, manifest.get("preprocessing"), specs[0]["n_features"],
                        n_outputs, specs[-1].get("activation", "sigmoid"))
    if not isinstance(manifest.get("training") or {}, dict):
        raise bad("training must be a JSON object")
    expected = {name: (shape, (dtype,), True) for name, shape in shapes.items()}
    state = manifest.get("train_state")
    if state is not None:
        from .train_state import check_train_state

        expected.update(check_train_state(bad, state, shapes, optimizer.buffers, dtype,
                                          lr=opt.get("config", {}).get("lr",
                                                                       optimizer.default_lr),
                                          has_digests=has_digests))
    return expected
