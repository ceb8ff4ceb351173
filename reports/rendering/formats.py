"""The output formats: the registry of what each renderer module declares, and the
writing of a report or an export in one of them.

Each renderer module of this package declares its ``Format`` (``format.py`` says
what one is): ``yosan report`` offers the formats that draw reports, ``yosan
export`` those that draw exports, and their help and refusals list them from
here.  A new format is its renderer module.  Every file or folder is written whole
or not at all (``yosan_ledger.reports.output``).
"""

from __future__ import annotations

import importlib
import io
import os
import pkgutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from yosan_ledger.plugins.core.messages import _, reason
from yosan_ledger.reports import rendering

if TYPE_CHECKING:
    import pandas as pd

    from yosan_ledger.plugins.core.units import Unit
    from yosan_ledger.reports.loading.ledger import LoadedLedger
    from yosan_ledger.reports.tables.table import Table

from yosan_ledger.reports.rendering.format import (
    Format,
    Options,
    OutputError,
    Unavailable,
)

__all__ = ["FORMATS", "Format", "Options", "OutputError", "Unavailable"]


def _declared() -> dict[str, Format]:
    """Every format a module of this package declares (``FORMAT`` or ``FORMATS``), in
    the order they declare."""
    found: list[Format] = []
    for module in pkgutil.iter_modules(rendering.__path__):
        loaded = importlib.import_module(f"{rendering.__name__}.{module.name}")
        found += getattr(loaded, "FORMATS", ())
        found += [loaded.FORMAT] if hasattr(loaded, "FORMAT") else []
    return {f.name: f for f in sorted(found, key=lambda f: (f.order, f.name))}


FORMATS = _declared()
DEFAULT_OPTIONS = Options()
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
    tables: Sequence[Table], fmt: str, output: Path | None, options: Options = DEFAULT_OPTIONS
) -> str | None:
    """Draw the tables in ``fmt`` into ``output``; without one, return the text to print."""
    check_output(fmt, output)
    draw = FORMATS[fmt].report
    if draw is None:
        raise OutputError(_("--format {format} draws no report", format=fmt))
    return _deliver(lambda stream: draw(tables, stream, options), output)


def write_rows(
    frame: pd.DataFrame, output: Path | None, options: Options = DEFAULT_OPTIONS
) -> str | None:
    """A table of rows (one figure a row, like the export) as CSV into ``output``;
    without one, return the text to print."""
    from yosan_ledger.reports.rendering.csv_export import tidy_csv

    text = tidy_csv(frame, excel_compatible=options.excel_compatible)
    return _deliver(lambda stream: stream.write(text.encode("utf-8")), output)


def write_export(
    ledger: LoadedLedger,
    fmt: str,
    unit: Unit,
    output: Path | None,
    options: Options = DEFAULT_OPTIONS,
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
