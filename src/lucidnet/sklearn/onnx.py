"""skl2onnx converters for the Lucid estimators, so whole pipelines export to ONNX.

After :func:`register_converters`, ``skl2onnx.to_onnx`` converts any pipeline
that holds a :class:`LucidClassifier` or :class:`LucidRegressor` (a
``StandardScaler`` in front, a ``ColumnTransformer``, ...), just as it converts
one holding ``MLPClassifier``.  The network's part of the graph is not written
a second time here: the converter asks lucidnet's own exporter
(:func:`lucidnet.modelfile.onnx_export.to_onnx`) for the graph of the fitted ``net_``
and copies its nodes and initializers into skl2onnx's graph under fresh names.
What it adds is what skl2onnx's classifiers promise downstream::

    probabilities = [1 - p, p]               (one sigmoid output)
                  = A[L]                     (softmax over the classes)
    label         = classes_[index]          (the exporter's class index)

and, for a regressor, ``variable = A[L]`` ``(N, n_outputs)``.

The exporter computes in float32; a double-precision input is cast to float32
on the way in and the outputs back to double.  Needs the ``onnx`` extra
(``pip install "lucidnet[onnx]"``, which brings skl2onnx).
"""

from __future__ import annotations

import numpy as np

__all__ = ["register_converters"]

_CLASSIFIER_ALIAS = "LucidnetLucidClassifier"
_REGRESSOR_ALIAS = "LucidnetLucidRegressor"


def register_converters() -> None:
    """Teach skl2onnx to convert :class:`LucidClassifier` and :class:`LucidRegressor`.

    Call it once before ``skl2onnx.to_onnx`` (calling it again is harmless).
    The classifier takes skl2onnx's options for classifiers: ``zipmap``
    (``True``, ``False`` or ``"columns"``) and ``nocl`` (labels as class indices).

    Raises
    ------
    ImportError
        If skl2onnx is not installed (``pip install "lucidnet[onnx]"``).

    Example
    -------
    >>> from skl2onnx import to_onnx                                     # doctest: +SKIP
    >>> register_converters()                                            # doctest: +SKIP
    >>> onx = to_onnx(pipeline, X[:1].astype("float32"), options={"zipmap": False})
    """
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes

    from ._estimators import LucidClassifier, LucidRegressor

    update_registered_converter(LucidClassifier, _CLASSIFIER_ALIAS,
                                calculate_linear_classifier_output_shapes, _convert_classifier,
                                options={"zipmap": [True, False, "columns"],
                                         "nocl": [False, True]})
    update_registered_converter(LucidRegressor, _REGRESSOR_ALIAS, _regressor_shapes,
                                _convert_regressor)


def _regressor_shapes(operator) -> None:
    """skl2onnx shape calculator: ``variable`` is ``(N, n_outputs_)``, of the input's float type."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    N = operator.inputs[0].get_first_dimension()
    kind = DoubleTensorType if isinstance(operator.inputs[0].type, DoubleTensorType) \
        else FloatTensorType
    operator.outputs[0].set_type(kind([N, operator.raw_operator.n_outputs_]))


def _inline_network(scope, operator, container) -> dict[str, str]:
    """Copy the exporter's graph of ``net_`` into ``container``; return its output names.

    Every value of that graph gets a fresh skl2onnx name, except its input ``X``,
    which becomes this operator's input (cast to float32, the exporter's type).
    """
    from onnx import TensorProto, helper

    from ..modelfile.onnx_export import to_onnx

    graph = to_onnx(operator.raw_operator.net_).graph
    source = operator.inputs[0].full_name
    X = scope.get_unique_variable_name("lucid_X")
    container.add_node("Cast", [source], [X], to=TensorProto.FLOAT,
                       name=scope.get_unique_operator_name("Cast"))
    names = {"X": X}

    def rename(name):
        if name not in names:
            names[name] = scope.get_unique_variable_name(f"lucid_{name}")
        return names[name]

    for tensor in graph.initializer:
        container.add_initializer(rename(tensor.name), None, None, tensor)
    for node in graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        container.add_node(node.op_type, [rename(n) for n in node.input],
                           [rename(n) for n in node.output], op_domain=node.domain,
                           name=scope.get_unique_operator_name(f"lucid_{node.op_type}"),
                           **attrs)
    return {out.name: names[out.name] for out in graph.output}


def _cast_out(scope, container, name, target, like) -> None:
    """``target = name``, cast to the type skl2onnx declared for ``like`` (float or double)."""
    from onnx import TensorProto
    from skl2onnx.common.data_types import DoubleTensorType

    to = TensorProto.DOUBLE if isinstance(like.type, DoubleTensorType) else TensorProto.FLOAT
    container.add_node("Cast", [name], [target], to=to,
                       name=scope.get_unique_operator_name("Cast"))


def _convert_classifier(scope, operator, container) -> None:
    """skl2onnx converter: outputs ``label`` ``(N,)`` and ``probabilities`` ``(N, n_classes)``."""
    from onnx import TensorProto
    from skl2onnx.common.utils_classifier import get_label_classes

    est = operator.raw_operator
    if est.n_outputs_ > 1 and est.out_activation_ != "softmax":  # one sigmoid per label
        raise ValueError("the skl2onnx converter handles binary and multiclass "
                         "LucidClassifiers; for a multi-label one export its network "
                         "with lucidnet.modelfile.onnx_export.to_onnx(estimator.net_)")
    out = _inline_network(scope, operator, container)
    label_out, proba_out = operator.outputs[0], operator.outputs[1]
    P = out["output"]                                                     # (N, dL)
    if est.n_outputs_ == 1:  # one sigmoid unit: p is P(classes_[1])
        one = scope.get_unique_variable_name("one")
        q = scope.get_unique_variable_name("one_minus_p")
        container.add_initializer(one, TensorProto.FLOAT, [], [1.0])
        container.add_node("Sub", [one, P], [q], name=scope.get_unique_operator_name("Sub"))
        both = scope.get_unique_variable_name("proba")
        container.add_node("Concat", [q, P], [both], axis=1,
                           name=scope.get_unique_operator_name("Concat"))
        P = both                                                          # (N, 2)
    _cast_out(scope, container, P, proba_out.full_name, proba_out)

    # label = classes_[index], with the class index the exporter computed
    classes = np.asarray(get_label_classes(scope, est))  # classes_, or indices for nocl
    # skl2onnx's classifiers give numeric labels as int64 (scikit-learn accepts
    # float labels only when they are whole numbers)
    if classes.dtype.kind in "biuf":
        kind, values = TensorProto.INT64, classes.astype(np.int64)
    else:
        kind, values = TensorProto.STRING, np.array([str(c).encode("utf-8") for c in classes])
    table = scope.get_unique_variable_name("classes")
    container.add_initializer(table, kind, list(values.shape), values.tolist())
    picked = scope.get_unique_variable_name("picked_label")
    container.add_node("ArrayFeatureExtractor", [table, out["label"]], [picked],
                       op_domain="ai.onnx.ml",
                       name=scope.get_unique_operator_name("ArrayFeatureExtractor"))
    flat = scope.get_unique_variable_name("flat")
    container.add_initializer(flat, TensorProto.INT64, [1], [-1])
    container.add_node("Reshape", [picked, flat], [label_out.full_name],
                       name=scope.get_unique_operator_name("Reshape"))


def _convert_regressor(scope, operator, container) -> None:
    """skl2onnx converter: ``variable`` is the network's output ``(N, n_outputs)``."""
    out = _inline_network(scope, operator, container)
    target = operator.outputs[0]
    _cast_out(scope, container, out["output"], target.full_name, target)
