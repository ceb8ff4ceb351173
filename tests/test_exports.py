"""Excel, HTML, PDF, CSV and Parquet outputs carry the engine's figures in the
published layout, checked against the published FY2016 tables and against sums
taken straight from the ledger's postings."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from beancount import loader
from beancount.core import data
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tests.conftest import FY2016, FY2016_LAYOUTS, ROOT, SMALL, require, yosan
from yosan_ledger.plugins.core.published import PUBLISHED
from yosan_ledger.plugins.core.units import UNITS
from yosan_ledger.reports.loading.ledger import load_ledger
from yosan_ledger.reports.output import write_atomically
from yosan_ledger.reports.rendering import parquet
from yosan_ledger.reports.rendering.html import render_html
from yosan_ledger.reports.rendering.phrases import breakable, phrases
from yosan_ledger.reports.rendering.text import HEADER_WIDTH, figure, width, wrap
from yosan_ledger.reports.rendering.xlsx import FIGURE_FORMAT, FONT_NAME
from yosan_ledger.reports.tables import exports
from yosan_ledger.reports.tables.statements import statement_table

TEMPLATES = ROOT / "reports" / "rendering" / "templates"
THOUSAND = UNITS["thousand"]
ASSETS = FY2016_LAYOUTS.row("bs:資産合計").ref  # bs:資産の部/資産合計
RESERVE = FY2016_LAYOUTS.row("bs:積立金").ref


@pytest.fixture(scope="module")
def ledger():
    return load_ledger(FY2016)


@pytest.fixture(scope="module")
def published():
    """(statement, row ref, segment) -> figure, as transcribed from the source."""
    entries, _, _ = loader.load_file(str(FY2016))
    layouts = FY2016_LAYOUTS
    figures = {}
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == PUBLISHED:
            statement, row, segment, number, unit = (v.value for v in entry.values)
            assert unit == "千円"
            figures[(layouts.row(f"{statement}:{row}").ref, segment)] = int(number)
    assert len(figures) == 712
    return figures


def tables(ledger, *, by_segment):
    return [
        statement_table(
            ledger.statements,
            name,
            THOUSAND,
            by_segment=by_segment,
            organisation=ledger.options.get("title", ""),
        )
        for name in FY2016_LAYOUTS.by_statement
    ]


@pytest.fixture(scope="module")
def export_workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "statements.xlsx"
    result = yosan("export", "--format", "xlsx", "-o", path, "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    return openpyxl.load_workbook(path)


def header_row(sheet, label_header):
    return next(row for row in range(1, 10) if sheet.cell(row, 1).value == label_header)


# Excel ---------------------------------------------------------------------------


def test_the_export_workbook_has_a_sheet_per_statement(export_workbook):
    assert export_workbook.sheetnames == [
        "予定貸借対照表",
        "予定損益計算書",
        "資金計画",
        "予定貸借対照表（事業別）",
        "予定損益計算書（事業別）",
        "資金計画（事業別）",
        "平成28年度予算（案）の概要",
        "予定前受金及び累積前受金の内容及び金額",
        "債務負担行為の事項、限度額、行為年度及び機構の負担となる年度",
        "数値",
    ]


def test_the_schedules_sheets_carry_the_published_figures(export_workbook):
    def figures(sheet_name, label):
        sheet = export_workbook[sheet_name]
        for row in sheet.iter_rows(values_only=True):
            if row[0] is not None and str(row[0]).strip() == label:
                return list(row[1:])
        raise AssertionError(label)

    assert figures("平成28年度予算（案）の概要", "営業収益")[:3] == [51_815, 75_060, -23_245]
    assert figures("予定前受金及び累積前受金の内容及び金額", "合計")[:2] == [337_500, 1_612_500]
    assert figures("債務負担行為の事項、限度額、行為年度及び機構の負担となる年度", "合計")[0] == (
        3_163_093
    )


@pytest.mark.parametrize("by_segment", [False, True])
def test_each_sheet_holds_the_engine_figures_as_numbers(ledger, export_workbook, by_segment):
    for table in tables(ledger, by_segment=by_segment):
        sheet = export_workbook[table.title]
        assert sheet.cell(1, 1).value == ledger.options["title"]
        assert sheet.cell(2, 1).value == table.title
        assert sheet.cell(3, 1).value == table.period
        top = header_row(sheet, table.label_header)
        # A long header stands in lines of whole phrases: the name, with line breaks.
        headers = [sheet.cell(top, c + 2).value for c in range(len(table.headers))]
        assert [h.replace("\n", "") for h in headers] == list(table.headers)
        assert all(h.split("\n") == wrap(h.replace("\n", ""), HEADER_WIDTH) for h in headers)
        assert sheet.cell(top - 1, len(table.columns) + 1).value == "（単位：千円）"
        for offset, row in enumerate(table.rows, start=1):
            label = sheet.cell(top + offset, 1)
            assert label.value == row.label
            # The file format applies an indent only to left, right or distributed text.
            assert (label.alignment.horizontal, label.alignment.indent) == ("left", row.depth)
            assert bool(label.font.bold) == row.is_total, row.label
            cells = [sheet.cell(top + offset, c + 2) for c in range(len(table.columns))]
            if row.values is None:
                assert all(c.value is None for c in cells)
                continue
            assert [c.value for c in cells] == list(row.values), row.label
            for cell in cells:
                assert cell.data_type == "n" and isinstance(cell.value, int)
                assert cell.number_format == FIGURE_FORMAT
        assert sheet.max_row == top + len(table.rows)


def test_every_published_figure_stands_in_its_cell(ledger, export_workbook, published):
    """The segment sheets, read cell by cell, are the published tables."""
    names = {s.name: s.key for s in ledger.statements.segments} | {"合計": "total"}
    found = {}
    for table in tables(ledger, by_segment=True):
        sheet = export_workbook[table.title]
        top = header_row(sheet, table.label_header)
        segments = [
            names[sheet.cell(top, c).value.replace("\n", "")]
            for c in range(2, sheet.max_column + 1)
        ]
        for offset, row in enumerate(table.rows, start=1):
            if row.values is None:
                continue
            for column, segment in enumerate(segments, start=2):
                found[(row.ref, segment)] = sheet.cell(top + offset, column).value
    assert found == published
    # Spot checks as an accountant reads them: 資産合計, and a negative 積立金.
    assert found[(ASSETS, "total")] == 48_809_401
    assert found[(RESERVE, "jpki")] == -12_798


def test_the_figure_format_shows_triangles_for_negatives():
    positive, negative = FIGURE_FORMAT.split(";")
    assert positive == "#,##0" and negative == '"▲"#,##0'


def test_sheets_are_set_up_for_reading_and_printing(ledger, export_workbook):
    for by_segment in (False, True):
        for table in tables(ledger, by_segment=by_segment):
            sheet = export_workbook[table.title]
            top = header_row(sheet, table.label_header)
            assert sheet.freeze_panes == f"B{top + 1}"
            assert sheet.print_title_rows == f"${top}:${top}"
            setup = sheet.page_setup
            assert int(setup.paperSize) == 9  # A4
            assert setup.orientation == ("landscape" if by_segment else "portrait")
            assert setup.fitToWidth == 1 and setup.fitToHeight == 0
            assert sheet.sheet_properties.pageSetUpPr.fitToPage
            assert sheet.oddFooter.center.text == "&P / &N"  # page numbers
            fonts = {
                (cell.font.name, cell.font.sz)
                for cells in sheet.iter_rows()
                for cell in cells
                if cell.value is not None and cell.row != 2  # the title
            }
            assert fonts == {(FONT_NAME, 11)}, fonts
            # Japanese labels count double: the label column fits the widest, indented.
            label_width = max(width(r.label) + 2 * r.depth for r in table.rows)
            assert sheet.column_dimensions["A"].width >= label_width
            for column in range(2, len(table.columns) + 2):
                letter = openpyxl.utils.get_column_letter(column)
                widest = max(
                    width(f"▲{abs(v):,}") for r in table.rows if r.values for v in r.values
                )
                assert sheet.column_dimensions[letter].width >= widest


def test_the_data_sheet_is_the_csv_export(export_workbook):
    result = yosan("export", "--ledger", FY2016)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    sheet = export_workbook["数値"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == rows[0]
    assert values[0][-1] == "unit"
    assert len(values) == len(rows) == 1 + 89 * 8
    for got, expected in zip(values[1:], rows[1:], strict=True):
        assert [v if v is not None else "" for v in got[:4]] == expected[:4]
        assert isinstance(got[4], int) and got[4] == int(expected[4])
        assert got[5] == expected[5] == "千円"
    assert sheet.print_title_rows == "$1:$1" and sheet.oddFooter.center.text == "&P / &N"
    assert int(sheet.page_setup.paperSize) == 9 and sheet.page_setup.fitToWidth == 1
    assert {cell.font.name for cells in sheet.iter_rows() for cell in cells} == {FONT_NAME}


def test_report_writes_the_statements_it_prints(tmp_path):
    path = tmp_path / "pl.xlsx"  # the format follows the suffix
    result = yosan("report", "pl", "--segment", "jpki", "-o", path, "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["予定損益計算書（公的個人認証サービス事業）"]
    sheet = book.active
    net_income = next(r for r in sheet.iter_rows() if r[0].value == "当期純利益")
    assert net_income[1].value == -134_569


def test_sheet_names_are_valid_and_unique():
    from yosan_ledger.reports.rendering.xlsx import sheet_name

    assert sheet_name("a/b[c]:d", []) == "a・b・c・・d"
    long = "予" * 40
    assert sheet_name(long, []) == "予" * 31
    assert sheet_name(long, ["予" * 31]) == "予" * 28 + "(2)"


# HTML ----------------------------------------------------------------------------


class Cells(HTMLParser):
    """The text of each table row, keyed by its data-ref."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.current: list[str] | None = None
        self.text: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-ref" in attrs:
            self.current = self.rows.setdefault(attrs["data-ref"], [])
        elif tag in ("td", "th") and self.current is not None:
            self.text = ""

    def handle_data(self, text):
        if self.text is not None:
            self.text += text

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.current is not None and self.text is not None:
            self.current.append(self.text.strip())
            self.text = None
        elif tag == "tr":
            self.current = None


def shown(value):
    return f"▲{-value:,}" if value < 0 else f"{value:,}"


def test_the_html_page_shows_every_figure(ledger, tmp_path):
    path = tmp_path / "bs.html"
    result = yosan("report", "bs", "--by-segment", "-o", path, "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    page = path.read_text(encoding="utf-8")
    assert '<html lang="ja">' in page and "（単位：千円）" in page
    parser = Cells()
    parser.feed(page)
    (table,) = [statement_table(ledger.statements, "bs", THOUSAND, by_segment=True)]
    for row in table.rows:
        if row.values is not None:
            assert parser.rows[row.ref] == [row.label, *(shown(v) for v in row.values)]
    assert parser.rows[ASSETS][-1] == "48,809,401"
    assert parser.rows[RESERVE][3] == "▲12,798"


def test_html_goes_to_standard_output():
    result = yosan("report", "cf", "--format", "html", "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>") and "▲36,457,247" in result.stdout


def test_the_macro_imports_into_another_environment(ledger):
    """Another Jinja environment (Fava's) imports the macro with the two filters it needs."""
    environment = Environment(
        loader=FileSystemLoader([TEMPLATES]), autoescape=select_autoescape(["html"])
    )
    environment.filters["phrases"] = breakable
    environment.filters["figure"] = figure
    template = environment.from_string(
        '{% from "statement_table.html" import statement_table %}{{ statement_table(t) }}'
    )
    table = statement_table(ledger.statements, "cf", THOUSAND)
    parser = Cells()
    parser.feed(template.render(t=table))
    assert parser.rows["cf:資金支出/当期末未払金"] == ["当期末未払金", "▲36,457,247"]


def test_labels_are_escaped(ledger):
    table = statement_table(ledger.statements, "pl", THOUSAND, organisation="<b>機構</b>")
    page = render_html([table])
    assert "&lt;b&gt;機構&lt;/b&gt;" in page and "<b>機構" not in page


# PDF -----------------------------------------------------------------------------


def tool(name):
    found = shutil.which(name)
    require(None if found else f"{name} is missing: apt-get install poppler-utils")
    return found


def pdf_toolchain_missing() -> str | None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        return f"WeasyPrint cannot run here ({error}): apt-get install libpango-1.0-0 …"
    if shutil.which("fc-list") is None:
        return "fontconfig is missing: apt-get install fontconfig fonts-noto-cjk"
    fonts = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, check=False)
    if "Noto" not in fonts.stdout:
        return "no Japanese Noto font: apt-get install fonts-noto-cjk"
    return None


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    require(pdf_toolchain_missing())
    path = tmp_path_factory.mktemp("pdf") / "statements.pdf"
    result = yosan("report", "--by-segment", "-o", path, "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    return path


def test_the_pdf_embeds_a_japanese_font(pdf):
    listing = subprocess.run(
        [tool("pdffonts"), pdf], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert listing, "the PDF has no fonts"
    for line in listing:
        assert line.split()[-5] == "yes", f"not embedded: {line}"  # emb sub uni object ID
    # Without a CJK font installed, Pango falls back to one with no Japanese glyphs.
    assert all("CJK" in line.split()[0] for line in listing), listing


def test_the_pdf_reads_as_the_published_tables(pdf):
    text = subprocess.run(
        [tool("pdftotext"), "-layout", pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "予定貸借対照表（事業別）",
        "（平成29年3月31日現在）",
        "公的個人認証",
        "48,809,401",
        "▲12,798",
        "▲134,569",
        "▲8,028,237",
        "負債純資産合計",
    ):
        assert expected in text, expected


def test_segment_headers_break_between_phrases_only(ledger, pdf):
    """Each line of a segment's name in the PDF's header is whole phrases of it (no
    総合行政ネット|ワーク), and the text is the name unchanged (no zero-width space)."""
    names = [s.name for s in ledger.statements.segments]
    assert "総合行政ネットワーク運営事業" in names
    text = subprocess.run(
        [tool("pdftotext"), "-layout", "-l", "1", pdf, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "\u200b" not in text
    header = text[text.index("（単位：千円）") : text.index("資産の部")].splitlines()[1:]
    pieces = [piece for line in header for piece in line.split() if piece not in ("科目", "合計")]
    whole = {
        "".join(parts[start:end])
        for parts in map(phrases, names)
        for start in range(len(parts))
        for end in range(start + 1, len(parts) + 1)
    }
    assert pieces and not [piece for piece in pieces if piece not in whole], pieces
    # Every name is there; the long ones on more than one line.
    assert "本人確認情報処理" in pieces and "総合行政ネットワーク運営事業" not in pieces


def test_the_pdf_renders_to_landscape_pages(pdf, tmp_path):
    from PIL import Image

    subprocess.run(
        [tool("pdftoppm"), "-r", "30", "-png", "-f", "1", "-l", "1", pdf, tmp_path / "page"],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    assert image.width > image.height  # segment tables are printed landscape
    dark = sum(image.histogram()[:128])
    assert dark > 0.005 * image.width * image.height  # text, not an empty page


# CSV -----------------------------------------------------------------------------


def test_csv_on_both_commands(tmp_path):
    report = yosan("report", "cf", "--format", "csv", "--ledger", FY2016)
    assert report.exit_code == 0, report.stderr
    assert "当期末未払金,-36457247" in report.stdout
    path = tmp_path / "figures.csv"
    export = yosan("export", "--excel-compatible", "-o", path, "--ledger", FY2016)
    assert export.exit_code == 0, export.stderr
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode()) and raw[3:].startswith(b"statement,")
    assert "bs,資産の部,資産合計,total,48809401" in raw.decode("utf-8-sig")
    plain = yosan("export", "--format", "csv", "--ledger", FY2016).stdout
    assert not plain.startswith("\ufeff") and plain == raw.decode("utf-8-sig")


# Parquet -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parquet_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet") / "export"
    result = yosan("export", "--format", "parquet", "-o", folder, "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        ".yosan-export",
        "postings.parquet",
        "statements.parquet",
    ]
    return folder


def test_the_parquet_statements_are_the_csv_figures(parquet_folder):
    figures = pd.read_parquet(parquet_folder / "statements.parquet")
    result = yosan("export", "--ledger", FY2016)
    expected = pd.read_csv(
        io.StringIO(result.stdout), dtype={"amount": "int64"}, keep_default_na=False
    )
    assert str(figures["amount"].dtype) == "int64"
    assert (figures["unit"] == "千円").all()
    pd.testing.assert_frame_equal(
        figures[list(expected.columns)].astype(object),
        expected.astype(object),
        check_dtype=False,
    )
    total = figures[(figures["line_ref"] == ASSETS) & (figures["segment"] == "total")]["amount"]
    assert total.tolist() == [48_809_401]


def test_the_parquet_postings_are_the_ledger_postings(parquet_folder):
    postings = pd.read_parquet(parquet_folder / "postings.parquet")
    assert str(postings["amount"].dtype) == "int64"
    # Summed straight from the ledger, without the engine.
    entries, errors, _ = loader.load_file(str(FY2016))
    assert not errors
    sums: dict[tuple[str, str], int] = defaultdict(int)
    count = 0
    for entry in entries:
        if isinstance(entry, data.Transaction):
            (segment,) = entry.tags
            for posting in entry.postings:
                sums[(posting.account, segment)] += int(posting.units.number)
                count += 1
    assert len(postings) == count
    got = postings.groupby(["account", "segment"])["amount"].sum()
    assert {k: int(v) for k, v in got.items()} == dict(sums)


def test_postings_carry_names_lines_and_sources(parquet_folder):
    postings = pd.read_parquet(parquet_folder / "postings.parquet")
    cash = postings[postings["account"] == "Assets:11-流動資産:111-現金及び預金"]
    assert set(cash["account_name"]) == {"現金及び預金"}
    assert set(cash["line_ref"]) == {"bs:流動資産/現金及び預金"}
    # The closing cash of the balance sheet, in yen, is the sum of the cash postings.
    assert cash["amount"].sum() == 34_910_162_000
    general = postings[postings["segment"] == "general"]
    assert set(general["segment_name"]) == {"一般事業"}
    assert set(general["filename"]) == {"segments/general.beancount"}
    first = general.iloc[0]
    source = (FY2016.parent / first["filename"]).read_text(encoding="utf-8").splitlines()
    assert first["account"] in source[first["lineno"] - 1]
    assert postings["opening"].sum() > 0 and postings["line_ref"].notna().all()


def test_the_parquet_schema_documents_itself(parquet_folder):
    import pyarrow.parquet as pq

    schema = pq.read_schema(parquet_folder / "postings.parquet")
    assert schema.names == [name for name, _, _ in parquet.POSTINGS_COLUMNS]
    assert b"yen" in schema.field("amount").metadata[b"description"]
    assert str(schema.field("amount").type) == "int64"
    help_text = yosan("export", "--help").stdout
    for name, _, _ in parquet.POSTINGS_COLUMNS + parquet.STATEMENTS_COLUMNS:
        assert name in help_text


def test_account_names_drop_the_code():
    assert exports.account_name("Assets:11-流動資産:111-現金及び預金") == "現金及び預金"
    assert exports.account_name("Expenses:51-営業費用:511-事業費:5113-委託費") == "委託費"
    assert exports.account_name("Assets:Cash-Box") == "Cash-Box"


# Writing files -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "--format", "xlsx"], "give -o FILE (e.g. -o statements.xlsx)"),
        (["report", "--format", "pdf"], "give -o FILE (e.g. -o statements.pdf)"),
        (["export", "--format", "xlsx"], "is binary and is not written to a terminal"),
        (["export", "--format", "parquet"], "give -o FOLDER"),
        (["export", "--format", "parquet", "-o", "out.parquet"], "give -o a folder name"),
        (["report", "-o", "no/such/folder/bs.pdf"], "there is no folder no/such/folder"),
    ],
)
def test_binary_output_needs_a_file(args, message):
    result = yosan(*args, "--ledger", SMALL)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "statements.xlsx"
    path.write_bytes(b"yesterday")

    def fail(stream):
        stream.write(b"half a workbook")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomically(path, fail)
    assert path.read_bytes() == b"yesterday"
    assert [p.name for p in tmp_path.iterdir()] == ["statements.xlsx"]


def test_a_failed_export_keeps_the_old_folder(tmp_path, monkeypatch):
    folder = tmp_path / "export"
    assert yosan("export", "--format", "parquet", "-o", folder, "--ledger", SMALL).exit_code == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    import pyarrow.parquet as pq

    written = []

    def fail_second(table, where):
        if written:
            raise OSError("disk full")
        written.append(where)
        Path(where).write_bytes(b"half")

    monkeypatch.setattr(pq, "write_table", fail_second)
    result = yosan("export", "--format", "parquet", "-o", folder, "--ledger", FY2016)
    assert result.exit_code == 1 and "cannot write the output: disk full" in result.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["export"]  # no temporary folder left


def test_an_export_replaces_its_own_folder_only(tmp_path):
    folder = tmp_path / "export"
    for ledger in (SMALL, FY2016):
        assert (
            yosan("export", "--format", "parquet", "-o", folder, "--ledger", ledger).exit_code == 0
        )
    figures = pd.read_parquet(folder / "statements.parquet")
    assert 48_809_401 in figures["amount"].tolist()  # the second export replaced the first
    assert [p.name for p in tmp_path.iterdir()] == ["export"]

    precious = tmp_path / "work"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me", encoding="utf-8")
    result = yosan("export", "--format", "parquet", "-o", precious, "--ledger", SMALL)
    assert result.exit_code == 2 and "notes.txt" in result.stderr
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]


def test_a_file_format_refuses_a_folder(tmp_path):
    result = yosan("report", "--format", "xlsx", "-o", tmp_path, "--ledger", SMALL)
    assert result.exit_code == 2 and "is a folder" in result.stderr


def test_pdf_without_weasyprint_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails
    path = tmp_path / "statements.pdf"
    result = yosan("report", "-o", path, "--ledger", SMALL)
    assert result.exit_code == 1
    assert "PDF output needs WeasyPrint" in result.stderr and "libpango" in result.stderr
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_a_folder_merely_named_like_an_export_is_not_deleted(tmp_path):
    """Issue 16, defect 15: a user's folder holding a subfolder postings.parquet (or an
    unmarked one holding files of the export's names) was deleted as an earlier export."""
    precious = tmp_path / "work"
    (precious / "postings.parquet").mkdir(parents=True)
    (precious / "postings.parquet" / "part-0.parquet").write_bytes(b"mine")
    unmarked = tmp_path / "unmarked"
    unmarked.mkdir()
    (unmarked / "statements.parquet").write_bytes(b"mine too")
    for folder in (precious, unmarked):
        result = yosan("export", "--format", "parquet", "-o", folder, "--ledger", SMALL)
        assert result.exit_code == 2 and "did not write" in result.stderr
    assert (precious / "postings.parquet" / "part-0.parquet").read_bytes() == b"mine"
    assert (unmarked / "statements.parquet").read_bytes() == b"mine too"


def test_a_crash_between_the_two_renames_is_recovered(tmp_path, monkeypatch):
    """Issue 16, defect 15: the old export hidden in .NAME.*.old is put back, and a
    later export cleans up after it."""
    folder = tmp_path / "export"
    assert yosan("export", "--format", "parquet", "-o", folder, "--ledger", SMALL).exit_code == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    real_replace = os.replace

    def crash_on_the_second(source, target):
        real_replace(source, target)
        if str(source) == str(folder):
            raise KeyboardInterrupt  # killed just after moving the old folder aside

    monkeypatch.setattr(os, "replace", crash_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        from yosan_ledger.reports.output import write_directory_atomically

        write_directory_atomically(
            folder, lambda f: (f / "statements.parquet").write_bytes(b"x"), owned=parquet.FILES
        )
    monkeypatch.setattr(os, "replace", real_replace)
    # What the crash leaves when the process dies instead of unwinding:
    hidden = [p for p in tmp_path.iterdir() if p.name.endswith(".old")]
    if not hidden:  # the unwinding above put it back already
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
        real_replace(folder, tmp_path / ".export.crash.old")
    assert not folder.exists()
    result = yosan("export", "--format", "parquet", "-o", folder, "--ledger", SMALL)
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["export"]


def test_a_revised_budgets_workbook_says_its_version(tmp_path):
    """The workbook of a budget with revisions says which version its figures are, on
    every statement sheet's period line and in the 数値 sheet's rows, as the PDF and
    the text say it; a budget without revisions says nothing of versions."""
    example = ROOT / "examples" / "revision" / "main.beancount"
    for args, version in (
        ((), "平成28年度2月補正予算（例）による補正後"),
        (("--revision", "当初"), "当初予算"),
    ):
        book = tmp_path / "revised.xlsx"
        result = yosan("export", "--format", "xlsx", "-o", book, "--ledger", example, *args)
        assert result.exit_code == 0, result.stderr
        workbook = openpyxl.load_workbook(book)
        statements = workbook.sheetnames[:6]  # the three statements, whole and by segment
        assert statements[3] == "予定貸借対照表（事業別）"
        for name in statements:
            assert workbook[name].cell(3, 1).value.endswith(f"　{version}"), name
        data = list(workbook["数値"].iter_rows(values_only=True))
        assert data[0][-1] == "version" and {row[-1] for row in data[1:]} == {version}
        text = yosan("report", "bs", "--ledger", example, *args).stdout
        assert version in text
    plain = tmp_path / "plain.xlsx"
    assert yosan("export", "--format", "xlsx", "-o", plain, "--ledger", FY2016).exit_code == 0
    workbook = openpyxl.load_workbook(plain)
    assert "version" not in [c.value for c in workbook["数値"][1]]
    assert "補正" not in workbook["予定貸借対照表"].cell(3, 1).value


@pytest.mark.parametrize(
    ("args", "ledger"),
    [
        (("report",), FY2016),
        (("report", "bs", "--by-segment"), FY2016),
        (("report", "overview"), FY2016),
        (("report", "advances"), FY2016),
        (("report", "commitments"), FY2016),
        (("report", "revision"), ROOT / "examples" / "revision" / "main.beancount"),
        (("report", "execution"), ROOT / "examples" / "kumiai" / "actuals" / "main.beancount"),
        (
            ("report", "execution", "--by-month"),
            ROOT / "examples" / "kumiai" / "actuals" / "main.beancount",
        ),
        (("report", "settlement"), ROOT / "examples" / "kumiai" / "actuals" / "main.beancount"),
    ],
    ids=lambda a: "-".join(a) if isinstance(a, tuple) else "",
)
@pytest.mark.parametrize(("unit", "label"), [("yen", "円"), ("million", "百万円")])
def test_every_csv_names_its_unit(args, ledger, unit, label):
    result = yosan(*args, "--format", "csv", "--unit", unit, "--ledger", ledger)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][-1] == "unit" and len(rows) > 2
    assert {row[-1] for row in rows[1:]} == {label}


def test_a_sheets_orientation_follows_its_width(tmp_path):
    """A table of a few figure columns prints portrait (the revision's three, the example
    組合's two segments and 合計); one a portrait page cannot hold at a readable size, a
    column per segment of FY2016 or the commitments' long items, landscape."""
    cases = (
        (("report", "revision"), ROOT / "examples" / "revision" / "main.beancount", "portrait"),
        (
            ("report", "bs", "--by-segment"),
            ROOT / "examples" / "kumiai" / "main.beancount",
            "portrait",
        ),
        (("report", "bs", "--by-segment"), FY2016, "landscape"),
        (("report", "commitments"), FY2016, "landscape"),
    )
    for args, ledger, orientation in cases:
        book = tmp_path / "sheet.xlsx"
        result = yosan(*args, "-o", book, "--ledger", ledger)
        assert result.exit_code == 0, result.stderr
        sheets = openpyxl.load_workbook(book).worksheets
        assert {s.page_setup.orientation for s in sheets} == {orientation}, args


FORMULAS = ("=1+2", "+1+2", "-1+2", "@x", '=HYPERLINK("http://x.example","y")', "\t=1+2", "\r=1+2")


@pytest.mark.parametrize("dtype", [object, "string", "category"])
def test_every_text_cell_of_an_excel_compatible_csv_is_escaped_whatever_its_dtype(dtype):
    """Issue 24: with pandas 3 the text columns are StringDtype, and only `object`
    columns were escaped: `=1+2` reached Excel as a formula."""
    from yosan_ledger.reports.rendering.csv_export import BOM, tidy_csv

    texts = [*FORMULAS, "普通の科目", "-5.0"]
    frame = pd.DataFrame({"line": texts, "amount": range(len(texts))})
    frame["line"] = frame["line"].astype(dtype)
    rows = list(csv.reader(io.StringIO(tidy_csv(frame, excel_compatible=True).removeprefix(BOM))))
    assert [row[0] for row in rows[1:]] == [
        "'=1+2",
        "'+1+2",
        "'-1+2",
        "'@x",
        """'=HYPERLINK("http://x.example","y")""",
        "'\\u0009=1+2",
        "'\\u000d=1+2",
        "普通の科目",
        "-5.0",  # a figure as text is no formula
    ]


def _formula_labels(folder: Path) -> Path:
    """The example 組合, with a revision, its labels 使用料収入, 人件費 and 物件費 renamed
    =1+2, +1+2 and @x (in its layouts, its accounts and its journal's note)."""
    shutil.copytree(ROOT / "examples" / "kumiai", folder)
    renamed = {"使用料収入": "=1+2", "人件費": "+1+2", "物件費": "@x"}
    for path in [*folder.glob("layouts/*.toml"), folder / "actuals" / "main.beancount"]:
        text = path.read_text(encoding="utf-8")
        for old, new in renamed.items():
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    accounts = folder / "accounts.beancount"
    text = accounts.read_text(encoding="utf-8")
    for old, new in renamed.items():
        text = text.replace(f'line: "{old}"', f'line: "{new}"')
    accounts.write_text(text, encoding="utf-8")
    with open(folder / "main.beancount", "a", encoding="utf-8") as stream:
        stream.write(
            '2027-12-20 custom "yosan-revision" "12月補正"\n'
            '2027-12-20 * "増額" #hall\n  revision: "12月補正"\n'
            "  Assets:1-流動資産:11-現金預金  100000 JPY\n  Income:7-収益:71-使用料収入\n"
        )
    return folder


@pytest.mark.parametrize(
    "args",
    [
        ("export", "--ledger", "main.beancount"),
        ("report", "revision", "--format", "csv", "--ledger", "main.beancount"),
        ("report", "execution", "--format", "csv", "--ledger", "actuals/main.beancount"),
        ("report", "--format", "csv", "--ledger", "main.beancount"),
    ],
    ids=["export", "revision", "execution", "report"],
)
def test_no_excel_compatible_csv_holds_a_formula_with_pandas_string_columns(
    args, tmp_path, monkeypatch
):
    folder = _formula_labels(tmp_path / "kumiai")
    monkeypatch.chdir(folder)
    assert pd.Series(["x"]).dtype != object  # pandas 3: text is its string dtype
    result = yosan(*args, "--excel-compatible", "--no-cache")
    assert result.exit_code == 0, result.stderr
    fields = [f for row in csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))) for f in row]
    assert {"'=1+2", "'+1+2", "'@x"} <= set(fields)
    assert not [f for f in fields if f.startswith(("=", "+", "@"))]
