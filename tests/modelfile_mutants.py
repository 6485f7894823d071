"""Hostile variants of a valid model file, for the fuzz tests (seeded, reproducible).

Each generator takes the valid file's bytes and a ``numpy.random.Generator``
and returns the bytes of a mutant: truncations, byte flips, zip-level tricks
(compression method, encryption flag, duplicate and path-like names, declared
sizes that lie, a deflate bomb) and edited manifests or training states.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import struct
import zipfile

import numpy as np

CENTRAL = b"PK\x01\x02"
LOCAL = b"PK\x03\x04"


def members(data: bytes) -> dict:
    """name -> raw bytes of every member of the (valid) archive ``data``."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def build(items, method=zipfile.ZIP_STORED) -> bytes:
    """A zip of ``(name, bytes)`` items, duplicates allowed (written as given)."""
    out = io.BytesIO()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name
        with zipfile.ZipFile(out, "w", method) as zf:
            for name, payload in items:
                zf.writestr(name, payload)
    return out.getvalue()


def npy(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.asarray(array), allow_pickle=False)
    return buf.getvalue()


def manifest_of(data: bytes) -> dict:
    raw = members(data)["manifest.npy"]
    return json.loads(str(np.load(io.BytesIO(raw))))


def with_manifest(data: bytes, manifest, redigest: bool = False) -> bytes:
    """``data`` with another manifest (a dict or JSON text); ``redigest``: with its
    SHA-256 record recomputed too (see :func:`redigest`)."""
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    items = [(n, npy(np.array(text)) if n == "manifest.npy" else b)
             for n, b in members(data).items()]
    return redigest_archive(build(items)) if redigest else build(items)


def digests_of(items: dict, manifest: dict) -> dict:
    """The ``sha256`` record of a model file, computed here from the format's
    description (README, "The model file"), not by lucidnet: SHA-256 of each
    array member's stored bytes, and of the manifest as canonical JSON (sorted
    keys, no spaces, ASCII) without the record's own ``manifest`` entry."""
    record = {n[:-len(".npy")]: hashlib.sha256(b).hexdigest()
              for n, b in items.items() if n != "manifest.npy"}
    body = {**manifest, "sha256": record}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return {**record, "manifest": hashlib.sha256(text.encode("ascii")).hexdigest()}


def redigest_archive(data: bytes) -> bytes:
    """The archive with its ``sha256`` record made to match its members again (what
    a careful editor or a forger does), so that its values meet the validators;
    a file without the record (lucidnet 0.1.0) is returned as it is."""
    items = members(data)
    try:
        manifest = json.loads(str(np.load(io.BytesIO(items["manifest.npy"]))))
    except (KeyError, ValueError):  # no manifest, or not JSON: nothing to match
        return data
    if not isinstance(manifest, dict) or "sha256" not in manifest:
        return data
    manifest["sha256"] = digests_of(items, manifest)
    text = json.dumps(_mark_infinities(manifest))   # 1e400 stays 1e400, not Infinity
    text = text.replace('"__1e400__"', "1e400").replace('"__-1e400__"', "-1e400")
    return build([(n, npy(np.array(text)) if n == "manifest.npy" else b)
                  for n, b in items.items()])


def _mark_infinities(value):
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "__1e400__" if value > 0 else "__-1e400__"
    if isinstance(value, list):
        return [_mark_infinities(v) for v in value]
    if isinstance(value, dict):
        return {k: _mark_infinities(v) for k, v in value.items()}
    return value


def truncate(data, rng):
    return data[:int(rng.integers(0, len(data)))]


def flip_bytes(data, rng):
    out = bytearray(data)
    for _ in range(int(rng.integers(1, 4))):
        out[int(rng.integers(0, len(out)))] = int(rng.integers(0, 256))
    return bytes(out)


def _central_offsets(data):
    i, found = 0, []
    while (i := data.find(CENTRAL, i)) >= 0:
        found.append(i)
        i += 4
    return found


def set_method(data, rng):
    """An unknown (or unsupported) compression method in the central directory."""
    out = bytearray(data)
    offsets = _central_offsets(data)
    at = offsets[int(rng.integers(0, len(offsets)))]
    method = int(rng.choice([1, 6, 9, 12, 14, 93, 95, 98, 99, 0xFFFF]))
    struct.pack_into("<H", out, at + 10, method)
    return bytes(out)


def set_encrypted(data, rng):
    out = bytearray(data)
    offsets = _central_offsets(data)
    at = offsets[int(rng.integers(0, len(offsets)))]
    flags = struct.unpack_from("<H", out, at + 8)[0] | 0x1
    struct.pack_into("<H", out, at + 8, flags)
    return bytes(out)


def lie_about_size(data, rng):
    """Declared uncompressed (or compressed) size in the central directory changed."""
    out = bytearray(data)
    offsets = _central_offsets(data)
    at = offsets[int(rng.integers(0, len(offsets)))]
    field = at + int(rng.choice([20, 24]))   # compressed size, uncompressed size
    value = int(rng.choice([0, 1, 2**31, 2**32 - 1, int(rng.integers(0, 10**6))]))
    struct.pack_into("<I", out, field, value)
    return bytes(out)


def duplicate_member(data, rng):
    items = list(members(data).items())
    name, payload = items[int(rng.integers(0, len(items)))]
    other = npy(np.zeros(3)) if name != "manifest.npy" else payload
    return build(items + [(name, other)])


def path_like_name(data, rng):
    items = list(members(data).items())
    k = int(rng.integers(0, len(items)))
    name = items[k][0]
    trick = str(rng.choice(["../", "/", "./", "a/../", "C:\\", "param\\"]))
    items[k] = (trick + name, items[k][1])
    return build(items)


def extra_member(data, rng):
    name = str(rng.choice(["param/9/W.npy", "state/opt/x/m.npy", "notes.txt", "manifest.npz",
                           "state/cb/0/unused.npy"]))
    return build(list(members(data).items()) + [(name, npy(np.zeros((2, 2))))])


def huge_npy_header(data, rng):
    """A member whose .npy header claims (100000, 100000) float64: 74.5 GiB."""
    items = list(members(data).items())
    k = next(i for i, (n, _) in enumerate(items) if n.startswith("param/"))
    header = {"descr": "<f8", "fortran_order": False, "shape": (100000, 100000)}
    text = repr(header).encode()
    text += b" " * (-(len(text) + 11) % 64) + b"\n"
    items[k] = (items[k][0], b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text
                + b"\x00" * 64)
    return build(items)


@functools.lru_cache(maxsize=8)
def _deflate_bomb(data):
    """A member really inflating to 16 MiB (its directory entry says so too): the same
    file each time (compressing it takes a moment)."""
    items = list(members(data).items())
    k = next(i for i, (n, _) in enumerate(items) if n.startswith("param/"))
    items[k] = (items[k][0], npy(np.zeros(2**21)))
    return build(items, zipfile.ZIP_DEFLATED)


def deflate_bomb(data, rng):
    return _deflate_bomb(data)


def object_member(data, rng):
    items = list(members(data).items())
    k = next(i for i, (n, _) in enumerate(items) if n.startswith("param/"))
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    items[k] = (items[k][0], buf.getvalue())
    return build(items)


# JSON values that a hostile manifest may hold anywhere
ODD_VALUES = [None, True, False, 0, -1, 1.5, 2**64, 10**30, -(10**30), 1e308, "x", "",
              "\ud800", "a\x00b", "\x1b[31m", [], {}, [1, 2], {"a": 1}, "1e400", 1e-320,
              "0" * 5000, [[[]]]]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def edit_manifest(data, rng):
    """One value of the manifest (anywhere, train_state included) replaced by an odd one."""
    manifest = manifest_of(data)
    paths = [p for p in _paths(manifest) if p]
    path = paths[int(rng.integers(0, len(paths)))]
    node = manifest
    for key in path[:-1]:
        node = node[key]
    choice = rng.integers(0, len(ODD_VALUES) + 2)
    if choice == len(ODD_VALUES):        # delete it
        if isinstance(node, dict):
            del node[path[-1]]
        else:
            node.pop(path[-1])
    elif choice == len(ODD_VALUES) + 1:  # a nearby number
        old = node[path[-1]]
        node[path[-1]] = (old * -1 - 1) if isinstance(old, (int, float)) \
            and not isinstance(old, bool) else 1
    else:
        node[path[-1]] = ODD_VALUES[choice]
    text = json.dumps(manifest, allow_nan=True).replace('"1e400"', "1e400")
    return with_manifest(data, text)


def edit_manifest_redigested(data, rng):
    """:func:`edit_manifest` with the digests recomputed: the validators must refuse it."""
    return redigest_archive(edit_manifest(data, rng))


MUTATORS = [truncate, flip_bytes, set_method, set_encrypted, lie_about_size, duplicate_member,
            path_like_name, extra_member, huge_npy_header, deflate_bomb, object_member,
            edit_manifest, edit_manifest_redigested]
