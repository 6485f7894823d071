"""The one CSV reader (lucidnet.data.csvfile): the same answer from every command.

Each hostile file goes through ``train --data``, ``predict --input`` and
``evaluate --input`` (``main()`` in this process): every one exits with status 2
and a one-line message naming the problem (and the line), never a traceback.
"""

from __future__ import annotations

import numpy as np
import pytest

from lucidnet.cli import main
from lucidnet.data.csvfile import CsvError, is_header, read_table

GOOD = "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n"
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    (folder / "data.csv").write_text(GOOD)
    status = main(["train", "--data", str(folder / "data.csv"), "--target", "y", "--epochs", "2",
                   "--quiet", "--no-plots", "--test-split", "0", "--out", str(folder / "run")])
    assert status == 0
    return folder / "run" / "model.npz"


def commands(model, path):
    """The three ways a CSV file enters lucidnet."""
    return {
        "train": ["train", "--data", path, "--target", "y", "--epochs", "1", "--quiet",
                  "--no-plots", "--test-split", "0", "--out", str(model.parent.parent / "t")],
        "predict": ["predict", "--model", str(model), "--input", path],
        "evaluate": ["evaluate", "--model", str(model), "--input", path, "--target", "y"],
    }


def run(argv, capsys):
    try:
        status = main([str(a) for a in argv])
    except SystemExit as exc:
        status = exc.code
    out = capsys.readouterr()
    return status, out.out, out.err


# (file bytes, words every command's message holds)
HOSTILE = {
    "latin-1 byte": (b"a,b,y\n1,2,0\n3,4,1\n5,\xe96,0\n", ["line 4", "0xe9", "not UTF-8"]),
    "utf-16": ("a,b,y\n1,2,0\n3,4,1\n".encode("utf-16"), ["UTF-16", "save it as UTF-8"]),
    "NUL byte": (b"a,b,y\n1,2,0\n3,4\x00,1\n5,6,0\n", ["line 3", "NUL"]),
    "huge field": (("a,b,y\n1,2,0\n3," + "4" * 200_000 + ",1\n5,6,0\n").encode(),
                   ["line 3", "longer than 131072"]),
    "open quote": (b'a,b,y\n1,2,0\n3,"4,1\n5,6,0\n' + b"7,8,1\n" * 30_000,
                   ["line 3", "longer than 131072", "quote"]),
    "semicolons": (b"a;b;y\n1;2;0\n3;4;1\n5;6;0\n", ["line 1", "';'", "comma-separated"]),
    "european decimals": (b"a;b;y\n1,5;2;0\n3;4;1\n", ["line 1", "';'"]),
    "tabs": (b"a\tb\ty\n1\t2\t0\n3\t4\t1\n", ["line 1", "tabs"]),
    "nan": (b"a,b,y\n1,2,0\n3,nan,1\n5,6,0\n", ["line 3", "column 'b'", "NaN"]),
    "inf": (b"a,b,y\n1,2,0\n3,-inf,1\n5,6,0\n", ["line 3", "column 'b'", "infinite"]),
    "1e400": (b"a,b,y\n1,2,0\n3,1e400,1\n5,6,0\n", ["line 3", "column 'b'", "float64 range"]),
    "underscore": (b"a,b,y\n1,2,0\n3,1_000,1\n5,6,0\n", ["line 3", "column 'b'", "not a number"]),
    "ragged": (b"a,b,y\n1,2,0\n3,4\n5,6,0\n", ["line 3 has 2 fields", "header has 3"]),
    "empty": (b"", ["empty"]),
    "blank lines": (b"\n \n\n", ["empty"]),
    "unnamed column": (b",b,y\n1,2,0\n3,4,1\n5,6,0\n", ["column 1 has no name"]),
    "repeated names": (b"a,a,y\n1,2,0\n3,4,1\n5,6,0\n", ["unique", "'a'"]),
    "control character": (b"a\x1b,b,y\n1,2,0\n3,4,1\n5,6,0\n", ["control characters"]),
}


@pytest.mark.parametrize("command", ["train", "predict", "evaluate"])
@pytest.mark.parametrize("case", list(HOSTILE))
def test_every_command_refuses_a_hostile_csv_the_same_way(tmp_path, capsys, model, case,
                                                          command):
    data, words = HOSTILE[case]
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    status, _, err = run(commands(model, path)[command], capsys)
    assert status == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    for word in words:
        assert word in err, err
    assert path.read_bytes() == data  # the input is left alone


@pytest.mark.parametrize("bom", [b"", BOM])
def test_a_header_less_file_is_the_same_with_or_without_a_bom(tmp_path, capsys, model, bom):
    path = tmp_path / "points.csv"
    path.write_bytes(bom + b"1,2\n3,4\n")
    status, out, err = run(["predict", "--model", model, "--input", path], capsys)
    assert status == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 3 and lines[1].startswith("1,2,") and lines[2].startswith("3,4,")


@pytest.mark.parametrize("bom", [b"", BOM])
def test_a_header_is_the_same_with_or_without_a_bom(tmp_path, capsys, model, bom):
    path = tmp_path / "data.csv"
    path.write_bytes(bom + GOOD.encode())
    for name in ("train", "evaluate", "predict"):
        status, out, err = run(commands(model, path)[name], capsys)
        assert status == 0, (name, err)
    assert read_table(path).header == ["a", "b", "y"]  # not '\ufeffa'
    assert out.splitlines()[0].startswith("a,b,")


def test_train_and_evaluate_need_a_header(tmp_path, capsys, model):
    path = tmp_path / "data.csv"
    path.write_text("1,2,0\n3,4,1\n5,6,0\n")
    for name in ("train", "evaluate"):
        status, _, err = run(commands(model, path)[name], capsys)
        assert status == 2 and "line 1 holds numbers, not column names" in err, err


def test_evaluate_names_row_and_column_of_a_non_finite_regression_target(tmp_path, capsys):
    (tmp_path / "r.csv").write_text("a,b,y\n1,2,0.5\n3,4,1.5\n5,6,2.5\n7,8,0.1\n")
    status, _, err = run(["train", "--data", tmp_path / "r.csv", "--target", "y", "--task",
                          "regression", "--epochs", "1", "--quiet", "--no-plots",
                          "--test-split", "0", "--out", tmp_path / "run"], capsys)
    assert status == 0, err
    (tmp_path / "e.csv").write_text("a,b,y\n1,2,0.5\n3,4,nan\n")
    status, _, err = run(["evaluate", "--model", tmp_path / "run" / "model.npz", "--input",
                          tmp_path / "e.csv", "--target", "y"], capsys)
    assert status == 2 and "line 3, column 'y'" in err and "NaN" in err, err


def test_read_table_rows_keep_their_line_numbers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b'a,b\r\n\r\n1,"two\nlines"\r\n3,4\r\n')
    table = read_table(path)
    assert table.header == ["a", "b"]
    assert table.rows == [(3, ["1", "two\nlines"]), (5, ["3", "4"])]
    with pytest.raises(CsvError, match="line 3, column 'b': not a number"):
        table.numbers([0, 1])
    np.testing.assert_array_equal(table.numbers([0]), [[1.0], [3.0]])


@pytest.mark.parametrize("row,expected", [
    (["a", "b"], True), (["1", "2"], False), (["nan", "1"], False), (["1e5", " -3 "], False),
    (["", "x"], True), (["1", ""], False), (["1_0", "2"], True), (["inf", "y"], True)])
def test_the_one_header_rule(row, expected):
    assert is_header(row) is expected


# ---------------------------------------------------------------- fuzzing
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import lucidnet.data as data_module  # noqa: E402

CELLS = ["1", "-2.5", "1e3", "nan", "inf", "-inf", "1e400", "", " ", "a", "y", "0", "x,y",
         '"q"', '"open', "\ufeff", "1_0", ";", "\t", "-", "\x00", "\xe9", "b"]


@st.composite
def csv_bytes(draw):
    if draw(st.booleans()):
        return draw(st.binary(max_size=300))
    rows = draw(st.lists(st.lists(st.sampled_from(CELLS), min_size=1, max_size=4),
                         max_size=6))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = end.join(sep.join(row) for row in rows)
    prefix = draw(st.sampled_from([b"", BOM, b"\xff\xfe"]))
    return prefix + text.encode("utf-8", "surrogatepass")


@settings(max_examples=250, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=csv_bytes())
def test_any_bytes_are_read_or_refused_with_a_value_error(tmp_path, data):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    try:
        table = read_table(path)
    except CsvError as exc:
        assert str(path) in str(exc)
    else:
        assert table.rows and all(len(c) == table.n_columns for _, c in table.rows)
        try:
            table.numbers(range(table.n_columns))
        except CsvError as exc:
            assert "line " in str(exc) and "column " in str(exc)
    try:
        data_module.read_csv(path, "y")
    except ValueError:
        pass


@settings(max_examples=100, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=csv_bytes())
def test_any_csv_through_predict_and_evaluate_exits_0_or_2_in_one_line(tmp_path, capsys, model,
                                                                         data):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    for name in ("predict", "evaluate"):
        status, _, err = run(commands(model, path)[name], capsys)
        assert status in (0, 2), err
        if status == 2:
            assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
