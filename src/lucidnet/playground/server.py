"""The playground's web server: a small Starlette app, served by uvicorn.

Routes, as data:

- ``GET /``: the page (``static/index.html``);
- ``GET /static/...``: its script and style sheet, from the installed package;
- ``WS /ws``: one :class:`~lucidnet.playground.session.Session` per connection
  (a tab), answered message by message in a worker thread (training never
  blocks the event loop), freed when the tab closes.

Safe by default: :class:`LocalOnly` refuses any request whose ``Host`` is not
one the server was started for (DNS rebinding) or whose ``Origin`` is not the
page's own (another site's script opening our WebSocket).  No route reads or
writes a path a client names: the static files come from one folder inside
the package and uploads are parsed in memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import weakref
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import FileResponse, PlainTextResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from .protocol import handle

__all__ = ["create_app", "LocalOnly", "MAX_SESSIONS", "allowed_hosts_for", "single_threaded_blas"]

STATIC = Path(__file__).parent / "static"
# Each session holds a network and its data (at most ~100 MB for the largest upload);
# a bound on their number bounds the server's memory.
MAX_SESSIONS = 16
log = logging.getLogger("lucidnet.playground")


def _hostname(authority: str) -> str:
    """``"127.0.0.1:8765"`` -> ``"127.0.0.1"``; ``"[::1]:80"`` -> ``"[::1]"``."""
    if authority.startswith("["):
        return authority.split("]", 1)[0] + "]"
    return authority.rsplit(":", 1)[0] if authority.count(":") == 1 else authority


def allowed_hosts_for(host: str) -> set[str]:
    """The host names a page served on ``host`` may be reached under."""
    hosts = {"127.0.0.1", "localhost", "[::1]", host if ":" not in host else f"[{host}]"}
    if host in ("0.0.0.0", "::"):  # every interface: the machine's own names and addresses
        import socket

        name = socket.gethostname()
        hosts.add(name)
        try:
            hosts.update(info[4][0] for info in socket.getaddrinfo(name, None, socket.AF_INET))
        except OSError:
            pass
    return {h.lower() for h in hosts}


class LocalOnly:
    """ASGI middleware: refuse a foreign ``Host`` or ``Origin`` (HTTP 403, WebSocket 1008).

    A request without ``Origin`` (not from a browser page, or a plain
    navigation) passes; one with an ``Origin`` passes only when it is exactly
    ``http://<the Host header>``, the page this server served.
    """

    def __init__(self, app, hosts):
        self.app, self.hosts = app, {h.lower() for h in hosts}

    def _allowed(self, scope) -> bool:
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if _hostname(host).lower() not in self.hosts:
            return False
        origin = headers.get("origin")
        return origin is None or origin.lower() == f"http://{host.lower()}"

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or self._allowed(scope):
            return await self.app(scope, receive, send)
        if scope["type"] == "http":
            return await PlainTextResponse("forbidden: foreign Host or Origin", 403)(
                scope, receive, send)
        await WebSocket(scope, receive, send).close(code=1008)


async def _page(request):
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})


def _is_step(text) -> bool:
    return isinstance(text, str) and text.startswith('{"type":"step"')


def _controls_first(waiting: list) -> list:
    """The waiting messages with every control before the training steps.

    While playing, the page keeps a step or two in flight; a change of a control
    that arrives behind them is answered first, so its frame comes after at most
    the chunk being trained now, not after every chunk already asked for.  (A step
    then trains with the newest settings, which is what the user asked for.)
    """
    return [t for t in waiting if not _is_step(t)] + [t for t in waiting if _is_step(t)]


async def _socket(ws: WebSocket):
    sessions = ws.app.state.sessions
    if len(sessions) >= MAX_SESSIONS:
        await ws.close(code=1013, reason="too many open playground tabs")
        return
    await ws.accept()
    key = object()
    sessions[id(key)] = None
    # held while a message is answered, so that a notebook's Playground.network()
    # copies the session between two training chunks, never in the middle of one
    ws.app.state.locks[id(key)] = threading.Lock()
    inbox: asyncio.Queue = asyncio.Queue()
    closed = object()

    async def read():  # receive while a message is being answered, to reorder them
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                await inbox.put(message.get("text"))   # a binary frame arrives as None
        except WebSocketDisconnect:
            pass
        finally:
            await inbox.put(closed)

    reader = asyncio.create_task(read())
    try:
        while True:
            waiting = [await inbox.get()]
            while not inbox.empty():
                waiting.append(inbox.get_nowait())
            done = closed in waiting
            for text in _controls_first([t for t in waiting if t is not closed]):
                await _answer(ws, sessions, id(key), text)
            if done:
                break
    except WebSocketDisconnect:
        pass
    finally:
        reader.cancel()
        del sessions[id(key)]   # the tab closed: its network and data go with it
        del ws.app.state.locks[id(key)]


async def _answer(ws, sessions, key, text) -> None:
    """One message in a worker thread (training never blocks the event loop); send the replies."""
    state = ws.app.state

    def answer():
        with state.locks[key]:
            session, replies = handle(sessions[key], text, state.upload, state.pages)
            sessions[key] = session
        return replies

    try:
        replies = await run_in_threadpool(answer)
        out = [json.dumps(r, allow_nan=False) for r in replies]
    except Exception as exc:  # a bug must not kill the tab: say so and go on
        log.exception("playground message failed")
        out = [json.dumps({"type": "error", "message":
                           f"internal error ({type(exc).__name__}: {exc})"})]
    for reply in out:
        await ws.send_text(reply)


def single_threaded_blas() -> None:
    """Run BLAS on one thread in this process.

    The playground's products are small (a 100 x 100 grid through a few dozen
    units) and share the machine with the browser drawing them: measured on a
    2-core machine, OpenBLAS's second thread made a frame's heatmap cost 4x the
    CPU time (18 ms instead of 4.5) for no gain in wall time.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def create_app(hosts=("127.0.0.1", "localhost"), upload=None) -> Starlette:
    """The playground as an ASGI app that answers only to ``hosts``.

    ``upload`` (a CSV file's text, name and target column) is the data every new tab starts on
    (``lucidnet playground --data``).

    Example
    -------
    >>> from starlette.testclient import TestClient               # doctest: +SKIP
    >>> with TestClient(create_app(), base_url="http://127.0.0.1") as client:
    ...     client.get("/").status_code
    200
    """
    app = Starlette(routes=[
        Route("/", _page),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        WebSocketRoute("/ws", _socket),
    ])
    app.state.sessions = {}
    app.state.locks = {}      # id -> the lock each tab's messages are answered under
    app.state.upload = upload
    # token -> the session a notebook's show() opens its page on; held as long as the
    # notebook holds its Playground object
    app.state.pages = weakref.WeakValueDictionary()
    app.add_middleware(LocalOnly, hosts=hosts)
    return app
