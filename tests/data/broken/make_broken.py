"""Write the corpus of malformed and hostile files in this folder (run from the repository root).

``python tests/data/broken/make_broken.py`` rewrites every file byte-identically: random bytes are
seeded and the zip members of workbooks get a fixed time stamp. The zip bomb is not here: it is
built at test time (tests/robustness/conftest.py) so that no large file is committed.
What each file should give, per command, is in ``cases.csv`` beside it.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
WIZARD2 = REPO / "assaykit" / "datasets" / "binding" / "binding_wizard2.csv"
LAYOUT = REPO / "assaykit" / "datasets" / "binding" / "binding_layout.xlsx"
UPTAKE_LAYOUT = REPO / "assaykit" / "datasets" / "uptake" / "uptake_layout.xlsx"
ENVISION = REPO / "tests" / "data" / "exports" / "envision" / "two_plates_markers.csv"

_FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member time stamps so that regeneration is byte-identical."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o600 << 16
            body = zin.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", body
                )
            zout.writestr(new, body)
    return out.getvalue()


def _save_workbook(wb, name: str) -> None:  # noqa: ANN001 - openpyxl Workbook
    import datetime as dt

    wb.properties.created = dt.datetime(2000, 1, 1)
    wb.properties.modified = dt.datetime(2000, 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    (HERE / name).write_bytes(_normalise_zip(buf.getvalue()))


def _wizard2_lines() -> list[str]:
    return WIZARD2.read_text(encoding="utf-8").splitlines()


def _set_cell(line: str, index: int, value: str) -> str:
    cells = line.split(",")
    cells[index] = value
    return ",".join(cells)


def _write_text(name: str, lines: list[str], encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


# Wizard2 columns: 0 Protocol ID, 5 Rack, 7 Pos, 9 Sample code, 10 Counts, 11 CPM, 12 Error %
def text_files() -> None:
    lines = _wizard2_lines()
    head, body = lines[0], lines[1:]
    rnd = random.Random(20261124)

    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "whitespace_only.csv").write_bytes(b" \r\n\t\r\n\r\n")
    (HERE / "binary_junk.csv").write_bytes(rnd.randbytes(4096))
    (HERE / "binary_no_nul.csv").write_bytes(bytes(rnd.randrange(1, 32) for _ in range(2048)))
    (HERE / "pdf_named_csv.csv").write_bytes(
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    )
    _write_text("wizard2_header_only.csv", [head])
    trunc = "\r\n".join([head, *body[:20]]).encode()
    (HERE / "wizard2_truncated_mid_row.csv").write_bytes(trunc + b"\r\n" + body[20].encode()[:37])
    _write_text(
        "wizard2_text_in_cpm.csv",
        [head, *body[:5], _set_cell(body[5], 11, "see notes"), *body[6:12]],
    )
    _write_text(
        "wizard2_text_in_counts.csv",
        [head, *body[:3], _set_cell(body[3], 10, "12O45"), *body[4:12]],
    )
    _write_text(
        "wizard2_negative_counts.csv",
        [head, *body[:7], _set_cell(body[7], 10, "-3417"), *body[8:12]],
    )
    _write_text(
        "wizard2_huge_counts.csv", [head, *body[:2], _set_cell(body[2], 10, "1e400"), *body[3:12]]
    )
    _write_text(
        "wizard2_nan_counts.csv", [head, *body[:2], _set_cell(body[2], 11, "NaN"), *body[3:12]]
    )
    _write_text(
        "wizard2_inf_counts.csv", [head, *body[:2], _set_cell(body[2], 11, "inf"), *body[3:12]]
    )
    missing = [
        ",".join(c for k, c in enumerate(ln.split(",")) if k not in (10, 11))
        for ln in [head, *body[:12]]
    ]
    _write_text("wizard2_missing_count_columns.csv", missing)
    _write_text("wizard2_extra_column.csv", [head, *body[:4], body[4] + ",surprise", *body[5:12]])
    _write_text("wizard2_duplicate_tube.csv", [head, *body[:6], body[5], *body[6:12]])
    _write_text(
        "wizard2_bad_rack.csv", [head, *body[:4], _set_cell(body[4], 5, "1.5"), *body[5:12]]
    )
    _write_text(
        "wizard2_bad_date.csv", [head, _set_cell(body[0], 2, "2026-13-45 25:61:00"), *body[1:12]]
    )
    # hostile, but a valid export: the sample codes must be neutralised in every table written
    # the formula text is quoted as a CSV writer would (inner quotes doubled)
    hostile = [
        "=cmd|' /C calc'!A0",
        '=HYPERLINK("http://evil.example","click")',
        "+cmd",
        "@SUM(A1:A9)",
        "-2+3",
    ]
    rows = [
        _set_cell(ln, 9, '"' + s.replace('"', '""') + '"' if "," in s else s)
        for ln, s in zip(body[:5], hostile, strict=True)
    ]
    _write_text("wizard2_formula_samples.csv", [head, *rows, *body[5:12]])
    paths = ["../../evil", "/tmp/assaykit_evil", "..\\..\\evil.csv", "con", "a/b/c.csv"]
    rows = [_set_cell(ln, 9, s) for ln, s in zip(body[:5], paths, strict=True)]
    _write_text("wizard2_path_samples.csv", [head, *rows, *body[5:12]])
    # encodings: valid exports that must parse (UTF-16 without BOM, cp1252 µ and °)
    text = "\r\n".join([head, *body[:12]]) + "\r\n"
    (HERE / "wizard2_utf16le_nobom.csv").write_bytes(text.encode("utf-16-le"))
    (HERE / "wizard2_utf16be_nobom.csv").write_bytes(text.encode("utf-16-be"))
    micro = [
        _set_cell(ln, 9, s) for ln, s in zip(body[:3], ["10 µM", "37 °C", "Ø blank"], strict=True)
    ]
    _write_text("wizard2_cp1252_micro.csv", [head, *micro, *body[3:12]], encoding="cp1252")
    # UTF-16 with a BOM that lies: odd number of bytes after it
    (HERE / "wizard2_utf16_bad_bom.csv").write_bytes(
        b"\xff\xfe" + text.encode("utf-16-le") + b"\x00\xd8"
    )

    # plate grids truncated in the middle of a row
    grid = ["CPM;1;2;3;4;5;6;7;8;9;10;11;12"]
    grid += [
        f"{r};" + ";".join(f"{100 * i + j},5" for j in range(1, 13))
        for i, r in enumerate("ABCDEFGH", 1)
    ]
    (HERE / "grid_truncated.csv").write_bytes(("\n".join(grid[:5]) + "\n" + grid[5][:20]).encode())
    env = ENVISION.read_bytes()
    cut = env.find(b"\nB,2200")
    (HERE / "envision_truncated_mid_grid.csv").write_bytes(env[: cut + 12])


def xlsx_files() -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Empty"
    _save_workbook(wb, "xlsx_empty_sheet.xlsx")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Grid"
    ws.append(["CPM", *range(1, 13)])
    for i, r in enumerate("ABCDEFGH", 1):
        ws.append([r, *(100 * i + j for j in range(1, 13))])
    ws.merge_cells("B3:D4")
    _save_workbook(wb, "xlsx_merged_cells.xlsx")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Rack", "Tube", "Sample", "Counts", "CPM"])
    ws.append([1, 1, "a", 1e308, 1e308])
    ws.append([1, 2, "b", "lots", 12.5])
    _save_workbook(wb, "xlsx_1e308_and_text.xlsx")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Rack", "Tube", "Sample", "Counts", "CPM"])
    ws.append([1, 1, "a", 100, 100])
    ws.append([1, 1, "b", 200, 200])
    _save_workbook(wb, "xlsx_duplicate_tubes.xlsx")

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("readme.txt", date_time=_FIXED_DATE), "not a workbook\n")
        zf.writestr(zipfile.ZipInfo("data/plate.csv", date_time=_FIXED_DATE), "A,1,2\n")
    (HERE / "zip_not_xlsx.xlsx").write_bytes(buf.getvalue())
    (HERE / "zip_not_xlsx.csv").write_bytes(buf.getvalue())

    good = (HERE / "xlsx_merged_cells.xlsx").read_bytes()
    (HERE / "xlsx_truncated.xlsx").write_bytes(good[: len(good) // 2])

    # "billion laughs": an entity expansion in the sheet XML of an otherwise valid workbook
    laughs = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE lolz [\n'
        ' <!ENTITY lol "lol">\n'
        + "".join(
            f' <!ENTITY lol{k} "{("&lol" + (str(k - 1) if k > 1 else "") + ";") * 10}">\n'
            for k in range(1, 10)
        )
        + "]>\n"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = laughs.encode()
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE), body)
    (HERE / "xlsx_billion_laughs.xlsx").write_bytes(out.getvalue())

    # an external entity (XXE) reading a local file
    xxe = laughs.replace(
        laughs[laughs.index("<!DOCTYPE") : laughs.index("]>") + 2],
        '<!DOCTYPE x [ <!ENTITY lol9 SYSTEM "file:///etc/passwd"> ]>',
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = xxe.encode()
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE), body)
    (HERE / "xlsx_external_entity.xlsx").write_bytes(out.getvalue())


def template_files() -> None:
    import openpyxl

    def edit(name: str, sheet: str, cells: dict[str, object]) -> None:
        wb = openpyxl.load_workbook(LAYOUT)
        for ref, value in cells.items():
            wb[sheet][ref] = value
        _save_workbook(wb, name)

    edit("template_role_typo.xlsx", "Tubes", {"D9": "totl"})
    edit("template_unit_typo.xlsx", "Tubes", {"G30": "nmol"})
    edit("template_text_conc.xlsx", "Tubes", {"F30": "ten"})
    edit("template_negative_conc.xlsx", "Tubes", {"F30": -1})
    edit("template_duplicate_tubes.xlsx", "Tubes", {"B10": 8, "A10": 1})
    edit("template_bad_isotope.xlsx", "Experiment", {"B9": "Iodine-999"})
    edit("template_formula_sample.xlsx", "Tubes", {"E30": '=HYPERLINK("http://evil")'})
    wb = openpyxl.load_workbook(UPTAKE_LAYOUT)
    wb["Tubes"]["E9"] = "interior"
    _save_workbook(wb, "template_uptake_fraction_typo.xlsx")
    wb = openpyxl.load_workbook(UPTAKE_LAYOUT)
    wb["Tubes"]["F9"] = "five"
    _save_workbook(wb, "template_uptake_text_time.xlsx")
    wb = openpyxl.load_workbook(LAYOUT)
    del wb["Tubes"]
    _save_workbook(wb, "template_no_tubes_sheet.xlsx")
    # a layout naming tubes the export lacks: the export keeps only its first 12 tubes
    lines = _wizard2_lines()
    _write_text("wizard2_first_12_tubes.csv", lines[:13])


def faulty_exports() -> None:
    """Issue 19: exports that used to pass silently and must now be named."""
    import openpyxl

    lines = _wizard2_lines()
    head, body = lines[0], lines[1:]
    # a tube counted twice with different counts (a recount): not two replicates
    recount = _set_cell(_set_cell(body[5], 10, "31000.5"), 11, "6200.1")
    _write_text("wizard2_recount_different.csv", [head, *body[:6], recount, *body[6:12]])

    # the clock goes back one hour (daylight-saving fall-back) between two tubes
    def at(line: str, stamp: str) -> str:
        return _set_cell(line, 2, stamp)

    t0 = body[0].split(",")[2]
    hour = int(t0[11:13])
    back = f"{t0[:11]}{hour - 1:02d}{t0[13:]}"
    _write_text("wizard2_dst_fall_back.csv", [head, *body[:6], *(at(b, back) for b in body[6:12])])
    day_back = f"{t0[:8]}{int(t0[8:10]) - 1:02d}{t0[10:]}"
    _write_text(
        "wizard2_day_jump_back.csv", [head, *body[:6], *(at(b, day_back) for b in body[6:12])]
    )
    _write_text(
        "wizard2_zero_count_time.csv", [head, *body[:3], _set_cell(body[3], 8, "0"), *body[4:12]]
    )
    two_cpm = [head + ",I-125 CPM", *(b + "," + b.split(",")[11] for b in body[:12])]
    _write_text("wizard2_two_cpm_columns.csv", two_cpm)

    # a tube table with counts but no CPM and no count time: CPM cannot be known
    (HERE / "tube_table_counts_only.csv").write_bytes(
        b"Rack,Position,Counts\r\n1,1,100\r\n1,2,200\r\n"
    )
    # the counter clock springs forward one hour (daylight saving) between two tubes: readable,
    # but named in attrs["qc"] with the line
    fwd = f"{t0[:11]}{hour + 1:02d}{t0[13:]}"
    _write_text(
        "wizard2_dst_spring_forward.csv", [head, *body[:6], *(at(b, fwd) for b in body[6:12])]
    )
    # a workbook whose visible sheet is the current run and a hidden sheet an older one
    for state, name in (
        ("hidden", "xlsx_hidden_old_run.xlsx"),
        ("veryHidden", "xlsx_very_hidden_old_run.xlsx"),
    ):
        wb = openpyxl.Workbook()
        old = wb.active
        old.title = "Old run"
        old.append(["Rack", "Tube", "Sample", "Counts", "CPM"])
        old.append([1, 1, "a", 999, 999])
        old.sheet_state = state
        new = wb.create_sheet("Current run")
        new.append(["Rack", "Tube", "Sample", "Counts", "CPM"])
        new.append([1, 1, "a", 100, 100])
        new.append([1, 2, "b", 200, 200])
        wb.active = 1
        _save_workbook(wb, name)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Rack", "Tube", "Sample", "Counts", "CPM"])
    ws.append([1, 1, "a", 100, 100])
    ws.sheet_state = "hidden"
    wb.create_sheet("Notes")
    wb.active = 1
    _save_workbook(wb, "xlsx_only_hidden_data.xlsx")
    # a 6 KB export with one stray cell at XFD1048576 (declared range 1M x 16k cells)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Rack", "Tube", "Sample", "Counts", "CPM"])
    ws.append([1, 1, "a", 100, 100])
    ws["XFD1048576"] = "x"
    _save_workbook(wb, "xlsx_stray_cell_xfd1048576.xlsx")
    # formula cells without saved values (written by a script, never opened in Excel)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Rack", "Tube", "Sample", "Counts", "CPM"])
    ws.append([1, 1, "a", 100, "=D2*1"])
    ws.append([1, 2, "b", 200, "=D3*1"])
    _save_workbook(wb, "xlsx_formulas_without_values.xlsx")
    # a filled template with a stray cell at XFD1048576: still read, quickly
    wb = openpyxl.load_workbook(LAYOUT)
    wb["Tubes"]["XFD1048576"] = "stray"
    _save_workbook(wb, "template_stray_cell_xfd1048576.xlsx")
    wb = openpyxl.load_workbook(LAYOUT)
    wb["Tubes"].sheet_state = "hidden"
    _save_workbook(wb, "template_hidden_tubes.xlsx")


if __name__ == "__main__":
    text_files()
    xlsx_files()
    template_files()
    faulty_exports()
