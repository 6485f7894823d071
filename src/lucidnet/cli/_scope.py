"""Options of ``lucidnet train`` that only make sense beside others.

``--noise 0.5 --data houses.csv`` used to be accepted and ignored: the user
believed the noise was changed.  :func:`refuse_options_that_do_not_apply`
makes such a pair an error naming both sides.  Only options the user typed
count (``args._given``, see ``_parser``); defaults never do.

Standard library only at module level, and the toy data sets' names from
:mod:`lucidnet.data`, the one list of them (and of those with a number of classes).
"""

from __future__ import annotations

from ..data import TOY_DATASETS, WITH_N_CLASSES
from . import CommandError
from ._parser import given

__all__ = ["refuse_options_that_do_not_apply"]

# option dest -> (the option it needs, its flag)
NEEDS = {"min_delta": ("early_stopping", "--early-stopping"),
         "frames": ("animate", "--animate"),
         "diagnostics_every": ("diagnostics", "--diagnostics")}


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def refuse_options_that_do_not_apply(args) -> None:
    """A ``CommandError`` for the first typed option the chosen data or options ignore."""
    typed = given(args)
    if args.data is not None:
        source, toy = f"--data {args.data}", False
    else:
        dataset = args.dataset or "moons"
        source, toy = f"--dataset {dataset}", dataset in TOY_DATASETS
    for dest in ("n_samples", "noise", "n_classes"):
        if dest in typed and not toy:
            raise CommandError(f"{_flag(dest)} applies to the generated toy data sets "
                               f"({', '.join(TOY_DATASETS)}), not to {source}")
    if "n_classes" in typed and toy and (args.dataset or "moons") not in WITH_N_CLASSES:
        raise CommandError(f"--n-classes applies to {' and '.join(WITH_N_CLASSES)}, not to "
                           f"{source} (it has two classes)")
    if "task" in typed and args.data is None:
        raise CommandError(f"--task applies to --data CSV files, not to {source}")
    if "no_standardize" in typed and toy:
        raise CommandError(f"--no-standardize applies to real data and CSV files; {source} "
                           "is used as generated (never standardized)")
    for dest, (needed, flag) in NEEDS.items():
        if dest in typed and not getattr(args, needed, None):
            raise CommandError(f"{_flag(dest)} needs {flag}")
