"""Mutations of real exports for fuzzing the readers (truncation, byte noise, encodings, cell edits)."""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable

__all__ = ["MUTATORS", "TEXT_MUTATORS", "XLSX_MUTATORS", "mutate", "mutators_for"]


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


_NASTY = [
    "abc",
    "1e400",
    "-1e400",
    "NaN",
    "inf",
    "-5",
    "",
    "=cmd|' /C calc'!A0",
    "9" * 40,
    "1,5",
    "OVRFLW",
    "\u00b5",
]


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
                        text = (
                            text[: k + 3]
                            + rnd.choice(["abc", "1e400", "NaN", "-5", "", "<"])
                            + text[end:]
                        )
                    body = text.encode("utf-8")
                else:
                    body = _flip_bytes(body, rnd)
            zout.writestr(name, body)
    return out.getvalue()


_XLSX_NASTY = [
    "abc",
    "1e400",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "-5",
    "",
    "<",
    "&amp;",
    "totl",
    "nmol",
    "=1+1",
    "@SUM(A1)",
    "../../evil",
    "9" * 40,
    "\u00b5M",
    "2026-13-45",
    "A99",
    "Z1",
]


def _xlsx_rewrite(
    data: bytes, rnd: random.Random, edit: Callable[[str, bytes], bytes | None]
) -> bytes:
    """Rewrite a zip member by member; ``edit(name, body)`` returns new bytes or None to drop it."""
    try:
        zin = zipfile.ZipFile(io.BytesIO(data))
        infos = zin.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return _flip_bytes(data, rnd)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in infos:
            try:
                body = zin.read(info.filename)
            except Exception:  # noqa: BLE001 - a damaged member stays damaged
                continue
            new = edit(info.filename, body)
            if new is not None:
                zout.writestr(info.filename, new)
    return out.getvalue()


def _sheet_members(data: bytes) -> list[str]:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return []
    return [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")] or names


def _xlsx_text(data: bytes, rnd: random.Random) -> bytes:
    """Replace shared or inline strings (roles, units, names, headers) with nasty text."""

    def edit(name: str, body: bytes) -> bytes:
        if not (name.endswith("sharedStrings.xml") or name.startswith("xl/worksheets/")):
            return body
        text = body.decode("utf-8", errors="replace")
        for _ in range(rnd.randint(1, 6)):
            k = text.find("<t", rnd.randrange(max(1, len(text))))
            if k < 0:
                break
            start = text.find(">", k) + 1
            end = text.find("</t>", start)
            if start <= 0 or end < 0:
                break
            value = rnd.choice(_XLSX_NASTY).replace("&", "&amp;").replace("<", "&lt;")
            text = text[:start] + value + text[end:]
        return text.encode("utf-8")

    return _xlsx_rewrite(data, rnd, edit)


def _xlsx_structure(data: bytes, rnd: random.Random) -> bytes:
    """Merge cells, empty a sheet, duplicate or drop a row, truncate a member's XML."""
    sheets = _sheet_members(data)
    if not sheets:
        return _flip_bytes(data, rnd)
    victim = rnd.choice(sheets)
    op = rnd.choice(["merge", "empty", "dup_row", "drop_row", "truncate_xml", "huge_dim"])

    def edit(name: str, body: bytes) -> bytes:
        if name != victim:
            return body
        text = body.decode("utf-8", errors="replace")
        if op == "merge":
            ref = f"{rnd.choice('ABCDEF')}{rnd.randint(1, 20)}:{rnd.choice('GHIJ')}{rnd.randint(20, 40)}"
            if "<mergeCells" in text:
                k = text.find(">", text.find("<mergeCells")) + 1
                text = text[:k] + f'<mergeCell ref="{ref}"/>' + text[k:]
            elif "</sheetData>" in text:
                text = text.replace(
                    "</sheetData>",
                    f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>',
                    1,
                )
        elif op == "empty":
            a, b = text.find("<sheetData"), text.find("</sheetData>")
            if a >= 0 and b > a:
                text = text[:a] + "<sheetData/>" + text[b + len("</sheetData>") :]
        elif op in ("dup_row", "drop_row"):
            rows = [m.start() for m in re.finditer("<row ", text)]
            if rows:
                a = rnd.choice(rows)
                b = text.find("</row>", a)
                if b > a:
                    row = text[a : b + len("</row>")]
                    text = (
                        text[:a]
                        + (row + row if op == "dup_row" else "")
                        + text[b + len("</row>") :]
                    )
        elif op == "truncate_xml":
            text = text[: rnd.randrange(max(1, len(text)))]
        else:
            text = text.replace('<dimension ref="', '<dimension ref="A1:XFD1048576" old="', 1)
        return text.encode("utf-8")

    return _xlsx_rewrite(data, rnd, edit)


def _text_numbers(data: bytes, rnd: random.Random) -> bytes:
    """Replace number-looking cells of a text export with huge, negative, NaN/inf or text values."""
    got = _text_lines(data)
    if not got:
        return _flip_bytes(data, rnd)
    lines, enc = got
    if not lines:
        return data
    values = [
        "1e308",
        "1e400",
        "-1",
        "-0",
        "NaN",
        "nan",
        "inf",
        "-inf",
        "1e-400",
        "0x1F",
        "1_000",
        "12O",
        "½",
        "١٢٣",
    ]
    for _ in range(rnd.randint(1, 6)):
        k = rnd.randrange(len(lines))
        lines[k] = re.sub(
            r"(?<![\w.])\d+(\.\d+)?(?![\w.])", lambda m: rnd.choice(values), lines[k], count=1
        )
    return "".join(lines).encode(enc)


def _columns(data: bytes, rnd: random.Random) -> bytes:
    """Add or remove a column in every line (extra or missing columns)."""
    got = _text_lines(data)
    if not got:
        return _flip_bytes(data, rnd)
    lines, enc = got
    seps = [s for s in ("\t", ";", ",") if any(s in ln for ln in lines)]
    if not seps:
        return data
    sep = seps[0]
    j = rnd.randrange(0, 16)
    add = rnd.random() < 0.5
    out = []
    for ln in lines:
        end = "\n" if ln.endswith("\n") else ""
        cells = ln.rstrip("\r\n").split(sep)
        if add:
            cells.insert(min(j, len(cells)), rnd.choice(_NASTY))
        elif j < len(cells) and len(cells) > 1:
            del cells[j]
        out.append(sep.join(cells) + end)
    return "".join(out).encode(enc)


MUTATORS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": _truncate,
    "flip_bytes": _flip_bytes,
    "insert_random": _insert_random,
    "reencode": _reencode,
    "edit_lines": _edit_lines,
    "text_numbers": _text_numbers,
    "columns": _columns,
    "random_bytes": lambda data, rnd: rnd.randbytes(rnd.randint(0, 4096)),
    "xlsx_cells": _xlsx_cells,
    "xlsx_text": _xlsx_text,
    "xlsx_structure": _xlsx_structure,
}

#: Mutations that apply to text exports and to xlsx workbooks.
TEXT_MUTATORS = (
    "truncate",
    "flip_bytes",
    "insert_random",
    "reencode",
    "edit_lines",
    "text_numbers",
    "columns",
    "random_bytes",
)
XLSX_MUTATORS = (
    "truncate",
    "flip_bytes",
    "random_bytes",
    "xlsx_cells",
    "xlsx_text",
    "xlsx_structure",
)


def mutators_for(data: bytes) -> tuple[str, ...]:
    """Names of the mutations that make sense for ``data`` (zip-aware ones for workbooks)."""
    return XLSX_MUTATORS if data[:4] == b"PK\x03\x04" else TEXT_MUTATORS


def mutate(data: bytes, seed: int, name: str | None = None) -> tuple[str, bytes]:
    """One mutation of ``data`` chosen by ``seed`` (or the named one); returns (name, bytes)."""
    rnd = random.Random(seed)
    choice = rnd.choice(mutators_for(data))
    name = name or choice
    return name, MUTATORS[name](data, rnd)
