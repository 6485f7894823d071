"""The WebSocket protocol: one JSON object per message, answered in order.

Page -> server (``type`` and its fields):

==============  ==============================================  ==========================
type            fields                                          answer
==============  ==============================================  ==========================
``hello``       ``settings`` (from the URL), ``token``          ``dataset``, ``frame``
``config``      ``settings`` (all or some)                      ``dataset`` if the data
                                                                changed, then ``frame``
``step``        ``epochs`` (1..1000)                            ``frame``
``frame``       --                                              ``frame``
``reset``       --                                              ``frame``
``set_weight``  ``layer``, ``param`` ("W"/"b"), ``row``,        ``frame``
                ``col``, ``value``
``upload``      ``name``, ``text`` (the CSV), ``target``        ``dataset``, ``frame``
``export``      --                                              ``export`` (``filename``,
                                                                ``data``: base64 .npz)
``explain``     --                                              ``explain`` (the equations,
                                                                line by line)
``check_``      --                                              ``gradcheck`` (a row per
``gradients``                                                   parameter tensor)
==============  ==============================================  ==========================

Anything else (not JSON, not an object, an unknown type, a field of the
wrong kind, an oversized message) is answered by ``{"type": "error",
"message": ...}`` and the session goes on unchanged.
"""

from __future__ import annotations

import base64
import copy
import json
import time

from .data import MAX_UPLOAD_BYTES, UploadError
from .frames import dataset_message, frame
from .insight import explain_message, gradcheck_message
from .script import python_script
from .session import Session, SessionError
from .settings import SettingsError

__all__ = ["handle", "MAX_MESSAGE_CHARS", "MAX_CONTROL_CHARS", "MAX_STEP_EPOCHS"]

# An upload is the only big message: the file plus a little JSON around it.
MAX_MESSAGE_CHARS = MAX_UPLOAD_BYTES + 4096
MAX_CONTROL_CHARS = 64 * 1024
MAX_STEP_EPOCHS = 1000


def _error(message: str) -> list:
    return [{"type": "error", "message": message}]


def _too_large(n, limit):
    return f"message too large ({n} characters; the limit is {limit})"


def _int(msg, key, low, high):
    value = msg.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SessionError(f"{key!r} must be an integer in [{low}, {high}]")
    return value


def handle(session: Session | None, text, upload=None, pages=None) -> tuple[Session | None, list]:
    """Answer one message; return the (possibly new) session and the replies.

    ``session`` is ``None`` until the page's ``hello`` arrives.  ``upload`` is
    the CSV ``(text, name, target)`` the server was started with (``--data``), which a new
    tab opens on.  ``pages`` maps the token of a notebook's ``show()`` to the session its
    page starts from: a ``hello`` with that token gets a copy of it (its data, network and
    weights) whatever its URL says.
    """
    if not isinstance(text, str):
        return session, _error("messages must be JSON text")
    if len(text) > MAX_MESSAGE_CHARS:
        return session, _error(_too_large(len(text), MAX_MESSAGE_CHARS))
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError):
        return session, _error("the message is not valid JSON")
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        return session, _error("a message must be a JSON object with a 'type'")
    kind = msg["type"]
    if kind != "upload" and len(text) > MAX_CONTROL_CHARS:
        return session, _error(_too_large(len(text), MAX_CONTROL_CHARS))
    try:
        if kind == "hello":
            token = msg.get("token")   # names the page for lucidnet.playground.show
            token = token if isinstance(token, str) and len(token) <= 64 else None
            start = (pages or {}).get(token)
            if start is not None:
                session = copy.deepcopy(start)
                session.token = token
                return session, [dataset_message(session), frame(session)]
            settings = msg.get("settings", {})
            if upload is not None and isinstance(settings, dict) and "dataset" not in settings:
                settings = {**settings, "dataset": "upload", "target": upload[2]}
            upload = upload[:2] if upload is not None else None
            try:
                session = Session(settings, upload=upload)
            except SettingsError as exc:  # a bad URL still opens the page, on defaults
                session = Session(upload=upload)
                session.token = token
                return session, [*_error(f"{exc}; using the defaults"),
                                 dataset_message(session), frame(session)]
            session.token = token
            return session, [dataset_message(session), frame(session)]
        if session is None:
            return session, _error("send 'hello' first")
        if kind == "config":
            before = session.data
            session.configure(msg.get("settings"))
            replies = [dataset_message(session)] if session.data is not before else []
            return session, [*replies, frame(session)]
        if kind == "step":
            start = time.perf_counter()
            session.train(_int(msg, "epochs", 1, MAX_STEP_EPOCHS))
            reply = frame(session)
            # what the server spent (training + pictures), for the page and the benchmark
            reply["server_ms"] = round(1000 * (time.perf_counter() - start), 2)
            return session, [reply]
        elif kind == "reset":
            session.reset()
        elif kind == "set_weight":
            value = msg.get("value")
            session.set_weight(msg.get("layer"), msg.get("param", "W"), msg.get("row"),
                               msg.get("col", 0), value)
        elif kind == "upload":
            body, name, target = msg.get("text"), msg.get("name", "upload.csv"), \
                msg.get("target", "")
            if not isinstance(body, str) or not isinstance(name, str) or \
                    not isinstance(target, str):
                raise SessionError("an upload needs 'text' (the CSV) and a 'name'")
            session.load_upload(body, name, target)
            return session, [dataset_message(session), frame(session)]
        elif kind == "export":
            data = base64.b64encode(session.export_bytes()).decode("ascii")
            return session, [{"type": "export", "filename": "playground-model.npz",
                              "data": data}]
        elif kind == "export_onnx":
            data = base64.b64encode(session.export_onnx_bytes()).decode("ascii")
            return session, [{"type": "export", "filename": "playground-model.onnx",
                              "data": data}]
        elif kind == "export_python":
            return session, [{"type": "export_python", "filename": "playground_run.py",
                              "text": python_script(session)}]
        elif kind == "explain":
            return session, [explain_message(session)]
        elif kind == "check_gradients":
            return session, [gradcheck_message(session)]
        elif kind != "frame":
            return session, _error(f"unknown message type {kind!r}")
        return session, [frame(session)]
    except (SessionError, SettingsError, UploadError) as exc:
        return session, _error(str(exc))
    except ValueError as exc:  # lucidnet refused something the checks above let through
        return session, _error(f"{kind}: {exc}")
