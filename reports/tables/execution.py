"""予算執行状況 and 決算報告書 as tables: the actual journal against its budget.

The figures come from ``yosan_ledger.plugins.core.execution``: the budget's
statements of one version and the actual journal's through a day, in yen.  Here
they are scaled (each figure rounded on its own) and laid out; the rate is the
engine's, from the yen figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import pandas as pd

from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.era import format_date
from yosan_ledger.plugins.core.execution import execution_figures, rate
from yosan_ledger.plugins.core.layout import Row
from yosan_ledger.plugins.core.units import Unit, round_half_up
from yosan_ledger.reports.tables.statements import TOTAL_HEADER, period_line
from yosan_ledger.reports.tables.table import Table, TableRow, rows_by_segment

HEADERS = ("予算現額", "執行額", "残額", "執行率（%）")
COLUMNS = ("budget", "actual", "remaining", "rate")
TIDY_COLUMNS = ["statement", "section", "line", "segment", *COLUMNS]
MONTH_TOTAL = "累計"
SETTLEMENT_HEADERS = ("予算額", "決算額", "差額（決算－予算）", "備考")
ROUNDING = "（注）各数値は単位未満を四捨五入しているため、合計等が一致しない場合がある。"


def _shown_segments(actual: Statements, segment: str | None, by_segment: bool) -> list[str]:
    return [TOTAL, *(s.key for s in actual.segments)] if by_segment else [segment or TOTAL]


def _heading(actual: Statements, column: str, by_segment: bool) -> str:
    names = {s.key: s.name for s in actual.segments}
    if column == TOTAL and not by_segment:
        return ""
    return f"（{names.get(column, TOTAL_HEADER)}）"


def _as_of_line(actual: Statements, day: datetime.date, version: str) -> str:
    as_of = actual.budget.adopted
    return f"（{format_date(day, as_of)}現在・予算現額は{version}）"


def execution_frame(budget: Statements, actual: Statements, unit: Unit) -> pd.DataFrame:
    """Every line of every statement, segment and total: budget, actual and remaining
    in the unit (each rounded on its own), and the rate from the yen figures."""

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
        actual, lambda statement: execution_figures(budget, actual, statement), values
    )
    return frame[TIDY_COLUMNS]


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
    monthly: Sequence[tuple[str, Statements]] = (),
) -> list[Table]:
    """予算執行状況 per statement: 予算現額, 執行額, 残額, 執行率; with ``monthly``
    (label, the journal through that month's end), the 執行額 of each month and the
    total to date instead."""
    tables = []
    for layout in actual.layouts.shown():
        figures = execution_figures(budget, actual, layout.statement)
        months = [(label, through.figures[layout.statement]) for label, through in monthly]
        for column in _shown_segments(actual, segment, by_segment):
            rows = []
            for row in layout.shown_rows():
                if not row.has_value:
                    rows.append(
                        TableRow(row.kind, row.label, row.depth, row.section, row.ref, None)
                    )
                    continue
                planned = int(figures.at[row.key, ("budget", column)])
                done = int(figures.at[row.key, ("actual", column)])
                if row.hide_zero and not planned and not done:
                    continue
                if months:
                    values: tuple[int | str, ...] = (
                        round_half_up(planned, unit),
                        *_by_month(months, row.key, column, layout.kind, unit),
                        round_half_up(done, unit),
                    )
                else:
                    values = (
                        round_half_up(planned, unit),
                        round_half_up(done, unit),
                        round_half_up(planned - done, unit),
                        rate(done, planned) if layout.rated(row) else "",
                    )
                rows.append(TableRow(row.kind, row.label, row.depth, row.section, row.ref, values))
            labels = [label for label, _ in monthly]
            tables.append(
                Table(
                    statement=layout.statement,
                    organisation=organisation,
                    title=f"予算執行状況　{layout.title_of(actual=True)}"
                    f"{_heading(actual, column, by_segment)}",
                    period=_as_of_line(actual, day, version),
                    unit=unit,
                    label_header=layout.label_header,
                    columns=("budget", *labels, "actual") if months else COLUMNS,
                    headers=("予算現額", *labels, MONTH_TOTAL) if months else HEADERS,
                    rows=tuple(rows),
                    notes=(ROUNDING,),
                )
            )
    return tables


def _by_month(
    months: list[tuple[str, pd.DataFrame]], key: str, column: str, kind: str, unit: Unit
) -> list[int]:
    """Each month's figure: the flow of the month (the difference of the totals to
    date), or, for a balance, the balance at the month's end."""
    shown, before = [], 0
    for _, figures in months:
        to_date = int(figures.at[key, column])
        shown.append(round_half_up(to_date if kind == "balance" else to_date - before, unit))
        before = to_date
    return shown


def settlement_tables(
    budget: Statements,
    actual: Statements,
    statement: str,
    unit: Unit,
    notes: Sequence[tuple[str, str, str]],
    *,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
) -> list[Table]:
    """決算報告書: 区分, 予算額, 決算額, 差額（決算－予算）, 備考 per line of the statement,
    with the ledger's notes ((row key, segment or total, text)) numbered (注1), (注2) …
    in the 備考 column and under the table."""
    layout = actual.layouts[statement]
    figures = execution_figures(budget, actual, statement)
    tables = []
    for column in _shown_segments(actual, segment, by_segment):
        marks: dict[str, str] = {}
        texts: list[str] = []
        for key, where, text in notes:
            if where == column:
                number = len(texts) + 1
                marks[key] = f"{marks.get(key, '')}(注{number})"
                texts.append(f"(注{number}) {text}")
        rows = []
        for row in layout.shown_rows():
            if not row.has_value:
                rows.append(TableRow(row.kind, row.label, row.depth, row.section, row.ref, None))
                continue
            planned = int(figures.at[row.key, ("budget", column)])
            done = int(figures.at[row.key, ("actual", column)])
            if row.hide_zero and not planned and not done:
                continue
            values = (
                round_half_up(planned, unit),
                round_half_up(done, unit),
                round_half_up(done - planned, unit),
                marks.get(row.key, ""),
            )
            rows.append(TableRow(row.kind, row.label, row.depth, row.section, row.ref, values))
        tables.append(
            Table(
                statement=statement,
                organisation=organisation,
                title=f"決算報告書{_heading(actual, column, by_segment)}",
                period=f"{period_line(actual, statement)}　{layout.title_of(actual=True)}",
                unit=unit,
                label_header="区分",
                columns=("budget", "actual", "difference", "note"),
                headers=SETTLEMENT_HEADERS,
                rows=tuple(rows),
                notes=(*texts, ROUNDING),
            )
        )
    return tables
