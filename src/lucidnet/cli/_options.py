"""argparse ``type=`` functions.

Each turns the option's text into a value or raises
``argparse.ArgumentTypeError``; argparse then exits with status 2 and a line
``lucidnet train: error: argument --lr: must be a positive number, got 'abc'``.
Standard library only (this module is imported by ``lucidnet --help``).
"""

from __future__ import annotations

import argparse
import math

__all__ = ["positive_int", "non_negative_int", "positive_float", "non_negative_float",
           "int_list", "point"]


def _number(text: str, kind):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be {'an integer' if kind is int else 'a number'}, got {text!r}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def _bounded(kind, minimum, allowed: str, doc: str):
    """An argparse type: a ``kind`` (int or float) ``>= minimum`` (``> 0`` for a
    float of minimum 0 that says "positive"), refused with ``must be {allowed}``."""
    strict = kind is float and allowed.startswith("a positive")

    def parse(text: str):
        value = _number(text, kind)
        if value < minimum or (strict and value <= minimum):
            raise argparse.ArgumentTypeError(f"must be {allowed}, got {text!r}")
        return value

    parse.__doc__ = doc
    return parse


positive_int = _bounded(int, 1, "a positive integer", "An integer >= 1.")
non_negative_int = _bounded(int, 0, "an integer >= 0", "An integer >= 0 (0 usually means 'off').")
positive_float = _bounded(float, 0, "a positive number", "A finite number > 0.")
non_negative_float = _bounded(float, 0, "a number >= 0", "A finite number >= 0.")


def int_list(text: str) -> list[int]:
    """Comma-separated positive integers, e.g. ``16,32``; an empty string is ``[]``."""
    text = text.strip()
    if not text:
        return []
    sizes = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) < 1:
            raise argparse.ArgumentTypeError(
                f"must be comma-separated positive integers like 16,32, got {text!r}")
        sizes.append(int(part))
    return sizes


def point(text: str) -> list[float]:
    """One point as comma-separated numbers, e.g. ``0.5,-0.2``."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be comma-separated numbers like 0.5,-0.2, got {text!r}") from None
    if not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"must be finite numbers, got {text!r}")
    return values
