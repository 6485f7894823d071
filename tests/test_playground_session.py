"""The playground's session engine: plain Python, no server."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

import lucidnet
from lucidnet.playground import data as pdata
from lucidnet.playground.frames import HEATMAP, THUMB, dataset_message, frame, grid
from lucidnet.playground.session import Session, SessionError
from lucidnet.playground.settings import SettingsError, clean


def _weights(session):
    return [theta.copy() for _, theta, _ in session.net.parameters()]


def _same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_defaults_are_the_playgrounds():
    s = Session()
    sizes = [layer.units for layer in s.net.layers if layer.params]
    assert sizes == [4, 2, 1] and s.features == ["x1", "x2"]
    assert s.data.X_train.shape == (250, 2) and s.data.X_test.shape == (250, 2)
    assert s.net.loss_obj.name == "bce" and s.net.optimizer.name == "adam"


def test_training_lowers_the_loss_and_counts_epochs():
    s = Session({"dataset": "circle", "features": ["x1^2", "x2^2"]})
    before = frame(s)["train_loss"]
    assert s.train(100) == 100 and s.epoch == 100
    after = frame(s)
    assert before > 0.6 and after["train_loss"] < 0.2
    assert after["metrics"]["acc_train"] > 0.95


def test_chunks_do_not_change_the_result():
    settings = {"dataset": "spiral", "batch": 10, "dropout": 0.2, "optimizer": "momentum"}
    a, b = Session(settings), Session(settings)
    assert a.train(17) == 17
    assert [b.train(k) for k in (5, 2, 10)] == [5, 2, 10]
    assert _same(_weights(a), _weights(b))


def test_what_each_change_rebuilds():
    s = Session()
    s.train(5)
    w = _weights(s)
    s.configure({"lr": 0.3, "optimizer": "adam", "reg": "l2", "reg_rate": 0.01})
    assert s.epoch == 5 and _same(w, _weights(s)) and s.net.lr == 0.3 and s.net.l2 == 0.01
    assert s.net.optimizer.t == 5                    # Adam's step count is kept
    s.configure({"acts": ["relu", "relu"]})
    assert s.epoch == 0 and s.net.layers[1].activation.name == "relu"
    X_before = s.data.X_train.copy()
    s.configure({"data_seed": 7})
    assert not np.array_equal(X_before, s.data.X_train)


def test_settings_are_bounded_whatever_a_url_says():
    s = clean({"layers": [100000] * 50, "acts": ["rm -rf"], "points": 10**9, "lr": 1e9,
               "epf": -3, "unknown": 1, "features": ["x1", "x1"]})
    assert s["layers"] == [256] * 8 and s["acts"] == ["tanh"] * 8
    assert (s["points"], s["lr"], s["epf"], s["features"]) == (5000, 100.0, 1, ["x1"])
    assert "unknown" not in s
    for bad in ({"lr": "fast"}, {"layers": "4,2"}, {"layers": [2.5]}, {"dataset": "mnist"},
                {"noise": float("nan")}, {"features": "x1"}):
        with pytest.raises(SettingsError):
            clean(bad)


def test_multi_class_uses_softmax_and_cross_entropy():
    s = Session({"dataset": "spiral", "classes": 3, "layers": [16, 16], "acts": ["relu", "relu"]})
    assert s.net.output_layer.activation.name == "softmax" and s.net.n_outputs == 3
    assert s.net.loss_obj.name == "cce"
    s.train(30)
    f = frame(s)
    assert np.asarray(f["metrics"]["confusion"]).shape == (3, 3)
    assert np.asarray(f["metrics"]["confusion"]).sum() == len(s.data.y_test)
    cls = np.frombuffer(base64.b64decode(f["output"]["cls"]), np.uint8)
    assert cls.size == HEATMAP ** 2 and set(cls) <= {0, 1, 2}


def test_regression_reports_r2():
    s = Session({"dataset": "reg-plane", "loss": "bce"})       # bce makes no sense here
    assert s.net.loss_obj.name == "mse" and s.net.output_layer.activation.name == "identity"
    s.train(200)
    assert frame(s)["metrics"]["r2_train"] > 0.8


def test_divergence_is_caught_and_explained():
    s = Session({"dataset": "reg-plane", "optimizer": "sgd", "lr": 100.0})
    s.train(100)
    assert s.diverged is not None and s.diverged["lr_to_try"] == 10.0
    assert "learning rate 100" in s.diverged["message"]
    assert all(np.isfinite(t).all() for t in _weights(s))
    f = frame(s)                             # the page can still draw it, without warnings
    assert f["diverged"] == s.diverged and f["epoch"] == s.epoch
    assert s.train(10) == 0                  # stays stopped until something changes
    s.configure({"lr": 0.01})
    assert s.diverged is None and s.train(3) == 3


def test_set_weight_and_its_bounds():
    s = Session()
    s.set_weight(1, "W", 2, 1, 0.625)
    assert s.net.layers[1].params["W"][2, 1] == 0.625
    s.set_weight(2, "b", 1, 0, -1.5)
    assert s.net.layers[2].params["b"][1, 0] == -1.5
    for args in ((0, "W", 0, 0, 1.0), (1, "W", 4, 0, 1.0), (1, "Z", 0, 0, 1.0),
                 (1, "W", 0, 0, float("inf")), (1, "W", 0, 0, "1"), (1, "W", -1, 0, 1.0)):
        with pytest.raises(SessionError):
            s.set_weight(*args)


def test_frame_sizes():
    s = Session({"layers": [16, 32], "acts": ["sigmoid", "sigmoid"],
                 "features": ["x1", "x2", "sin(x1)"]})
    f = frame(s)
    assert len(base64.b64decode(f["output"]["p"])) == HEATMAP ** 2
    assert [len(layer) for layer in f["units"]] == [3, 16, 16, 1]  # 32 drawn as 16
    assert all(len(base64.b64decode(u)) == THUMB ** 2 for layer in f["units"] for u in layer)
    assert np.asarray(f["weights"][1]["W"]).shape == (16, 16) and f["weights"][1]["units"] == 32


CSV = "sepal,petal,width,kind\n" + "\n".join(
    f"{a},{b},{c},{k}" for a, b, c, k in [(1, 2, 0.5, "x"), (2, 1, 0.1, "y"), (3, 3, 0.9, "z"),
                                          (4, 2, 0.3, "x"), (1, 4, 0.7, "y"), (5, 5, 0.2, "z"),
                                          (2, 2, 0.4, "x"), (3, 1, 0.6, "y"), (4, 4, 0.8, "z"),
                                          (5, 1, 0.5, "x")])


def test_upload_trains_on_the_file_and_holds_other_columns_at_the_median():
    s = Session()
    s.load_upload(CSV, "flowers.csv")
    d = dataset_message(s)
    assert d["columns"] == ["sepal", "petal", "width"] and d["target"] == "kind"
    assert d["kind"] == "multi" and d["class_labels"] == ["x", "y", "z"]
    assert s.net.n_outputs == 3 and s.features == ["x1", "x2"]
    G = grid(s.data, 4)
    assert np.all(G[2] == np.median(s.data.X_train[:, 2]))
    with pytest.raises(pdata.UploadError, match="not a number"):
        s.load_upload(CSV.replace("0.5,x", "oops,x"), "bad.csv")
    assert s.data.target == "kind"             # the bad file changed nothing
    with pytest.raises(pdata.UploadError, match="not a number: 'x'"):
        s.configure({"target": "width"})       # then 'kind' would be a feature
    assert s.settings["target"] == "kind"


def test_upload_target_can_change():
    s = Session()
    s.load_upload("a,b,c\n" + "\n".join(f"{i},{i % 3},{i * 0.37:.2f}" for i in range(30)),
                  "numbers.csv")
    assert s.data.kind == "regression" and s.data.target == "c"
    s.configure({"target": "b"})
    assert s.data.kind == "multi" and s.data.columns == ["a", "c"] and s.net.n_outputs == 3


def test_an_upload_near_the_float64_limit_is_refused_and_changes_nothing():
    # the training part's mean is about 0.85e308: x - mean = -2.55e308 overflows float64
    rows = [("1.7e308", 0, i % 2) for i in range(30)] + [("-1.7e308", 1, i % 2) for i in range(10)]
    text = "a,b,t\n" + "\n".join(f"{a},{b},{t}" for a, b, t in rows)
    s = Session({"dataset": "xor"})
    before = s.data
    with pytest.raises(pdata.UploadError, match="huge.csv: X is too large in magnitude to "
                                                 "standardize"):
        s.load_upload(text, "huge.csv")
    assert s.data is before and s.upload is None and s.settings["dataset"] == "xor"
    s.configure({"dataset": "circle"})              # the tab goes on as it was
    from lucidnet.playground.protocol import handle

    _, [reply] = handle(s, json.dumps({"type": "upload", "name": "huge.csv", "text": text}))
    assert reply == {"type": "error", "message": "huge.csv: X is too large in magnitude to "
                     "standardize in float64 (x - mean overflows)"}      # what the page shows


def test_a_target_whose_split_is_refused_changes_nothing():
    # column 'u' has a class of one row: the stratified split cannot put it on both sides
    text = "x,y,t,u\n" + "\n".join(f"{i},{i * i % 7},{i % 2},{int(i == 0)}" for i in range(20))
    s = Session()
    s.load_upload(text, "one.csv", "t")
    with pytest.raises(ValueError, match="class 1 has only 1 example"):
        s.configure({"target": "u"})
    assert s.settings["target"] == "t" and s.upload[4] == "t" and s.data.target == "t"
    s.train(2)
    assert frame(s)["settings"]["target"] == "t"


def test_upload_limits(monkeypatch):
    s = Session()
    monkeypatch.setattr(pdata, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(pdata.UploadError, match="over"):
        s.load_upload(CSV, "big.csv")
    monkeypatch.setattr(pdata, "MAX_UPLOAD_BYTES", 10**6)
    monkeypatch.setattr(pdata, "MAX_UPLOAD_ROWS", 5)
    with pytest.raises(pdata.UploadError, match="more than 5 rows"):
        s.load_upload(CSV, "long.csv")
    monkeypatch.setattr(pdata, "MAX_UPLOAD_COLUMNS", 3)
    with pytest.raises(pdata.UploadError, match="more than 3 columns"):
        s.load_upload("a,b,c,d\n1,2,3,4\n5,6,7,8\n", "wide.csv")


def _page_values(f):
    return np.frombuffer(base64.b64decode(f["output"]["p"]), np.uint8) / 255


def test_export_predicts_like_the_page_on_raw_inputs(tmp_path):
    s = Session({"features": ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]})
    s.train(40)
    path = tmp_path / "model.npz"
    path.write_bytes(s.export_bytes())
    net = lucidnet.load(path)
    assert net.preprocessing["input_features"][2] == "x1^2"
    p = net.predict_proba(grid(s.data, HEATMAP))[0]           # raw (2, N) points
    # a colour: 256 levels, computed in float32
    np.testing.assert_allclose(p, _page_values(frame(s)), atol=1 / 255)


def test_export_of_an_upload_repeats_its_standardization(tmp_path):
    s = Session()
    s.load_upload(CSV, "flowers.csv")
    s.configure({"features": ["x1", "x2", "x3", "x1*x2"]})
    s.train(20)
    path = tmp_path / "model.npz"
    path.write_bytes(s.export_bytes())
    net = lucidnet.load(path)
    raw = np.array([[1.0, 2.0, 0.5], [4.0, 4.0, 0.8]])        # rows as in the file
    from lucidnet.data import apply_preprocessing, decode_labels
    stats = s.data.standardize
    Z = (raw - np.array(stats["mean"])) / np.array(stats["scale"])
    A0 = np.vstack([Z[:, 0], Z[:, 1], Z[:, 2], Z[:, 0] * Z[:, 1]])
    np.testing.assert_allclose(net.predict_proba(apply_preprocessing(net.preprocessing, raw).T),
                               s.net.forward(A0), rtol=1e-12)
    assert decode_labels(net.preprocessing, [2, 0]) == ["z", "x"]


def test_a_chunk_of_a_big_network_is_cut_by_its_cost():
    from lucidnet.playground.session import CHUNK_FLOPS

    s = Session({"layers": [256, 256, 256], "acts": ["relu"] * 3, "points": 5000,
                 "train_pct": 90})
    per_epoch = 6 * 4500 * s.net.n_params                    # 4500 training columns
    assert s.train(100) == max(1, int(CHUNK_FLOPS // per_epoch)) < 100


def test_a_chunk_gives_no_end_of_run_diagnosis():
    # A chunk is a few epochs of a longer run: fit's end-of-run verdict would be
    # printed into the server's terminal every chunk (found running the server).
    import warnings

    from lucidnet.errors import TrainingDiagnosis

    s = Session({"dataset": "spiral"})
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingDiagnosis)
        s.train(5)
