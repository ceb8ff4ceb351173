"""Excel workbooks in the published layout: one sheet per ``Table``.

Each sheet carries the title, the period line (with the version of a revised
budget) and the unit above a header row, labels left-aligned and indented by depth
(the file format applies an indent only to left, right or distributed alignment),
totals in bold and one column per segment, every cell in one font family and size.
Figures are stored as numbers (never text) with a number format that prints
thousands separators and ▲ for negatives, as the published tables do, a rate with
one decimal; text beside them (a fiscal year) is centred in its column.  A long
header (a segment's name) is written in lines of whole phrases, so that a
spreadsheet never breaks it inside a word.  The header rows are frozen, and every
sheet, the flat one of figures too, prints on A4 fit to the page width (landscape
for a sheet wider than a portrait page holds) with its header rows repeated and page
numbers in the footer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, BinaryIO

from yosan_ledger.plugins.core.messages import inert
from yosan_ledger.reports.rendering.format import Format, Options
from yosan_ledger.reports.rendering.text import HEADER_WIDTH, figure, width, wrap
from yosan_ledger.reports.tables.table import Rate, Table

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from yosan_ledger.plugins.core.units import Unit
    from yosan_ledger.reports.loading.ledger import LoadedLedger

FIGURE_FORMAT = '#,##0;"▲"#,##0'
RATE_FORMAT = '0.0;"▲"0.0'
PORTRAIT_WIDTH = 100  # column-width units an A4 portrait page prints at a readable size
SHEET_NAME_LENGTH = 31  # Excel's limit
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
POINTS_PER_LINE = 16  # row height of one line of 11 pt text, Japanese glyphs included
INDENT_WIDTH = 2  # columns one indent level takes, in Excel's character widths

# One family for every cell: a cell without a name takes the spreadsheet's own
# default (a serif face in LibreOffice), unlike its neighbours.
FONT_NAME = "Noto Sans CJK JP"
FONT_SIZE = 11
PAGE_NUMBER = "&P / &N"  # this page / pages of the sheet
DATA_SHEET = "数値"  # the export workbook's sheet of every figure as rows


@cache
def styles() -> SimpleNamespace:
    """The cells' fonts, fill and borders (openpyxl is imported when a workbook is drawn)."""
    from openpyxl.styles import Border, Font, PatternFill, Side

    thin = Side(style="thin")
    return SimpleNamespace(
        plain=Font(name=FONT_NAME, size=FONT_SIZE),
        bold=Font(name=FONT_NAME, size=FONT_SIZE, bold=True),
        title=Font(name=FONT_NAME, size=14, bold=True),
        header_fill=PatternFill("solid", start_color="F2F2F2"),
        header_border=Border(top=thin, bottom=thin, left=thin, right=thin),
        total_border=Border(top=thin),
    )


def is_wide(sheet: Worksheet) -> bool:
    """A sheet wider than a portrait page holds (a column per segment, long items):
    printed landscape."""
    return sum(d.width or 0 for d in sheet.column_dimensions.values()) > PORTRAIT_WIDTH


def _text(value: object) -> object:
    """A cell's value: text with its control characters as code points (the file
    format cannot hold most of them, and none belongs in a statement)."""
    return inert(value) if isinstance(value, str) else value


def sheet_name(title: str, taken: Iterable[str]) -> str:
    """The title as a valid, unique Excel sheet name (31 characters, no []:*?/\\)."""
    base = FORBIDDEN_IN_SHEET_NAMES.sub("・", inert(title))[:SHEET_NAME_LENGTH] or "表"
    used = {name.casefold() for name in taken}
    name, number = base, 2
    while name.casefold() in used:
        suffix = f"({number})"
        name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        number += 1
    return name


def _shown(value: object) -> str:
    return figure(value) if isinstance(value, int | Rate) else "" if value is None else str(value)


def _cell_value(value: int | str) -> int | str | Decimal | None:
    """What a cell holds: a figure as a number, a rate as an exact decimal number
    (none where there is no rate), any other text with its control characters as
    code points."""
    if isinstance(value, Rate):
        return Decimal(value) if value else None
    return _text(value)


def add_sheet(workbook: Workbook, table: Table) -> Worksheet:
    """Append one table as a sheet in the published layout."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    look = styles()
    sheet = workbook.create_sheet(sheet_name(table.title, workbook.sheetnames))
    last = len(table.columns) + 1
    row = 1
    if table.organisation:
        sheet.cell(row, 1, _text(table.organisation)).font = look.plain
        row += 1
    for text, font in ((table.title, look.title), (table.period, look.plain)):
        cell = sheet.cell(row, 1, _text(text))
        cell.alignment = Alignment(horizontal="center")
        cell.font = font
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        row += 1
    unit = sheet.cell(row, last, f"（単位：{table.unit.label}）")
    unit.alignment = Alignment(horizontal="right")
    unit.font = look.plain
    row += 1

    header_row = row
    # Each header's phrases on lines of their own (the breaks are the renderer's; any
    # control character of the ledger's text is shown as its code point).
    header_lines = [wrap(inert(h), HEADER_WIDTH) for h in table.headers]
    headers = [inert(table.label_header), *("\n".join(lines) for lines in header_lines)]
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(header_row, column, text)
        cell.font, cell.fill, cell.border = look.bold, look.header_fill, look.header_border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[header_row].height = POINTS_PER_LINE * max(
        [1, *(len(lines) for lines in header_lines)]
    )

    for line in table.rows:
        row += 1
        label = sheet.cell(row, 1, _text(line.label))
        label.alignment = Alignment(horizontal="left", indent=line.depth)
        label.font = look.bold if line.is_total else look.plain
        for column, value in enumerate(line.values or (), start=2):
            cell = sheet.cell(row, column, _cell_value(value))
            cell.font = look.bold if line.is_total else look.plain
            if isinstance(value, int):
                cell.number_format = FIGURE_FORMAT
            elif isinstance(value, Rate):
                cell.number_format = RATE_FORMAT
                cell.alignment = Alignment(horizontal="right")
            elif value:  # a fiscal year, a span of years, a note's mark
                cell.alignment = Alignment(horizontal="center")
            if line.is_total:
                cell.border = look.total_border
    for note in table.notes:
        row += 2 if note is table.notes[0] else 1
        sheet.cell(row, 1, _text(note)).font = look.plain

    label_width = max(
        [
            width(inert(table.label_header)),
            *(width(inert(r.label)) + INDENT_WIDTH * r.depth for r in table.rows),
        ]
    )
    sheet.column_dimensions["A"].width = label_width + 2
    for index, lines in enumerate(header_lines):
        figures = [_shown(r.values[index]) for r in table.rows if r.values]
        # A header's Japanese glyphs take a little over two of the width's units.
        heading = max(round(width(line) * 1.15) for line in lines)
        size = max([8, heading, *(width(f) for f in figures)])
        sheet.column_dimensions[get_column_letter(index + 2)].width = size + 2

    sheet.freeze_panes = sheet.cell(header_row + 1, 2)
    print_setup(sheet, header_row, landscape=is_wide(sheet))
    return sheet


def print_setup(sheet: Worksheet, header_row: int, *, landscape: bool) -> None:
    """A4 fit to the page width, the header row on every page, page numbers below."""
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = PAGE_NUMBER
    sheet.oddFooter.center.font = FONT_NAME
    sheet.oddFooter.center.size = FONT_SIZE


def as_text(sheet: Worksheet) -> None:
    """Every cell that openpyxl took for a formula (a label, segment name or
    commitment item beginning with ``=``) is text: a ledger's words are never run."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def workbook(tables: Sequence[Table], *, title: str = "") -> Workbook:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        as_text(add_sheet(book, table))
    book.properties.title = title or (tables[0].title if tables else "")
    book.properties.creator = "yosan-ledger"
    return book


def write_workbook(tables: Sequence[Table], stream: BinaryIO, *, title: str = "") -> None:
    workbook(tables, title=title).save(stream)


def add_data_sheet(book: Workbook, name: str, frame: pd.DataFrame) -> Worksheet:
    """A flat sheet of rows (the tidy export) with a filter, for pivot tables."""
    import numpy as np
    import pandas as pd
    from openpyxl.utils import get_column_letter

    look = styles()
    sheet = book.create_sheet(sheet_name(name, book.sheetnames))
    sheet.append([_text(str(c)) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = look.bold
    integer_columns = [c for c in frame.columns if pd.api.types.is_integer_dtype(frame[c])]
    for record in frame.itertuples(index=False):
        sheet.append([int(v) if isinstance(v, np.integer) else _text(v) for v in record])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.font = look.plain
    for index, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        texts = [str(column), *(str(v) for v in frame[column])]
        sheet.column_dimensions[letter].width = max(width(t) for t in texts) + 2
        if column in integer_columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = FIGURE_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    print_setup(sheet, 1, landscape=False)
    as_text(sheet)
    return sheet


def _report(tables: Sequence[Table], stream: BinaryIO, options: Options) -> None:
    write_workbook(tables, stream, title=options.title)


def _export(ledger: LoadedLedger, unit: Unit, stream: BinaryIO, options: Options) -> None:
    """Every table of the ledger (``kinds.workbook_tables``) as sheets, and a sheet of
    every figure as rows (the CSV export's), for pivot tables."""
    from yosan_ledger.reports.tables.exports import figure_rows
    from yosan_ledger.reports.tables.kinds import Results, needs, workbook_tables

    results = Results(ledger.results, lambda: ledger.entries, needs())
    organisation = ledger.options.get("title", "")
    version = options.version or None
    book = workbook(
        workbook_tables(results, unit, organisation=organisation, version=version),
        title=options.title,
    )
    columns = ["statement", "section", "line", "segment", "amount", "unit"]
    figures = figure_rows(ledger, unit)[columns]
    if options.version:  # the sheets say which version: so do the rows
        figures["version"] = options.version
    add_data_sheet(book, DATA_SHEET, figures)
    book.save(stream)


FORMAT = Format("xlsx", (".xlsx",), binary=True, report=_report, export=_export, order=30)
