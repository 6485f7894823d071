"""The README's map from the text's equations to the code cannot rot.

Every row of the equation table names a file and line; the test checks that
the line still holds the listed expression, lies inside the listed function,
and is executed by a short reference run (the SPEC's network on the two
moons, trained with ``fit`` as the notebook does, with cost prints and the
periodic gradient check, then the text's gradient check of ``W[1]``), traced
line by line with ``sys.settrace``.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

import lucidnet
from lucidnet import Dense, Input, NeuralNetwork, bce_cost

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(lucidnet.__file__).resolve().parent
ROW = re.compile(r"^\| (?P<eq>.+?) \| `(?P<fn>[\w.]+)` \| `(?P<file>src/lucidnet/[\w/]+\.py):"
                 r"(?P<line>\d+)` \| `(?P<code>.+)` \|$")


def _rows():
    text = (ROOT / "README.md").read_text()
    start = text.index("<!-- equation table")
    rows = []
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            break
        match = ROW.match(line)
        if match:
            rows.append(match.groupdict())
    return rows


ROWS = _rows()


def _function_lines(path: Path, qualname: str) -> range:
    """The lines of function ``qualname`` (``Class.method`` or ``function``) in ``path``."""
    tree = ast.parse(path.read_text())
    scope = tree.body
    *outer, name = qualname.split(".")
    for cls in outer:
        scope = next(n.body for n in scope if isinstance(n, ast.ClassDef) and n.name == cls)
    fn = next(n for n in scope if isinstance(n, ast.FunctionDef) and n.name == name)
    return range(fn.lineno, fn.end_lineno + 1)


def _reference_run_lines() -> set:
    """``(file, line)`` of every line of lucidnet that a short reference run executes."""
    X, y = lucidnet.generate_toy_dataset(n_samples=200, noise=0.2, dataset_type="moons",
                                         random_state=42)
    executed = set()
    src = str(SRC)

    def local(frame, event, arg):
        if event == "line":
            executed.add((frame.f_code.co_filename, frame.f_lineno))
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename.startswith(src) else None

    sys.settrace(tracer)
    try:
        net = NeuralNetwork([Input("x", 2), Dense("h1", 16), Dense("h2", 32), Dense("out", 1)],
                            loss_fn=bce_cost, lr=1.0)
        net.fit(X.T, y, epochs=20, print_every=10, grad_check_every=9)
        bce_cost(y, net.predict_proba(X.T)[0])        # the notebook's cost of the result
        net.score(X.T, y)                             # accuracy at 0.5
        net.grad_check(X.T, y, 1, method="entries_loop")  # the text's check, entry by entry
    finally:
        sys.settrace(None)
    return executed


@pytest.fixture(scope="module")
def executed():
    return _reference_run_lines()


def test_the_table_lists_every_equation_of_the_text():
    assert len(ROWS) >= 15
    listed = " ".join(row["eq"] for row in ROWS)
    for symbol in ("W[l] A[l-1] + b[l]", "sigma(Z[l])", "1 / (1 + exp(-z))", "J = (1/N)",
                   "log(1-yhat)", "A[L] - Y", "dA * sigma'", "W[l].T Delta[l]",
                   "Delta[l] A[l-1].T", "mean of Delta", "W -= eta dW", "sqrt(6 / (d_in + d_out))",
                   "(2 eps)", "1e-10", ">= 0.5"):
        assert symbol in listed, symbol


@pytest.mark.parametrize("row", ROWS, ids=[row["eq"][:40] for row in ROWS])
def test_each_listed_line_holds_its_expression_and_runs(row, executed):
    path = ROOT / row["file"]
    lines = path.read_text().splitlines()
    number = int(row["line"])
    now = [i + 1 for i, text in enumerate(lines) if row["code"] in text]
    assert row["code"] in lines[number - 1], (
        f"{row['file']}:{number} no longer holds `{row['code']}` (now at lines {now}): "
        "update the README's equation table")
    assert number in _function_lines(path, row["fn"]), f"line {number} is not in {row['fn']}"
    # The line as the imported lucidnet runs it: the checkout's src/ for an editable
    # install, site-packages for CI's `pip install .` (the same file, copied).
    imported = SRC / Path(row["file"]).relative_to("src/lucidnet")
    assert imported.read_text().splitlines() == lines, f"{imported} differs from {path}"
    assert (str(imported.resolve()), number) in executed, (
        f"{row['file']}:{number} (`{row['code']}`) is not executed by the reference run")
