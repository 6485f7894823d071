"""The argparse layer of the CLI: one-line errors, "did you mean", options given once.

- :class:`Parser` prints ``lucidnet train: error: ... (see 'lucidnet train --help')``
  (one line, status 2) instead of argparse's usage block, and shows help text
  without the RST markup of our docstrings (````lucidnet train```` reads
  ``'lucidnet train'``).
- A single-value option given twice (``--points 1,2 --points 3,4``) is an error:
  argparse would keep the last one and silently drop the first.
- Every option given on the command line is remembered in ``args._given`` (a set
  of ``dest`` names), so a command can refuse options that do not apply to the
  chosen data (:func:`given`).
- :func:`unknown_option_message` suggests the closest option for a misspelt one
  (``--learning-rate`` -> ``--lr``).

Standard library only (``lucidnet --help`` imports this).
"""

from __future__ import annotations

import argparse
import difflib
import re

__all__ = ["Parser", "given", "unknown_option_message", "refuse_unknown_options"]

# Names users bring from other libraries, and what we call the same thing.
SYNONYMS = {
    "--learning-rate": "--lr", "--eta": "--lr", "--learningrate": "--lr",
    "--hidden": "--layers", "--hidden-layers": "--layers", "--hidden-layer-sizes": "--layers",
    "--epoch": "--epochs", "--max-iter": "--epochs", "--n-epochs": "--epochs",
    "--random-state": "--seed", "--output-dir": "--out", "--outdir": "--out",
    "--batch": "--batch-size", "--activation-function": "--activation",
    "--alpha": "--l2", "--weight-decay": "--l2",
}


def given(args) -> set:
    """The ``dest`` names of the options the user typed (not defaults)."""
    return getattr(args, "_given", set())


def _remember(namespace, dest):
    seen = getattr(namespace, "_given", None)
    if seen is None:
        seen = set()
        setattr(namespace, "_given", seen)
    seen.add(dest)


class _StoreOnce(argparse._StoreAction):
    """``store``, but a second occurrence of the option is an error."""

    def __call__(self, parser, namespace, values, option_string=None):
        if self.option_strings:
            if self.dest in given(namespace):
                names = "/".join(self.option_strings)
                parser.error(f"argument {names}: given twice; give it once"
                             + (" with all values after it" if self.nargs in ("+", "*") else ""))
            _remember(namespace, self.dest)
        super().__call__(parser, namespace, values, option_string)


class _StoreTrue(argparse._StoreTrueAction):
    def __call__(self, parser, namespace, values, option_string=None):
        _remember(namespace, self.dest)
        super().__call__(parser, namespace, values, option_string)


def _plain(text: str) -> str:
    """Help text without RST markup: ````x```` -> ``'x'``."""
    return re.sub(r"``(.+?)``", r"'\1'", text, flags=re.S)  # may span a line break


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (status 2) instead of usage + message.

    It also reads ``-1,0.5`` (a point with a negative first coordinate) as a
    value, not as an unknown option: argparse only knows plain negative numbers.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-\.?\d[\d.eE+-]*(,\s*[-+]?[\d.eE+-]+)*$")
        self.register("action", None, _StoreOnce)
        self.register("action", "store", _StoreOnce)
        self.register("action", "store_true", _StoreTrue)

    def format_help(self):
        return _plain(super().format_help())

    def format_usage(self):
        return _plain(super().format_usage())

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _option_strings(parser) -> list[str]:
    return [s for action in parser._actions for s in action.option_strings if s.startswith("--")]


def suggestion(token: str, parser) -> str | None:
    """The option of ``parser`` closest to the unknown ``token`` (``--name`` or ``--name=v``)."""
    name = token.split("=", 1)[0]
    known = _option_strings(parser)
    normal = name.replace("_", "-").lower()
    for candidate in (SYNONYMS.get(normal), normal):
        if candidate in known:
            return candidate
    close = difflib.get_close_matches(normal, known, n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_option_message(extras: list[str], parser) -> str:
    """argparse's "unrecognized arguments" line, with "did you mean" for each option."""
    hints = [f"{token.split('=', 1)[0]} -> {hint}" for token in extras
             if token.startswith("--") and (hint := suggestion(token, parser))]
    message = "unrecognized arguments: " + " ".join(extras)
    if len(hints) == 1:
        return message + f"; did you mean {hints[0].split(' -> ')[1]}?"
    return message + (f"; did you mean: {', '.join(hints)}?" if hints else "")


def refuse_unknown_options(argv: list[str], parser) -> None:
    """Exit (status 2) on the first ``--option`` the chosen subcommand does not know.

    Run before parsing, so that a misspelt option is named (with its likely
    meaning) even when argparse would first complain that a required option,
    perhaps the very one misspelt, is missing."""
    commands = getattr(parser, "commands", {})
    command = next((a for a in argv if a in commands), None)
    if command is None:
        return
    sub = commands[command]
    known = _option_strings(sub) + ["--help"]
    rest = argv[argv.index(command) + 1:]
    rest = rest[:rest.index("--")] if "--" in rest else rest
    unknown = [a for a in rest if a.startswith("--") and not
               any(k.startswith(a.split("=", 1)[0]) for k in known)]  # prefixes: allow_abbrev
    if unknown:
        sub.error(unknown_option_message(unknown, sub))
