"""Which renderer draws which ``--format``, and where its output goes.

Text formats (text, csv, html) go to standard output or to ``-o FILE``; binary
ones (xlsx, pdf) only to a file, and parquet only to a folder.  Every file or
folder is written whole or not at all (``reports.output``).  Renderers are
imported when used, so the command starts fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from plugins.engine import tidy
from plugins.layout import STATEMENTS
from plugins.overview import comparison_of
from plugins.units import Unit
from reports.csv_export import table_csv, tidy_csv
from reports.ledger import LoadedLedger
from reports.output import ForeignDirectory, write_atomically
from reports.parquet import SCHEMA_HELP
from reports.schedules import budget_schedules
from reports.text import render
from reports.view import Table, statement_table

REPORT_FORMATS = ("text", "csv", "xlsx", "html", "pdf")
EXPORT_FORMATS = ("csv", "xlsx", "parquet")
BINARY = frozenset({"xlsx", "pdf"})
FOLDER = frozenset({"parquet"})
BY_SUFFIX = {
    ".txt": "text",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
DATA_SHEET = "数値"  # the export workbook's sheet of tidy rows

EXPORT_HELP = f"""Every figure of every statement and segment.

\b
csv      statement,section,line,segment,amount (to standard output, or -o FILE)
xlsx     a sheet per statement, whole body and by segment, and the figures as rows
parquet  -o FOLDER: two files, written together or not at all

\b
{SCHEMA_HELP}
"""


class OutputError(Exception):
    """The output asked for cannot be written (no -o for a binary format, …)."""


class Unavailable(Exception):
    """A format this installation cannot produce (PDF without WeasyPrint's libraries)."""


def chosen_format(fmt: str | None, output: Path | None, default: str, known: Sequence[str]) -> str:
    """``--format`` if given, else the one the ``-o`` file's suffix names, else the default."""
    if fmt is not None:
        return fmt
    guessed = BY_SUFFIX.get(output.suffix.lower()) if output is not None else None
    return guessed if guessed in known else default


def check_output(fmt: str, output: Path | None) -> None:
    """Refuse, before any work, an output the format cannot go to."""
    if fmt in BINARY and output is None:
        raise OutputError(
            f"--format {fmt} is binary and is not written to a terminal: "
            f"give -o FILE (e.g. -o statements.{fmt})"
        )
    if fmt in FOLDER and output is None:
        raise OutputError(
            f"--format {fmt} writes a folder of files: give -o FOLDER (e.g. -o export/)"
        )
    if output is None:
        return
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{output}: there is no folder {parent}")
    if fmt in FOLDER:
        if output.suffix.lower() == ".parquet":
            raise OutputError(
                f"{output}: --format parquet writes a folder holding postings.parquet and "
                "statements.parquet; give -o a folder name (e.g. -o export/)"
            )
        if output.exists() and not output.is_dir():
            raise OutputError(f"{output} is a file; --format parquet writes a folder")
    elif output.is_dir():
        raise OutputError(f"{output} is a folder; give -o a file name")


def _text(text: str, output: Path | None) -> str | None:
    if output is None:
        return text
    write_atomically(output, lambda stream: stream.write(text.encode("utf-8")))
    return None


def write_report(
    tables: Sequence[Table],
    fmt: str,
    output: Path | None,
    *,
    excel_compatible: bool = False,
    title: str = "",
) -> str | None:
    """Draw the tables in ``fmt`` into ``output``; without one, return the text to print."""
    check_output(fmt, output)
    if fmt == "text":
        return _text("\n".join(render(t) for t in tables), output)
    if fmt == "csv":
        return _text(
            "".join(table_csv(t, excel_compatible=excel_compatible) for t in tables), output
        )
    if fmt == "html":
        from reports.html import render_html

        return _text(render_html(tables, title=title), output)
    if fmt == "xlsx":
        from reports.xlsx import write_workbook

        write_atomically(output, lambda stream: write_workbook(tables, stream, title=title))
    elif fmt == "pdf":
        from reports.html import PdfUnavailable, write_pdf

        try:
            write_atomically(output, lambda stream: write_pdf(tables, stream, title=title))
        except PdfUnavailable as error:
            raise Unavailable(str(error)) from None
    else:
        raise OutputError(f"unknown format {fmt!r}")
    return None


def workbook_tables(ledger: LoadedLedger, unit: Unit, *, true_era: bool = False) -> list[Table]:
    """The export workbook's sheets: each statement of the whole body, then each by
    segment, then the overview, advances and commitments.  Another table (any
    ``Table``) becomes a sheet by joining this list."""
    organisation = ledger.options.get("title", "")
    comparison = comparison_of(ledger.options)
    statements = [
        statement_table(
            ledger.statements,
            name,
            unit,
            by_segment=by_segment,
            organisation=organisation,
            true_era=true_era,
        )
        for by_segment in (False, True)
        for name in STATEMENTS
    ]
    return statements + budget_schedules(
        ledger.statements,
        ledger.advances,
        ledger.commitments,
        (comparison.statements, comparison.label) if comparison else None,
        organisation=organisation,
        true_era=true_era,
    )


def write_export(
    ledger: LoadedLedger,
    fmt: str,
    unit: Unit,
    output: Path | None,
    *,
    excel_compatible: bool = False,
) -> str | None:
    """Every figure in ``fmt`` into ``output``; without one, return the text to print."""
    check_output(fmt, output)
    if fmt == "csv":
        return _text(
            tidy_csv(tidy(ledger.statements, unit), excel_compatible=excel_compatible), output
        )
    title = ledger.statements.budget.title
    if fmt == "xlsx":
        from reports.xlsx import add_data_sheet, workbook

        book = workbook(workbook_tables(ledger, unit), title=title)
        add_data_sheet(book, DATA_SHEET, tidy(ledger.statements, unit))
        write_atomically(output, book.save)
    elif fmt == "parquet":
        from reports.parquet import write_parquet_folder

        try:
            write_parquet_folder(ledger, unit, output)
        except ForeignDirectory as error:
            raise OutputError(str(error)) from None
    else:
        raise OutputError(f"unknown format {fmt!r}")
    return None
