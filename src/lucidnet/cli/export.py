"""``lucidnet export MODEL OUT``: write a model file as a standard ONNX graph.

The graph takes rows ``X`` ``(N, d0)`` float32 (the stored standardization is
part of it) and returns ``output`` (probabilities or values) and, for a
classifier, ``label``.  Needs the ``onnx`` package (``pip install lucidnet[onnx]``).
"""

from __future__ import annotations

from pathlib import Path

from . import CommandError

ORDER = 40


def register(subparsers):
    parser = subparsers.add_parser("export", help="export a model file to ONNX",
                                   description=" ".join(__doc__.split("\n\n")[:2]))
    parser.add_argument("model", type=Path, metavar="MODEL",
                        help="model file written by 'lucidnet train' or net.save() (.npz)")
    parser.add_argument("out", type=Path, metavar="OUT", help="ONNX file to write (.onnx)")
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    from ._models import load_model

    net = load_model(args.model, option="MODEL")
    if args.out.suffix != ".onnx":
        raise CommandError(f"OUT: ONNX files end in .onnx, got {str(args.out)!r}")
    if not args.out.parent.is_dir():
        raise CommandError(f"OUT: no such folder {str(args.out.parent)!r}")
    try:
        from ..modelfile.onnx_export import export_onnx
        import onnx  # noqa: F401
    except ImportError:
        raise CommandError("the onnx package is not installed "
                           "(pip install 'lucidnet[onnx]')", status=1) from None
    try:
        export_onnx(net, args.out)
    except ValueError as exc:
        raise CommandError(f"MODEL: {exc}") from None
    out = net.output_layer.activation.name
    label = out == "softmax" or (out == "sigmoid" and net.n_outputs == 1)
    d_in = net.preprocessing.get("raw_inputs") or net.n_features  # raw columns if transformed
    print(f"wrote {args.out}: input X (N, {d_in}) float32; outputs: output "
          f"(N, {net.n_outputs}){', label (N,)' if label else ''}; {net.n_params} parameters")
    return 0
