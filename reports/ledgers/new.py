"""A new ledger from the starter: ``yosan new DIR``.

The starter (``starter/`` beside this module) is a small working ledger — main,
accounts, segments, one segment file, layouts — whose figures are placeholders
and whose comments (``comments.STARTER``, in the locale's language) say what to
change.  The fiscal year's dates and name are filled in and the amounts aligned
as ``bean-format`` aligns them.  The folder is written whole or not at all: a new
one, or one that exists and is empty; a folder holding anything is refused.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from beancount.scripts.format import align_beancount

from yosan_ledger.plugins.core.era import fiscal_year_bounds, fiscal_year_of, format_fiscal_year
from yosan_ledger.plugins.core.messages import _, reason
from yosan_ledger.reports.ledgers.comments import filled
from yosan_ledger.reports.output import create_directory_atomically

STARTER = "starter"


class NewLedgerError(Exception):
    """The folder cannot be written (the message says why)."""


def next_fiscal_year(today: datetime.date | None = None) -> int:
    """The year a budget is prepared for now: the one after the current year."""
    return fiscal_year_of(today or datetime.date.today()) + 1


def _filled(text: str, year: int, suffix: str) -> str:
    """A starter file for fiscal ``year``: dates, comments, and aligned amounts."""
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
    if suffix == ".toml":
        return filled(text, "#")
    return align_beancount(filled(text, ";"))


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
                    text = _filled(source.read_text("utf-8"), year, source.suffix)
                    target.write_text(text, encoding="utf-8")
                    written.append(relative)

    try:
        if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            _fill_empty_folder(folder, fill)
        else:
            create_directory_atomically(folder, fill)
    except FileExistsError as error:
        raise NewLedgerError(reason(error)) from None
    return written


def _fill_empty_folder(folder: Path, fill: Callable[[Path], None]) -> None:
    """Write into an existing empty folder (one made for the ledger, or the current
    one), whole or not at all: filled in a hidden folder inside it, whose files are
    then moved up; on any failure what was moved is taken away again."""
    temporary = Path(tempfile.mkdtemp(prefix=".yosan-new.", dir=folder))
    moved: list[Path] = []
    try:
        fill(temporary)
        for part in sorted(temporary.iterdir()):
            target = folder / part.name
            if target.exists() or target.is_symlink():
                raise FileExistsError(
                    _(
                        "{path} appeared while the ledger was written; nothing is replaced",
                        path=target,
                    )
                )
            os.rename(part, target)
            moved.append(target)
        temporary.rmdir()
    except BaseException:
        for target in moved:
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        shutil.rmtree(temporary, ignore_errors=True)
        raise
