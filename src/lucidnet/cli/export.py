"""``lucidnet export --model MODEL --output OUT.onnx`` (or ``lucidnet export MODEL OUT``):
write a model file as a standard ONNX graph.

The graph takes rows ``X`` ``(N, d0)`` float32 (the stored standardization is
part of it) and returns ``output`` (probabilities or values) and, for a
classifier, ``label``.  Needs the ``onnx`` package (``pip install lucidnet[onnx]``).
"""

from __future__ import annotations

from pathlib import Path

from . import CommandError
from ._models import add_model_argument

ORDER = 40


def register(subparsers):
    parser = subparsers.add_parser("export", help="export a model file to ONNX",
                                   description=" ".join(__doc__.split("\n\n")[:2]))
    add_model_argument(parser, positional=True)
    parser.add_argument("out_positional", nargs="?", type=Path, metavar="OUT",
                        help="the ONNX file to write (same as --output)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="ONNX file to write (.onnx)")
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    from ._models import load_model, model_path

    net = load_model(model_path(args))
    if args.out_positional is not None and args.output is not None:
        raise CommandError("give the ONNX file once: as --output FILE or as OUT, not both")
    args.out = args.output if args.output is not None else args.out_positional
    if args.out is None:
        raise CommandError("--output: name the ONNX file to write (--output FILE.onnx)")
    if args.out.suffix != ".onnx":
        raise CommandError(f"--output: ONNX files end in .onnx, got {str(args.out)!r}")
    if not args.out.parent.is_dir():
        raise CommandError(f"--output: no such folder {str(args.out.parent)!r}")
    try:
        from ..modelfile.onnx_export import export_onnx
        import onnx  # noqa: F401
    except ImportError:
        raise CommandError("the onnx package is not installed "
                           "(pip install 'lucidnet[onnx]')", status=1) from None
    try:
        export_onnx(net, args.out)
    except ValueError as exc:
        raise CommandError(f"--model: {exc}") from None
    out = net.output_layer.activation.name
    label = out == "softmax" or (out == "sigmoid" and net.n_outputs == 1)
    d_in = net.preprocessing.get("raw_inputs") or net.n_features  # raw columns if transformed
    print(f"wrote {args.out}: input X (N, {d_in}) float32; outputs: output "
          f"(N, {net.n_outputs}){', label (N,)' if label else ''}; {net.n_params} parameters")
    return 0
