"""lucidnet.playground.show(data_or_net, ...): what a page can open on (a network, an
(X, y) pair, a data set's name, settings), what is refused, and the page that opens."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lucidnet import Dense, Dropout, Input, NeuralNetwork
from lucidnet.playground.preload import start_session
from lucidnet.playground.protocol import handle

# XOR on the corners of a square: 20 points, labels as texts
X_XOR = np.array([[0.0, 0.0], [0.0, 2.0], [2.0, 0.0], [2.0, 2.0]] * 5)
Y_XOR = np.array(["same", "differ", "differ", "same"] * 5)


def _net(**options):
    return NeuralNetwork([Input("x", 2), Dense("h", 3, "relu"), Dense("o", 1, "sigmoid")],
                         seed=4, **options)


def _params(net):
    return [theta for _, theta, _ in net.parameters()]


def _equal(a, b):
    return len(_params(a)) == len(_params(b)) and all(
        np.array_equal(p, q) for p, q in zip(_params(a), _params(b)))


def _hello(pages, token):
    return handle(None, json.dumps({"type": "hello", "token": token, "settings": {}}),
                  pages=pages)


def test_a_network_brings_its_architecture_and_weights():
    net = NeuralNetwork([Input("x", 2), Dense("h1", 5, "tanh"), Dropout("d1", 0.25),
                         Dense("h2", 3, "elu"), Dropout("d2", 0.25), Dense("o", 4, "softmax")],
                        loss_fn="cce", optimizer="momentum", lr=0.2, l2=0.5, seed=9)
    s = start_session(net)
    assert (s.settings["layers"], s.settings["acts"], s.settings["dropout"]) == \
        ([5, 3], ["tanh", "elu"], 0.25)
    assert (s.settings["dataset"], s.settings["classes"], s.data.kind) == ("spiral", 4, "multi")
    assert (s.net.optimizer.name, s.net.lr, s.net.optimizer.momentum) == ("momentum", 0.2, 0.9)
    assert (s.net.loss_obj.name, s.net.l2, s.net.l1) == ("cce", 0.5, 0.0)
    assert _equal(s.export_network(), net) and s.edited


def test_a_regression_network_opens_on_a_regression_set():
    net = NeuralNetwork([Input("x", 2), Dense("h", 4, "tanh"), Dense("o", 1, "identity")],
                        loss_fn="huber")
    s = start_session(net)
    assert (s.settings["dataset"], s.data.kind, s.net.loss_obj.name) == \
        ("reg-plane", "regression", "huber")
    assert _equal(s.export_network(), net)


def test_a_pages_export_comes_back_as_it_was():
    first = start_session("xor", {"layers": [6, 2], "features": ["x1", "x1*x2", "sin(x2)"],
                                  "lr": 0.1, "data_seed": 3})
    first.train(25)
    again = start_session(first.export_network())
    assert again.settings == first.settings          # the page's own settings, back
    assert again.features == ["x1", "x1*x2", "sin(x2)"]
    assert _equal(again.export_network(), first.net)


@pytest.mark.parametrize("net, says", [
    (NeuralNetwork([Input("x", 3), Dense("o", 1, "sigmoid")]), "takes 3 inputs"),
    (NeuralNetwork([Input("x", 2), Dense("o", 2, "softmax")], loss_fn="cce"),
     "output layer of 2 softmax units"),
    (NeuralNetwork([Input("x", 2), Dense("o", 7, "softmax")], loss_fn="cce"),
     "output layer of 7 softmax units"),
    (NeuralNetwork([Input("x", 2), Dense("h", 3, "leaky_relu",
                                         activation_params={"alpha": 0.2}),
                    Dense("o", 1, "sigmoid")]), r"layer 1 .*'alpha': 0.2"),
    (NeuralNetwork([Input("x", 2), Dense("h", 300), Dense("o", 1, "sigmoid")]),
     r"layer 1 .*'units': 300"),
    (NeuralNetwork([Input("x", 2), Dense("h", 3, "exp"), Dense("o", 1, "sigmoid")]),
     r"layer 1 .*'exp'"),
    (NeuralNetwork([Input("x", 2), Dense("h", 3), Dense("o", 1, "sigmoid"),
                    Dropout("d", 0.2)]), "layer 2"),
    (NeuralNetwork([Input("x", 2), Dense("o", 1, "sigmoid")], loss_fn="mae"),
     "bce or mse, not 'mae'"),
    (NeuralNetwork([Input("x", 2), Dense("o", 1, "sigmoid")], l1=0.1, l2=0.1),
     "L1 or an L2 penalty"),
])
def test_networks_the_page_cannot_build_are_refused(net, says):
    with pytest.raises(ValueError, match=says):
        start_session(net)


def test_a_network_with_nan_weights_or_on_the_wrong_data_is_refused():
    with pytest.raises(ValueError, match=r"layer 2 .*sigmoid"):
        start_session(_net(), {"dataset": "reg-plane"})
    net = _net()
    net.layers[1].params["W"][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        start_session(net)


def test_data_from_python_is_split_and_standardized_like_an_upload():
    s = start_session((X_XOR, Y_XOR), {"layers": [4]})
    d = s.data
    assert (d.kind, d.class_labels, len(d.y_train), len(d.y_test)) == \
        ("binary", ["differ", "same"], 10, 10)
    np.testing.assert_allclose(d.X_train.mean(axis=0), [0, 0], atol=1e-15)
    np.testing.assert_allclose(d.X_train.std(axis=0), [1, 1], rtol=1e-15)
    raw = d.X_train * d.standardize["scale"] + d.standardize["mean"]     # back in X's units
    np.testing.assert_allclose(raw, np.round(raw), atol=1e-12)
    assert set(np.round(raw).ravel()) <= {0.0, 2.0}
    differ = np.round(raw[:, 0]) != np.round(raw[:, 1])
    np.testing.assert_array_equal(d.y_train, np.where(differ, 0, 1))     # "differ" is 0
    assert s.settings["dataset"] == "upload" and s.from_python and d.target == ""
    s.train(5)


def test_regression_values_from_python():
    x = np.linspace(-1, 1, 30)
    s = start_session((np.column_stack([x, x ** 2]), 0.5 * x))
    assert s.data.kind == "regression" and s.net.output_layer.activation.name == "identity"


@pytest.mark.parametrize("source, error, says", [
    ((X_XOR.T, Y_XOR), ValueError, r"shape \(N, 2\).* got \(2, 20\) .*pass X\.T"),
    ((np.zeros((20, 3)), Y_XOR), ValueError, r"shape \(N, 2\).* got \(20, 3\)"),
    ((np.zeros(20), Y_XOR), ValueError, r"shape \(N, 2\)"),
    ((X_XOR, Y_XOR[:19]), ValueError, r"y must have shape \(N,\) = \(20,\)"),
    ((X_XOR, Y_XOR[:, None]), ValueError, r"y must have shape \(N,\)"),
    ((X_XOR[:3], Y_XOR[:3]), ValueError, "4 to 100000 rows"),
    ((np.where(X_XOR == 2, np.nan, X_XOR), Y_XOR), ValueError, "X contains NaN at row 1"),
    ((X_XOR, np.full(20, np.inf)), ValueError, "y contains infinity"),
    ((X_XOR, np.zeros(20)), ValueError, "single class"),
    ((X_XOR, np.array([None] * 20)), ValueError, "numbers or texts"),
    ((X_XOR.astype(str), Y_XOR), ValueError, "X must be numeric"),
    ("mnist", ValueError, "unknown data set 'mnist'"),
    ({"lr": "fast"}, ValueError, "setting 'lr'"),
    (42, TypeError, "got int"),
    (X_XOR, TypeError, "got ndarray"),
    ((X_XOR,), TypeError, "got tuple"),
])
def test_anything_else_is_refused(source, error, says):
    with pytest.raises(error, match=says):
        start_session(source)


def test_a_name_or_settings_as_before():
    assert start_session("spiral", {"classes": 3}).data.n_classes == 3
    s = start_session({"dataset": "xor", "layers": [5]}, {"lr": 0.1})
    assert (s.settings["dataset"], s.settings["layers"], s.settings["lr"]) == ("xor", [5], 0.1)
    with pytest.raises(TypeError, match="settings must be a dict"):
        start_session("xor", [("lr", 0.1)])


def test_each_tab_opens_on_its_own_copy():
    start = start_session(_net())
    pages = {"abc": start}
    tab, (dataset, frame) = _hello(pages, "abc")
    assert tab is not start and tab.token == "abc" and frame["weights"][0]["units"] == 3
    np.testing.assert_array_equal(frame["weights"][0]["W"], np.round(_params(_net())[0], 4))
    tab.train(20)
    assert _equal(start.export_network(), _net())             # the start is never trained
    other, _ = _hello(pages, "not-a-page")                     # an unknown token: defaults
    assert other.settings["layers"] == [4, 2]


def test_export_python_of_data_from_python_reproduces_the_weights(tmp_path, monkeypatch):
    s = start_session((X_XOR, Y_XOR), {"layers": [3], "features": ["x1", "x2", "x1*x2"]})
    s.train(15)
    from lucidnet.playground.script import python_script

    text = python_script(s)
    mark = "# the (X, y) you gave lucidnet.playground.show(): define them above"
    assert mark in text
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(text.replace(mark, f"X, y = {X_XOR.tolist()!r}, {Y_XOR.tolist()!r}"), scope)
    assert _equal(scope["net"], s.net)


def test_show_serves_the_network_it_was_given():
    pytest.importorskip("uvicorn")
    websockets = pytest.importorskip("websockets.sync.client")
    from lucidnet.playground import show

    net = _net(optimizer="adam", lr=0.05)
    pg = show(net, display=False)
    assert _equal(pg.network(), net)                           # before any tab opened
    assert "token=" in pg.url and pg.url.startswith(pg.server_url)
    with websockets.connect(pg.server_url.replace("http", "ws") + "ws") as ws:
        ws.send(json.dumps({"type": "hello", "token": pg.token, "settings": {}}))
        dataset, frame = (json.loads(ws.recv()) for _ in range(2))
        assert frame["settings"]["lr"] == 0.05 and frame["settings"]["acts"] == ["relu"]
        ws.send(json.dumps({"type": "step", "epochs": 10}))
        assert json.loads(ws.recv())["epoch"] == 10
        trained = pg.network()
    assert not _equal(trained, net) and trained.training_record["epochs"] == 10
    with pytest.raises(ValueError, match="pass X.T"):
        show((X_XOR.T, Y_XOR), display=False)


def test_an_export_of_data_from_python_comes_back_on_a_built_in_set():
    first = start_session((X_XOR, Y_XOR), {"layers": [3], "lr": 0.3})
    again = start_session(first.export_network())
    assert (again.settings["dataset"], again.settings["target"], again.settings["lr"]) == \
        ("circle", "", 0.3)
    assert _equal(again.export_network(), first.net)


def test_network_waits_for_the_chunk_being_trained():
    """A notebook's pg.network() copies the tab's session under the lock its messages
    are answered under: while a chunk trains (the lock held), the copy waits for it."""
    pytest.importorskip("uvicorn")
    websockets = pytest.importorskip("websockets.sync.client")
    import threading

    from lucidnet.playground import show

    pg = show(_net(), display=False)
    with websockets.connect(pg.server_url.replace("http", "ws") + "ws") as ws:
        ws.send(json.dumps({"type": "hello", "token": pg.token, "settings": {}}))
        ws.recv(), ws.recv()
        ws.send(json.dumps({"type": "step", "epochs": 5}))
        assert json.loads(ws.recv())["epoch"] == 5
        state = pg._app.state
        (key,) = [k for k, s in list(state.sessions.items())
                  if getattr(s, "token", None) == pg.token]
        copies = []
        with state.locks[key]:                  # as while the server trains a chunk
            reader = threading.Thread(target=lambda: copies.append(pg.network()))
            reader.start()
            reader.join(0.5)
            assert reader.is_alive() and copies == []
        reader.join(10)
        assert len(copies) == 1 and copies[0].training_record["epochs"] == 5
