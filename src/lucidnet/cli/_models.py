"""Shared by the model commands (``predict``, ``evaluate``, ``info``, ``export``):
load a model file and read a labelled CSV, turning every problem into one line.

Standard library only at module level (``lucidnet --help`` imports this package).
"""

from __future__ import annotations

import csv
from pathlib import Path

from . import CommandError

__all__ = ["load_model", "read_table", "feature_matrix"]


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


def read_table(path: Path, option: str = "--input") -> tuple[list[str], list[tuple[int, list]]]:
    """A CSV file with a header row: ``(header, [(line number, cells), ...])``."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = [(i, row) for i, row in enumerate(csv.reader(fh), start=1)
                    if any(cell.strip() for cell in row)]
    except FileNotFoundError:
        raise CommandError(f"{option}: no such file {str(path)!r}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CommandError(f"{option}: cannot read {str(path)!r} ({exc})") from None
    if len(rows) < 2:
        raise CommandError(f"{option}: {str(path)!r} needs a header row and at least one "
                           "data row")
    header = [cell.strip() for cell in rows[0][1]]
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise CommandError(f"{option}: line {line} of {str(path)!r} has {len(row)} "
                               f"fields, the header has {len(header)}")
    return header, rows[1:]


def feature_matrix(net, header, rows, path, exclude=(), option: str = "--input"):
    """The model's input columns as floats ``(N, d0)``, raw (not yet standardized).

    Columns are picked by the feature names stored in the model file when the
    header has them all; otherwise every column not in ``exclude`` is a feature,
    in order, and their number must be the model's ``d0``.
    """
    import numpy as np

    d0 = net.n_features
    names = net.preprocessing.get("feature_names")
    if names and set(names) <= set(header):
        columns = [header.index(name) for name in names]
    else:
        columns = [j for j, name in enumerate(header) if name not in exclude]
        if len(columns) != d0:
            hint = f" (the model's features: {', '.join(names)})" if names else ""
            raise CommandError(f"{option}: {str(path)!r} has {len(columns)} feature columns, "
                               f"the model takes {d0}{hint}")
    X = np.empty((len(rows), len(columns)))
    for r, (line, row) in enumerate(rows):
        for k, j in enumerate(columns):
            try:
                X[r, k] = float(row[j])
            except ValueError:
                raise CommandError(f"{option}: line {line}, column {header[j]!r} of "
                                   f"{str(path)!r} is not a number: {row[j]!r}") from None
    if not np.isfinite(X).all():
        raise CommandError(f"{option}: {str(path)!r} holds non-finite feature values")
    return X, [header[j] for j in columns]
