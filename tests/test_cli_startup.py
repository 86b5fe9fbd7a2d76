"""The CLI answers at once: no heavy library is imported for --help or a usage error."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "numpy", "scipy", "plotnine", "pingouin", "matplotlib", "openpyxl", "numba")


def _modules_after(argv: list[str]) -> set[str]:
    code = (
        "import sys\n"
        "from assaykit.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_help_imports_no_heavy_library() -> None:
    loaded = _modules_after(["--help"])
    assert not [m for m in HEAVY if m in loaded]


def test_subcommand_help_imports_no_heavy_library() -> None:
    for argv in (
        ["binding", "--help"],
        ["uptake", "--help"],
        ["parse", "--help"],
        ["template", "--help"],
    ):
        loaded = _modules_after(argv)
        assert not [m for m in HEAVY if m in loaded], argv


def test_missing_file_is_one_line_exit_1(tmp_path) -> None:
    missing = tmp_path / "nope.csv"
    proc = subprocess.run(
        [sys.executable, "-c", "from assaykit.cli import main; main()", "parse", str(missing)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "nope.csv" in lines[0] and "no such file" in lines[0]
    assert "Traceback" not in proc.stderr
