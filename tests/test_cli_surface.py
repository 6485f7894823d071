"""What a CLI user sees: one-line errors, "did you mean", options given once or not at
all where they do not apply, help text, the summary's wording (issue 12, items 5-6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lucidnet.cli import main

QUICK = ["--epochs", "3", "--print-every", "0", "--grad-check-every", "0", "--quiet",
         "--no-plots"]
ROOT = Path(__file__).resolve().parents[1]


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 3},{i % 2}\n" for i in range(30)))
    return path


# ------------------------------------------------------------------ options
@pytest.mark.parametrize("args, words", [
    (["train", "--learning-rate", "0.1"], ["--learning-rate", "did you mean --lr?"]),
    (["train", "--n_samples", "10"], ["did you mean --n-samples?"]),
    (["predict", "--modle", "m.npz"], ["did you mean --model?"]),
])
def test_misspelt_option_suggests_the_right_one(cli, args, words):
    status, _, err = cli(*args)
    line = _one_line(err)
    assert status == 2 and all(w in line for w in words), line


@pytest.mark.parametrize("args, option", [
    (["train", "--epochs", "5", "--epochs", "6"], "--epochs"),
    (["train", "--lr", "0.1", "--lr", "0.2"], "--lr"),
    (["predict", "--model", "m.npz", "--points", "1,2", "--points", "3,4"], "--points"),
])
def test_a_single_value_option_given_twice_is_an_error(cli, args, option):
    status, _, err = cli(*args)
    line = _one_line(err)
    assert status == 2 and f"argument {option}: given twice" in line, line


@pytest.mark.parametrize("args, words", [
    (["--data", "d.csv", "--target", "y", "--noise", "0.5"], ["--noise", "toy", "--data"]),
    (["--data", "d.csv", "--target", "y", "--n-samples", "50"], ["--n-samples", "--data"]),
    (["--dataset", "iris", "--n-samples", "50"], ["--n-samples", "--dataset iris"]),
    (["--dataset", "moons", "--n-classes", "3"], ["--n-classes", "blobs and spirals"]),
    (["--task", "regression"], ["--task", "--data"]),
    (["--dataset", "circles", "--no-standardize"], ["--no-standardize"]),
    (["--min-delta", "0.1"], ["--min-delta needs --early-stopping"]),
    (["--frames", "10"], ["--frames needs --animate"]),
    (["--diagnostics-every", "5"], ["--diagnostics-every needs --diagnostics"]),
])
def test_options_that_do_not_apply_are_errors(cli, csv_file, args, words):
    status, _, err = cli("train", *args, *QUICK)
    line = _one_line(err)
    assert status == 2 and all(w in line for w in words), line


def test_options_that_apply_still_work(cli, csv_file, tmp_path):
    status, _, err = cli("train", "--dataset", "spirals", "--n-classes", "3", "--noise", "0.1",
                         "--n-samples", "90", *QUICK, "--out", "s")
    assert status == 0, err
    status, _, err = cli("train", "--data", "d.csv", "--target", "y", "--task", "classification",
                         "--no-standardize", *QUICK, "--out", "c")
    assert status == 0, err


@pytest.mark.parametrize("text, words", [
    ("step:stepsize=10", ["'stepsize'", "step_size, gamma", "did you mean step_size?"]),
    ("cosine:t_max=x", ["t_max must be a number"]),
    ("step:10", ["KEY=NUMBER"]),
    ("stepp", ["unknown name 'stepp'", "did you mean step?"]),
])
def test_schedule_settings_list_the_valid_keys(cli, text, words):
    status, _, err = cli("train", "--schedule", text, *QUICK)
    line = _one_line(err)
    assert status == 2 and line.startswith("lucidnet train: error: --schedule: ")
    assert all(w in line for w in words), line


def test_activation_settings(cli, tmp_path):
    import lucidnet

    status, _, err = cli("train", "--activation", "leaky_relu:beta=1", *QUICK)
    assert status == 2 and "its settings: alpha" in _one_line(err)
    status, _, err = cli("train", "--activation", "relu:alpha=1", *QUICK)
    assert status == 2 and "relu has no setting 'alpha'; it takes no settings" in _one_line(err)
    status, _, err = cli("train", "--activation", "leaky_relu:alpha=0.05", *QUICK, "--out", "a")
    assert status == 0, err
    net = lucidnet.load(tmp_path / "a" / "model.npz")
    assert net.layers[1].activation.name == "leaky_relu"
    assert net.layers[1].activation.alpha == 0.05


# ------------------------------------------------------------------ the error boundary
def test_data_that_is_a_folder(cli, tmp_path):
    (tmp_path / "adir").mkdir()
    status, _, err = cli("train", "--data", "adir", "--target", "y", *QUICK)
    assert status == 2 and "--data: 'adir' is a folder" in _one_line(err)


def test_predict_output_that_is_a_folder(run_cli, tmp_path):
    run_cli("train", *QUICK, "--out", "m", check=True)
    (tmp_path / "adir").mkdir()
    proc = run_cli("predict", "--model", "m/model.npz", "--points", "1,2", "--output", "adir")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--output: 'adir' is a folder" in _one_line(proc.stderr)


@pytest.mark.parametrize("command", ["predict", "evaluate", "info", "export"])
def test_model_that_is_a_folder(cli, tmp_path, command):
    (tmp_path / "adir").mkdir()
    extra = {"predict": ["--points", "1,2"], "evaluate": ["--input", "x.csv", "--target", "y"],
             "export": ["--output", "m.onnx"]}.get(command, [])
    status, _, err = cli(command, "--model", "adir", *extra)
    assert status == 2 and "--model: 'adir' is a folder" in _one_line(err)


def test_an_os_error_anywhere_is_one_line_naming_the_file(cli, monkeypatch):
    from lucidnet.cli import train

    def denied(args):
        raise PermissionError(13, "Permission denied", "lucidnet-run/model.npz")

    monkeypatch.setattr(train, "run", denied)
    status, _, err = cli("train")
    assert status == 2
    assert _one_line(err) == "lucidnet train: error: 'lucidnet-run/model.npz': Permission denied"


def test_a_bug_is_one_line_and_exit_3_unless_the_traceback_is_asked_for(cli, monkeypatch):
    from lucidnet.cli import info

    def broken(args):
        raise TypeError("unsupported operand")

    monkeypatch.setattr(info, "run", broken)
    status, _, err = cli("info", "--model", "m.npz")
    assert status == 3
    assert "internal error: TypeError: unsupported operand" in _one_line(err)
    monkeypatch.setenv("LUCIDNET_TRACEBACK", "1")
    with pytest.raises(TypeError):
        main(["info", "--model", "m.npz"])


def test_no_progress_bar_in_a_redirected_log_but_a_line_before_the_gif(run_cli, tmp_path):
    proc = run_cli("train", "--epochs", "20", "--print-every", "10", "--grad-check-every", "0",
                   "--n-samples", "60", "--animate", "--frames", "3", "--no-plots",
                   "--out", "o", check=True)
    assert proc.stderr == ""  # stderr is a pipe here, not a terminal: no bar
    lines = proc.stdout.splitlines()
    assert [line.split()[1] for line in lines if line.startswith("Epoch: ")] == ["0", "10"]
    gif = [line for line in lines if line.startswith("writing training.gif")]
    # every = 20 // 3 = 6: the initial weights, then epochs 0, 6, 12, 18 and the last, 19
    assert gif == ["writing training.gif (6 frames) ..."]
    assert lines.index(gif[0]) < lines.index("Summary")


# ------------------------------------------------------------------ help and names
def test_help_lists_every_registry_entry_and_has_no_rst_markup(cli):
    from lucidnet.core.activations import ACTIVATIONS
    from lucidnet.core.losses import LOSSES
    from lucidnet.optim.optimizers import OPTIMIZERS
    from lucidnet.optim.schedules import SCHEDULES

    texts = {}
    for command in ("", "train", "predict", "evaluate", "info", "export"):
        status, out, _ = cli(*filter(None, [command]), "--help")
        assert status == 0 and "``" not in out, command
        texts[command] = " ".join(out.split())
    train = texts["train"]
    assert "'lucidnet train': train a network" in train
    for name in [*ACTIVATIONS, *LOSSES, *OPTIMIZERS, *SCHEDULES]:
        if name != "softmax":  # the multi-class output, not a hidden activation
            assert name in train, name
    assert "exp," in train and "poisson" in train


def test_info_and_export_take_model_as_an_option_and_as_before(cli, tmp_path):
    status, _, err = cli("train", *QUICK, "--out", "m")
    assert status == 0, err
    _, by_option, _ = cli("info", "--model", "m/model.npz")
    _, positional, _ = cli("info", "m/model.npz")
    assert by_option == positional and "parameters: 625" in by_option
    status, _, err = cli("info", "m/model.npz", "--model", "m/model.npz")
    assert status == 2 and "not both" in _one_line(err)
    status, _, err = cli("info")
    assert status == 2 and "--model" in _one_line(err)
    status, _, err = cli("export", "--model", "m/model.npz", "--output", "m.txt")
    assert status == 2 and "--output: ONNX files end in .onnx" in _one_line(err)


def test_summary_names_the_architecture_in_layer_order(cli, tmp_path):
    status, out, err = cli("train", "--dataset", "blobs", "--n-classes", "3", "--n-samples", "60",
                           "--activation", "tanh", "--dropout", "0.5", *QUICK[:-1])
    assert status == 0, err
    network = next(line for line in out.splitlines() if line.strip().startswith("network"))
    assert "2-16-32-3 tanh hidden, softmax output, dropout 0.5, loss cce" in network
    status, out, _ = cli("train", "--activation", "relu", *QUICK[:-1])
    network = next(line for line in out.splitlines() if line.strip().startswith("network"))
    assert "2-16-32-1 relu hidden, sigmoid output, loss bce" in network
    status, out, _ = cli("train", *QUICK[:-1])
    assert "2-16-32-1 sigmoid, loss bce" in out


def test_final_cost_says_whose_weights_it_is(cli, tmp_path):
    status, out, err = cli("train", "--dataset", "iris", "--optimizer", "adam", "--lr", "0.05",
                           "--val-split", "0.2", "--early-stopping", "5", "--epochs", "400",
                           "--print-every", "0", "--grad-check-every", "0", "--quiet",
                           "--no-plots", "--out", "es")
    assert status == 0, err
    record = json.loads((tmp_path / "es" / "metrics.json").read_text())["early_stopping"]
    best, last = record["best_epoch"], record["stopped_epoch"]
    assert best < last  # it did stop early and restore an earlier epoch
    line = next(line for line in out.splitlines() if "final cost" in line)
    assert (f"(weights of epoch {best}, kept by early stopping; training ran to epoch {last})"
            in line), line


# ------------------------------------------------------------------ the repository
def test_gitignore_matches_the_default_output_folder():
    from lucidnet.cli.train import DEFAULT_OUT

    ignored = (ROOT / ".gitignore").read_text().split()
    assert f"{DEFAULT_OUT}/" in ignored


def test_docs_point_to_no_file_outside_the_repository():
    for path in [ROOT / "README.md", *sorted((ROOT / "notebooks").glob("*.ipynb")),
                 *sorted((ROOT / "docs").rglob("*.md"))]:
        assert "SPEC.md" not in path.read_text(), path


# ------------------------------------------------------------------ columns by name
@pytest.fixture
def f123_model(tmp_path):
    """A regression model on features f1, f2, f3 (target y) whose output shows which
    value sits in which input: W = [1, 10, 100], b = 0, identity output."""
    import numpy as np

    from lucidnet import Dense, Input, NeuralNetwork

    net = NeuralNetwork([Input("x", 3), Dense("out", 1, activation="identity")],
                        loss_fn="mse", seed=0)
    net.layers[1].params["W"][...] = np.array([[1.0, 10.0, 100.0]])
    net.layers[1].params["b"][...] = 0.0
    net.preprocessing = {"feature_names": ["f1", "f2", "f3"], "target": "y"}
    net.save(tmp_path / "m.npz")
    return tmp_path / "m.npz"


@pytest.mark.parametrize("text, words", [
    ("f1,f3,label\n1,2,3\n", ["missing column 'f2'", "the model does not know: 'label'"]),
    ("f1,f2\n1,2\n", ["missing column 'f3'"]),
    ("f1,f2,f3,id\n1,2,3,7\n", ["does not know: 'id'", "--ignore id"]),
    ("1,2\n3,4\n", ["2 columns and no header row", "takes 3 features"]),
])
def test_predict_refuses_columns_that_do_not_match(cli, f123_model, tmp_path, text, words):
    (tmp_path / "p.csv").write_text(text)
    status, out, err = cli("predict", "--model", f123_model, "--input", "p.csv")
    line = _one_line(err)
    assert status == 2 and out == "" and line.startswith("lucidnet predict: error: --input: ")
    assert all(w in line for w in words), line


def test_predict_matches_columns_by_name_in_any_order(cli, f123_model, tmp_path):
    (tmp_path / "p.csv").write_text("f3,id,y,f1,f2\n3,7,0,1,2\n")  # y: the model's target
    status, out, err = cli("predict", "--model", f123_model, "--input", "p.csv",
                           "--ignore", "id")
    assert status == 0, err
    assert out.splitlines() == ["f1,f2,f3,y1", "1,2,3,321"]  # 1*1 + 2*10 + 3*100
    (tmp_path / "bare.csv").write_text("1,2,3\n")  # no header: the training order
    status, out, _ = cli("predict", "--model", f123_model, "--input", "bare.csv")
    assert out.splitlines() == ["f1,f2,f3,y1", "1,2,3,321"]
    status, _, err = cli("predict", "--model", f123_model, "--input", "p.csv", "--ignore", "idd")
    assert status == 2 and "--ignore: no column 'idd'" in _one_line(err)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", ""])
def test_evaluate_refuses_a_non_finite_regression_target(cli, f123_model, tmp_path, value):
    (tmp_path / "e.csv").write_text(f"f1,f2,f3,y\n1,2,3,321\n1,1,1,{value}\n")
    status, out, err = cli("evaluate", "--model", f123_model, "--input", "e.csv",
                           "--target", "y")
    line = _one_line(err)
    assert status == 2 and out == "" and "line 3" in line and "'y'" in line, line


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_train_refuses_a_non_finite_target(cli, tmp_path, value):
    rows = "".join(f"{i},{i * 2.5}\n" for i in range(30))
    (tmp_path / "t.csv").write_text(f"a,y\n{rows}1,{value}\n")
    status, _, err = cli("train", "--data", "t.csv", "--target", "y", *QUICK)
    line = _one_line(err)
    assert status == 2 and "line 32" in line and "'y'" in line, line
