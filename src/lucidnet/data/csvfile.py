"""The one CSV reader of lucidnet: ``train --data``, ``predict --input``, ``evaluate --input``
and :func:`lucidnet.read_csv` all read through :func:`read_table`.

A file is decoded as UTF-8 (a leading byte-order mark is dropped) and split by
Python's :mod:`csv` module; then it is checked as a whole before any value is
used.  What every command gets, the same way:

- **Header or not**, decided by one rule (:func:`is_header`): the first
  non-empty row is a header when one of its cells is text that is not a
  number.  ``a,b`` is a header; ``1,2`` and ``nan,1`` are data.  A header's
  names are stripped, must be non-empty and unique.
- **Blank lines** are skipped; every other row has as many fields as the first.
- **Encoding problems** (bytes that are not UTF-8, a UTF-16 file, a NUL byte)
  are a :class:`CsvError` naming the line.
- **A field longer than** ``MAX_FIELD_CHARS`` is refused, naming the line
  (no number is that long; it is usually a missing closing quote).
- **Another delimiter**: a file whose first row is one field holding ``;`` or
  tabs is refused with a hint instead of being read as one column.
- **Numbers** (:meth:`Table.numbers`): missing, non-numeric and non-finite
  values (``nan``, ``inf``, ``1e400``, which overflows float64) are refused
  naming the line and the column.

Standard library only at module level except in :meth:`Table.numbers`, which
builds a NumPy array (``lucidnet --help`` imports the CLI, which imports this).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CsvError", "Table", "read_table", "is_header", "parse_number", "MAX_FIELD_CHARS"]

# csv's own default limit; a field this long is no number (and no class label).
MAX_FIELD_CHARS = 131_072
# Cells read as a missing value rather than as text.
# ("nan" is not among them: it parses, and is refused as not finite.)
MISSING = frozenset({"", "na", "n/a", "null", "none", "?", "-"})
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


class CsvError(ValueError):
    """A CSV file lucidnet cannot use; the message names the file, line and column."""


@dataclass(frozen=True)
class Table:
    """A CSV file as text: ``header`` (``None`` for a header-less file) and ``rows``.

    ``rows`` is a list of ``(line, cells)``: the line number in the file where
    the row starts (counted from 1) and its fields as strings, all of the same
    length ``n_columns``.
    """

    path: Path
    header: list[str] | None
    rows: list[tuple[int, list[str]]]

    @property
    def n_columns(self) -> int:
        return len(self.header) if self.header is not None else len(self.rows[0][1])

    def name(self, j: int) -> str:
        """How messages call column ``j``: its header name, else its number (from 1)."""
        return repr(self.header[j]) if self.header is not None else str(j + 1)

    def index(self, name: str, option: str = "column") -> int:
        """Position of the column called ``name``; a ``CsvError`` listing the columns if none."""
        if self.header is None or name not in self.header:
            have = ", ".join(self.header) if self.header is not None else "none (no header row)"
            raise CsvError(f"{self.path}: no {option} {name!r}; columns: {have}")
        return self.header.index(name)

    def cells(self, j: int) -> list[str]:
        """The stripped text of column ``j``, row by row."""
        return [cells[j].strip() for _, cells in self.rows]

    def numbers(self, columns):
        """The columns ``columns`` (positions) as a float64 array ``(N, len(columns))``.

        Raises
        ------
        CsvError
            For a missing, non-numeric or non-finite value, naming line and column.
        """
        import numpy as np

        X = np.empty((len(self.rows), len(columns)))
        for r, (line, cells) in enumerate(self.rows):
            for k, j in enumerate(columns):
                X[r, k] = parse_number(cells[j], self.path, line, self.name(j))
        return X


def parse_number(cell: str, path, line: int, column: str) -> float:
    """``float(cell)``, or a ``CsvError`` naming the line and column of a bad value."""
    text = cell.strip()
    where = f"{path}: line {line}, column {column}"
    if text.lower() in MISSING:
        raise CsvError(f"{where}: missing value ({cell!r}); fill or drop it first")
    try:
        if "_" in text:  # float() takes "1_000"; a CSV number does not
            raise ValueError
        value = float(text)
    except ValueError:
        raise CsvError(f"{where}: not a number: {_short(cell)}") from None
    if not math.isfinite(value):
        what = "NaN" if value != value else \
            "infinite" if text.lower().lstrip("+-").startswith("inf") else \
            "beyond the float64 range (about 1.8e308)"
        raise CsvError(f"{where}: not a finite number ({what}): {_short(cell)}")
    return value


def is_header(cells: list[str]) -> bool:
    """The one rule: a row is a header when some cell is text that is not a number."""
    return any(cell.strip() and not _is_number(cell) for cell in cells)


def read_table(path, *, header: bool | None = None, delimiter: str = ",",
               min_rows: int = 1, data: bytes | None = None) -> Table:
    """Read the CSV file ``path`` as a :class:`Table`.

    Parameters
    ----------
    path : str or Path
    header : bool or None
        ``None``: decide by :func:`is_header`; ``True``: the file must have a
        header row (a first row of numbers is an error); ``False``: no header.
    delimiter : str
        The field separator (``","``).
    min_rows : int
        Fewest data rows (besides the header) the file must have.
    data : bytes, optional
        The file's bytes, already in memory (an upload in ``lucidnet
        playground``): nothing is read from disk and ``path`` only names the
        file in messages.

    Raises
    ------
    FileNotFoundError
        No such file.
    CsvError
        (a ``ValueError``) A folder, unreadable or non-UTF-8 bytes, a NUL byte,
        a field over ``MAX_FIELD_CHARS``, another delimiter, ragged rows, empty
        or repeated column names, no data rows; the message names the line.

    Example
    -------
    >>> t = read_table("flowers.csv")                      # doctest: +SKIP
    >>> t.header, t.rows[0]                                 # doctest: +SKIP
    (['petal', 'stem', 'label'], (2, ['0.5', '1.2', 'yes']))
    """
    path = Path(path)
    text = _decode(path, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, start = [], 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise CsvError(f"{path}: line {start}: a field longer than {MAX_FIELD_CHARS} "
                           "characters (no number is that long; a missing closing "
                           "quote?)") from None
        raise CsvError(f"{path}: line {start}: not valid CSV ({exc})") from None
    if not rows:
        raise CsvError(f"{path}: the file holds no rows (it is empty)")
    _refuse_other_delimiter(path, rows, delimiter)
    first_line, first = rows[0]
    if header and not is_header(first):
        raise CsvError(f"{path}: line {first_line} holds numbers, not column names "
                       "(a header row naming the columns is needed)")
    names = None
    if is_header(first) if header is None else header:
        names = _check_names(path, first_line, first)
        rows = rows[1:]
    if len(rows) < min_rows:
        raise CsvError(f"{path}: needs {'a header row and ' if names else ''}at least "
                       f"{min_rows} data row{'s' if min_rows > 1 else ''}, found {len(rows)}")
    width = len(names) if names is not None else len(first)
    for line, cells in rows:
        if len(cells) != width:
            raise CsvError(f"{path}: line {line} has {len(cells)} fields, "
                           f"{'the header' if names else f'line {first_line}'} has {width}")
    return Table(path, names, rows)


def _decode(path: Path, data: bytes | None = None) -> str:
    try:
        data = path.read_bytes() if data is None else bytes(data)
    except FileNotFoundError:
        raise FileNotFoundError(f"no such CSV file: {str(path)!r}") from None
    except IsADirectoryError:
        raise CsvError(f"{path}: is a folder, not a CSV file") from None
    except OSError as exc:
        raise CsvError(f"{path}: cannot read it ({exc.strerror})") from None
    if data.startswith(_UTF16_32_BOMS):
        raise CsvError(f"{path}: line 1: the file is UTF-16 or UTF-32 text; save it as "
                       "UTF-8")
    data = data.removeprefix(b"\xef\xbb\xbf")  # the UTF-8 byte-order mark some editors write
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CsvError(f"{path}: line {line}: byte 0x{data[exc.start]:02x} is not UTF-8 "
                       "text (save the file as UTF-8)") from None
    nul = text.find("\x00")
    if nul >= 0:
        raise CsvError(f"{path}: line {text.count(chr(10), 0, nul) + 1}: a NUL byte "
                       "(a binary file, not CSV text)")
    return text


def _refuse_other_delimiter(path, rows, delimiter) -> None:
    """A first row of one field holding ';' or tabs: the file uses another separator."""
    if len(rows[0][1]) != 1:
        return
    for other, name in ((";", "';'"), ("\t", "tabs")):
        if other != delimiter and other in rows[0][1][0]:
            raise CsvError(f"{path}: line {rows[0][0]} is one field holding {name}: the file "
                           f"seems to separate values by {name}; lucidnet reads "
                           "comma-separated files (convert it, e.g. with pandas: "
                           f"pd.read_csv(path, sep={other!r}).to_csv(new_path, index=False))")


def _check_names(path, line: int, cells: list[str]) -> list[str]:
    names = [cell.strip() for cell in cells]
    for j, name in enumerate(names):
        if not name:
            raise CsvError(f"{path}: line {line}: column {j + 1} has no name in the header "
                           "(written with a row index? drop it, e.g. to_csv(index=False))")
        if not name.isprintable():
            raise CsvError(f"{path}: line {line}: column {j + 1}'s name {name!r} holds "
                           "control characters")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise CsvError(f"{path}: line {line}: column names must be unique; repeated: "
                       f"{', '.join(map(repr, repeated))}")
    return names


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return "_" not in text


def _short(cell: str, limit: int = 40) -> str:
    return repr(cell) if len(cell) <= limit else f"{cell[:limit]!r}... ({len(cell)} characters)"
