"""An actual journal's figures through a day, against its budget: what the execution
report and the settlement of every kind of body are drawn from, and the helpers
their tables share."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from beancount.core import data

from yosan_ledger.plugins.core import execution
from yosan_ledger.plugins.core.budget import TOTAL, Budget
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.messages import _, visible
from yosan_ledger.plugins.core.settlement import Settlement, settlement
from yosan_ledger.reports.tables.kinds import KindError, Request, Results
from yosan_ledger.reports.tables.statements import TOTAL_HEADER

ROUNDING = "（注）各数値は単位未満を四捨五入しているため、合計等が一致しない場合がある。"


def journal_segments(actual: Statements, segment: str | None, by_segment: bool) -> list[str]:
    return [TOTAL, *(s.key for s in actual.segments)] if by_segment else [segment or TOTAL]


def segment_heading(actual: Statements, column: str, by_segment: bool) -> str:
    names = {s.key: s.name for s in actual.segments}
    if column == TOTAL and not by_segment:
        return ""
    return f"（{names.get(column, TOTAL_HEADER)}）"


@dataclass(frozen=True)
class Through:
    """An actual journal through a day, against the version of its budget in force
    that day (or the one asked for), with the notes on its 決算報告書."""

    day: datetime.date
    actual: Statements
    planned: Statements
    version: str
    notes: Sequence[tuple[str, str, str]]


def journal_through(results: Results, request: Request, kind: str) -> Through:
    """The journal through ``request.day`` (the year's last day, its closing period's
    for a local government, by default: from the statement cache), or a refusal."""
    statements = results.statements
    if not statements.actual:
        raise KindError(
            _(
                "{statement} is for an actual journal: a ledger that declares "
                'custom "yosan-actuals" "path/to/budget/main.beancount"',
                statement=kind,
            )
        )
    budget = statements.budget
    day = request.day or budget.last_day
    refuse_outside_the_year(day, budget)
    versions = results["budget_versions"] or {}
    if request.revision is not None and request.revision not in versions:
        raise KindError(
            visible(
                _(
                    "{revision!r} is no version of the budget: {known}",
                    revision=request.revision,
                    known=", ".join(versions),
                )
            )
        )
    if day == budget.last_day:  # the year: all in the statement cache
        actual = statements
        version = request.revision or results["budget_in_force"]
        notes = results["settlement_notes"]
    else:  # a day of the year: from the journal's entries
        entries = results.entries
        actual = execution.statements_through(entries, day)
        version = execution.budget_version(entries, day, request.revision)
        notes = execution.settlement_notes(entries, actual)[0]
    return Through(day, actual, versions[version], version, notes)


def refuse_outside_the_year(day: datetime.date, budget: Budget) -> None:
    """A day asked for (``--as-of``) must lie in the journal's fiscal year."""
    if not budget.start <= day <= budget.last_day:
        raise KindError(
            _(
                "{day} lies outside the fiscal year of the journal, {start} to {end}",
                day=day,
                start=budget.start,
                end=budget.last_day,
            )
        )


def shown_columns(statements: Statements, request: Request) -> list[str]:
    """The segments a table's rows are given for: the one asked for, or each and 合計."""
    return [request.segment] if request.segment is not None else statements.columns


def local_through(results: Results, request: Request) -> Settlement:
    """A local government's settlement figures through ``request.day`` (the last day of
    its closing period, from the statement cache, by default)."""
    settled = results["local_settlement"]
    day = request.day
    if day is None or day == settled.budget.last_day:
        return settled
    budget = settled.budget
    refuse_outside_the_year(day, budget)
    return settlement(results.entries, day)


JOURNAL_NEEDS: dict[str, Callable[[list[data.Directive]], Any]] = {
    "budget_versions": execution.budget_versions,
    "budget_in_force": execution.budget_in_force,
    "settlement_notes": execution.year_notes,
    "local_settlement": settlement,
}


def is_journal(results: Results) -> bool:
    return results.statements.actual
