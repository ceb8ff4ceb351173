"""The printed statements (PDF, from the same HTML as the browser's page) read back
as an accountant reads the paper: each table from a new page, portrait or landscape
as its columns need, a table longer than a page repeating its title, unit and column
header on the next, every page numbered, no total alone at the top of a page, and
the monthly execution's twelve months on the page with their headers on one line."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import FY2016, ROOT, require, yosan
from yosan_ledger.reports.loading.ledger import load_ledger

REVISION = ROOT / "examples" / "revision" / "main.beancount"
KUMIAI = ROOT / "examples" / "kumiai" / "main.beancount"
ACTUALS = ROOT / "examples" / "kumiai" / "actuals" / "main.beancount"
PAGE_NUMBER = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
A4 = (595, 842)  # points, portrait


def tool(name: str) -> str:
    found = shutil.which(name)
    require(None if found else f"{name} is missing: apt-get install poppler-utils")
    return found


@dataclass
class Printed:
    pdf: Path
    pages: list[str]  # each page's text, laid out
    sizes: list[tuple[int, int]]  # each page's width and height, points

    def landscape(self, page: int) -> bool:
        width, height = self.sizes[page]
        return width > height


def printed(tmp_path: Path, *args: str | Path) -> Printed:
    from tests.test_exports import pdf_toolchain_missing

    require(pdf_toolchain_missing())
    pdf = tmp_path / "printed.pdf"
    result = yosan("report", *args, "-o", pdf)
    assert result.exit_code == 0, result.stderr
    text = subprocess.run(
        [tool("pdftotext"), "-layout", pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    info = subprocess.run(
        [tool("pdfinfo"), "-f", "1", "-l", "999", pdf], capture_output=True, text=True, check=True
    ).stdout
    sizes = [
        (round(float(w)), round(float(h)))
        for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    ]
    pages = text.split("\f")[:-1]
    assert len(pages) == len(sizes)
    return Printed(pdf, pages, sizes)


def numbered(document: Printed) -> None:
    """Every page carries its number and the count: 1 / 4 … 4 / 4."""
    count = len(document.pages)
    for number, page in enumerate(document.pages, start=1):
        found = [PAGE_NUMBER.match(line) for line in page.splitlines()]
        assert [(int(m[1]), int(m[2])) for m in found if m] == [(number, count)], page[-300:]


def first_body_line(page: str, header_word: str) -> str:
    """The first label printed under the column header of a page."""
    lines = page.splitlines()
    at = next(i for i, line in enumerate(lines) if header_word in line.split())
    return next(line.split()[0] for line in lines[at + 1 :] if line.strip())


def test_a_long_table_repeats_its_title_unit_and_header_and_every_page_is_numbered(tmp_path):
    """予定貸借対照表（事業別） runs onto a second landscape page: that page names the
    table (…（続き）), its unit and its segments' header."""
    document = printed(tmp_path, "--by-segment", "--ledger", FY2016)
    numbered(document)
    assert all(document.landscape(n) for n in range(len(document.pages)))
    titles = ["予定貸借対照表（事業別）", "予定損益計算書（事業別）", "資金計画（事業別）"]
    starts = [next(i for i, p in enumerate(document.pages) if t in p) for t in titles]
    assert starts == sorted(starts) and starts[0] == 0  # each table from a new page
    continued = [p for p in document.pages if "予定貸借対照表（事業別）（続き）" in p]
    assert continued, "the balance sheet by segment fits one page: nothing to check"
    for page in continued:
        assert "（単位：千円）" in page
        assert all(word in page for word in ("科目", "一般事業", "公的個人認証", "合計"))


def test_a_segments_table_names_its_segment_on_every_page(tmp_path):
    """The monthly execution of one segment of the FY2016 journal: its balance sheet
    is longer than a page; the next page says whose it is."""
    from benchmarks import actuals

    actuals.main(["300", str(tmp_path / "journal")])
    journal = tmp_path / "journal" / "main.beancount"
    document = printed(
        tmp_path, "execution", "--by-month", "--segment", "jpki", "--ledger", journal
    )
    numbered(document)
    continued = [p for p in document.pages if "（続き）" in p]
    assert continued
    for page in continued:
        title = next(line.strip() for line in page.splitlines() if line.strip())
        assert title.startswith("予算執行状況") and "（公的個人認証サービス事業）（続き）" in title
        assert "予算現額" in page and "累計" in page


def test_no_total_stands_alone_at_the_top_of_a_page(tmp_path):
    """A total is kept with the line above it on every continued page of every table
    of the FY2016 budget, by segment or not."""
    ledger = load_ledger(FY2016)
    totals = {
        row.label
        for layout in ledger.statements.layouts
        for row in layout.rows
        if row.kind == "total"
    }
    seen = 0
    for args in (("--by-segment",), ("revision", "--by-segment")):
        ledger_path = REVISION if args[0] == "revision" else FY2016
        document = printed(tmp_path, *args, "--ledger", ledger_path)
        for page in document.pages:
            if "（続き）" in page:
                seen += 1
                assert first_body_line(page, "科目") not in totals, page[:400]
    assert seen


def test_a_table_of_few_columns_prints_portrait_at_its_natural_width(tmp_path):
    """The revision's table (3 figure columns), the execution and settlement (4) and the
    example 組合's by segment (two segments and 合計) print portrait, the table far
    narrower than the page: the label column as wide as its labels, not stretched.
    The commitments' long items break between their phrases and stay on the page."""
    for args, narrow in (
        (("revision", "--ledger", REVISION), True),
        (("execution", "--ledger", ACTUALS), True),
        (("settlement", "--ledger", ACTUALS), True),
        (("--by-segment", "--ledger", KUMIAI), True),
        (("commitments", "--by-segment", "--ledger", FY2016), False),
    ):
        document = printed(tmp_path, *args)
        assert not any(document.landscape(n) for n in range(len(document.pages))), args
        words = subprocess.run(
            [tool("pdftotext"), "-bbox", "-f", "1", "-l", "1", document.pdf, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        boxes = [
            (float(x0), float(x1), word)
            for x0, x1, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)', words
            )
        ]
        assert all(x1 <= A4[0] - 30 for _, x1, _ in boxes), args  # nothing off the page
        if narrow:
            header = [b for b in boxes if b[2] in ("科目", "区分")]
            figures = [b for b in boxes if re.fullmatch(r"▲?[\d,]+|[\d.]+", b[2])]
            width = max(x1 for _, x1, _ in figures) - min(x0 for x0, _, _ in header)
            assert width < 0.75 * (A4[0] - 2 * 42), (args, width)  # A4 less its margins


def test_the_monthly_execution_fits_the_page_with_one_line_headers(tmp_path):
    document = printed(
        tmp_path, "execution", "--by-month", "--ledger", ACTUALS, "--as-of", "2028-03-31"
    )
    numbered(document)
    assert all(document.landscape(n) for n in range(len(document.pages)))
    months = [f"{m}月" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    for page in document.pages:
        header = next(line.split() for line in page.splitlines() if "予算現額" in line.split())
        assert header[1:] == ["予算現額", *months, "累計"] and header[0] in ("科目", "区分")
        assert "/ 月" not in page
    words = subprocess.run(
        [tool("pdftotext"), "-bbox", "-f", "1", "-l", "1", document.pdf, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    boxes = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)', words
    )
    width = document.sizes[0][0]
    assert all(float(x1) < width - 20 for _, _, x1, _ in boxes)  # nothing off the page
    # Each month's header stands over its figures: right edges aligned.
    march = next(b for b in boxes if b[3] == "3月")
    below = [b for b in boxes if float(b[1]) > float(march[1]) and re.fullmatch(r"[\d,]+", b[3])]
    column = [b for b in below if abs(float(b[2]) - float(march[2])) < 3]
    assert len(column) >= 10
