"""``lucidnet info --model MODEL`` (or ``lucidnet info MODEL``): what a model file holds.

The architecture (one line per layer: kind, units, activation, parameter
count), the total parameter count, loss, penalty and optimizer, the stored
preprocessing (feature names, standardization, class labels) and the training
record.  ``--json`` prints the same as JSON.
"""

from __future__ import annotations

import json

from ._models import add_model_argument

ORDER = 30


def register(subparsers):
    parser = subparsers.add_parser("info", help="architecture, parameter count and training "
                                   "record of a model file",
                                   description=" ".join(__doc__.split("\n\n")[:2]))
    add_model_argument(parser, positional=True)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=run)
    return parser


def summary(net, path) -> dict:
    """The model's description as a JSON-able dict."""
    from ..modelfile.persistence import read

    manifest, _ = read(path)
    layers = []
    for layer in net.layers:
        entry = {"name": layer.name, "kind": type(layer).__name__, "units": layer.units,
                 "parameters": int(sum(p.size for p in layer.params.values()))}
        if hasattr(layer, "activation"):
            entry["activation"] = layer.activation.name
        if hasattr(layer, "rate"):
            entry["rate"] = layer.rate
        layers.append(entry)
    return {"file": str(path), "format_version": manifest.get("format_version"),
            "lucidnet_version": manifest.get("lucidnet_version"), "dtype": net.dtype.name,
            "layers": layers, "parameters": int(net.n_params), "loss": net.loss_obj.name,
            "l2": net.l2, "l1": net.l1,
            "optimizer": {"name": net.optimizer.name, **net.optimizer.get_config()},
            "preprocessing": net.preprocessing, "training": net.training_record,
            # read() checked each member against its SHA-256 digest, when the file has them
            "digests_checked": len(manifest["sha256"]) if "sha256" in manifest else 0}


def run(args) -> int:
    from ._models import load_model, model_path

    path = model_path(args)
    net = load_model(path)
    info = summary(net, path)
    if args.json:
        print(json.dumps(info, indent=2, default=str))
        return 0
    print(f"{info['file']}: lucidnet model (format {info['format_version']}, written by "
          f"lucidnet {info['lucidnet_version']}), {info['dtype']}")
    print(f"integrity: the SHA-256 digests of all {info['digests_checked']} members match"
          if info["digests_checked"] else "integrity: no digests recorded (written before "
          "lucidnet recorded them); its values were checked, an edit of them cannot be detected")
    print("architecture: " + " -> ".join(str(layer["units"]) for layer in info["layers"]
                                         if layer["kind"] != "Dropout"))
    print(f"  {'#':>2}  {'name':<10} {'kind':<8} {'units':>6}  {'activation':<11} "
          f"{'parameters':>10}")
    for i, layer in enumerate(info["layers"]):
        act = layer.get("activation", f"rate {layer['rate']:g}" if "rate" in layer else "")
        print(f"  {i:>2}  {layer['name']:<10} {layer['kind']:<8} {layer['units']:>6}  "
              f"{act:<11} {layer['parameters'] or '':>10}")
    print(f"parameters: {info['parameters']}")
    penalty = ", ".join(f"{k}={info[k]:g}" for k in ("l2", "l1") if info[k]) or "none"
    opt = info["optimizer"]
    print(f"loss: {info['loss']}; penalty: {penalty}; optimizer: {opt['name']} ("
          + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                      for k, v in opt.items() if k != "name") + ")")
    pre = info["preprocessing"]
    if pre.get("feature_names"):
        print("features: " + ", ".join(pre["feature_names"]))
    if pre.get("standardize"):
        print("standardization: (x - mean) / scale, stored for "
              f"{len(pre['standardize']['mean'])} features")
    if pre.get("class_labels") is not None:
        print("classes: " + ", ".join(map(str, pre["class_labels"])))
    extra = {k: v for k, v in pre.items()
             if k not in ("feature_names", "standardize", "class_labels")}
    for key, value in extra.items():
        print(f"{key}: {value}")
    if info["training"]:
        print("training record:")
        for key, value in info["training"].items():
            text = f"{value:.6g}" if isinstance(value, float) else json.dumps(value) \
                if isinstance(value, (dict, list)) else str(value)
            print(f"  {key}: {text}")
    else:
        print("training record: none")
    return 0
