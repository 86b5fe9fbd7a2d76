"""report.html: content, escaping, self-containment, and a real render in headless Chromium."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.report.html import render_report, status_sentence
from assaykit.result import AssayResult, qc_row, qc_table
from tests.report._demo import HOSTILE, demo_provenance, demo_result, figure_pngs


@pytest.fixture(scope="module")
def demo() -> tuple[AssayResult, dict[str, bytes]]:
    res = demo_result()
    return res, figure_pngs(res)


@pytest.fixture(scope="module")
def page(demo: tuple[AssayResult, dict[str, bytes]]) -> str:
    res, pngs = demo
    return render_report(res, demo_provenance(), pngs)


def test_hostile_names_are_escaped_everywhere(page: str) -> None:
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()  # the report itself carries no script at all


def test_self_contained_no_network(page: str) -> None:
    # every src is a data: URI, no stylesheet/script links, no absolute URLs in attributes
    assert all(s.startswith("data:image/png;base64,") for s in re.findall(r'src="([^"]*)"', page))
    assert "<link" not in page.lower()
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    assert "url(" not in page  # no CSS fetches
    assert "default-src 'none'" in page  # the browser refuses any request the page might make


def test_figures_embedded_byte_for_byte(
    demo: tuple[AssayResult, dict[str, bytes]], page: str
) -> None:
    _, pngs = demo
    srcs = re.findall(r'src="data:image/png;base64,([^"]*)"', page)
    assert sorted(base64.b64decode(s) for s in srcs) == sorted(pngs.values())
    assert "AMD3100: n = 3 tubes per point" in page  # the caption


def test_missing_figure_is_said_not_hidden(demo: tuple[AssayResult, dict[str, bytes]]) -> None:
    res, pngs = demo
    html = render_report(res, demo_provenance(), {k: v for k, v in pngs.items() if k != "curve_1"})
    assert "Figure curve_1 was not rendered." in html


def test_responsive_and_print_css(page: str) -> None:
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media print" in page and "@media (max-width: 600px)" in page


def test_what_was_run(page: str) -> None:
    assert "ab" * 32 in page and "cd" * 32 in page  # SHA-256 of both inputs
    assert "counts.csv" in page and "7660" in page
    assert "BND-TEST-001" in page and "A. Tester" in page  # template (experiment) fields
    assert "assaykit binding fit counts.csv --layout layout.xlsx" in page
    assert "scipy" in page and "1.17.1" in page


def test_tables_units_verdicts_qc_n(demo: tuple[AssayResult, dict[str, bytes]], page: str) -> None:
    res, _ = demo
    # the ic50_M column: header 'ic50' and each cell in a readable concentration unit
    ic50 = res.main_table.set_index("curve").loc["AMD3100", "ic50_M"]
    assert f"{ic50 * 1e9:.3g} nM" in page
    assert "AMD3100 — defined" in page
    assert "n = 3 tubes per concentration in one experiment" in page
    assert "counted twice; the second count was kept" in page
    assert "the results are usable, but check this before publishing" in page  # warning meaning
    assert "fixed:top=100,bottom=0" in page  # flags of the result rows


def test_methods_generated_from_settings_when_empty(page: str) -> None:
    assert "four-parameter logistic (4PL)" in page
    assert "Wald" in page and "assaykit 0.1.0" in page


def test_methods_given_is_used_and_inputs_untouched() -> None:
    df = pd.DataFrame(
        {
            "curve": ["A", "B"],
            "kd_M": [2e-9, float("nan")],
            "status": ["ok", "not_identifiable"],
            "flags": ["", "singular_covariance"],
            "message": ["", "the parameters are not separately determined"],
        }
    )
    before = df.copy()
    res = AssayResult(assay="saturation", tables={"results": df}, methods="My own methods.")
    html = render_report(res, {}, {})
    pd.testing.assert_frame_equal(df, before)
    assert "<p>My own methods.</p>" in html
    assert "B — not identifiable" in html
    assert "the parameters are not separately determined" in html
    assert "2.00 nM" in html and "—" in html  # NaN shown as a dash, not 'nan'
    assert "nan" not in re.sub(r"<[^>]+>", "", html).split()


def test_status_sentence_unknown_status_kept() -> None:
    assert status_sentence("failed", "no convergence")[2].endswith("no convergence")
    assert status_sentence("odd")[0] == "odd"


# --------------------------------------------------------------------------- real browser


def _browser_or_skip() -> str:
    from tests.report._chromium import find_chromium

    exe = find_chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail(
                "chromium is required under CI (install it in .ci/run: apt-get install chromium)"
            )
        pytest.skip("chromium not installed (CI installs it; locally: apt-get install chromium)")
    return exe


@pytest.mark.slow
@pytest.mark.parametrize("width", [1000, 390], ids=["desktop", "phone"])
def test_report_renders_in_headless_chromium(
    demo: tuple[AssayResult, dict[str, bytes]], tmp_path: Path, width: int
) -> None:
    from tests.report._chromium import Browser

    exe = _browser_or_skip()
    res, _ = demo
    html = render_report(res, demo_provenance(), figure_pngs(res, dpi=100))
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    browser = Browser(exe, tmp_path / "profile", width=width, height=900)
    try:
        browser.open(path.as_uri())
        images = browser.evaluate(
            "Array.from(document.images).map(i => [i.complete, i.naturalWidth])"
        )
        text = browser.evaluate("document.body.innerText")
        n_scripts = browser.evaluate("document.scripts.length")
        overflow = browser.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        shot = Path(os.environ.get("ASSAYKIT_SCREENSHOT_DIR", tmp_path)) / f"report_{width}.png"
        browser.screenshot(shot)
        problems = browser.problems()
    finally:
        browser.close()
    assert len(images) == len(res.figures) == 2
    assert all(done and w > 0 for done, w in images), images
    assert HOSTILE in text  # shown as text ...
    assert n_scripts == 0  # ... and never parsed as a script
    assert problems == []  # no console error, exception, CSP violation or dialog
    assert overflow <= 0  # wide tables scroll inside their box; the page never scrolls sideways
    assert shot.stat().st_size > 10_000


@settings(max_examples=60, deadline=None)
@given(name=st.text(min_size=1, max_size=40), where=st.text(max_size=30))
def test_any_text_is_shown_as_written(name: str, where: str) -> None:
    """Whatever a sample or well is called, the page's text content holds it verbatim."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.cells: list[str] = []
            self.tags: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.cells.append(data)

    name, where = name.replace("\r", ""), where.replace("\r", "")  # HTML normalises CR
    df = pd.DataFrame({"curve": [name], "status": ["ok"], "message": [""]})
    res = AssayResult(assay="x", tables={"results": df}, qc=qc_table([qc_row("info", where, "m")]))
    parser = Text()
    parser.feed(render_report(res, {}, {}))
    text = "".join(parser.cells)
    assert name in text and where in text
    assert "script" not in parser.tags
