"""Which CSV columns are the model's features: by name when the file has a header.

A model trained on ``f1,f2,f3`` and given a file headed ``f1,f3,label`` used to
be fed ``f1, f3, label`` as if they were ``f1, f2, f3`` (and the output was
headed ``f1,f2,f3``).  The rule now, for ``predict`` and ``evaluate`` alike:

- **a file with a header row** is matched by name, in any order.  A feature
  of the model missing from the header is an error, and so is a column the
  model does not know, unless it is the model's own target column, the
  ``--target`` of ``evaluate``, or named with ``--ignore``.  Both lists are
  named in the message;
- **a header-less file** is taken by position and must have exactly the
  model's number of columns;
- a model without stored feature names (saved from Python) has nothing to
  match a header against: its columns are taken by position as well.

The table comes from the one CSV reader (``lucidnet.csvfile``): ``header``
(``None`` without one), ``n_columns`` and ``path``.  Standard library only.
"""

from __future__ import annotations

from . import CommandError

__all__ = ["feature_columns", "add_ignore_option", "ignored"]


def add_ignore_option(parser):
    parser.add_argument("--ignore", default="", metavar="COLUMNS",
                        help="comma-separated columns of the CSV that are not features "
                             "(e.g. an id); any other column the model does not know is "
                             "an error")


def ignored(args) -> list[str]:
    return [name.strip() for name in (getattr(args, "ignore", "") or "").split(",")
            if name.strip()]


def _names(names) -> str:
    return ", ".join(repr(n) for n in names)


def feature_columns(net, table, *, exclude=(), ignore=(), option: str = "--input") -> list[int]:
    """Positions of the model's features in ``table``, in the model's order.

    Parameters
    ----------
    net : NeuralNetwork
        ``net.preprocessing["feature_names"]`` (if stored) and ``net.n_features``.
    table : lucidnet.csvfile.Table
    exclude : names
        Columns that belong to the command (``evaluate``'s ``--target``).
    ignore : names
        Columns the user asked to skip (``--ignore``).

    Raises
    ------
    CommandError
        Missing or unknown columns (by name), a wrong column count (by position),
        an ``--ignore`` name that is not in the header.
    """
    d0 = net.n_features
    names = net.preprocessing.get("feature_names")
    path = str(table.path)
    header = table.header
    if header is not None:
        stray = [name for name in ignore if name not in header]
        if stray:
            raise CommandError(f"--ignore: no column {_names(stray)} in {path!r}; columns: "
                               f"{', '.join(header)}")
    if header is None:
        if table.n_columns != d0:
            raise CommandError(f"{option}: {path!r} has {table.n_columns} columns and no header "
                               f"row; the model takes {d0} features per row, in the order "
                               f"{_names(names) if names else 'of training'} (add a header "
                               "row to match the columns by name)")
        return list(range(d0))
    skip = set(exclude) | set(ignore)
    if not names:  # nothing to match against: by position, as before
        columns = [j for j, name in enumerate(header) if name not in skip]
        if len(columns) != d0:
            raise CommandError(f"{option}: {path!r} has {len(columns)} feature columns, the "
                               f"model takes {d0} (it stores no feature names to match)")
        return columns
    target = net.preprocessing.get("target")
    missing = [name for name in names if name not in header]
    unknown = [name for name in header if name not in names and name not in skip
               and name != target]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing {'column' if len(missing) == 1 else 'columns'} "
                         f"{_names(missing)}")
        if unknown:
            parts.append(f"{'a column' if len(unknown) == 1 else 'columns'} the model does "
                         f"not know: {_names(unknown)}")
        hint = (f"; not features? skip them with --ignore {','.join(unknown)}"
                if unknown and not missing else "")
        raise CommandError(f"{option}: {path!r} does not match the model's features "
                           f"({', '.join(names)}): {'; '.join(parts)}{hint}")
    return [header.index(name) for name in names]
