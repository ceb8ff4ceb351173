"""What an output format is: its declaration, which each renderer module makes once.

A renderer module of ``yosan_ledger.reports.rendering`` declares ``FORMAT`` (or
``FORMATS``): its name (``--format NAME``), the suffixes of its files, where it may go
(a text format to standard output or ``-o FILE``; a binary one only to a file; a
folder format only to ``-o FOLDER``) and the functions that draw a report (tables)
and an export (every figure of a ledger).  ``yosan_ledger.reports.rendering.formats``
finds them; a new format is its renderer module, nothing else.  A renderer imports
its libraries when it draws, so that finding the formats costs the command nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from yosan_ledger.plugins.core.units import Unit
    from yosan_ledger.reports.loading.ledger import LoadedLedger
    from yosan_ledger.reports.tables.table import Table


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
    order: int = 100  # where the help and the messages list it


def text_report(draw: Callable[[Sequence[Table], Options], str]) -> DrawReport:
    """A report drawn as text, written as UTF-8."""

    def write(tables: Sequence[Table], stream: BinaryIO, options: Options) -> None:
        stream.write(draw(tables, options).encode("utf-8"))

    return write
