"""Export a network to a standard ONNX graph (for onnxruntime and other runtimes).

The graph is row-major, as runtimes expect: its input ``X`` is ``(N, d0)``
float32, and each Dense layer becomes one ``Gemm``::

    Z = X W^T + b^T        (Gemm with transB=1: W stays (d_l, d_{l-1}) as stored)
    A = sigma(Z)           (Sigmoid, Tanh, Relu, LeakyRelu, Elu, Softplus, Exp,
                            Identity, or Softmax over axis 1, the units)

which is the core's ``Z[l] = W[l] A[l-1] + b[l]`` transposed.  Dropout is the
identity at inference and is left out.  If the model file recorded a
standardization, the graph starts with ``(X - mean) / scale``; if it records input
transforms (a playground model: ``x1^2``, ``x1*x2``, ``sin(x1)``, ...), ``X`` holds the
raw columns and the graph computes the network's inputs from them; a regression
trained on standardized targets ends with ``A[L] * scale + mean`` (the
target's units, as :meth:`NeuralNetwork.predict`).

Outputs: ``output``, the network's ``A[L]`` ``(N, dL)`` (probabilities for a
sigmoid or softmax output, values for a regression), and, for a classifier,
``label``, the class index ``(N,)`` (argmax, or ``p >= 0.5``), int64; the
class names, when known, are in the model's metadata (``class_labels``, JSON).

Needs the ``onnx`` package (the ``onnx`` extra); lucidnet's core never imports it.
"""

from __future__ import annotations

import json

import numpy as np

__all__ = ["export_onnx", "to_onnx", "ONNX_OPSET"]

ONNX_OPSET = 17


def _activation_nodes(helper, act, inp, out):
    """ONNX node(s) computing ``out = sigma(inp)`` for a lucidnet activation."""
    simple = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "softplus": "Softplus",
              "exp": "Exp", "identity": "Identity"}
    name = act.name
    if name in simple:
        return [helper.make_node(simple[name], [inp], [out])]
    if name == "leaky_relu":
        return [helper.make_node("LeakyRelu", [inp], [out], alpha=float(act.alpha))]
    if name == "elu":
        return [helper.make_node("Elu", [inp], [out], alpha=float(act.alpha))]
    if name == "softmax":  # over the units of each example: axis 1 of (N, d_l)
        return [helper.make_node("Softmax", [inp], [out], axis=1)]
    raise ValueError(f"activation {name!r} has no ONNX equivalent in lucidnet's exporter; "
                     "export supports: " + ", ".join(sorted([*simple, "leaky_relu", "elu",
                                                             "softmax"])))


def _feature_nodes(helper, numpy_helper, features, d_raw, inp, nodes, inits) -> str:
    """Nodes computing the network's inputs from the raw columns ``inp`` ``(N, d_raw)``:
    one column per transform (``x_i``, ``x_i^2``, ``x_i x_j``, ``sin x_i``), concatenated."""
    from ..features import describe_feature

    def column(i):
        name = f"raw_{i}"
        if not any(name in node.output for node in nodes):
            inits.append(numpy_helper.from_array(np.array([i], np.int64), f"{name}.index"))
            nodes.append(helper.make_node("Gather", [inp, f"{name}.index"], [name], axis=1))
        return name                                                   # (N, 1)

    parts = []
    for k, feature in enumerate(features):
        kind, cols = describe_feature(feature, d_raw)
        out = f"feature_{k}"
        if kind == "column":
            nodes.append(helper.make_node("Identity", [column(cols[0])], [out]))
        elif kind == "square":
            nodes.append(helper.make_node("Mul", [column(cols[0]), column(cols[0])], [out]))
        elif kind == "product":
            nodes.append(helper.make_node("Mul", [column(cols[0]), column(cols[1])], [out]))
        else:
            nodes.append(helper.make_node("Sin", [column(cols[0])], [out]))
        parts.append(out)
    nodes.append(helper.make_node("Concat", parts, ["A0"], axis=1))   # (N, d0)
    return "A0"


def to_onnx(net, *, opset: int = ONNX_OPSET):
    """Build the ``onnx.ModelProto`` of ``net`` (see the module docstring)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from .._version import __version__
    from ..core.layers import Dense, Dropout, Input

    if not net.layers:
        raise ValueError("the network has no layers to export")
    nodes, inits = [], []
    d0 = net.n_features
    current = "X"
    stats = (net.preprocessing or {}).get("standardize")
    if stats:
        inits += [numpy_helper.from_array(np.asarray(stats["mean"], np.float32), "std_mean"),
                  numpy_helper.from_array(np.asarray(stats["scale"], np.float32), "std_scale")]
        nodes += [helper.make_node("Sub", ["X", "std_mean"], ["X_centered"]),
                  helper.make_node("Div", ["X_centered", "std_scale"], ["X_std"])]
        current = "X_std"
    features = (net.preprocessing or {}).get("input_features")
    if features:  # a playground model: A[0] computed from the raw columns (lucidnet.features)
        d0 = int(net.preprocessing["raw_inputs"])
        current = _feature_nodes(helper, numpy_helper, features, d0, current, nodes, inits)
    dense = [layer for layer in net.layers if isinstance(layer, Dense)]
    # a regression trained on standardized targets: output = A[L] * scale + mean
    target = None if net.is_classifier else (net.preprocessing or {}).get("target_standardize")
    for layer in net.layers:
        if isinstance(layer, (Input, Dropout)):
            continue  # Input is X itself; Dropout is the identity at inference
        if not isinstance(layer, Dense):
            raise ValueError(f"layer {layer.name!r} ({type(layer).__name__}) cannot be exported")
        W = layer.params["W"].astype(np.float32)                     # (d_l, d_{l-1})
        b = layer.params["b"].reshape(-1).astype(np.float32)        # (d_l,)
        inits += [numpy_helper.from_array(W, f"{layer.name}.W"),
                  numpy_helper.from_array(b, f"{layer.name}.b")]
        Z = f"{layer.name}.Z"
        A = f"{layer.name}.A" if layer is not dense[-1] else "output_std" if target else "output"
        nodes.append(helper.make_node("Gemm", [current, f"{layer.name}.W", f"{layer.name}.b"],
                                      [Z], transB=1))                 # X W^T + b
        nodes += _activation_nodes(helper, layer.activation, Z, A)
        current = A
    if target:
        inits += [numpy_helper.from_array(np.asarray(target["scale"], np.float32), "y_scale"),
                  numpy_helper.from_array(np.asarray(target["mean"], np.float32), "y_mean")]
        nodes += [helper.make_node("Mul", ["output_std", "y_scale"], ["output_scaled"]),
                  helper.make_node("Add", ["output_scaled", "y_mean"], ["output"])]
    dL = net.n_outputs
    outputs = [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", dL])]
    out_name = net.output_layer.activation.name
    if out_name == "softmax":
        nodes.append(helper.make_node("ArgMax", ["output"], ["label"], axis=1, keepdims=0))
    elif out_name == "sigmoid" and dL == 1:
        inits += [numpy_helper.from_array(np.array(0.5, np.float32), "half"),
                  numpy_helper.from_array(np.array([-1], np.int64), "flat")]
        nodes += [helper.make_node("GreaterOrEqual", ["output", "half"], ["is_one"]),
                  helper.make_node("Cast", ["is_one"], ["label_2d"], to=TensorProto.INT64),
                  helper.make_node("Reshape", ["label_2d", "flat"], ["label"])]
    if out_name == "softmax" or (out_name == "sigmoid" and dL == 1):
        outputs.append(helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]))
    graph = helper.make_graph(
        nodes, "lucidnet", [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", d0])],
        outputs, initializer=inits)
    model = helper.make_model(graph, producer_name="lucidnet", producer_version=__version__,
                              opset_imports=[helper.make_opsetid("", opset)])
    meta = {"lucidnet_layers": json.dumps([layer.get_config() for layer in net.layers])}
    labels = (net.preprocessing or {}).get("class_labels")
    if labels is not None:
        meta["class_labels"] = json.dumps(labels)
    names = (net.preprocessing or {}).get("feature_names")
    if names is not None:
        meta["feature_names"] = json.dumps(names)
    helper.set_model_props(model, meta)
    onnx.checker.check_model(model)
    return model


def export_onnx(net, path, *, opset: int = ONNX_OPSET) -> None:
    """Write ``net`` as an ONNX file at ``path`` (atomically).

    Parameters
    ----------
    net : NeuralNetwork
        A network (for example ``lucidnet.load("model.npz")`` or an estimator's ``net_``).
    path : str or Path
        Where to write the ``.onnx`` file.
    opset : int, default 17
        ONNX operator-set version.

    Raises
    ------
    ValueError
        If a layer or activation has no ONNX equivalent (a user-registered
        activation, for instance).
    ImportError
        If the ``onnx`` package is not installed (``pip install lucidnet[onnx]``).

    Example
    -------
    >>> export_onnx(lucidnet.load("model.npz"), "model.onnx")          # doctest: +SKIP
    >>> import onnxruntime as ort                                       # doctest: +SKIP
    >>> ort.InferenceSession("model.onnx").run(["output"], {"X": X.astype("float32")})
    """
    from ..atomic_files import atomic_write

    model = to_onnx(net, opset=opset)
    data = model.SerializeToString()
    atomic_write(path, lambda fh: fh.write(data))
