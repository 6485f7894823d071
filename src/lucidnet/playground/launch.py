"""Run the playground server until Ctrl-C (what ``lucidnet playground`` calls)."""

from __future__ import annotations

import sys
import threading
import webbrowser

__all__ = ["serve"]


def serve(host: str = "127.0.0.1", port: int = 8765, *, open_browser: bool = True,
          upload=None) -> None:
    """Serve the playground on ``host:port``; print the URL; open a browser tab.

    A ``host`` other than the loopback address serves the page, and the
    training it runs, to anyone on that network: a warning says so.
    """
    import uvicorn

    from .protocol import MAX_MESSAGE_CHARS
    from .server import allowed_hosts_for, create_app, single_threaded_blas

    single_threaded_blas()
    app = create_app(allowed_hosts_for(host), upload=upload)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {host}: anyone who can reach this machine on port "
              f"{port} can open the playground and run training on it", file=sys.stderr)
    # 4 bytes per character at worst (UTF-8), for the one big message (an upload);
    # no compression: frames are mostly base64 bytes, deflate would cost CPU for little
    config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                            ws_max_size=4 * MAX_MESSAGE_CHARS, ws_ping_interval=None,
                            ws_per_message_deflate=False)
    server = uvicorn.Server(config)
    shown = host if ":" not in host else f"[{host}]"
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"

    def announce():
        print(f"lucidnet playground: {url}  (Ctrl-C to stop)", flush=True)
        if open_browser:
            webbrowser.open(url)

    def when_started():
        while not server.started and not server.should_exit:
            threading.Event().wait(0.05)
        if server.started:
            announce()

    threading.Thread(target=when_started, daemon=True).start()
    server.run()
