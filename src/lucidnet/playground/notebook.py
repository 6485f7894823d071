"""The playground in a Jupyter notebook: :func:`show` serves it from the kernel and
displays the page inline; :meth:`Playground.network` hands the page's network back.

The server runs on a daemon thread of the kernel (127.0.0.1, a free port), so it
stops with the kernel.  One server per kernel serves every :func:`show`; each call
gets its own token, which the page sends with its first message, so
:meth:`Playground.network` finds the network of *its* page.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time

__all__ = ["show", "Playground"]

_server = {}      # the kernel's one server: {"url", "app", "thread", "server"}
_lock = threading.Lock()


def _start(port: int = 0) -> dict:
    """Start the kernel's server once; return it."""
    with _lock:
        if _server:
            return _server
        import socket

        import uvicorn

        from .protocol import MAX_MESSAGE_CHARS
        from .server import allowed_hosts_for, create_app, single_threaded_blas

        if port == 0:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        single_threaded_blas()
        app = create_app(allowed_hosts_for("127.0.0.1"))
        server = uvicorn.Server(uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning",
            ws_max_size=4 * MAX_MESSAGE_CHARS, ws_ping_interval=None,
            ws_per_message_deflate=False))
        thread = threading.Thread(target=server.run, name="lucidnet-playground", daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        if not server.started:
            raise RuntimeError(f"the playground server did not start on port {port}")
        _server.update(url=f"http://127.0.0.1:{port}/", app=app, thread=thread, server=server)
        return _server


class Playground:
    """One page of the kernel's playground server (displays as an IFrame)."""

    def __init__(self, url: str, server_url: str, token: str, app, height: int = 900):
        # url: the page, with its token (and any settings) in the fragment
        self.url, self.server_url, self.token = url, server_url, token
        self._app, self.height = app, height

    def _session(self):
        found = [s for s in self._app.state.sessions.values()
                 if s is not None and getattr(s, "token", None) == self.token]
        if not found:
            raise RuntimeError("the page has not connected yet (open it, or wait a moment)")
        return found[-1]

    def network(self):
        """A copy of the page's current network, as a :class:`~lucidnet.NeuralNetwork`
        (same weights; its ``predict`` takes the raw inputs, as the exported model's)."""
        return copy.deepcopy(self._session().export_network())

    def _repr_html_(self) -> str:
        return (f'<iframe src="{self.url}" width="100%" height="{self.height}" '
                'style="border: 1px solid #ddd"></iframe>')

    def __repr__(self) -> str:
        return f"Playground({self.url!r})"


def show(settings: dict | None = None, *, height: int = 900, port: int = 0,
         display: bool = True) -> Playground:
    """Serve the playground from this kernel and show it inline.

    Parameters
    ----------
    settings : dict, optional
        Settings of the page, as its URL carries them (``{"dataset": "xor",
        "layers": [8, 8], "lr": 0.1}``; see :mod:`lucidnet.playground.settings`).
    height : int
        Height of the IFrame in pixels.
    port : int
        Port of the kernel's server (0: a free one); used by the first call only.
    display : bool
        Display the IFrame now (in IPython); the returned object displays as it too.

    Example
    -------
    >>> pg = show({"dataset": "spiral", "layers": [8, 8]})      # doctest: +SKIP
    >>> net = pg.network()                                      # doctest: +SKIP
    """
    from urllib.parse import quote

    server = _start(port)
    token = secrets.token_hex(8)
    parts = [f"token={token}"]
    for key, value in (settings or {}).items():
        text = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
        parts.append(f"{quote(str(key))}={quote(text)}")
    pg = Playground(f"{server['url']}#{'&'.join(parts)}", server["url"], token, server["app"],
                    height)
    if display:
        try:
            from IPython.display import display as ipython_display
        except ImportError:
            pass
        else:
            ipython_display(pg)
    return pg
