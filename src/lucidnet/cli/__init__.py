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

import importlib
import os
import pkgutil
import sys

from .._startup import interruptible_start, running_the_command

with interruptible_start():
    from ._parser import Parser, refuse_unknown_options, unknown_option_message

__all__ = ["main", "build_parser", "CommandError", "Parser"]


class CommandError(Exception):
    """A user error found while running a command: print one line, exit ``status``."""

    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.status = status


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
        epilog=EXIT_STATUS,
    )
    parser.add_argument("--version", action="version", version=f"lucidnet {__version__}",
                        help="print the lucidnet version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                title="commands (run 'lucidnet COMMAND --help' for details)")
    for module in _subcommand_modules():
        module.register(sub)
    parser.commands = dict(sub.choices)  # name -> subparser, for "did you mean"
    return parser


EXIT_STATUS = """exit status: 0 done; 1 training diverged (or a gradient check failed with
--strict-grad-check); 2 a problem with the options, an input file or
the output folder (the message names it); 3 an internal error (a bug in lucidnet:
please report it; LUCIDNET_TRACEBACK=1 shows the Python traceback); 130 interrupted."""


def main(argv=None) -> int:
    """Entry point of the ``lucidnet`` console script; returns the exit status.

    This is the CLI's one error boundary: whatever a command raises ends as one
    line on stderr and an exit status (:data:`EXIT_STATUS`), never a traceback.
    Ctrl-C included, from the first import on: during the package's imports
    (:mod:`lucidnet._startup`), while the parser is built (the subcommands'
    imports) and while a command runs.
    """
    try:
        return _main(argv)
    except KeyboardInterrupt:  # while importing or parsing, before a command ran
        print("lucidnet: interrupted", file=sys.stderr)
        return 130
    finally:
        if running_the_command():
            # The command is over and has said so: a Ctrl-C while the interpreter
            # shuts down (tearing down NumPy and matplotlib takes a moment) would only
            # replace the exit status by death from the signal (-2), without a word.
            import signal

            from ..atomic_files import sigint_hook

            signal.signal(signal.SIGINT, signal.SIG_IGN)
            sigint_hook("exit")  # tests: Ctrl-C as the interpreter shuts down


def _main(argv) -> int:
    parser = build_parser()
    refuse_unknown_options(list(sys.argv[1:] if argv is None else argv), parser)
    args, extras = parser.parse_known_args(argv)
    if extras:
        command = parser.commands.get(getattr(args, "command", None), parser)
        command.error(unknown_option_message(extras, command))
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    name = f"lucidnet {args.command}"
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"{name}: error: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``lucidnet predict ... | head``): not an error of
        # ours.  Point stdout at devnull so the interpreter's final flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # the file system said no: name the file and the reason
        print(f"{name}: error: {_os_error_text(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"{name}: error: out of memory (fewer samples, smaller layers or "
              "--batch-size may help)", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of ours: still one line, unless asked for more
        if os.environ.get("LUCIDNET_TRACEBACK"):
            raise
        print(f"{name}: internal error: {type(exc).__name__}: {exc} (a bug in lucidnet; "
              "please report it with the command; LUCIDNET_TRACEBACK=1 shows where)",
              file=sys.stderr)
        return 3


def _os_error_text(exc: OSError) -> str:
    """``'out/model.npz': Permission denied`` from an OSError (both paths of a rename)."""
    reason = exc.strerror or str(exc)
    if isinstance(exc, IsADirectoryError):
        reason = "is a folder, not a file"
    paths = [p for p in (exc.filename, exc.filename2) if p is not None]
    # an atomic write renames a hidden temporary file: name the file the user gave
    shown = [str(p) for p in paths if not os.path.basename(str(p)).startswith(".")] or \
        [str(p) for p in paths]
    return f"{shown[-1]!r}: {reason}" if shown else reason
