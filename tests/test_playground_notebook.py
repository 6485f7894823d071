"""lucidnet.playground.show in a real Jupyter kernel (nbclient): the IFrame, training
through the server's own WebSocket API, and the page's network handed back."""

from __future__ import annotations

import os

import pytest

from conftest import SRC

CELLS = [
    "from lucidnet.playground import show\n"
    "pg = show({'dataset': 'xor', 'layers': [5], 'acts': ['tanh']})",
    # what the page does, over the same WebSocket (no browser in a kernel test)
    "import json, base64, numpy as np\n"
    "from websockets.sync.client import connect\n"
    "ws = connect(pg.server_url.replace('http', 'ws') + 'ws')\n"
    "ws.send(json.dumps({'type': 'hello', 'token': pg.token,\n"
    "                    'settings': {'dataset': 'xor', 'layers': [5], 'acts': ['tanh']}}))\n"
    "replies = [json.loads(ws.recv()) for _ in range(2)]\n"
    "ws.send(json.dumps({'type': 'step', 'epochs': 30}))\n"
    "frame = json.loads(ws.recv())\n"
    "print('epoch', frame['epoch'])",
    "net = pg.network()\n"
    "n, (x0, x1, y0, y1) = 100, replies[0]['domain']\n"
    "xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n\n"
    "ys = y1 - (np.arange(n) + 0.5) * (y1 - y0) / n\n"
    "gx, gy = np.meshgrid(xs, ys)\n"
    "p_net = net.predict_proba(np.vstack([gx.ravel(), gy.ravel()]))[0]\n"
    "p_page = np.frombuffer(base64.b64decode(frame['output']['p']), np.uint8) / 255\n"
    "print('largest difference', float(np.abs(p_net - p_page).max()))\n"
    "ws.close()",
]


@pytest.mark.slow
def test_show_in_a_notebook(monkeypatch, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("uvicorn")
    monkeypatch.setenv("PYTHONPATH", SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    first = nb.cells[0].outputs
    html = [o["data"]["text/html"] for o in first if "text/html" in o.get("data", {})]
    assert html and html[0].startswith("<iframe src=\"http://127.0.0.1:") and "token=" in html[0]
    text = "".join(o.get("text", "") for cell in nb.cells for o in cell.outputs)
    assert "epoch 30" in text
    largest = float(text.split("largest difference ")[1].split()[0])
    assert largest <= 1 / 255          # the page's colours: 256 levels, float32


NET_AND_DATA_CELLS = [
    "import numpy as np\n"
    "from lucidnet import Dense, Input, NeuralNetwork\n"
    "from lucidnet.playground import show\n"
    "net = NeuralNetwork([Input('x', 2), Dense('h', 4, 'tanh'), Dense('o', 1, 'sigmoid')],\n"
    "                    seed=11)\n"
    "pg = show(net)",
    "back = pg.network()\n"
    "same = all(np.array_equal(p, q) for (_, p, _), (_, q, _) in\n"
    "           zip(back.parameters(), net.parameters()))\n"
    "print('same weights', same, [l.units for l in back.layers[1:]])",
    "X = np.array([[0.0, 0.0], [0.0, 2.0], [2.0, 0.0], [2.0, 2.0]] * 5)\n"
    "y = np.array(['same', 'differ', 'differ', 'same'] * 5)\n"
    "pg2 = show((X, y))\n"
    "print('classes', pg2.network().preprocessing['class_labels'])",
    "try:\n"
    "    show((X.T, y))\n"
    "except ValueError as exc:\n"
    "    print('refused:', exc)",
    "show('xor')",     # show() as a cell's last line: one IFrame, not two (the repr too)
]


@pytest.mark.slow
def test_show_a_network_and_data_in_a_notebook(monkeypatch, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("uvicorn")
    monkeypatch.setenv("PYTHONPATH", SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c)
                                         for c in NET_AND_DATA_CELLS])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    frames = [o["data"]["text/html"] for i in (0, 2) for o in nb.cells[i].outputs
              if "text/html" in o.get("data", {})]
    assert len(frames) == 2 and all(f.startswith("<iframe src=\"http://127.0.0.1:")
                                    for f in frames)
    text = "".join(o.get("text", "") for cell in nb.cells for o in cell.outputs)
    assert "same weights True [4, 1]" in text
    assert "classes ['differ', 'same']" in text
    assert "refused: X must have shape (N, 2)" in text and "pass X.T" in text
    last = [o["data"]["text/html"] for o in nb.cells[4].outputs if "text/html" in o.get("data", {})]
    assert sum(f.startswith("<iframe") for f in last) == 1 and "shown above" in "".join(last)


def _accepts(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
def test_the_server_stops_with_the_kernel():
    """A real kernel serves a page with a tab connected and a chunk of training in
    flight; shutting the kernel down (as Jupyter does) stops the server in order: the
    port closes, the tab is told, the kernel exits 0."""
    import json
    import time

    manager_module = pytest.importorskip("jupyter_client.manager")
    pytest.importorskip("uvicorn")
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    km = manager_module.KernelManager(kernel_name="python3")
    km.start_kernel(env={**os.environ, "PYTHONPATH": SRC + os.pathsep +
                         os.environ.get("PYTHONPATH", "")})
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        printed = []
        kc.execute_interactive(
            "from lucidnet.playground import show\n"
            "pg = show({'dataset': 'spiral', 'layers': [64, 64], 'points': 5000},"
            " display=False)\n"
            "print(pg.server_url, pg.token)",
            output_hook=lambda m: printed.append(m["content"].get("text", "")), timeout=60)
        url, token = "".join(printed).split()
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        assert _accepts(port)
        with connect(url.replace("http", "ws") + "ws") as ws:
            ws.send(json.dumps({"type": "hello", "token": token, "settings": {}}))
            ws.recv(), ws.recv()
            ws.send(json.dumps({"type": "step", "epochs": 1000}))   # training at shutdown
            process = km.provisioner.process
            km.shutdown_kernel(now=False)       # a shutdown request, as Jupyter sends
            deadline = time.monotonic() + 5
            while _accepts(port) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not _accepts(port)
            assert process.poll() == 0          # the kernel exited by itself, not killed
            # the server was stopped in order (its exit handler, before the kernel's
            # own closed ZeroMQ), not cut off with the process: the tab got a close
            # frame, 1012 "service restart", which uvicorn sends when it shuts down
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    ws.recv(timeout=5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    finally:
        kc.stop_channels()
        if km.has_kernel:
            km.shutdown_kernel(now=True)
