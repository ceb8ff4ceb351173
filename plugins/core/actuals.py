"""予算執行: the year's actual journal against its budget.

    2016-04-01 custom "yosan-actuals" "../budget/main.beancount"

The directive declares the ledger as the actual journal (日々仕訳) of the budget
ledger it names (relative to the file holding the directive).  The actual
journal includes the budget's accounts and segments and names its layouts, so
the chart is kept once; its period is the budget's fiscal year.  The budget is
loaded with its own rules; its versions (当初予算 and each revision) are the
budgets the execution is measured against.  The rule is
``yosan_ledger.plugins.actuals``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from beancount.core import data

from yosan_ledger.load.ledger import load_named
from yosan_ledger.plugins.core import walk
from yosan_ledger.plugins.core.budget import Budget, find_budget, values
from yosan_ledger.plugins.core.local import local_government
from yosan_ledger.plugins.core.memo import of_entries
from yosan_ledger.plugins.core.messages import _

ACTUALS = "yosan-actuals"
FORM = 'custom "yosan-actuals" "path/to/budget/main.beancount"'


@dataclass(frozen=True)
class Actuals:
    """The budget an actual journal is kept against, loaded."""

    directive: data.Custom
    relative: str
    path: Path
    budget: Budget | None  # its fiscal year; None when it cannot be loaded
    budget_entries: list[data.Directive] = dataclasses.field(repr=False, default_factory=list)
    problems: tuple[str, ...] = ()  # the budget ledger's errors, as file:line: message
    files: tuple[str, ...] = ()


def declared(entries: list[data.Directive]) -> list[data.Custom]:
    return walk.customs(entries, ACTUALS)


def well_formed(entry: data.Custom) -> bool:
    args = values(entry)
    return len(args) == 1 and isinstance(args[0], str) and bool(args[0].strip())


@of_entries
def actuals_of(entries: list[data.Directive]) -> Actuals | None:
    """The budget the first well-formed ``yosan-actuals`` directive names, loaded."""
    found = declared(entries)
    if not found or not well_formed(found[0]):
        return None
    entry = found[0]
    relative = values(entry)[0].strip()
    # As named (a symbolic link not resolved): its files are the ones reached through it.
    path = Path(os.path.normpath(Path(entry.meta.get("filename", ".")).parent / relative))
    budget_entries, problems, files = load_named(path)
    budget = find_budget(budget_entries)[0]
    if budget is None and not problems:
        problems.append(_("{ledger}: the ledger declares no budget", ledger=path))
    local = local_government(budget_entries)
    if budget is not None and local is not None:
        # A local government's year closes with its closing period (出納整理期間).
        budget = dataclasses.replace(budget, closing=local.closing)
    return Actuals(
        entry,
        relative,
        path,
        budget if not problems else None,
        budget_entries,
        tuple(problems),
        tuple(files),
    )


def period(entries: list[data.Directive]) -> tuple[Budget | None, bool]:
    """The fiscal year the entries are kept for, and whether they are an actual
    journal: the ledger's own budget, else the budget its actuals directive names."""
    if declared(entries):
        found = actuals_of(entries)
        return (found.budget if found is not None else None), True
    budget = find_budget(entries)[0]
    return budget, False
