"""予算執行状況: the actual journal's statements through a day, against its budget.

For each statement line: 予算現額 (the budget as last revised by the day, unless a
version is chosen), 執行額 (the actual flow from the year's first day through the
day; for a balance line, the balance at the day), 残額 (予算 − 執行) and 執行率.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from beancount.core import data

from yosan_ledger.plugins.core import actuals, results, revisions
from yosan_ledger.plugins.core.engine import Statements, compute_statements
from yosan_ledger.plugins.core.layout import Layouts
from yosan_ledger.plugins.core.memo import of_entries
from yosan_ledger.plugins.core.messages import _

COLUMNS = ("budget", "actual", "remaining")


@of_entries
def _actual_as_of(entries: list[data.Directive]) -> dict[datetime.date, Statements | None]:
    return {}


def statements_through(entries: list[data.Directive], day: datetime.date) -> Statements | None:
    """The actual journal's statements from the year's start through ``day``: flows
    of those days, balances at its end.  A day of the closing period (出納整理期間)
    counts the year's receipts and payments made by then; its last day is the year's."""
    budget, actual = actuals.period(entries)
    layouts = results.layouts(entries)
    if budget is None or layouts is None:
        return None
    day = min(max(day, budget.start - datetime.timedelta(days=1)), budget.last_day)
    if day == budget.last_day:
        return results.statements(entries)
    known = _actual_as_of(entries)
    if day not in known:
        through = (
            dataclasses.replace(budget, closing=day)
            if day > budget.end
            else dataclasses.replace(budget, end=day, closing=None)
        )
        known[day] = compute_statements(entries, layouts, through, actual=actual)
    return known[day]


@dataclasses.dataclass(frozen=True)
class Month:
    """One month of the year, through its last day or the day asked for."""

    end: datetime.date  # the last day counted
    statements: Statements  # the journal from the year's start through ``end``

    @property
    def label(self) -> str:
        """2027-06: the month, as the CSV names it."""
        return f"{self.end:%Y-%m}"


def months_through(entries: list[data.Directive], day: datetime.date) -> list[Month]:
    """The months of the year from its first through the one ``day`` falls in, the
    last counted through ``day``."""
    budget, _ = actuals.period(entries)
    if budget is None:
        return []
    months, first = [], budget.start.replace(day=1)
    while first <= day:
        following = (first + datetime.timedelta(days=31)).replace(day=1)
        end = min(following - datetime.timedelta(days=1), day, budget.end)
        through = statements_through(entries, end)
        if through is None:
            return []
        months.append(Month(end, through))
        first = following
    return months


def balance_rows(layouts: Layouts) -> frozenset[str]:
    """The refs of the rows whose figure is a balance at a day, not a flow over days:
    every row of a balance statement, a cash row's opening or closing balance, and a
    total whose balances do not cancel out (当期末現金預金 = 前期末現金預金 + 資金収支差額;
    not 資金収入合計, where 前期末未収金 and 当期末未収金 together make a flow)."""
    weights: dict[str, int] = {}

    def weight(ref: str) -> int:
        """How many balances the row holds, net of signs (0: a flow)."""
        if ref in weights:
            return weights[ref]
        weights[ref] = 0  # a cyclic total (refused by the layout's check) ends here
        row = layouts.row(ref)
        if layouts[row.statement].kind == "balance":
            found = 1
        elif row.kind == "cash":
            found = {"flow": 0, "opening": 1, "closing": -1}[row.basis or "flow"] * row.sign
        else:
            found = sum(term.coefficient * weight(term.ref) for term in row.terms)
        weights[ref] = found
        return found

    return frozenset(
        row.ref for layout in layouts for row in layout.value_rows() if weight(row.ref)
    )


def month_figures(months: Sequence[Month], statement: str) -> list[pd.DataFrame]:
    """One statement's figures of each month (rows × segments, yen): a balance row's
    balance at the month's end, a flow row's flow in the month (the difference of the
    totals to date)."""
    shown: list[pd.DataFrame] = []
    before: pd.DataFrame | None = None
    balances = balance_rows(months[0].statements.layouts) if months else frozenset()
    for month in months:
        to_date = month.statements.figures[statement]
        is_balance = np.array([f"{statement}:{key}" in balances for key in to_date.index])
        flow = to_date if before is None else to_date - before
        figures = np.where(is_balance[:, None], to_date.to_numpy(), flow.to_numpy())
        shown.append(pd.DataFrame(figures, index=to_date.index, columns=to_date.columns))
        before = to_date
    return shown


def budget_version(entries: list[data.Directive], day: datetime.date, chosen: str | None) -> str:
    """The budget's version execution is measured against: ``chosen``, else the
    last revision adopted on or before ``day`` (予算現額), else 当初."""
    found = actuals.actuals_of(entries)
    if chosen is not None or found is None:
        return chosen or revisions.ORIGINAL
    adopted = [r.name for r in revisions.revisions(found.budget_entries) if r.adopted <= day]
    return adopted[-1] if adopted else revisions.ORIGINAL


def budget_statements(entries: list[data.Directive], version: str) -> Statements | None:
    found = actuals.actuals_of(entries)
    if found is None or found.budget is None:
        return None
    return revisions.statements_as_of(found.budget_entries, version)


def budget_versions(entries: list[data.Directive]) -> dict[str, Statements | None] | None:
    """An actual journal's budget, each of its versions (当初, then each revision); None
    for a ledger that is no actual journal."""
    found = actuals.actuals_of(entries)
    if found is None or found.budget is None:
        return None
    return {
        version: revisions.statements_as_of(found.budget_entries, version)
        for version in revisions.names(found.budget_entries)
    }


def budget_in_force(entries: list[data.Directive]) -> str | None:
    """The version of an actual journal's budget in force at the year's end (None for
    a ledger that is no actual journal)."""
    statements = results.statements(entries)
    if statements is None or not statements.actual:
        return None
    return budget_version(entries, statements.budget.end, None)


def year_notes(entries: list[data.Directive]) -> list[tuple[str, str, str]]:
    """The notes on the year's 決算報告書 (``settlement_notes``)."""
    statements = results.statements(entries)
    return settlement_notes(entries, statements)[0] if statements is not None else []


def rate(actual: int, budget: int) -> str:
    """執行率: actual ÷ budget in %, one decimal, half-up; blank when the budget is 0."""
    if budget == 0:
        return ""
    value = (Decimal(actual) * 100 / Decimal(budget)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return str(value.copy_abs() if value.is_zero() else value)  # 0.0, never -0.0


def execution_figures(budget: Statements, actual: Statements, statement: str) -> pd.DataFrame:
    """One statement's rows × (budget|actual|remaining, segment), in yen."""
    columns = actual.columns
    planned = budget.figures[statement].reindex(columns=columns, fill_value=0)
    done = actual.figures[statement].reindex(index=planned.index, fill_value=0)[columns]
    frame = pd.concat({"budget": planned, "actual": done, "remaining": planned - done}, axis=1)
    return frame.astype(np.int64)


SETTLEMENT_NOTE = "yosan-settlement-note"
NOTE_FORM = 'custom "yosan-settlement-note" "statement" "row" "segment|total" "text"'


def settlement_statement(statements: Statements) -> str | None:
    """The statement the 決算報告書 is made of, as the layouts declare it (the one
    cash statement, else the one flow statement, unless ``settlement`` names one);
    None for a ledger of balance statements only."""
    return statements.layouts.settlement


def settlement_notes(
    entries: list[data.Directive], statements: Statements
) -> tuple[list[tuple[str, str, str]], list[tuple[data.Custom, str]]]:
    """The accountant's notes on the 決算報告書 ((row key, segment, text), in the
    ledger's order) and what is wrong with the others ((directive, why)): a note
    must name a row of the statement the 決算報告書 prints (``settlement_statement``),
    or no row would carry its mark, and a segment."""
    found, wrong = [], []
    segments = [*(s.key for s in statements.segments), "total"]  # in the order declared
    printed = settlement_statement(statements)
    for entry in sorted(
        (e for e in entries if type(e) is data.Custom and e.type == SETTLEMENT_NOTE),
        key=lambda e: (e.meta.get("filename", ""), e.meta.get("lineno", 0)),
    ):
        args = [v.value for v in entry.values or ()]
        if len(args) != 4 or not all(isinstance(a, str) for a in args):
            wrong.append((entry, _("Malformed settlement note: {form}", form=NOTE_FORM)))
            continue
        statement, key, segment, text = args
        row = statements.layouts.find(statement, key)
        if row is None:
            message = _("No row {row!r} in statement {statement!r}", row=key, statement=statement)
            wrong.append((entry, message))
        elif printed is None:
            message = _(
                "The layouts declare no cash or flow statement for the 決算報告書: "
                "no row would carry this note's mark"
            )
            wrong.append((entry, message))
        elif statement != printed:
            message = _(
                "The 決算報告書 prints statement {printed!r} ({title}), not {statement!r}: "
                "no row of it would carry this note's mark",
                printed=printed,
                title=statements.layouts[printed].title_of(actual=True),
                statement=statement,
            )
            wrong.append((entry, message))
        elif row.hidden:
            message = _(
                "Row {row!r} is hidden in the layouts (hidden = true): the 決算報告書 does not "
                "print it, so no row would carry this note's mark",
                row=row.key,
            )
            wrong.append((entry, message))
        elif segment not in segments:
            message = _(
                "Unknown segment {segment!r}: one of {known}",
                segment=segment,
                known=", ".join(segments),
            )
            wrong.append((entry, message))
        else:
            found.append((row.key, segment, text))
    return found, wrong
