"""Write the small xlsx fixtures of the xlsx plate-reader readers (BMG SMART Control, Tecan, SkanIt).

Run from the repository root: ``python tests/data/exports/make_xlsx_fixtures.py``. Each workbook
imitates the structure of a real export (see ``../shared/FORMATS.md``) with made-up values chosen
so that tests can check them by hand; broken variants cover the errors users meet: a missing
anchor, text in a value cell, an empty workbook and a truncated file (the first half of the bytes).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
FIXED = dt.datetime(2026, 1, 1, 12, 0, 0)
STAMP = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ")
ROWS96 = "ABCDEFGH"


def _save(wb: openpyxl.Workbook, path: Path) -> None:
    """Save with fixed timestamps (document properties and zip entries) so reruns give equal bytes."""
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' with the clock
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + STAMP.encode(), data)
            dst.writestr(fixed, data)
    path.write_bytes(out.getvalue())


def _put(ws, row: int, values: list, col: int = 1) -> None:  # noqa: ANN001 - openpyxl sheet
    for j, v in enumerate(values):
        if v is not None:
            ws.cell(row=row, column=col + j, value=v)


def _truncate(src: Path, dst: Path) -> None:
    data = src.read_bytes()
    dst.write_bytes(data[: len(data) // 2])


def _empty(dst: Path) -> None:
    _save(openpyxl.Workbook(), dst)


# ------------------------------------------------------------------------------ BMG SMART Control

BMG_HEADER = [
    "User: tester",
    "Path: C:\\Program Files (x86)\\BMG\\SMART Control\\tester\\Data",
    "Test ID: 7",
    "Test Name: Binding FI",
    "Date: 03/04/2025",
    "Time: 9:15:00 AM",
    "ID1: run-1",
    "ID2: ",
    "ID3: Plate 1",
    "Fluorescence (FI)",
]


def bmg_value(i: int, j: int) -> float:
    """Raw value of well (i, j): A01 = 1200, A02 = 1300, B01 = 2200 …"""
    return 1000.0 * (i + 1) + 100.0 * (j + 1) + 100.0


def make_bmg(out: Path) -> None:
    def workbook(
        *, table: bool, text_at: str | None = None, well_row: bool = True
    ) -> openpyxl.Workbook:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Microplate End point"
        for k, line in enumerate(BMG_HEADER):
            ws.cell(row=3 + k, column=1, value=line)
        r = 16
        for title, fill in (
            ("1. Layout", lambda i, j: "S1" if j < 3 else "X1"),
            ("2. Raw Data (485/520)", bmg_value),
        ):
            ws.cell(row=r, column=2, value=title)
            _put(ws, r + 1, [float(c) for c in range(1, 13)], col=2)
            ws.cell(row=r + 1, column=15, value="Plate: TEST 96")
            for i, letter in enumerate(ROWS96):
                ws.cell(row=r + 2 + i, column=1, value=letter)
                _put(ws, r + 2 + i, [fill(i, j) for j in range(12)], col=2)
            r += 11
        if table:
            t = wb.create_sheet("Table End point")
            for k, line in enumerate(BMG_HEADER):
                t.cell(row=1 + k, column=1, value=line)
            wells = [f"{ROWS96[i]}{j + 1:02d}" for i in range(8) for j in range(12)]
            _put(t, 13, ["Well" if well_row else "Position", *wells])
            _put(t, 14, ["Content", *["Sample X1"] * 96])
            _put(t, 15, ["Dilutions", *[1.0] * 96])
            _put(
                t,
                16,
                [" Raw Data (485/520)", *[bmg_value(i, j) for i in range(8) for j in range(12)]],
            )
            blank = [
                bmg_value(i, j) - 200.0 if (i, j) != (7, 11) else None
                for i in range(8)
                for j in range(12)
            ]
            _put(t, 17, [" Blank corrected based on Raw Data (485/520)", *blank])
            if text_at:
                t[text_at] = "12,3x"
        p = wb.create_sheet("Protocol Information")
        for k, line in enumerate(BMG_HEADER):
            p.cell(row=1 + k, column=1, value=line)
        _put(p, 15, ["Measurement type:", "Fluorescence (FI)"])
        _put(p, 16, ["Microplate name:", "TEST 96"])
        _put(p, 17, ["No. of flashes per well:", 20.0])
        return wb

    _save(workbook(table=True), out / "endpoint.xlsx")
    _save(workbook(table=False), out / "grids_only.xlsx")
    _save(workbook(table=True, well_row=False), out / "no_well_row.xlsx")
    _save(workbook(table=True, text_at="D16"), out / "text_value.xlsx")
    kinetic = workbook(table=True)
    kinetic["Table End point"]["A16"] = "Time [s]"  # a kinetic table: refused, not misread
    _save(kinetic, out / "kinetic_table.xlsx")
    _empty(out / "empty.xlsx")
    _truncate(out / "endpoint.xlsx", out / "truncated.xlsx")


# ---------------------------------------------------------------------------------------- Magellan

MAGELLAN_FOOTER = [
    "Date of measurement: 2025-02-03/Time of measurement: 10:11:12",
    "test_method.mth",
    "C:\\Users\\Public\\Documents\\Tecan\\Magellan\\mth\\test_method.mth",
    "test_ws.wsp",
    "Unknown user",
    "SUNRISE",
    "Instrument serial number: 1234567",
    "Measurement mode: Absorbance",
    "Measurement wavelength: 450 nm",
    "Unit: OD",
]


def make_magellan(out: Path) -> None:
    # long layout, column-major order, two plates named in the 'Plate' column
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Magellan Sheet 1"
    _put(ws, 1, ["Raw data", "Well positions", "Plate"])
    r = 2
    for plate, name in ((1, "PLATE_A"), (2, "PLATE_B")):
        for j in range(12):
            for i in range(8):
                _put(
                    ws,
                    r,
                    [round(0.1 * plate + 0.01 * i + 0.001 * j, 4), f"{ROWS96[i]}{j + 1}", name],
                )
                r += 1
    for line in MAGELLAN_FOOTER:
        ws.cell(row=r, column=1, value=line)
        r += 1
    _save(wb, out / "long.xlsx")

    # wide layout: two labels with time and temperature rows, 384 wells
    def wide(
        *, anchor: str = "Well positions", text_at: str | None = None, kinetic: bool = False
    ) -> openpyxl.Workbook:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Magellan Sheet 1"
        labels = ["Label1", "Label1", "Label1"] if kinetic else ["Label1", "Label2"]
        times = ["0s", "60s", "120s"] if kinetic else ["0s", "0s"]
        _put(ws, 1, [anchor, *labels])
        _put(ws, 2, [None, *times])
        _put(ws, 3, [None, *["24.8 °C"] * len(labels)])
        r = 4
        for i in range(16):
            for j in range(24):
                base = round(0.05 + 0.001 * i + 0.0001 * j, 4)
                _put(
                    ws,
                    r,
                    [
                        f"{chr(65 + i)}{j + 1}",
                        *[round(base + 0.01 * c, 4) for c in range(len(labels))],
                    ],
                )
                r += 1
        for line in MAGELLAN_FOOTER[:-1] + (
            ["Unit: OD"]
            if kinetic
            else ["Measurement 1:", "Unit: OD", "Measurement 2:", "Unit: OD"]
        ):
            ws.cell(row=r, column=1, value=line)
            r += 1
        if text_at:
            ws[text_at] = "n.d."
        return wb

    _save(wide(), out / "wide.xlsx")
    _save(wide(kinetic=True), out / "kinetic.xlsx")
    _save(wide(anchor="Wells"), out / "no_anchor.xlsx")
    _save(wide(text_at="C10"), out / "text_value.xlsx")
    _empty(out / "empty.xlsx")
    _truncate(out / "wide.xlsx", out / "truncated.xlsx")


# -------------------------------------------------------------------------------- Spark / i-control


def _spark_preamble(ws, app: str = "Application: SparkControl") -> int:  # noqa: ANN001
    _put(ws, 1, ["Method name: Test binding"])
    ws.cell(row=2, column=1, value=app)
    ws.cell(row=2, column=5, value="V3.1")
    ws.cell(row=3, column=1, value="Device: Spark")
    ws.cell(row=3, column=5, value="Serial number: 2001000001")
    for k, (key, value) in enumerate(
        [
            ("Date: ", "2025-06-01"),
            ("Time: ", "10:00"),
            ("System ", "PC01"),
            ("User ", "PC01\\tecan"),
            ("Plate ", "[COR96fc] - Corning 96 Flat"),
        ]
    ):
        ws.cell(row=6 + k, column=1, value=key)
        ws.cell(row=6 + k, column=5, value=value)
    ws.cell(row=15, column=1, value="List of actions in this measurement script:")
    return 20


def _spark_label(ws, r: int, name: str, mode: str, output: str, part: str) -> int:  # noqa: ANN001
    for key, value in (("Mode", mode), ("Name", name)):
        _put(ws, r, [key, value])
        r += 1
    for key, value in (("Integration time", 1000), ("Output", output), ("Part of Plate", part)):
        ws.cell(row=r, column=1, value=key)
        ws.cell(row=r, column=5, value=value)
        r += 1
    r += 1
    ws.cell(row=r, column=1, value="Start Time")
    ws.cell(row=r, column=5, value="2025-06-01 10:00:05")
    return r + 1


def make_spark(out: Path) -> None:
    def endpoint(
        *,
        text: str | None = None,
        grid: bool = True,
        merged: bool = False,
        app: str = "Application: SparkControl",
    ) -> openpyxl.Workbook:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Result sheet"
        r = _spark_preamble(ws, app)
        r = _spark_label(ws, r, "Label 1", "Luminescence", "Counts / s", "B2-C3")
        _put(ws, r, ["Temperature", None, None, None, 25.1, "°C"])
        r += 2
        if grid:
            _put(ws, r, ["<>", *[str(c) for c in range(1, 13)]])
            for i, letter in enumerate(ROWS96):
                _put(ws, r + 1 + i, [letter, *[""] * 12])
            ws.cell(row=r + 2, column=3, value=12345)  # B2
            ws.cell(row=r + 2, column=4, value=text or "OVER")  # B3
            ws.cell(row=r + 3, column=3, value=678)  # C2
            ws.cell(row=r + 3, column=4, value="")  # C3: inside Part of Plate but blank
            if merged:
                ws.merge_cells(start_row=r + 3, start_column=3, end_row=r + 3, end_column=4)
            r += 10
        ws.cell(row=r, column=1, value="End Time")
        ws.cell(row=r, column=5, value="2025-06-01 10:00:15")
        return wb

    def icontrol() -> openpyxl.Workbook:
        """The older i-control (Infinite) layout: 'Label: …' before 'Mode', no 'Part of Plate'."""
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Sheet1"
        _put(ws, 1, ["Application: Tecan i-control"])
        _put(ws, 2, ["Tecan i-control , 2.0.10.0"])
        _put(ws, 4, ["Device: infinite 200Pro", None, None, None, "Serial number: 1107000001"])
        _put(ws, 6, ["Date:", "2025-06-02"])
        _put(ws, 7, ["Time:", "09:00:00"])
        _put(ws, 9, ["Label: Label1"])
        _put(ws, 10, ["Mode", "Absorbance"])
        _put(ws, 11, ["Measurement Wavelength", 450, "nm"])
        _put(ws, 13, ["Start Time:", "2025-06-02 09:00:05"])
        _put(ws, 15, ["<>", *[float(c) for c in range(1, 13)]])
        for i, letter in enumerate(ROWS96):
            _put(ws, 16 + i, [letter, *[None] * 12])
        _put(ws, 16, ["A", 0.1234, "OVER", 0.5])  # A1-A3 read, the rest of the plate not
        _put(ws, 26, ["End Time:", "2025-06-02 09:00:35"])
        return wb

    _save(endpoint(), out / "endpoint.xlsx")
    _save(icontrol(), out / "icontrol.xlsx")
    _save(endpoint(text="12 345 counts"), out / "text_value.xlsx")
    _save(endpoint(grid=False), out / "no_grid.xlsx")
    _save(endpoint(merged=True), out / "merged.xlsx")

    # kinetic, cycles as rows (the layout FORMATS.md describes); 3 cycles, wells A1, A2, B1
    times = [0.0, 29.849, 59.854]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Result sheet"
    r = _spark_preamble(ws)
    r = _spark_label(ws, r, "Abs 450", "Absorbance", "OD", "A1-B1")
    _put(ws, r, ["Cycle Nr.", "Time [s]", "Temp. [°C]", "A1", "A2", "B1"])
    for c, t in enumerate(times):
        _put(
            ws,
            r + 1 + c,
            [c + 1, t, 25.0, 0.1 + c / 100, "OVER" if c == 2 else 0.2 + c / 100, 0.3 + c / 100],
        )
    ws.cell(row=r + 5, column=1, value="End Time")
    ws.cell(row=r + 5, column=5, value="2025-06-01 10:01:05")
    _save(wb, out / "kinetic_rows.xlsx")

    # the same data with cycles as columns
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Result sheet"
    r = _spark_preamble(ws)
    r = _spark_label(ws, r, "Abs 450", "Absorbance", "OD", "A1-B1")
    _put(ws, r, ["Cycle Nr.", 1, 2, 3])
    _put(ws, r + 1, ["Time [s]", *times])
    _put(ws, r + 2, ["Temp. [°C]", 25.0, 25.0, 25.0])
    _put(ws, r + 3, ["A1", *[0.1 + c / 100 for c in range(3)]])
    _put(ws, r + 4, ["A2", 0.2, 0.21, "OVER"])
    _put(ws, r + 5, ["B1", *[0.3 + c / 100 for c in range(3)]])
    _save(wb, out / "kinetic_cols.xlsx")

    _empty(out / "empty.xlsx")
    _truncate(out / "endpoint.xlsx", out / "truncated.xlsx")


# ------------------------------------------------------------------------------- SkanIt / Multiskan


def _skanit_result(
    wb: openpyxl.Workbook, title: str, step: str, blocks: list, *, first: bool = False
):  # noqa: ANN202
    ws = wb.active if first else wb.create_sheet(title)
    ws.title = title
    for k, v in enumerate(["Measurement results", "test.skax", "1/2/2025 3:04:05 PM", " ", step]):
        ws.cell(row=1 + k, column=1, value=v)
    r = 6
    for wavelength, plate, label, fill in blocks:
        for v in (f"Wavelength: {wavelength} nm", " ", f"Plate {plate}", " "):
            ws.cell(row=r, column=1, value=v)
            r += 1
        _put(ws, r, [label, *[float(c) for c in range(1, 13)]])
        for i, letter in enumerate(ROWS96):
            _put(ws, r + 1 + i, [letter, *[fill(i, j) for j in range(12)]])
        r += 10
    return ws


def skanit_value(wavelength: int, i: int, j: int) -> float:
    """A450: A1 = 1.0, A2 = 1.01, B1 = 1.1 …; A620 values are a tenth of those."""
    v = 1.0 + 0.1 * i + 0.01 * j
    return round(v if wavelength == 450 else v / 10, 4)


def make_skanit(out: Path) -> None:
    def book(*, text_at: str | None = None, with_grid: bool = True) -> openpyxl.Workbook:
        wb = openpyxl.Workbook()
        blocks = [
            (450, 1, "Abs", lambda i, j: skanit_value(450, i, j)),
            (620, 1, "Abs", lambda i, j: skanit_value(620, i, j)),
            (450, 2, "Abs", lambda i, j: round(skanit_value(450, i, j) + 1, 4)),
        ]
        ws = _skanit_result(
            wb, "Absorbance 1_01", "Absorbance 1", blocks if with_grid else [], first=True
        )
        if with_grid:
            _put(ws, 50, ["Sample", *[float(c) for c in range(1, 13)]])
            for i, letter in enumerate(ROWS96):
                _put(ws, 51 + i, [letter, *[f"Un{i * 12 + j + 1:04d}" for j in range(12)]])
        if text_at:
            ws[text_at] = "1.2.3"
        if not with_grid:
            return wb
        curve = _skanit_result(
            wb,
            "Standard Curve 1_02",
            "Standard Curve 1",
            [
                (
                    450,
                    1,
                    "Conc. [ng/ml]",
                    lambda i, j: (
                        " > Max"
                        if (i, j) == (0, 0)
                        else " < Min"
                        if (i, j) == (0, 1)
                        else "NaN"
                        if (i, j) == (0, 2)
                        else None
                        if i == 7
                        else round(0.5 * (i + 1), 3)
                    ),
                )
            ],
        )
        del curve
        info = wb.create_sheet("Instrument information")
        _put(info, 1, ["Instrument information"])
        _put(info, 3, [None, "Name", None, None, "Varioskan LUX"])
        _put(info, 4, [None, "Serial number", None, None, "3020-00001"])
        gen = wb.create_sheet("General information")
        _put(gen, 1, ["General information"])
        _put(gen, 3, [None, "Report generated with SW version", None, None, "SkanIt Software 7.0"])
        return wb

    _save(book(), out / "two_wavelengths.xlsx")
    _save(book(text_at="C12"), out / "text_value.xlsx")
    _save(book(with_grid=False), out / "no_grid.xlsx")
    _empty(out / "empty.xlsx")
    _truncate(out / "two_wavelengths.xlsx", out / "truncated.xlsx")


def make_multiskan(out: Path) -> None:
    values = {"A1": [1.1, 1.09, 1.08], "B1": [0.5, 0.49, 0.48]}
    times = {"A1": [0.0, 6.0, 12.0], "B1": [0.42, 6.42, 12.42]}

    def book(
        *, times_table: bool = True, raw_sheet: bool = True, text_at: str | None = None
    ) -> openpyxl.Workbook:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Absorbance results"
        _put(ws, 1, ["Measurement results Measure"])
        ws.cell(row=2, column=1, value=dt.datetime(2025, 1, 2, 3, 4, 5))
        _put(ws, 4, ["Kinetic"])
        _put(ws, 6, ["Reading", "A1", "B1"])
        for n in range(3):
            _put(ws, 7 + n, [n, values["A1"][n], values["B1"][n]])
        if times_table:
            _put(ws, 12, ["Reading", "Times [s]", "Times [s]"])
            for n in range(3):
                _put(ws, 13 + n, [n, times["A1"][n], times["B1"][n]])
            _put(ws, 16, ["Time base [s]", 0, 0.42])
        if text_at:
            ws[text_at] = "high"
        if raw_sheet:
            raw = wb.create_sheet("Raw data 340 nm")
            _put(raw, 1, ["Raw data"])
            _put(raw, 5, ["Well", "Wavelength(s) [nm]", "Raw absorbance", "Measurement time(s)"])
            r = 6
            for well in ("A1", "B1"):
                for n in range(3):
                    _put(
                        raw,
                        r,
                        [f"{well[0]} {well[1:]}", 340, values[well][n], times[well][n] + 0.5],
                    )
                    r += 1
        gen = wb.create_sheet("General information")
        _put(gen, 1, ["Session information"])
        _put(gen, 4, [None, None, "Name", "Multiskan Sky"])
        _put(gen, 5, [None, None, "Serial number:", "1530-00001"])
        _put(gen, 7, [None, None, "Version", "1.44.16.0"])
        _put(gen, 19, [None, None, "Wavelength(s) [nm]", "340"])
        _put(gen, 22, [None, None, "Kinetic interval", "00:00:06"])
        return wb

    _save(book(), out / "kinetic.xlsx")
    _save(book(times_table=False), out / "raw_times.xlsx")
    _save(book(times_table=False, raw_sheet=False), out / "interval_times.xlsx")
    _save(book(text_at="C8"), out / "text_value.xlsx")
    _truncate(out / "kinetic.xlsx", out / "truncated.xlsx")


if __name__ == "__main__":
    make_bmg(HERE / "bmg_smart_control")
    make_magellan(HERE / "tecan_magellan")
    make_spark(HERE / "tecan_spark")
    make_skanit(HERE / "skanit")
    make_multiskan(HERE / "multiskan")
