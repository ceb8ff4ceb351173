"""The export workbook as a spreadsheet program prints it: LibreOffice Calc, headless,
converts it to PDF, and poppler reads that PDF back — the indents of the labels,
the fonts, and the page numbers and repeated header rows of every page."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FY2016, require, yosan

FOOTER = re.compile(r"^\s*(\d+) / (\d+)\s*$")
DATA_HEADER = re.compile(r"^statement\s+section\s+line\s+segment\s+amount\s+unit\s*$", re.M)


def tool(name: str, package: str) -> str:
    found = shutil.which(name)
    require(None if found else f"{name} is missing: apt-get install {package}")
    return found


@dataclass
class Printout:
    pdf: Path
    pages: list[str]  # the text of each page, laid out as printed


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Printout:
    """The export workbook as LibreOffice prints it."""
    soffice = tool("soffice", "libreoffice-calc")
    pdftotext = tool("pdftotext", "poppler-utils")
    folder = tmp_path_factory.mktemp("calc")
    workbook = folder / "statements.xlsx"
    result = yosan("export", "--format", "xlsx", "-o", workbook, "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            folder,
            workbook,
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    pdf = folder / "statements.pdf"
    assert pdf.is_file()
    text = subprocess.run(
        [pdftotext, "-layout", pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    return Printout(pdf, text.split("\f")[:-1])  # each page ends with a form feed


def indent(page: str, label: str) -> int:
    line = next(line for line in page.splitlines() if line.strip().startswith(label))
    return len(line) - len(line.lstrip())


def test_the_labels_are_indented_by_their_depth(printed):
    page = printed.pages[0]  # 予定貸借対照表
    assert "予定貸借対照表" in page
    depth0, depth1, depth2, depth3 = (
        indent(page, label) for label in ("資産の部", "流動資産", "現金及び預金", "建物")
    )
    assert depth0 < depth1 < depth2 < depth3, (depth0, depth1, depth2, depth3)
    assert indent(page, "流動資産合計") == depth2  # a total stands with its items


def test_one_font_family_throughout(printed):
    listing = subprocess.run(
        [tool("pdffonts", "poppler-utils"), printed.pdf],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    names = [line.split()[0] for line in listing]
    # ABCDEF+NotoSansCJKjp-Bold-VKana: the subset tag, the weight and the variant aside.
    families = {re.sub(r"^[A-Z]{6}\+|-(Regular|Bold).*$", "", name) for name in names}
    fonts = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, check=False)
    if "Noto Sans CJK JP" not in fonts.stdout:
        require("the workbook's font is missing: apt-get install fonts-noto-cjk")
    assert families == {"NotoSansCJKjp"}, names
    assert any("Bold" in name for name in names), "the totals are not bold"


def test_every_page_is_numbered_and_the_figures_sheet_repeats_its_header(printed):
    pages = len(printed.pages)
    numbers = []
    for page in printed.pages:
        footer = [FOOTER.match(line) for line in page.splitlines() if FOOTER.match(line)]
        assert len(footer) == 1, page[-200:]
        numbers.append((int(footer[0][1]), int(footer[0][2])))
    assert numbers == [(n, pages) for n in range(1, pages + 1)]
    data_pages = [page for page in printed.pages if "intermediate_server" in page]
    # 712 figures: 数値 prints one column of pages, its header row on each.
    assert data_pages and all(DATA_HEADER.search(page) for page in data_pages)
    statements = pages - len(data_pages)
    # A sheet per statement and schedule (9), each one page wide; the whole workbook
    # printed 43 pages before the flat sheet had a print setup.
    assert 9 <= statements <= 12 and len(data_pages) <= 15, (statements, len(data_pages))


def test_segment_headers_print_in_whole_phrases(printed):
    """Each printed line of a segment's name is whole phrases of it: LibreOffice never
    breaks one inside a word (公的個人認証サービ|ス事業), nor starts a line with ・."""
    from yosan_ledger.reports.loading.ledger import load_ledger
    from yosan_ledger.reports.rendering.phrases import phrases

    names = [s.name for s in load_ledger(FY2016).statements.segments]
    whole = {
        "".join(parts[start:end])
        for parts in map(phrases, names)
        for start in range(len(parts))
        for end in range(start + 1, len(parts) + 1)
    }
    checked = 0
    for page in printed.pages:
        if "（事業別）" not in page or "（単位：千円）" not in page:
            continue
        lines = page[page.index("（単位：千円）") :].splitlines()[1:]
        end = next(i for i, line in enumerate(lines) if re.match(r"\S", line))  # 資産の部 …
        pieces = [p for line in lines[:end] for p in line.split() if p not in ("科目", "区分")]
        assert pieces and [p for p in pieces if p not in {*whole, "合計"}] == [], pieces
        assert not any(p.startswith("・") for p in pieces)
        checked += 1
    assert checked >= 3


def test_the_commitments_sheet_keeps_limit_and_act_year_apart(printed):
    page = next(p for p in printed.pages if "行為年度" in p and "限度額" in p)
    rows = [line for line in page.splitlines() if "平成28年度" in line and "予算" not in line]
    assert len(rows) > 10
    for line in rows:
        assert not re.search(r"\d平成", line), line
        assert re.search(r"[\d,]+\s{2,}平成28年度", line), line
