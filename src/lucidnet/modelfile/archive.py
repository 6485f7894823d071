"""A model file's zip archive, read without trusting a byte of it.

A model file is a ``.npz``: a zip archive of ``.npy`` members.  Everything in
it may be hostile (a download gone wrong, an edited file, a file made to
crash or exhaust the reader), so :class:`Archive` reads it in an order where
nothing is used, and no memory is allocated, before it has been checked:

1. the zip directory: each member stored or deflated (no other compression
   method, no encryption), names unique and of the form a model file uses (no
   paths), sizes that deflate can produce, a total under the hard cap;
2. ``manifest.npy`` (a 0-d unicode array of bounded length), read as a stream;
3. then, given what the validated manifest implies (:meth:`Archive.expect`):
   no member beyond those, and each member's ``.npy`` header (shape, dtype,
   byte count) equal to its expectation *before* any array is read;
4. the arrays, streamed in chunks into buffers of the checked size: a member
   that inflates to more than its directory entry says is cut off there (and
   fails its CRC), so decompression never passes the total that the manifest
   implies; when the manifest records digests, each member's bytes are hashed
   as they stream and a mismatch refused (:mod:`.digest`).

Every problem, whatever exception zipfile, zlib or NumPy raised for it, is a
:class:`~lucidnet.persistence.ModelFileError` saying what is wrong.  The
``.npy`` headers are parsed by NumPy (``ast.literal_eval``, which evaluates no
code); ``allow_pickle`` does not arise: object dtypes are refused.
"""

from __future__ import annotations

import re
import zipfile
from math import prod

import numpy as np

__all__ = ["Archive", "HARD_CAP_BYTES", "MAX_MANIFEST_CHARS"]

# No model file unpacks to more than this, whatever its manifest says (2 GiB:
# 268 million float64 parameters).
HARD_CAP_BYTES = 2 * 2**30
MAX_MANIFEST_CHARS = 1_000_000
_MAX_NPY_HEADER = 4096
_CHUNK = 1 << 20
# Deflate expands at most about 1032:1; a directory claiming more lies.
_DEFLATE_RATIO = 1100
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_MEMBER = re.compile(r"(manifest|param/\d{1,6}/[A-Za-z][A-Za-z0-9_]{0,30}"
                     r"|state/[A-Za-z0-9_.\-]{1,64}(/[A-Za-z0-9_.\-]{1,64}){0,6})\.npy")


def _error(message):
    from ..errors import ModelFileError

    return ModelFileError(message)


class Archive:
    """An open model file: ``with Archive(path) as ar: ar.manifest_text() ...``.

    Attributes
    ----------
    members : dict
        Member name without ``.npy`` (``"manifest"``, ``"param/1/W"``) -> ZipInfo.
    """

    def __init__(self, path):
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
            infos = self._zip.infolist()
        except Exception:  # noqa: BLE001 - zipfile raises many kinds on hostile bytes
            raise self._not_a_zip() from None
        try:
            self.members = self._check_directory(infos)
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._zip.close()

    def _bad(self, message):
        return _error(f"{self.path}: {message}")

    def _not_a_zip(self):
        with open(self.path, "rb") as fh:
            is_zip = fh.read(4) == b"PK\x03\x04"
        if is_zip:  # a zip that lost its end (the directory is written last)
            return self._bad("the archive is truncated or its zip directory is damaged")
        return self._bad("not a lucidnet model file (not a .npz/zip archive)")

    def _check_directory(self, infos) -> dict:
        if not any(info.filename == "manifest.npy" for info in infos):
            raise self._bad("not a lucidnet model (no manifest entry)")
        members, total = {}, 0
        for info in infos:
            name = info.filename
            if not _MEMBER.fullmatch(name):
                raise self._bad(f"archive member {name!r} is not one a model file holds "
                                "(.npy arrays named manifest, param/<layer>/<name> or "
                                "state/...; no paths)")
            if name[:-4] in members:
                raise self._bad(f"archive member {name!r} appears twice (two tools could "
                                "read two different models)")
            if info.compress_type not in _METHODS:
                raise self._bad(f"archive member {name!r} uses compression method "
                                f"{info.compress_type}; a model file is stored or deflated")
            if info.flag_bits & 0x1:
                raise self._bad(f"archive member {name!r} is encrypted")
            ratio = 1 if info.compress_type == zipfile.ZIP_STORED else _DEFLATE_RATIO
            if info.file_size > ratio * info.compress_size + 64:
                raise self._bad(f"archive member {name!r} claims {info.file_size} bytes from "
                                f"{info.compress_size} compressed bytes, more than "
                                f"{_METHODS[info.compress_type]} can produce")
            total += info.file_size
            members[name[:-4]] = info
        if total > HARD_CAP_BYTES:
            raise self._bad(f"the archive would unpack to {total} bytes (over the "
                            f"{HARD_CAP_BYTES}-byte limit)")
        return members

    # ------------------------------------------------------------ reading
    def _stream(self, name):
        return self._zip.open(self.members[name])

    def _header(self, fp, name):
        """``(shape, fortran_order, dtype)`` from a member's ``.npy`` header (bounded)."""
        from numpy.lib import format as npy

        version = npy.read_magic(fp)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f"unsupported .npy version {version}")
        read = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
        shape, fortran, dtype = read(fp, max_header_size=_MAX_NPY_HEADER)
        if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
            raise self._bad(f"array {name!r} holds Python objects or records ({dtype}), "
                            "which a model file never loads")
        return tuple(shape), bool(fortran), dtype

    def _guarded(self, name, action):
        """Run ``action()``; any exception from the zip, zlib or .npy layer names the member."""
        from ..errors import ModelFileError

        try:
            return action()
        except ModelFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - hostile bytes reach any corner of zipfile
            raise self._bad(f"the archive is corrupted ({type(exc).__name__}: "
                            f"{str(exc)[:200]}) in array {name!r}") from None

    def manifest_text(self) -> str:
        """The manifest's JSON text, read with a bounded budget."""
        def read():
            with self._stream("manifest") as fp:
                shape, _, dtype = self._header(fp, "manifest")
                if dtype.kind != "U" or shape != ():
                    raise self._bad("the manifest entry is not a text string")
                if dtype.itemsize // 4 > MAX_MANIFEST_CHARS:
                    raise self._bad(f"the manifest is too large (over {MAX_MANIFEST_CHARS} "
                                    "characters)")
                value = self._read_data(fp, "manifest", (), dtype, False)
            return str(value[()])
        return self._guarded("manifest", read)

    def expect(self, expected: dict, budget: int, digests: dict | None = None) -> dict:
        """Check the members against ``expected`` and read them; return name -> array.

        ``expected`` maps a member name to ``(shape, dtypes, required)``: ``shape``
        is a tuple (``None`` for a free length) or ``None`` for any shape.  Every
        header is checked before any array is read, and the arrays together may
        not unpack to more than ``budget`` bytes.  ``digests`` (name -> SHA-256 hex),
        when given, must match each member's bytes.
        """
        names = set(self.members) - {"manifest"}
        unexpected = sorted(names - set(expected))
        missing = sorted(n for n, (_, _, required) in expected.items()
                         if required and n not in names)
        if unexpected:
            raise self._bad(f"archive members the manifest does not account for: "
                            f"{', '.join(unexpected[:5])}")
        if missing:
            raise self._bad(f"arrays the manifest needs are missing: {', '.join(missing[:5])}")
        plan = {}
        for name in sorted(names):
            shape, dtypes, _ = expected[name]
            plan[name] = self._guarded(name, lambda: self._check_header(name, shape, dtypes))
        total = sum(prod(shape) * dtype.itemsize for shape, dtype, _ in plan.values())
        if total > budget:
            raise self._bad(f"the arrays would unpack to {total} bytes, more than the "
                            f"{budget} bytes the manifest implies")
        return {name: self._guarded(name, lambda: self._read_member(
                    name, *plan[name], None if digests is None else digests[name]))
                for name in sorted(names)}

    def _check_header(self, name, shape, dtypes):
        with self._stream(name) as fp:
            found, fortran, dtype = self._header(fp, name)
            offset = fp.tell()
        if dtype.str.lstrip("<>=|") not in {np.dtype(d).str.lstrip("<>=|") for d in dtypes}:
            raise self._bad(f"array {name} has dtype {dtype}, expected "
                            f"{' or '.join(map(str, dtypes))}")
        if shape is not None and (len(found) != len(shape) or any(
                s is not None and s != f for s, f in zip(shape, found))):
            wanted = tuple("N" if s is None else s for s in shape)
            raise self._bad(f"array {name} has shape {found}, but the manifest implies {wanted}")
        nbytes = prod(found) * dtype.itemsize
        if self.members[name].file_size != offset + nbytes:
            raise self._bad(f"array {name}: the archive says {self.members[name].file_size} "
                            f"bytes, its header {offset + nbytes}")
        return found, dtype, fortran

    def _read_member(self, name, shape, dtype, fortran, digest=None):
        from .digest import Hashing

        with self._stream(name) as raw:
            fp = Hashing(raw)
            self._header(fp, name)
            array = self._read_data(fp, name, shape, dtype, fortran)
        if digest is not None and fp.hexdigest() != digest:
            raise self._bad(f"altered or corrupted: member {name} (its SHA-256 differs from "
                            "the one the manifest recorded when the file was written)")
        return array

    def _read_data(self, fp, name, shape, dtype, fortran):
        """The array's bytes, read in chunks into a buffer of exactly the checked size."""
        out = np.empty(prod(shape) * dtype.itemsize, dtype=np.uint8)
        view, done = memoryview(out), 0
        while done < out.size:
            chunk = fp.read(min(_CHUNK, out.size - done))
            if not chunk:
                raise self._bad(f"array {name} is truncated")
            view[done:done + len(chunk)] = chunk
            done += len(chunk)
        if fp.read(1):  # also makes zipfile check the CRC
            raise self._bad(f"array {name} holds more bytes than its header says")
        return out.view(dtype).reshape(shape, order="F" if fortran else "C")
