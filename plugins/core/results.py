"""What a budget ledger's entries give, computed once: what each of its files adds
to the statements, its statements, and the decorator each schedule's result is
computed once with.

Each result is a function of the entries alone.  The rules (``yosan_ledger.plugins``)
ask for it while they check a load; the ``yosan`` command and the Fava extension
ask for it afterwards; all of them get the one computation: a result is kept for
the last few lists of entries it was asked for.  Nothing travels in
``options_map``, which Beancount's plugins only read.

A list is known again by identity, length and first and last entry: Beancount's
loader hands every plugin the same list, sorting it in place, and a plugin that
adds or removes entries changes its length or its ends.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import TypeVar

import numpy as np
from beancount.core import data

from yosan_ledger.plugins.core import actuals, walk
from yosan_ledger.plugins.core.budget import values
from yosan_ledger.plugins.core.engine import Statements, basis_of, statements_of
from yosan_ledger.plugins.core.layout import LayoutError, LayoutFile, Layouts, read_layouts
from yosan_ledger.plugins.core.memo import of_entries
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.problem import Problem
from yosan_ledger.plugins.core.sums import Basis, Contribution, contribution_of, merged

ScheduleLayout = TypeVar("ScheduleLayout")


LAYOUTS = "yosan-layouts"
LAYOUTS_FORM = _('custom "yosan-layouts" "layouts" (a folder, relative to this file)')


@dataclass(frozen=True)
class LayoutFolder:
    """The layout folder a ledger names, and what reading it gave."""

    directive: data.Custom | None  # the first yosan-layouts directive
    folder: Path | None
    layouts: Layouts | None  # None: none named, or one that cannot be read
    error: LayoutError | None = None

    def file(self, name: str) -> Path | None:
        """A file of the folder (a schedule's layout), if there is one."""
        if self.layouts is None or self.folder is None:
            return None
        path = self.folder / name
        # Anything by that name is the schedule's layout: a FIFO or a folder is then
        # an error at it (``LayoutFile``), not a schedule silently left out.
        return path if path.exists() or path.is_symlink() else None


@of_entries
def layout_folder(entries: list[data.Directive]) -> LayoutFolder:
    """The ledger's layouts: the folder its ``yosan-layouts`` directive names
    (relative to the file holding the directive), read."""
    found = walk.customs(entries, LAYOUTS)
    if not found:
        return LayoutFolder(None, None, None)
    directive = found[0]
    args = values(directive)
    if len(args) != 1 or not isinstance(args[0], str):
        error = LayoutError(_("Malformed layouts: {form}", form=LAYOUTS_FORM))
        return LayoutFolder(directive, None, None, error)
    folder = Path(directive.meta.get("filename", ".")).parent / args[0]
    if not folder.is_dir():
        error = LayoutError(
            _("The layout folder {name} ({folder}) does not exist", name=args[0], folder=folder)
        )
        return LayoutFolder(directive, folder, None, error)
    try:
        return LayoutFolder(directive, folder, read_layouts(folder))
    except LayoutError as error:
        return LayoutFolder(directive, folder, None, error)


def layouts(entries: list[data.Directive]) -> Layouts | None:
    """The ledger's statement layouts; None when it names none or they are broken
    (``yosan_ledger.plugins.layouts`` reports why)."""
    return layout_folder(entries).layouts


@of_entries
def basis(entries: list[data.Directive]) -> Basis | None:
    """What the ledger's transactions are summed against (``sums.Basis``); None
    without a budget or without usable layouts."""
    found = layouts(entries)
    budget = actuals.period(entries)[0]
    if found is None or budget is None:
        return None
    return basis_of(entries, found, budget)


_FILENAME = operator.attrgetter("meta")


@of_entries
def contributions(entries: list[data.Directive]) -> dict[str, Contribution] | None:
    """What each file's transactions add to the statements (``sums.Contribution``),
    by file name, in the order of their first transaction; None without a basis."""
    found = basis(entries)
    if found is None:
        return None
    transactions = walk.transactions(entries)
    names = list(map(dict.get, map(_FILENAME, transactions), repeat("filename")))
    files = walk.Memo(lambda name: len(files))
    code = np.fromiter(map(files.__getitem__, names), np.int64, len(names))
    order = np.argsort(code, kind="stable")
    bounds = np.searchsorted(code[order], np.arange(len(files) + 1))
    return {
        name: contribution_of([transactions[i] for i in order[start:end].tolist()], found)
        for name, start, end in zip(files, bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
    }


@of_entries
def statements(entries: list[data.Directive]) -> Statements | None:
    """The statements of the budget the entries declare, made of its files' sums;
    None without a budget or without usable layouts."""
    found, parts = basis(entries), contributions(entries)
    if found is None or parts is None:
        return None
    sums = merged(parts.values(), found)
    actual = actuals.period(entries)[1]
    return statements_of(sums, found, layouts(entries), actual=actual, entries=entries)  # type: ignore[arg-type]


def schedule_layout(
    entries: list[data.Directive],
    name: str,
    parse: Callable[[LayoutFile, Layouts], ScheduleLayout],
) -> tuple[ScheduleLayout | None, LayoutError | None]:
    """A schedule's layout, the file ``name`` of the ledger's layout folder: (None,
    None) when the ledger declares no such schedule; the error when it is broken."""
    found = layout_folder(entries)
    path = found.file(name)
    if path is None or found.layouts is None:
        return None, None
    try:
        source = LayoutFile(path)
        try:
            return parse(source, found.layouts), None
        except KeyError as missing:
            raise source.error(
                _("{file} lacks `{name}`", file=name, name=missing.args[0])
            ) from None
    except LayoutError as error:
        return None, error


def layout_problem(error: LayoutError, entry: data.Directive | None) -> Problem:
    """A layout that cannot be used, at its file and line where known (else at the
    directive naming the layouts, or the ledger)."""
    if error.filename:
        meta = data.new_metadata(error.filename, error.lineno or 0)
        return Problem(meta, _("Layout: {message}", message=error.message), entry)
    meta = entry.meta if entry is not None else data.new_metadata("<ledger>", 0)
    return Problem(meta, error.message, entry)


def undeclared(
    entries: list[data.Directive], directive: str, name: str, what: str
) -> list[Problem]:
    """Each ``custom "directive"`` of a ledger whose layouts declare no ``name``."""
    return [
        Problem(
            e.meta,
            _(
                "The ledger states {what}, but its layouts declare no such table: add {name} "
                "to the layout folder",
                what=what,
                name=name,
            ),
            e,
        )
        for e in walk.customs(entries, directive)
    ]
