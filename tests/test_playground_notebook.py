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
