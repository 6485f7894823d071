"""The playground in a Jupyter notebook: :func:`show` serves it from the kernel and
displays the page inline; :meth:`Playground.network` hands the page's network back.

The server runs on a daemon thread of the kernel (127.0.0.1, a free port) and stops
with the kernel: an exit handler closes it (and the page's connection, with a close
frame) before the kernel closes its own sockets.  One server per kernel serves every
:func:`show`; each call gets its own token, which the page sends with its first
message, so the page opens on the network or data given to *its* call and
:meth:`Playground.network` finds the network of *its* page.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import secrets
import threading
import time

__all__ = ["show", "Playground"]

_server = {}      # the kernel's one server: {"url", "app", "thread", "server"}
_lock = threading.Lock()
STOP_SECONDS = 5.0   # how long the kernel's exit waits for the server (a chunk of training)


def _stop(server, thread) -> None:
    """Stop the server and wait for its thread, at the kernel's exit.

    ipykernel closes its ZeroMQ sockets in an exit handler too; handlers run last
    registered first, so this one (registered when the first show() starts the
    server) runs before that, and no thread of ours is still serving while ZeroMQ
    shuts down.
    """
    server.should_exit = True
    thread.join(STOP_SECONDS)


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
        atexit.register(_stop, server, thread)
        _server.update(url=f"http://127.0.0.1:{port}/", app=app, thread=thread, server=server)
        return _server


class Playground:
    """One page of the kernel's playground server (displays as an IFrame).

    ``start`` is the session the page opens on (:mod:`.preload`); the server holds it
    as long as this object lives, and every tab that opens the page gets a copy.
    """

    def __init__(self, url: str, server_url: str, token: str, app, height: int = 900,
                 start=None):
        # url: the page, with its token (and any settings) in the fragment
        self.url, self.server_url, self.token = url, server_url, token
        self._app, self.height, self._start = app, height, start

    def _session(self):
        """The session of the page's newest tab, and the lock its messages are answered under."""
        state = self._app.state
        found = [(s, k) for k, s in list(state.sessions.items())   # a copy: tabs come and go
                 if s is not None and getattr(s, "token", None) == self.token]
        if found:
            session, key = found[-1]
            return session, state.locks.get(key, contextlib.nullcontext())   # closed since?
        if self._start is None:
            raise RuntimeError("the page has not connected yet (open it, or wait a moment)")
        return self._start, contextlib.nullcontext()   # no tab yet: the network it will open on

    def network(self):
        """A copy of the page's current network, as a :class:`~lucidnet.NeuralNetwork`
        (same weights; its ``predict`` takes the raw inputs, as the exported model's).

        Before a tab has opened the page, the network it will open on (for
        ``show(net)``, ``net``'s weights).  While the page trains, the weights after
        the chunk of epochs being trained now: never a mix of two steps.
        """
        session, lock = self._session()
        with lock:
            return copy.deepcopy(session.export_network())

    def _repr_html_(self) -> str:
        if getattr(self, "shown", False):
            # show() displayed the IFrame already; a second one would open a second
            # tab of the page, and network() would follow whichever connected last
            return (f'<p>lucidnet playground: shown above (<a href="{self.url}" '
                    'target="_blank">open in a new tab</a>)</p>')
        return (f'<iframe src="{self.url}" width="100%" height="{self.height}" '
                'style="border: 1px solid #ddd"></iframe>')

    def __repr__(self) -> str:
        return f"Playground({self.url!r})"


def show(data_or_net=None, settings: dict | None = None, *, height: int = 900, port: int = 0,
         display: bool = True) -> Playground:
    """Serve the playground from this kernel and show it inline.

    Parameters
    ----------
    data_or_net : NeuralNetwork, (X, y), str or dict, optional
        What the page opens on:

        - a :class:`~lucidnet.NeuralNetwork`: its layers, activations, dropout rate,
          loss, optimizer, penalty and weights (not its optimizer's state), on a built-in
          data set its output fits (``"circle"``, ``"spiral"`` with as many classes,
          ``"reg-plane"``; another with ``settings={"dataset": ...}``).  It takes 2
          inputs (x1, x2), or the transforms that ``net.preprocessing["input_features"]``
          names, as a network exported by the playground does;
        - ``(X, y)``: ``X`` of shape ``(N, 2)``, one row per point as scikit-learn holds
          it (a ``(2, N)`` array is refused: pass ``X.T``), ``y`` of shape ``(N,)``,
          class labels or regression values.  As an uploaded CSV file is, the points are
          split and standardized with the training part's statistics, which the
          exported network keeps in ``preprocessing["standardize"]``
          (:func:`lucidnet.data.apply_preprocessing` repeats them);
        - the name of a built-in data set (``"xor"``, ``"spiral"``, ...);
        - a dict of settings (``{"dataset": "xor", "layers": [8, 8], "lr": 0.1}``;
          see :mod:`lucidnet.playground.settings`).
    settings : dict, optional
        Settings on top of those (the page's URL carries them too, with any
        classroom keys such as ``hide``).
    height : int
        Height of the IFrame in pixels.
    port : int
        Port of the kernel's server (0: a free one); used by the first call only.
    display : bool
        Display the IFrame now (in IPython); the returned object displays as it too.

    Raises
    ------
    TypeError
        ``data_or_net`` is none of these.
    ValueError
        Data of another shape or with NaN, a single class, an unknown data set or
        setting, a network the page cannot build (the message says what).

    Example
    -------
    >>> pg = show("spiral", {"layers": [8, 8]})                  # doctest: +SKIP
    >>> pg = show((X, y))                                       # doctest: +SKIP
    >>> net = pg.network()                                      # doctest: +SKIP
    """
    from urllib.parse import quote

    from .preload import start_session

    start = start_session(data_or_net, settings)   # every refusal before the server starts
    server = _start(port)
    token = secrets.token_hex(8)
    parts = [f"token={token}"]
    # the settings as given (the server holds the rest) and classroom keys such as hide
    given = {**(data_or_net if isinstance(data_or_net, dict) else {}), **(settings or {})}
    for key, value in given.items():
        text = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
        parts.append(f"{quote(str(key))}={quote(text)}")
    server["app"].state.pages[token] = start
    pg = Playground(f"{server['url']}#{'&'.join(parts)}", server["url"], token, server["app"],
                    height, start)
    if display:
        try:
            from IPython.display import display as ipython_display
        except ImportError:
            pass
        else:
            ipython_display(pg)
            pg.shown = True  # so that show(...) as a cell's last line displays once
    return pg
