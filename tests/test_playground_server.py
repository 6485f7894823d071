"""The playground's server, through Starlette's test client (in process), and its CLI."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx2")
from starlette.testclient import TestClient  # noqa: E402
from starlette.websockets import WebSocketDisconnect  # noqa: E402

import lucidnet  # noqa: E402
from lucidnet.playground import protocol, server  # noqa: E402

HOME = "http://127.0.0.1:8765"
WS = "ws://127.0.0.1:8765/ws"   # the test client takes the Host header from here


@pytest.fixture
def app():
    return server.create_app()


@pytest.fixture
def client(app):
    with TestClient(app, base_url=HOME) as c:
        yield c


def _talk(ws, msg, replies=1):
    ws.send_text(msg if isinstance(msg, str) else json.dumps(msg))
    return [ws.receive_json() for _ in range(replies)]


@pytest.fixture
def ws(client):
    with client.websocket_connect(WS, headers={"origin": HOME}) as ws:
        dataset, frame = _talk(ws, {"type": "hello", "settings": {"dataset": "xor"}}, 2)
        assert dataset["type"] == "dataset" and frame["type"] == "frame"
        yield ws


def test_page_and_static_files(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for testid in ("play", "pause", "step", "reset", "epoch", "train-loss", "test-loss", "fps",
                   "upload", "export", "learning-rate", "activation", "dataset", "add-layer"):
        assert f'data-testid="{testid}"' in page.text
    for name in ("app.js", "url.js", "view.js", "network.js", "equations.js", "diagnostics.js",
                 "playground.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/static/../server.py").status_code == 404
    assert client.get("/static/%2e%2e/server.py").status_code == 404


@pytest.mark.parametrize("headers", [{"host": "evil.example"}, {"host": "evil.example:8765"},
                                     {"origin": "http://evil.example"},
                                     {"origin": "http://127.0.0.1:9999"}, {"origin": "null"}])
def test_foreign_host_or_origin_is_refused_over_http(client, headers):
    assert client.get("/", headers=headers).status_code == 403
    assert client.get("/", headers={"origin": HOME}).status_code == 200


@pytest.mark.parametrize("headers", [{"host": "evil.example:8765"},
                                     {"origin": "http://evil.example"}, {"origin": "null"}])
def test_foreign_host_or_origin_is_refused_over_websocket(client, app, headers):
    with pytest.raises(WebSocketDisconnect) as exc:
        with client.websocket_connect(WS, headers=headers) as ws:
            ws.send_text(json.dumps({"type": "hello"}))
            ws.receive_json()
    assert exc.value.code == 1008 and app.state.sessions == {}


def test_every_message_type(ws, tmp_path):
    (frame,) = _talk(ws, {"type": "step", "epochs": 25})
    assert frame["epoch"] == 25 and frame["train_loss"] > 0
    (frame,) = _talk(ws, {"type": "frame"})
    assert frame["epoch"] == 25
    (frame,) = _talk(ws, {"type": "config", "settings": {"lr": 0.1}})
    assert frame["epoch"] == 25 and frame["settings"]["lr"] == 0.1
    dataset, frame = _talk(ws, {"type": "config", "settings": {"dataset": "moons"}}, 2)
    assert dataset["name"] == "moons" and frame["epoch"] == 0
    (frame,) = _talk(ws, {"type": "set_weight", "layer": 1, "param": "W", "row": 0, "col": 1,
                          "value": 2.5})
    assert frame["weights"][0]["W"][0][1] == 2.5
    _talk(ws, {"type": "step", "epochs": 3})
    (frame,) = _talk(ws, {"type": "reset"})
    assert frame["epoch"] == 0
    csv = "a,b,label\n" + "\n".join(f"{i % 7},{i % 5},{int(i % 7 > 3)}" for i in range(40))
    dataset, frame = _talk(ws, {"type": "upload", "name": "mine.csv", "text": csv}, 2)
    assert dataset["columns"] == ["a", "b"] and dataset["target"] == "label"
    assert frame["settings"]["dataset"] == "upload"
    (export,) = _talk(ws, {"type": "export"})
    path = tmp_path / export["filename"]
    path.write_bytes(base64.b64decode(export["data"]))
    assert lucidnet.load(path).preprocessing["feature_names"] == ["a", "b"]


@pytest.mark.parametrize("message, says", [
    ("not json", "not valid JSON"), ("[1, 2]", "JSON object with a 'type'"),
    ('{"kind": "step"}', "with a 'type'"), ('{"type": "launch"}', "unknown message type"),
    ('{"type": "step", "epochs": 0}', "'epochs' must be an integer"),
    ('{"type": "step", "epochs": 1e9}', "'epochs' must be an integer"),
    ('{"type": "step", "epochs": "10"}', "'epochs' must be an integer"),
    ('{"type": "config", "settings": {"lr": "fast"}}', "'lr' must be a finite number"),
    ('{"type": "config", "settings": [1]}', "settings must be a JSON object"),
    ('{"type": "config", "settings": {"dataset": "upload"}}', "no file uploaded"),
    ('{"type": "set_weight", "layer": 9, "row": 0, "col": 0, "value": 1}', "no Dense layer"),
    ('{"type": "set_weight", "layer": 1, "row": 0, "col": 0, "value": 1e300}', "a weight must"),
    ('{"type": "upload", "name": "x.csv"}', "needs 'text'"),
    ('{"type": "upload", "name": "x.csv", "text": "a,b\\n1,2\\n"}', "at least 2 data rows"),
    ("[" * 100000 + "]" * 100000, "not valid JSON"),
    (json.dumps({"type": "frame", "padding": "x" * 70000}), "message too large"),
    (json.dumps({"type": "config", "settings": {"features": ["x1"] * 30000}}), "too large"),
], ids=lambda v: v[:40] if isinstance(v, str) else None)
def test_malformed_messages_get_an_error_and_the_session_goes_on(ws, message, says):
    (reply,) = _talk(ws, message)
    assert reply["type"] == "error" and says in reply["message"], reply
    (frame,) = _talk(ws, {"type": "step", "epochs": 2})
    assert frame["type"] == "frame" and frame["epoch"] == 2


def test_binary_frames_and_messages_before_hello(client):
    with client.websocket_connect(WS) as ws:
        (reply,) = _talk(ws, {"type": "step", "epochs": 1})
        assert "send 'hello' first" in reply["message"]
        ws.send_bytes(b"\x00\x01")
        assert ws.receive_json()["message"] == "messages must be JSON text"


def test_oversized_upload_is_refused(ws, monkeypatch):
    monkeypatch.setattr(protocol, "MAX_MESSAGE_CHARS", 1000)
    (reply,) = _talk(ws, {"type": "upload", "name": "big.csv", "text": "a,b\n" + "1,2\n" * 400})
    assert "message too large" in reply["message"]


def test_a_bad_url_still_opens_the_page(client):
    with client.websocket_connect(WS) as ws:
        error, dataset, frame = _talk(ws, {"type": "hello", "settings": {"layers": "lots"}}, 3)
        assert "'layers' must be a list" in error["message"] and frame["epoch"] == 0


def test_sessions_are_isolated_and_freed(client, app, monkeypatch):
    with client.websocket_connect(WS) as a, client.websocket_connect(WS) as b:
        _talk(a, {"type": "hello"}, 2)
        _talk(b, {"type": "hello"}, 2)
        _talk(a, {"type": "step", "epochs": 7})
        assert _talk(b, {"type": "frame"})[0]["epoch"] == 0
        assert len(app.state.sessions) == 2
    assert app.state.sessions == {}
    monkeypatch.setattr(server, "MAX_SESSIONS", 1)
    with client.websocket_connect(WS) as a:
        _talk(a, {"type": "hello"}, 2)
        with pytest.raises(WebSocketDisconnect) as exc:
            with client.websocket_connect(WS) as b:
                b.receive_json()
        assert exc.value.code == 1013


def test_upload_names_are_never_paths(ws, tmp_path):
    target = tmp_path / "evil.csv"
    csv = "a,b,t\n1,2,0\n2,1,1\n3,3,0\n4,1,1\n"
    _talk(ws, {"type": "upload", "name": str(target), "text": csv}, 2)
    _talk(ws, {"type": "export"})
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_allowed_hosts():
    assert server.allowed_hosts_for("127.0.0.1") == {"127.0.0.1", "localhost", "[::1]"}
    assert socket.gethostname().lower() in server.allowed_hosts_for("0.0.0.0")


def test_serve_warns_when_not_on_loopback(monkeypatch, capsys):
    import uvicorn

    from lucidnet.playground.launch import serve

    def run(self):
        self.should_exit = True

    monkeypatch.setattr(uvicorn.Server, "run", run)
    serve("0.0.0.0", 8765, open_browser=False)
    assert "anyone who can reach this machine" in capsys.readouterr().err
    serve("127.0.0.1", 8765, open_browser=False)
    assert capsys.readouterr().err == ""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_serves_the_page_until_stopped(tmp_path):
    from conftest import SRC

    port = _free_port()
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.Popen([sys.executable, "-m", "lucidnet", "playground", "--no-browser",
                             "--port", str(port)], stdout=subprocess.PIPE, text=True, env=env,
                            cwd=tmp_path)
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"lucidnet playground: http://127.0.0.1:{port}/"), line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert b'data-testid="play"' in page.read()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    time.sleep(0.1)


@pytest.mark.parametrize("args, says", [
    (["--target", "y"], "--target needs --data"),
    (["--data", "missing.csv"], "no such file"),
    (["--data", "bad.csv"], "not a number"),
    (["--data", "bad.csv", "--target", "nope"], "no target column 'nope'"),
    (["--port", "70000"], "--port"),
])
def test_cli_errors(run_cli, tmp_path, args, says):
    (tmp_path / "bad.csv").write_text("a,b\nx,1\n2,3\n3,4\n")
    proc = run_cli("playground", "--no-browser", *args, timeout=30)
    assert proc.returncode == 2 and says in proc.stderr, proc.stderr


def test_help_imports_no_web_stack():
    from conftest import SRC

    code = ("import sys\nfrom lucidnet.cli import main\n"
            "try:\n    main(['playground', '--help'])\nexcept SystemExit:\n    pass\n"
            "print('HEAVY', [m for m in ('starlette', 'uvicorn', 'sklearn', 'matplotlib')"
            " if m in sys.modules])\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert "--no-browser" in proc.stdout and "--data CSV" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY []", proc.stdout + proc.stderr
