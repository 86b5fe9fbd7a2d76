"""Inputs are sacred: refuse what is not a regular file before opening it; log what was read.

:func:`require_regular_file` is called by :func:`assaykit.io.read_export` and the layout readers
before they open anything, so a FIFO, a device or a socket given as an export never hangs the run.

:class:`InputLog` records the SHA-256, size and modification time of each input when it is read
(:meth:`InputLog.record`) and checks at the end that none has changed (:meth:`InputLog.verify`):
provenance then describes the bytes that were analysed, and a file rewritten during the run is an
error instead of a wrong record.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from assaykit.errors import OutputError, ParseError

__all__ = ["InputLog", "InputRecord", "hash_input", "require_regular_file"]

_KIND = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def require_regular_file(path: str | PathLike[str], *, what: str = "input") -> os.stat_result:
    """``os.stat`` of ``path`` when it is a regular file (after symlinks); ParseError otherwise.

    Nothing is opened: a FIFO would block ``open`` until a writer appears.

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> os.mkfifo(os.path.join(d, "pipe.csv"))
    >>> require_regular_file(os.path.join(d, "pipe.csv"))
    Traceback (most recent call last):
    ...
    assaykit.errors.ParseError: .../pipe.csv: is a named pipe (FIFO), not a regular file; give the input file itself
    """
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise ParseError("no such file", path=p) from None
    except OSError as err:
        raise ParseError(f"cannot read the {what} ({err.strerror})", path=p) from None
    if not stat.S_ISREG(st.st_mode):
        kind = _KIND.get(stat.S_IFMT(st.st_mode), "not a regular file")
        if stat.S_ISDIR(st.st_mode):
            raise ParseError(f"is a folder, not an {what} file", path=p)
        raise ParseError(f"is {kind}, not a regular file; give the {what} file itself", path=p)
    return st


@dataclass(frozen=True)
class InputRecord:
    """One input as it was read: where, its size, modification time and SHA-256."""

    role: str
    path: Path
    bytes: int
    mtime_ns: int
    sha256: str

    def as_dict(self) -> dict[str, object]:
        """The provenance entry (name, size, SHA-256)."""
        return {"name": self.path.name, "bytes": self.bytes, "sha256": self.sha256}


def hash_input(path: str | PathLike[str]) -> tuple[str, int, int]:
    """SHA-256, size and mtime (ns) of a regular file, read in chunks (refuses FIFOs, devices).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes(b"abc")
    >>> hash_input(p)[0][:16], hash_input(p)[1]
    ('ba7816bf8f01cfea', 3)
    """
    st = require_regular_file(path)
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest(), st.st_size, st.st_mtime_ns


@dataclass
class InputLog:
    """The inputs of one run, hashed when read and re-checked before results are kept.

    The workflow layer creates one per run, calls :meth:`record` for each input as it reads it
    (:func:`assaykit.io.read_export` and :func:`assaykit.layout.read_layout` accept ``log=``),
    gives :meth:`paths` to the writer as ``inputs=`` and calls :meth:`verify` before the results
    folder is committed; :meth:`provenance_inputs` is what ``provenance.json`` records.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = p.write_bytes(b"a,b\\n1,2\\n")
    >>> log = InputLog()
    >>> log.record("export", p).bytes
    8
    >>> log.verify()
    >>> _ = p.write_bytes(b"a,b\\n1,3\\n")
    >>> log.verify()
    Traceback (most recent call last):
    ...
    assaykit.errors.OutputError: .../export.csv: changed while assaykit was reading it (SHA-256 ...); results not written; run again on a file that is not being written to
    """

    records: dict[str, InputRecord] = field(default_factory=dict)

    def record(self, role: str, path: str | PathLike[str]) -> InputRecord:
        """Hash ``path`` now (as it is read) under ``role``; the same file twice is hashed once.

        Another file under a role already used gets ``role_2``, ``role_3``, ... (a batch of
        exports read one after another).
        """
        p = Path(path)
        for rec in self.records.values():
            if rec.path == p:
                return rec
        if role in self.records:
            n = 2
            while f"{role}_{n}" in self.records:
                n += 1
            role = f"{role}_{n}"
        digest, size, mtime = hash_input(p)
        rec = InputRecord(role, p, size, mtime, digest)
        self.records[role] = rec
        return rec

    def paths(self) -> list[Path]:
        """Every recorded input path (to pass as ``inputs=`` to the writers)."""
        return [r.path for r in self.records.values()]

    def verify(self) -> None:
        """OutputError naming the first input whose bytes changed (or vanished) since recorded."""
        for rec in self.records.values():
            try:
                digest, size, _mtime = hash_input(rec.path)
            except ParseError:
                raise OutputError(
                    "was removed or replaced while assaykit was reading it; results not written",
                    path=rec.path,
                ) from None
            if digest != rec.sha256 or size != rec.bytes:
                raise OutputError(
                    f"changed while assaykit was reading it (SHA-256 {rec.sha256[:12]}… at "
                    f"reading, {digest[:12]}… now); results not written; run again on a file "
                    "that is not being written to",
                    path=rec.path,
                )

    def provenance_inputs(self) -> dict[str, dict[str, object]]:
        """``{role: {name, bytes, sha256}}`` as recorded when read."""
        return {role: rec.as_dict() for role, rec in self.records.items()}
