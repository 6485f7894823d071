"""``lucidnet playground``: TensorFlow Playground's page, live, on lucidnet's engine.

Starts a local web server, prints its URL and opens it in the default browser
(``--no-browser`` to skip); Ctrl-C stops it.  ``--data FILE --target COLUMN``
starts every tab on your CSV file instead of the built-in data sets.  Needs
the ``playground`` extra (``pip install "lucidnet[playground]"``).
"""

from __future__ import annotations

from pathlib import Path

from . import CommandError

ORDER = 60


def register(subparsers):
    parser = subparsers.add_parser("playground", help="train a network live in the browser",
                                   description=" ".join(__doc__.split("\n\n")[:2]))
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--data", type=Path, metavar="CSV",
                        help="a CSV file with a header row to start on")
    parser.add_argument("--target", metavar="COLUMN",
                        help="the target column of --data (default: the last column)")
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port: must be in 0..65535, got {args.port}")
    if args.target is not None and args.data is None:
        raise CommandError("--target needs --data")
    try:
        from ..playground.launch import serve
    except ImportError as exc:
        raise CommandError(f"the playground needs its extra ({exc.name} is missing): "
                           "pip install 'lucidnet[playground]'", status=1) from None
    upload = None
    if args.data is not None:
        from ..playground.data import UploadError, read_upload

        try:
            text = args.data.read_text(encoding="utf-8-sig")
            read_upload(text, args.target or "", args.data.name)  # refuse a bad file now
            upload = (text, args.data.name, args.target or "")
        except FileNotFoundError:
            raise CommandError(f"--data: no such file {str(args.data)!r}") from None
        except (OSError, UnicodeDecodeError, UploadError) as exc:
            raise CommandError(f"--data: {exc}") from None
    serve(args.host, args.port, open_browser=not args.no_browser, upload=upload)
    return 0
