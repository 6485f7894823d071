"""The README's printed outputs, produced by the commands themselves.

A block in README.md that shows what a command prints is marked by an HTML
comment on the line above its fence::

    <!-- output: lucidnet predict --model lucidnet-run/model.npz --points 0.5,0.2 -->
    ```
    $ lucidnet predict --model lucidnet-run/model.npz --points 0.5,0.2
    x1,x2,prediction,probability
    ...
    ```

Optionally ``elide=REGEX``: output lines matching it are replaced by one
``...`` (for long logs).  The block's leading ``$ ...`` lines (and their
continuations) are kept as written; the rest is the command's stdout.
Commands run in order in one fresh folder, so a later one may use the model
an earlier one wrote.  The wall time changes from run to run: it is not
compared, and ``--write`` keeps the README's value.  The other figures change
from CPU to CPU in their last digits (see :func:`rounding_only`): a line that
differs only so keeps the README's text too.

    python docs/readme_outputs.py           # check: exit 1 and a diff if a block drifted
    python docs/readme_outputs.py --write   # rewrite the blocks from the commands

``tests/test_readme_outputs.py`` runs the check, so the README cannot drift.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
MARKER = re.compile(r"^<!-- output: (?P<command>.+?)(?: elide=(?P<elide>\S+))? -->$")
WALL = re.compile(r"(wall time\s+)[\d.]+ s")
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:e[-+]?\d+)?")
GRAD_CHECK = re.compile(r"worst error / \|grad\| (?P<error>\S+) \(\w+, epoch \d+\)")
RTOL = 1e-2       # printed figures: relative difference allowed between two CPUs
ROUNDING = 1e-6   # gradient-check errors below this on both are rounding noise


def _run(command: str, cwd: Path) -> str:
    argv = shlex.split(command)
    if argv[0] != "lucidnet":
        raise ValueError(f"only lucidnet commands are run, got {command!r}")
    # What a default install prints: OpenBLAS picks its kernel for this CPU.  Some
    # machines set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, and another kernel rounds
    # the matrix products differently (the reference run's last digit, the
    # rounding-level gradient-check errors); the commands run without them.
    env = {key: value for key, value in os.environ.items()
           if key not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env["MPLBACKEND"] = "Agg"
    proc = subprocess.run([sys.executable, "-m", "lucidnet", *argv[1:]], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{command} exited {proc.returncode}:\n{proc.stderr}")
    return proc.stdout


def _elide(lines: list[str], pattern: str | None) -> list[str]:
    if not pattern:
        return lines
    out: list[str] = []
    for line in lines:
        if re.search(pattern, line):
            if not out or out[-1] != "...":
                out.append("...")
        else:
            out.append(line)
    return out


def _prompt_lines(block: list[str]) -> list[str]:
    """The block's own ``$ command`` lines, with their ``\\`` continuations."""
    kept = []
    for line in block:
        if line.startswith("$ ") or (kept and kept[-1].endswith("\\")):
            kept.append(line)
        else:
            break
    return kept


def rounding_only(old: str, new: str) -> bool:
    """Whether two printed lines differ only as two CPUs round.

    The CPU picks OpenBLAS's kernel and NumPy's ``exp`` (vectorized with
    AVX-512, the C library's scalar one without), so float64 results differ in
    their last bits from one machine to another, and 2,000 steps of gradient
    descent carry that far: the reference model's prediction at (0.5, 0.2) is
    0.608861 on an Intel Xeon and 0.608049 on an AMD EPYC (0.13%).  Allowed:
    decimal figures within ``RTOL`` of each other, and a gradient check's worst
    error (with its tensor and epoch, which are then chance) when both are
    below ``ROUNDING``, far under the check's tolerance.  Text, integers
    (sizes, epochs, counts) and anything larger must match exactly.
    """
    if old == new:
        return True

    def rounding_level(match):
        return float(match["error"]) < ROUNDING

    olds, news = list(GRAD_CHECK.finditer(old)), list(GRAD_CHECK.finditer(new))
    if len(olds) == len(news) and all(map(rounding_level, olds + news)):
        old, new = GRAD_CHECK.sub("<rounding>", old), GRAD_CHECK.sub("<rounding>", new)
    if NUMBER.split(old) != NUMBER.split(new):    # the text between the figures
        return False
    for a, b in zip(NUMBER.findall(old), NUMBER.findall(new), strict=True):
        if a == b:
            continue
        if not any(c in a + b for c in ".e"):     # an integer: exact
            return False
        if abs(float(a) - float(b)) > RTOL * max(abs(float(a)), abs(float(b))):
            return False
    return True


def generate(text: str) -> str:
    """README text with every marked block replaced by its command's output."""
    lines = text.split("\n")
    out, i = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        while i < len(lines):
            out.append(lines[i])
            match = MARKER.match(lines[i])
            if not match:
                i += 1
                continue
            if lines[i + 1] != "```":
                raise ValueError(f"README line {i + 2}: a ``` fence must follow the marker")
            end = lines.index("```", i + 2)
            old = lines[i + 2:end]
            printed = _run(match["command"], Path(tmp)).rstrip("\n").split("\n")
            new = _prompt_lines(old) + _elide(printed, match["elide"])
            wall = next((WALL.search(line) for line in old if WALL.search(line)), None)
            if wall:  # keep the README's wall time: it varies from run to run
                kept = wall.group(0)
                new = [WALL.sub(lambda m, kept=kept: kept, line) for line in new]
            if len(new) == len(old):  # and its lines that differ only as CPUs round
                new = [o if rounding_only(o, n) else n for o, n in zip(old, new, strict=True)]
            out += ["```", *new, "```"]
            i = end + 1
    return "\n".join(out)


def main(argv=None) -> int:
    write = "--write" in (argv if argv is not None else sys.argv[1:])
    text = README.read_text()
    new = generate(text)
    if write:
        README.write_text(new)
        return 0
    if new != text:
        sys.stdout.writelines(difflib.unified_diff(
            text.splitlines(True), new.splitlines(True), "README.md", "from the commands"))
        print("\nREADME outputs drifted: run python docs/readme_outputs.py --write")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
