"""A model file's SHA-256 digests: an edited or damaged file is refused, whatever it holds.

The validators (:mod:`.manifest`, :mod:`.train_state`) refuse values of the
wrong type or range, but an edit that stays in range (one weight changed, an
epoch moved by one, a learning rate made a million times larger) reads as a
valid file and resumes silently into another run.  So a file records, in its
manifest, one digest per member::

    "sha256": {"param/1/W": "<64 hex digits>", ..., "manifest": "<64 hex digits>"}

- an array member's digest is SHA-256 of its bytes as stored in the archive
  (the whole ``.npy``: header and data);
- the manifest's is SHA-256 of the manifest in canonical JSON (keys sorted,
  no spaces, ASCII, :func:`canonical`) with ``sha256.manifest`` itself left
  out, so it covers every other value, the member digests included.

Reading refuses a file whose digests do not match (``altered or corrupted:
member X``), after the validators (whose messages say more about a value that
is out of range) and before any array is used.  A file without ``sha256`` (written by lucidnet 0.1.0) is read as
before, on the validators alone.  The digests guard against accidents and
edits, not against a forger: anyone can recompute them, and a recomputed file
is then read like any other, through every validator.
"""

from __future__ import annotations

import hashlib
import json
import re

__all__ = ["FIELD", "canonical", "manifest_digest", "digest_record", "check_manifest_digest",
           "Hashing"]

FIELD = "sha256"
_HEX = re.compile(r"[0-9a-f]{64}")


def canonical(value) -> str:
    """The one JSON text of ``value`` that every writer and reader agrees on."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False)


def manifest_digest(manifest: dict) -> str:
    """SHA-256 of the canonical manifest, without its own entry ``sha256.manifest``."""
    body = dict(manifest)
    if isinstance(body.get(FIELD), dict):
        body[FIELD] = {k: v for k, v in body[FIELD].items() if k != "manifest"}
    return hashlib.sha256(canonical(body).encode("ascii")).hexdigest()


def digest_record(bad, manifest: dict) -> dict | None:
    """The manifest's ``sha256`` record (member name -> hex), ``None`` for a file
    without one; ``bad`` for a record of the wrong form."""
    record = manifest.get(FIELD)
    if record is None:
        return None
    if not (isinstance(record, dict) and "manifest" in record and all(
            isinstance(k, str) and isinstance(v, str) and _HEX.fullmatch(v)
            for k, v in record.items())):
        raise bad(f"{FIELD} must map member names to SHA-256 digests (64 hex digits)")
    return record


def check_manifest_digest(bad, manifest: dict, record: dict, members) -> dict:
    """``bad`` unless ``record`` names exactly the archive's ``members`` and the
    manifest matches its own digest; return the array members' digests."""
    names = set(members)
    if set(record) != names:
        name = min(names ^ set(record))
        raise bad(f"altered or corrupted: member {name[:80]} "
                  f"{'has no recorded digest' if name in names else 'is missing'}")
    try:
        found = manifest_digest(manifest)
    except RecursionError:
        raise bad("the manifest is nested too deeply") from None
    except ValueError:  # 1e400 parses as infinity, which lucidnet never writes
        found = None
    if found != record["manifest"]:
        raise bad("altered or corrupted: member manifest (its SHA-256 differs from the one "
                  "recorded when the file was written)")
    return {k: v for k, v in record.items() if k != "manifest"}


class Hashing:
    """A file object that passes reads and writes through and hashes their bytes."""

    def __init__(self, fp):
        self.fp, self.sha = fp, hashlib.sha256()

    def read(self, n=-1):
        data = self.fp.read(n)
        self.sha.update(data)
        return data

    def write(self, data):
        self.sha.update(data)
        return self.fp.write(data)

    def hexdigest(self) -> str:
        return self.sha.hexdigest()
