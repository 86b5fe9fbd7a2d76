"""Write the Multiskan text fixtures of this folder (own, invented numbers; run from the repo root).

Value of a well = base + iteration + row/10 + column/1000 (row A = 1, column 1 = 1), written with
three decimals, so a test can compute every expected value by hand: plate 1 at 340 nm (base 0),
iteration 2, well H12 = 0 + 2 + 0.8 + 0.012 = 2.812.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def v(base: float, it: int, r: int, c: int, comma: bool = False) -> str:
    s = f"{base + it + r / 10 + c / 1000:.3f}"
    return s.replace(".", ",") if comma else s


def grid(base: float, it: int, n_values: int = 12, width: int = 12) -> list[list[str]]:
    """Rows A–H of cells: ``n_values`` values then blank cells up to ``width``."""
    return [
        [v(base, it, r, c) for c in range(1, n_values + 1)] + [""] * (width - n_values)
        for r in range(1, 9)
    ]


def line(cells: list[str]) -> str:
    return "\t" + "\t".join(cells)


def kinetic() -> list[str]:
    out = ["Results of Photometric1", ""]
    for plate, wl, base, n_it in ((1, 340, 0.0, 3), (1, 405, 10.0, 3), (2, 340, 20.0, 2)):
        out += [f"Plate:{plate} - Wavelength:{wl}", ""]
        for it in range(1, n_it + 1):
            g = grid(base, it, n_values=10 if wl == 405 else 12)
            if (plate, wl, it) == (1, 340, 1):
                g[1][1] = ""  # B02: a doubled tab, an empty well (no anomaly)
            if (plate, wl, it) == (1, 405, 1):
                g[2].insert(1, "")  # row C: an extra empty cell after C01 (13 cells)
            if plate == 2:
                for r in (6, 7):  # rows G and H: 6 values and 6 blank trailing cells
                    g[r] = g[r][:6] + [""] * 6
            out += [f"Iteration: {it}"] + [line(cells) for cells in g] + [""]
    return out


def endpoint_comma() -> list[str]:
    out = []
    for step, wl, base in (("Photometric1", 620, 0.0), ("Photometric2", 450, 5.0)):
        out += [f"Results of {step}", "", f" Plate: Plate 1 - Wavelength: {wl}", ""]
        g = [[v(base, 0, r, c, comma=True) for c in range(1, 13)] for r in range(1, 9)]
        if step == "Photometric1":
            g[0][0] = ""  # A01 not read: the line starts with two tabs
        out += [line(cells) for cells in g] + [""]
    return out


def write(name: str, lines: list[str], eol: str = "\r\n", final: bool = True) -> None:
    text = eol.join(lines) + (eol if final else "")
    (HERE / name).write_bytes(text.encode("ascii"))


def main() -> None:
    k = kinetic()
    write("kinetic_two_plates.txt", k)
    write("endpoint_decimal_comma.txt", endpoint_comma(), eol="\n")
    # cut after the 5th grid line of plate 2's iteration 2 (a whole line, newline kept)
    end = len(k) - 1 - 3  # drop the final blank and rows F-H
    write("truncated_block.txt", k[:end])
    # cut inside the last grid line: no final line break, the line shorter than the others
    cut = k[: len(k) - 1]
    cut[-1] = cut[-1][:15]
    write("truncated_midline.txt", cut, final=False)
    bad = list(k)
    n = bad.index("Iteration: 2") + 4  # row D of plate 1, 340 nm, iteration 2
    bad[n] = bad[n].replace("2.404", "high")
    write("text_in_cell.txt", bad)
    over = list(k)
    n = over.index("Iteration: 3") + 5  # row E of plate 1, 340 nm, iteration 3: 12 values
    cells = over[n].split("\t")
    over[n] = "\t".join(cells[:3] + [""] + cells[3:])
    write("overflow_row.txt", over)
    order = list(k)
    order[order.index("Iteration: 3")] = "Iteration: 4"
    write("iteration_order.txt", order)
    dup = list(k)
    dup[dup.index("Plate:2 - Wavelength:340")] = "Plate:1 - Wavelength:340"
    write("duplicate_section.txt", dup)
    garbled = list(k)
    garbled[garbled.index("Plate:1 - Wavelength:405")] = "Plate 1 Wavelenght 405"
    write("garbled_header.txt", garbled)


if __name__ == "__main__":
    main()
