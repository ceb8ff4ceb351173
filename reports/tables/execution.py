"""予算執行状況 and 決算報告書 as tables: the actual journal against its budget.

The figures come from ``yosan_ledger.plugins.core.execution``: the budget's
statements of one version and the actual journal's through a day (or through the
end of each month), in yen.  Here they are scaled (each figure rounded on its own)
and laid out; the rate is the engine's, from the yen figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import pandas as pd

from yosan_ledger.plugins.core import execution
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.era import format_date
from yosan_ledger.plugins.core.execution import Month, execution_figures, month_figures, rate
from yosan_ledger.plugins.core.layout import Row
from yosan_ledger.plugins.core.revisions import title
from yosan_ledger.plugins.core.units import Unit, round_half_up
from yosan_ledger.reports.tables.journal import (
    JOURNAL_NEEDS,
    ROUNDING,
    is_journal,
    journal_segments,
    journal_through,
    local_through,
    segment_heading,
    shown_columns,
)
from yosan_ledger.reports.tables.kinds import Kind, Request, Results
from yosan_ledger.reports.tables.table import Rate, Table, TableRow, rows_by_segment, shown_rows

HEADERS = ("予算現額", "執行額", "残額", "執行率（%）")
COLUMNS = ("budget", "actual", "remaining", "rate")
TIDY_COLUMNS = ["statement", "section", "line", "segment", *COLUMNS, "unit"]
MONTH_COLUMNS = ["statement", "section", "line", "segment", "month", "actual", "cumulative", "unit"]
MONTH_TOTAL = "累計"


def _as_of_line(actual: Statements, day: datetime.date, version: str) -> str:
    as_of = actual.budget.adopted
    return f"（{format_date(day, as_of)}現在・予算現額は{version}）"


def month_header(month: Month) -> str:
    """4月 …; a month counted only through a day of it says so: 6月（15日まで）."""
    following = month.end + datetime.timedelta(days=1)
    whole = following.day == 1
    return f"{month.end.month}月" if whole else f"{month.end.month}月（{month.end.day}日まで）"


def execution_frame(
    budget: Statements, actual: Statements, unit: Unit, segments: Sequence[str]
) -> pd.DataFrame:
    """Every line of every statement, per segment of ``segments``: budget, actual and
    remaining in the unit (each rounded on its own), and the rate from the yen figures."""

    def values(figures: pd.DataFrame, rows: list[Row], column: str) -> dict[str, list]:
        planned = [int(figures.at[r.key, ("budget", column)]) for r in rows]
        done = [int(figures.at[r.key, ("actual", column)]) for r in rows]
        pairs = list(zip(planned, done, strict=True))
        rated = [actual.layouts[r.statement].rated(r) for r in rows]
        return {
            "budget": [round_half_up(p, unit) for p in planned],
            "actual": [round_half_up(d, unit) for d in done],
            "remaining": [round_half_up(p - d, unit) for p, d in pairs],
            "rate": [rate(d, p) if r else "" for (p, d), r in zip(pairs, rated, strict=True)],
        }

    frame = rows_by_segment(
        actual.layouts.shown(),
        segments,
        unit,
        lambda statement: execution_figures(budget, actual, statement),
        values,
    )
    return frame[TIDY_COLUMNS]


def execution_month_frame(
    months: Sequence[Month], unit: Unit, segments: Sequence[str]
) -> pd.DataFrame:
    """One row per line, segment of ``segments`` and month: the month's figure (a
    balance at the month's end, or the month's flow) and the figure to date, in the
    unit; a row the layout hides when zero is left out where every one is zero."""
    records = []
    last = months[-1].statements
    for layout in last.layouts.shown():
        monthly = month_figures(months, layout.statement)
        to_date = [month.statements.figures[layout.statement] for month in months]
        figures = pd.concat(
            {
                (i, what): f
                for i, pair in enumerate(zip(monthly, to_date, strict=True))
                for what, f in zip(("actual", "cumulative"), pair, strict=True)
            },
            axis=1,
        )
        nonzero = shown_rows(figures, segments)
        for row in layout.value_rows():
            if row.hidden or (row.hide_zero and row.key not in nonzero):
                continue
            for segment in segments:
                for month, flow, through in zip(months, monthly, to_date, strict=True):
                    records.append(
                        (
                            layout.statement,
                            row.section,
                            row.label,
                            segment,
                            month.label,
                            round_half_up(int(flow.at[row.key, segment]), unit),
                            round_half_up(int(through.at[row.key, segment]), unit),
                            unit.label,
                        )
                    )
    return pd.DataFrame.from_records(records, columns=MONTH_COLUMNS)


def execution_tables(
    budget: Statements,
    actual: Statements,
    day: datetime.date,
    version: str,
    unit: Unit,
    *,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
    months: Sequence[Month] = (),
) -> list[Table]:
    """予算執行状況 per statement: 予算現額, 執行額, 残額, 執行率; with ``months``
    (the journal through each month's end), each month's figure and the total to
    date instead: a balance at the month's end, or the month's flow."""
    tables = []
    for layout in actual.layouts.shown():
        figures = execution_figures(budget, actual, layout.statement)
        monthly = month_figures(months, layout.statement)
        for column in journal_segments(actual, segment, by_segment):
            rows = []
            for row in layout.shown_rows():
                if not row.has_value:
                    rows.append(
                        TableRow(row.kind, row.label, row.depth, row.section, row.ref, None)
                    )
                    continue
                planned = int(figures.at[row.key, ("budget", column)])
                done = int(figures.at[row.key, ("actual", column)])
                each_month = [int(f.at[row.key, column]) for f in monthly]
                if row.hide_zero and not any((planned, done, *each_month)):
                    continue
                if months:
                    values: tuple[int | str, ...] = (
                        round_half_up(planned, unit),
                        *(round_half_up(f, unit) for f in each_month),
                        round_half_up(done, unit),
                    )
                else:
                    values = (
                        round_half_up(planned, unit),
                        round_half_up(done, unit),
                        round_half_up(planned - done, unit),
                        Rate(rate(done, planned) if layout.rated(row) else ""),
                    )
                rows.append(TableRow(row.kind, row.label, row.depth, row.section, row.ref, values))
            labels = tuple(month.label for month in months)
            tables.append(
                Table(
                    statement=layout.statement,
                    organisation=organisation,
                    title=f"予算執行状況　{layout.title_of(actual=True)}"
                    f"{segment_heading(actual, column, by_segment)}",
                    period=_as_of_line(actual, day, version),
                    unit=unit,
                    label_header=layout.label_header,
                    columns=("budget", *labels, "actual") if months else COLUMNS,
                    headers=(
                        ("予算現額", *(month_header(m) for m in months), MONTH_TOTAL)
                        if months
                        else HEADERS
                    ),
                    rows=tuple(rows),
                    notes=(ROUNDING,),
                )
            )
    return tables


def _execution_tables(results: Results, request: Request) -> list[Table]:
    local = results["local_settlement"]
    if local is not None:
        from yosan_ledger.reports.tables.settlement import budget_execution_tables

        return budget_execution_tables(
            local_through(results, request),
            request.unit_or("thousand"),
            segment=request.segment,
            by_segment=request.by_segment,
            organisation=request.organisation,
            true_era=request.true_era,
        )
    journal = journal_through(results, request, "execution")
    months = execution.months_through(results.entries, journal.day) if request.by_month else []
    return execution_tables(
        journal.planned,
        journal.actual,
        journal.day,
        title(journal.version),
        request.unit_or("thousand"),
        segment=request.segment,
        by_segment=request.by_segment,
        organisation=request.organisation,
        months=months,
    )


def _execution_rows(results: Results, request: Request) -> pd.DataFrame:
    local = results["local_settlement"]
    unit = request.unit_or("thousand")
    if local is not None:
        from yosan_ledger.reports.tables.settlement import settlement_frame

        return settlement_frame(local_through(results, request), unit, depth=4)
    journal = journal_through(results, request, "execution")
    segments = shown_columns(journal.actual, request)
    if request.by_month:
        months = execution.months_through(results.entries, journal.day)
        return execution_month_frame(months, unit, segments)
    return execution_frame(journal.planned, journal.actual, unit, segments)


KIND = Kind(
    "execution",
    "予算執行状況",
    _execution_tables,
    options=frozenset({"segment", "by_segment", "revision", "as_of", "by_month", "true_era"}),
    needs=JOURNAL_NEEDS,
    rows=_execution_rows,
    applies=is_journal,
    fava="YosanStatusOfExecution",
)
