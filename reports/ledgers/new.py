"""A new ledger from the starter: ``yosan new DIR``.

The starter (``starter/`` beside this module) is a small working ledger — main,
accounts, segments, one segment file, layouts — whose figures are placeholders
and whose comments say what to change.  The fiscal year's dates and name are
filled in; the folder is written whole or not at all, and an existing one is
refused.
"""

from __future__ import annotations

import datetime
from importlib import resources
from pathlib import Path

from yosan_ledger.plugins.core.era import fiscal_year_bounds, fiscal_year_of, format_fiscal_year
from yosan_ledger.plugins.core.messages import _, reason
from yosan_ledger.reports.output import create_directory_atomically

STARTER = "starter"


class NewLedgerError(Exception):
    """The folder cannot be written (the message says why)."""


def next_fiscal_year(today: datetime.date | None = None) -> int:
    """The year a budget is prepared for now: the one after the current year."""
    return fiscal_year_of(today or datetime.date.today()) + 1


def _filled(text: str, year: int) -> str:
    start, end = fiscal_year_bounds(year)
    opening = start - datetime.timedelta(days=1)
    for token, value in (
        ("@START@", start.isoformat()),
        ("@END@", end.isoformat()),
        ("@OPENING@", opening.isoformat()),
        ("@ADOPTED@", opening.isoformat()),
        ("@YEAR@", format_fiscal_year(year, start)),
    ):
        text = text.replace(token, value)
    return text


def write_new_ledger(folder: Path, year: int) -> list[Path]:
    """Write the starter ledger for fiscal ``year`` into the new ``folder``; the
    files written, relative to it."""
    parent = folder.parent if str(folder.parent) else Path(".")
    if not parent.is_dir():
        raise NewLedgerError(_("{path}: there is no folder {folder}", path=folder, folder=parent))
    written: list[Path] = []

    def fill(temporary: Path) -> None:
        with resources.as_file(resources.files(__package__) / STARTER) as starter:
            for source in sorted(Path(starter).rglob("*")):
                if source.is_file():
                    relative = source.relative_to(starter)
                    target = temporary / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(_filled(source.read_text("utf-8"), year), encoding="utf-8")
                    written.append(relative)

    try:
        create_directory_atomically(folder, fill)
    except FileExistsError as error:
        raise NewLedgerError(reason(error)) from None
    return written
