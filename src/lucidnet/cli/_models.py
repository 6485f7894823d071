"""Shared by the model commands (``predict``, ``evaluate``, ``info``, ``export``):
load a model file and read a CSV (through :mod:`lucidnet.data.csvfile`, the one reader),
turning every problem into one line.

Standard library only at module level (``lucidnet --help`` imports this package).
"""

from __future__ import annotations

from pathlib import Path

from . import CommandError

__all__ = ["add_model_argument", "model_path", "load_model", "read_table", "numbers",
           "feature_matrix"]

MODEL_HELP = "model file written by 'lucidnet train' or net.save() (.npz)"


def add_model_argument(parser, *, positional: bool):
    """``--model FILE`` on every model command; ``info``/``export`` also keep their
    older positional ``MODEL`` (``lucidnet info m.npz`` still works)."""
    if positional:
        parser.add_argument("model_positional", nargs="?", type=Path, metavar="MODEL",
                            help="the model file (same as --model)")
        parser.add_argument("--model", type=Path, metavar="FILE", help=MODEL_HELP)
    else:
        parser.add_argument("--model", type=Path, required=True, metavar="FILE",
                            help=MODEL_HELP)


def model_path(args) -> Path:
    """The model file from ``--model`` or the positional ``MODEL`` (exactly one)."""
    positional = getattr(args, "model_positional", None)
    if positional is not None and args.model is not None:
        raise CommandError("give the model file once: as --model FILE or as MODEL, not both")
    path = args.model if args.model is not None else positional
    if path is None:
        raise CommandError("--model: name the model file (--model FILE)")
    return path


def load_model(path, option: str = "--model"):
    """``lucidnet.load(path)``; a missing or bad file is a ``CommandError`` (exit 2)."""
    from ..errors import ModelFileError
    from ..modelfile.persistence import load

    if Path(path).is_dir():
        raise CommandError(f"{option}: {str(path)!r} is a folder, not a model file")
    try:
        return load(path)
    except FileNotFoundError:
        raise CommandError(f"{option}: no such file {str(path)!r}") from None
    except ModelFileError as exc:
        raise CommandError(f"{option}: {exc}") from None


def read_table(path: Path, option: str = "--input", header: bool | None = None):
    """:func:`lucidnet.data.csvfile.read_table`; every problem is a ``CommandError`` naming
    ``option`` (and the file's line)."""
    from ..data.csvfile import read_table as read

    try:
        return read(path, header=header)
    except FileNotFoundError:
        raise CommandError(f"{option}: no such file {str(path)!r}") from None
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}") from None


def numbers(table, columns, option: str = "--input"):
    """``table.numbers(columns)`` (``(N, len(columns))``); a bad cell is a ``CommandError``."""
    try:
        return table.numbers(columns)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}") from None


def feature_matrix(net, table, exclude=(), ignore=(), option: str = "--input"):
    """The model's input columns of ``table`` as floats ``(N, d0)``, raw (not yet
    standardized), and their names.

    A file with a header is matched by name (missing and unknown columns are
    errors naming them), a header-less one by position: see :mod:`._columns`.
    """
    from ._columns import feature_columns

    columns = feature_columns(net, table, exclude=exclude, ignore=ignore, option=option)
    header = table.header or [str(j + 1) for j in range(table.n_columns)]
    return numbers(table, columns, option), [header[j] for j in columns]
