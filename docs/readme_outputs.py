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
an earlier one wrote.  The wall time is the one figure that changes from run
to run: it is not compared, and ``--write`` keeps the README's value.

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
            if wall:  # keep the README's wall time: the one figure that varies
                new = [WALL.sub(lambda m: wall.group(0), line) for line in new]
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
