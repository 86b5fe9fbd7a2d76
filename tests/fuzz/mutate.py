"""Mutations of real exports for fuzzing the readers (truncation, byte noise, encodings, cell edits)."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable

__all__ = ["MUTATORS", "mutate"]


def _truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[: rnd.randrange(0, max(1, len(data)))]


def _flip_bytes(data: bytes, rnd: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        if b:
            b[rnd.randrange(len(b))] = rnd.randrange(256)
    return bytes(b)


def _insert_random(data: bytes, rnd: random.Random) -> bytes:
    k = rnd.randrange(0, len(data) + 1)
    return data[:k] + rnd.randbytes(rnd.randint(1, 64)) + data[k:]


def _reencode(data: bytes, rnd: random.Random) -> bytes:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return data
    enc = rnd.choice(["utf-16", "utf-16-le", "utf-8-sig", "cp1252", "latin-1"])
    return text.encode(enc, errors="replace")


def _text_lines(data: bytes) -> tuple[list[str], str] | None:
    for enc in ("utf-8", "utf-16"):
        try:
            return data.decode(enc).splitlines(keepends=True), enc
        except UnicodeDecodeError:
            continue
    return None


def _edit_lines(data: bytes, rnd: random.Random) -> bytes:
    got = _text_lines(data)
    if not got:
        return _flip_bytes(data, rnd)
    lines, enc = got
    if not lines:
        return data
    op = rnd.choice(["delete", "duplicate", "swap", "blank", "cell"])
    k = rnd.randrange(len(lines))
    if op == "delete":
        del lines[k]
    elif op == "duplicate":
        lines.insert(k, lines[k])
    elif op == "swap" and len(lines) > 1:
        j = rnd.randrange(len(lines))
        lines[k], lines[j] = lines[j], lines[k]
    elif op == "blank":
        lines[k] = "\n"
    else:
        lines[k] = _edit_cells(lines[k], rnd)
    return "".join(lines).encode(enc)


_NASTY = ["abc", "1e400", "-1e400", "NaN", "inf", "-5", "", "=cmd|' /C calc'!A0", "9" * 40, "1,5", "OVRFLW", "\u00b5"]


def _edit_cells(line: str, rnd: random.Random) -> str:
    for sep in ("\t", ";", ","):
        if sep in line:
            cells = line.rstrip("\n").split(sep)
            j = rnd.randrange(len(cells))
            cells[j] = rnd.choice(_NASTY)
            if rnd.random() < 0.2:
                cells.append(rnd.choice(_NASTY))
            if rnd.random() < 0.2 and len(cells) > 1:
                del cells[rnd.randrange(len(cells))]
            return sep.join(cells) + "\n"
    return rnd.choice(_NASTY) + "\n"


def _xlsx_cells(data: bytes, rnd: random.Random) -> bytes:
    """Edit a cell value inside an xlsx's sheet XML, or drop a member."""
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
        names = zin.namelist()
    except zipfile.BadZipFile:
        return _flip_bytes(data, rnd)
    out = io.BytesIO()
    victim = rnd.choice(names)
    drop = rnd.random() < 0.2
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in names:
            body = zin.read(name)
            if name == victim:
                if drop:
                    continue
                if name.endswith(".xml"):
                    text = body.decode("utf-8", errors="replace")
                    for _ in range(rnd.randint(1, 5)):
                        k = text.find("<v>", rnd.randrange(max(1, len(text))))
                        if k < 0:
                            break
                        end = text.find("</v>", k)
                        text = text[: k + 3] + rnd.choice(["abc", "1e400", "NaN", "-5", "", "<"]) + text[end:]
                    body = text.encode("utf-8")
                else:
                    body = _flip_bytes(body, rnd)
            zout.writestr(name, body)
    return out.getvalue()


MUTATORS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": _truncate,
    "flip_bytes": _flip_bytes,
    "insert_random": _insert_random,
    "reencode": _reencode,
    "edit_lines": _edit_lines,
    "xlsx_cells": _xlsx_cells,
}


def mutate(data: bytes, seed: int) -> tuple[str, bytes]:
    """One mutation of ``data`` chosen by ``seed`` (xlsx files get zip-aware mutations too)."""
    rnd = random.Random(seed)
    is_zip = data[:4] == b"PK\x03\x04"
    names = [n for n in MUTATORS if (n != "xlsx_cells" or is_zip) and (not is_zip or n in ("truncate", "flip_bytes", "xlsx_cells"))]
    name = rnd.choice(names)
    return name, MUTATORS[name](data, rnd)
