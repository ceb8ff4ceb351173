"""The output formats, registered once: which renderer draws each ``--format``.

A ``Format`` names its suffixes, where it may go (a text format to standard
output or ``-o FILE``; a binary one only to a file; a folder format only to
``-o FOLDER``) and the functions that draw a report (tables) and an export
(every figure of a ledger).  ``yosan report`` offers the formats that draw
reports, ``yosan export`` those that draw exports.  A new format is its renderer
module and one entry here.  Every file or folder is written whole or not at all
(``yosan_ledger.reports.output``); renderers are imported when used, so the
command starts fast.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from yosan_ledger.plugins.core.messages import _, reason

if TYPE_CHECKING:
    import pandas as pd

    from yosan_ledger.plugins.core.units import Unit
    from yosan_ledger.reports.loading.ledger import LoadedLedger
    from yosan_ledger.reports.tables.table import Table

DATA_SHEET = "数値"  # the export workbook's sheet of tidy rows


class OutputError(Exception):
    """The output asked for cannot be written (no -o for a binary format, …)."""


class Unavailable(Exception):
    """A format this installation cannot produce (PDF without WeasyPrint's libraries)."""


@dataclass(frozen=True)
class Options:
    title: str = ""  # the document's title (the budget's)
    excel_compatible: bool = False  # CSV: a BOM first, for Excel on Japanese Windows
    version: str = ""  # a revised budget's version shown (…による補正後), as the tables say it


DrawReport = Callable[["Sequence[Table]", BinaryIO, Options], None]
DrawExport = Callable[["LoadedLedger", "Unit", BinaryIO, Options], None]
WriteFolder = Callable[["LoadedLedger", "Unit", Path], None]


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...] = ()
    binary: bool = False  # never to a terminal: -o FILE only
    report: DrawReport | None = None
    export: DrawExport | None = None
    folder: WriteFolder | None = None  # an export written as a folder: -o FOLDER only


def _text(draw: Callable[..., str]) -> DrawReport:
    def write(tables: Sequence[Table], stream: BinaryIO, options: Options) -> None:
        stream.write(draw(tables, options).encode("utf-8"))

    return write


def _text_report(tables: Sequence[Table], options: Options) -> str:
    from yosan_ledger.reports.rendering.text import render

    return "\n".join(render(t) for t in tables)


def _csv_report(tables: Sequence[Table], options: Options) -> str:
    from yosan_ledger.reports.rendering.csv_export import tables_csv

    return tables_csv(tables, excel_compatible=options.excel_compatible)


def _html_report(tables: Sequence[Table], options: Options) -> str:
    from yosan_ledger.reports.rendering.html import render_html

    return render_html(tables, title=options.title)


def _xlsx_report(tables: Sequence[Table], stream: BinaryIO, options: Options) -> None:
    from yosan_ledger.reports.rendering.xlsx import write_workbook

    write_workbook(tables, stream, title=options.title)


def _pdf_report(tables: Sequence[Table], stream: BinaryIO, options: Options) -> None:
    from yosan_ledger.reports.rendering.html import PdfUnavailable, write_pdf

    try:
        write_pdf(tables, stream, title=options.title)
    except PdfUnavailable as error:
        raise Unavailable(reason(error)) from None


def _figures(ledger: LoadedLedger, unit: Unit) -> pd.DataFrame:
    """The tidy rows of every figure, each naming its unit (千円 …), as the Parquet does."""
    from yosan_ledger.plugins.core.engine import tidy

    frame = tidy(ledger.statements, unit)
    frame["unit"] = unit.label
    return frame


def _csv_export(ledger: LoadedLedger, unit: Unit, stream: BinaryIO, options: Options) -> None:
    from yosan_ledger.reports.rendering.csv_export import tidy_csv

    text = tidy_csv(_figures(ledger, unit), excel_compatible=options.excel_compatible)
    stream.write(text.encode("utf-8"))


def _xlsx_export(ledger: LoadedLedger, unit: Unit, stream: BinaryIO, options: Options) -> None:
    from yosan_ledger.reports.rendering.xlsx import add_data_sheet, workbook
    from yosan_ledger.reports.tables.kinds import Results, needs, workbook_tables

    organisation = ledger.options.get("title", "")
    results = Results(ledger.results, lambda: ledger.entries, needs())
    tables = workbook_tables(
        results, unit, organisation=organisation, version=options.version or None
    )
    book = workbook(tables, title=options.title)
    figures = _figures(ledger, unit)
    if options.version:  # the sheets say which version: so do the rows
        figures["version"] = options.version
    add_data_sheet(book, DATA_SHEET, figures)
    book.save(stream)


def _parquet_export(ledger: LoadedLedger, unit: Unit, folder: Path) -> None:
    from yosan_ledger.reports.output import ForeignDirectory
    from yosan_ledger.reports.rendering.parquet import write_parquet_folder

    try:
        write_parquet_folder(ledger, unit, folder)
    except ForeignDirectory as error:
        raise OutputError(reason(error)) from None


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("text", (".txt",), report=_text(_text_report)),
        Format("csv", (".csv",), report=_text(_csv_report), export=_csv_export),
        Format("xlsx", (".xlsx",), binary=True, report=_xlsx_report, export=_xlsx_export),
        Format("html", (".html", ".htm"), report=_text(_html_report)),
        Format("pdf", (".pdf",), binary=True, report=_pdf_report),
        Format("parquet", folder=_parquet_export),
    )
}
REPORT_FORMATS = tuple(name for name, f in FORMATS.items() if f.report)
EXPORT_FORMATS = tuple(name for name, f in FORMATS.items() if f.export or f.folder)


def offered(known: Sequence[str]) -> str:
    """The formats and what their files end in: ``csv (.csv), xlsx (.xlsx), …``."""
    folder_word = _("a folder")
    return ", ".join(
        f"{name} ({' '.join(FORMATS[name].suffixes) or folder_word})" for name in known
    )


def described(known: Sequence[str]) -> str:
    """The formats for a help text (from the registry: a new format needs no new words)."""
    return _("any of {formats}", formats=offered(known))


def format_help(known: Sequence[str], default: str) -> str:
    """``--format``'s help: the default, else what the ``-o`` file's suffix says."""
    return _(
        "Default: {default}, or what the -o file's suffix says: {formats}.",
        default=default,
        formats=offered(known),
    )


def chosen_format(
    fmt: str | None,
    output: Path | None,
    default: str,
    known: Sequence[str],
    *,
    folder: bool = False,
) -> str:
    """``--format`` if given, else the one the ``-o`` file's suffix names, else the default.
    An ``-o`` that names a folder (``export/``, or one that exists) asks for a format
    written as a folder, where there is one; a suffix no format has is refused
    (``OutputError``), not written as text under that name."""
    if fmt is not None:
        return fmt
    if output is not None and (folder or os.path.isdir(output)):  # False on a name too long
        for name in known:
            if FORMATS[name].folder is not None:
                return name
    if output is not None and output.suffix:
        suffix = output.suffix.lower()
        for name in known:
            if suffix in FORMATS[name].suffixes or (FORMATS[name].folder and suffix == f".{name}"):
                return name  # a folder format's name as a suffix: refused with its reason
        raise OutputError(
            _(
                "{path}: no format is written as {suffix}; the formats are {formats} "
                "(or give --format)",
                path=output,
                suffix=output.suffix,
                formats=offered(known),
            )
        )
    return default


def check_output(fmt: str, output: Path | None) -> None:
    """Refuse, before any work, an output the format cannot go to."""
    chosen = FORMATS[fmt]
    if chosen.binary and output is None:
        raise OutputError(
            _(
                "--format {format} is binary and is not written to a terminal: "
                "give -o FILE (e.g. -o statements.{format})",
                format=fmt,
            )
        )
    if chosen.folder and output is None:
        raise OutputError(
            _(
                "--format {format} writes a folder of files: give -o FOLDER (e.g. -o export/)",
                format=fmt,
            )
        )
    if output is None:
        return
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(_("{path}: there is no folder {folder}", path=output, folder=parent))
    if chosen.folder:
        if output.suffix.lower() == f".{fmt}":
            raise OutputError(
                _(
                    "{path}: --format {format} writes a folder of files; give -o a folder name "
                    "(e.g. -o export/)",
                    path=output,
                    format=fmt,
                )
            )
        if output.exists() and not output.is_dir():
            raise OutputError(
                _("{path} is a file; --format {format} writes a folder", path=output, format=fmt)
            )
    else:
        from yosan_ledger.reports.output import NotARegularFile, regular_target

        try:
            regular_target(output)
        except NotARegularFile as error:
            raise OutputError(reason(error)) from None


def _deliver(write: Callable[[BinaryIO], None], output: Path | None) -> str | None:
    """Into ``output`` whole, or, without one, the text to print."""
    from yosan_ledger.reports.output import NotARegularFile, write_atomically  # a file only

    if output is not None:
        try:
            write_atomically(output, write)
        except NotARegularFile as error:
            raise OutputError(reason(error)) from None
        return None
    buffer = io.BytesIO()
    write(buffer)
    return buffer.getvalue().decode("utf-8")


def write_report(
    tables: Sequence[Table], fmt: str, output: Path | None, options: Options = Options()
) -> str | None:
    """Draw the tables in ``fmt`` into ``output``; without one, return the text to print."""
    check_output(fmt, output)
    draw = FORMATS[fmt].report
    if draw is None:
        raise OutputError(_("--format {format} draws no report", format=fmt))
    return _deliver(lambda stream: draw(tables, stream, options), output)


def write_rows(
    frame: pd.DataFrame, output: Path | None, options: Options = Options()
) -> str | None:
    """A table of rows (one figure a row, like the export) as CSV into ``output``;
    without one, return the text to print."""
    from yosan_ledger.reports.rendering.csv_export import tidy_csv

    text = tidy_csv(frame, excel_compatible=options.excel_compatible)
    return _deliver(lambda stream: stream.write(text.encode("utf-8")), output)


def write_export(
    ledger: LoadedLedger, fmt: str, unit: Unit, output: Path | None, options: Options = Options()
) -> str | None:
    """Every figure in ``fmt`` into ``output``; without one, return the text to print."""
    check_output(fmt, output)
    chosen = FORMATS[fmt]
    if chosen.folder is not None and output is not None:
        chosen.folder(ledger, unit, output)
        return None
    draw = chosen.export
    if draw is None:
        raise OutputError(_("--format {format} draws no export", format=fmt))
    return _deliver(lambda stream: draw(ledger, unit, stream, options), output)
