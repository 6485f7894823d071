"""Shared by the model commands (``predict``, ``evaluate``, ``info``, ``export``):
load a model file and read a CSV (through :mod:`lucidnet.data.csvfile`, the one reader),
turning every problem into one line.

Standard library only at module level (``lucidnet --help`` imports this package).
"""

from __future__ import annotations

from pathlib import Path

from . import CommandError

__all__ = ["load_model", "read_table", "numbers", "feature_matrix"]


def load_model(path, option: str = "--model"):
    """``lucidnet.load(path)``; a missing or bad file is a ``CommandError`` (exit 2)."""
    from ..errors import ModelFileError
    from ..modelfile.persistence import load

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


def feature_matrix(net, table, exclude=(), option: str = "--input"):
    """The model's input columns of ``table`` as floats ``(N, d0)``, raw (not yet
    standardized), and their names.

    Columns are picked by the feature names stored in the model file when the
    header has them all; otherwise every column not in ``exclude`` is a feature,
    in order, and their number must be the model's ``d0``.
    """
    d0 = net.n_features
    names = net.preprocessing.get("feature_names")
    header = table.header or [str(j + 1) for j in range(table.n_columns)]
    if names and table.header is not None and set(names) <= set(header):
        columns = [header.index(name) for name in names]
    else:
        columns = [j for j, name in enumerate(header) if name not in exclude]
        if len(columns) != d0:
            hint = f" (the model's features: {', '.join(names)})" if names else ""
            raise CommandError(f"{option}: {str(table.path)!r} has {len(columns)} feature "
                               f"columns, the model takes {d0}{hint}")
    return numbers(table, columns, option), [header[j] for j in columns]
