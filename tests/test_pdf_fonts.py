"""The PDF shows Japanese on a machine without Japanese fonts, or is refused; its totals
are bold there too.

Each run is a separate process whose fontconfig sees only the DejaVu fonts (no CJK):
Pango reads its configuration once per process. The page is checked as rendered by
poppler, beside the same page typeset with the system's Noto Sans CJK JP."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FY2016, require
from yosan_ledger.plugins.core.units import UNITS
from yosan_ledger.reports.loading.ledger import load_ledger
from yosan_ledger.reports.tables.statements import statement_table

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
# The command with the font packages hidden, as on an install made with --no-deps.
WITHOUT_BUNDLED_FONT = (
    "import sys; sys.modules['noto_cjk_sans_jp_regular'] = None; "
    "sys.modules['noto_cjk_sans_jp_bold'] = None; "
    "from yosan_ledger.reports.command.cli import run; run()"
)


def tool(name: str) -> str:
    found = shutil.which(name)
    require(None if found else f"{name} is missing: apt-get install poppler-utils")
    return found


@pytest.fixture(scope="module")
def no_cjk(tmp_path_factory) -> dict[str, str]:
    """An environment whose fontconfig knows no Japanese font."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        require(f"WeasyPrint cannot run here ({error}): apt-get install libpango-1.0-0 …")
    if shutil.which("fc-list") is None:
        require("fontconfig is missing: apt-get install fontconfig")
    folder = tmp_path_factory.mktemp("fontconfig")
    dirs = f"<dir>{DEJAVU}</dir>" if DEJAVU.is_dir() else ""
    (folder / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig>{dirs}<cachedir>{folder / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    env = dict(os.environ, FONTCONFIG_FILE=str(folder / "fonts.conf"))
    listing = subprocess.run(
        ["fc-list", ":lang=ja"], capture_output=True, text=True, env=env, check=False
    )
    assert listing.stdout.strip() == "", "the configuration still shows Japanese fonts"
    return env


def report_pdf(path: Path, env: dict[str, str] | None, *, bundled: bool = True):
    command = ["-m", "yosan_ledger.reports"] if bundled else ["-c", WITHOUT_BUNDLED_FONT]
    return subprocess.run(
        [sys.executable, *command, "report", "bs", "--by-segment", "-o", path, "--ledger", FY2016],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def first_page(pdf: Path, folder: Path):
    from PIL import Image

    subprocess.run(
        [tool("pdftoppm"), "-r", "70", "-png", "-f", "1", "-l", "1", pdf, folder / pdf.stem],
        check=True,
    )
    (png,) = folder.glob(f"{pdf.stem}*.png")
    return Image.open(png).convert("L").point(lambda value: 255 if value > 128 else 0)


def test_without_japanese_fonts_the_pdf_carries_the_bundled_one(no_cjk, tmp_path):
    path = tmp_path / "bundled.pdf"
    result = report_pdf(path, no_cjk)
    assert result.returncode == 0, result.stderr
    fonts = subprocess.run(
        [tool("pdffonts"), path], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts
    names = []
    for line in fonts:
        name, *_, embedded, subset, _unicode, _object, _generation = line.split()
        assert "Noto-Sans-CJK-JP" in name and (embedded, subset) == ("yes", "yes"), line
        names.append(name.split("+")[-1])
    assert sorted(names) == ["Yosan-Noto-Sans-CJK-JP", "Yosan-Noto-Sans-CJK-JP-Bold"]
    text = subprocess.run(
        [tool("pdftotext"), "-layout", path, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "予定貸借対照表（事業別）" in text and "48,809,401" in text


def ink(pdf: Path, folder: Path, words: set[str]) -> float:
    """The share of dark pixels in the boxes of ``words`` on the first page."""
    from PIL import Image

    subprocess.run(
        [
            tool("pdftoppm"),
            "-r",
            "100",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            pdf,
            folder / "ink",
        ],
        check=True,
    )
    page = Image.open(folder / "ink.png").convert("L")
    boxes = subprocess.run(
        [tool("pdftotext"), "-bbox", "-f", "1", "-l", "1", pdf, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    dark = area = 0
    for *corners, word in re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<', boxes
    ):
        if word in words:
            crop = page.crop(tuple(round(float(c) * 100 / 72) for c in corners))
            dark += sum(crop.histogram()[:128])
            area += crop.width * crop.height
    assert area, f"none of {sorted(words)[:3]}… on the page"
    return dark / area


def test_without_japanese_fonts_totals_are_bold(no_cjk, tmp_path):
    """The labels of the total rows (流動資産合計) carry about half as much ink again as
    the items' (現金及び預金): the bundled Bold; in the regular weight both are alike."""
    table = statement_table(load_ledger(FY2016).statements, "bs", UNITS["thousand"])
    totals = {row.label for row in table.rows if row.kind == "total"}
    items = {row.label for row in table.rows if row.kind == "line"} - totals
    path = tmp_path / "bundled.pdf"
    assert report_pdf(path, no_cjk).returncode == 0
    ratio = ink(path, tmp_path, totals) / ink(path, tmp_path, items)
    assert ratio > 1.3, f"the totals carry {ratio:.2f} times the items' ink: not bold"


def test_the_bundled_font_draws_the_page_as_the_system_font_does(no_cjk, tmp_path):
    """Boxes in place of the kanji would change about 8% of the page's pixels; the two
    typesettings of the same Noto design, each with its Bold, differ in under 1% (no pixel
    here; before the bundled Bold, 1% where the totals are)."""
    fonts = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, check=False)
    if "Noto" not in fonts.stdout:
        require("no Japanese Noto font: apt-get install fonts-noto-cjk")
    from PIL import ImageChops

    bundled, system = tmp_path / "bundled.pdf", tmp_path / "system.pdf"
    assert report_pdf(bundled, no_cjk).returncode == 0
    assert report_pdf(system, None).returncode == 0
    a, b = first_page(bundled, tmp_path), first_page(system, tmp_path)
    assert a.size == b.size
    differing = ImageChops.difference(a, b).histogram()[255] / (a.width * a.height)
    ink = a.histogram()[0] / (a.width * a.height)
    assert ink > 0.02, "an empty page"
    assert differing < 0.01, f"{differing:.1%} of the page differs from the system font's"


def test_with_no_font_for_japanese_the_pdf_is_refused(no_cjk, tmp_path):
    path = tmp_path / "boxes.pdf"
    result = report_pdf(path, no_cjk, bundled=False)
    assert result.returncode == 1
    assert "no installed font can draw" in result.stderr, result.stderr
    assert "pip install noto-cjk-sans-jp-regular" in result.stderr
    assert "fonts-noto-cjk" in result.stderr and "Traceback" not in result.stderr
    assert not path.exists() and list(tmp_path.iterdir()) == []
