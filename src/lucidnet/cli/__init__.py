"""The ``lucidnet`` command line: ``lucidnet train``, ``lucidnet predict``, ...

Layout, so that a new subcommand is one new module and nothing else:

- this file: :func:`main`, the top-level parser and the subcommand registry;
- ``_options.py``: argparse ``type=`` functions (a bad value exits with status 2
  and one line naming the option);
- one module per subcommand (``train.py``, ``predict.py``, ...).  A subcommand
  module defines ``register(subparsers)``, which adds its parser and sets
  ``func`` (called with the parsed ``args``, returns the exit status), and
  optionally ``ORDER`` (its place in ``--help``; default 100).

Subcommand modules are found by scanning this package, so adding one touches
no shared list.  They must import only the standard library and
``lucidnet._options`` at module level: ``lucidnet --help`` and ``--version``
import neither NumPy-heavy extras, scikit-learn, matplotlib nor torch.  Heavy
imports go inside the command functions.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys

__all__ = ["main", "build_parser", "CommandError", "Parser"]


class CommandError(Exception):
    """A user error found while running a command: print one line, exit ``status``."""

    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.status = status


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (status 2) instead of usage + message.

    It also reads ``-1,0.5`` (a point with a negative first coordinate) as a
    value, not as an unknown option: argparse only knows plain negative numbers.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-\.?\d[\d.eE+-]*(,\s*[-+]?[\d.eE+-]+)*$")

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _subcommand_modules():
    """The subcommand modules of this package, in ``ORDER`` then name order."""
    modules = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "register"):
            modules.append(module)
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


def build_parser() -> Parser:
    """The top-level parser with every registered subcommand."""
    from .. import __version__

    parser = Parser(
        prog="lucidnet",
        description="Feed-forward neural networks from scratch in NumPy. "
                    "'lucidnet train' with no options runs the reference experiment "
                    "(two moons, 2-16-32-1 sigmoid network, 2000 epochs).",
    )
    parser.add_argument("--version", action="version", version=f"lucidnet {__version__}",
                        help="print the lucidnet version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                title="commands (run 'lucidnet COMMAND --help' for details)")
    for module in _subcommand_modules():
        module.register(sub)
    return parser


def main(argv=None) -> int:
    """Entry point of the ``lucidnet`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"lucidnet {args.command}: error: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print(f"lucidnet {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``lucidnet predict ... | head``): not an error of
        # ours.  Point stdout at devnull so the interpreter's final flush is quiet.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
