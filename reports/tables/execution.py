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

from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.era import format_date
from yosan_ledger.plugins.core.execution import Month, execution_figures, month_figures, rate
from yosan_ledger.plugins.core.layout import Row
from yosan_ledger.plugins.core.units import Unit, round_half_up
from yosan_ledger.reports.tables.statements import TOTAL_HEADER, period_line
from yosan_ledger.reports.tables.table import Rate, Table, TableRow, rows_by_segment, shown_rows

HEADERS = ("予算現額", "執行額", "残額", "執行率（%）")
COLUMNS = ("budget", "actual", "remaining", "rate")
TIDY_COLUMNS = ["statement", "section", "line", "segment", *COLUMNS, "unit"]
MONTH_COLUMNS = ["statement", "section", "line", "segment", "month", "actual", "cumulative", "unit"]
MONTH_TOTAL = "累計"
SETTLEMENT_HEADERS = ("予算額", "決算額", "差額（決算－予算）", "備考")
SETTLEMENT_COLUMNS = ("budget", "actual", "difference", "note")
SETTLEMENT_TIDY = ["statement", "section", "line", "segment", *SETTLEMENT_COLUMNS, "unit"]
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
    for layout in last.layouts:
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
            if row.hide_zero and row.key not in nonzero:
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
                    f"{_heading(actual, column, by_segment)}",
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


def _numbered_notes(
    notes: Sequence[tuple[str, str, str]], column: str
) -> tuple[dict[str, str], list[str]]:
    """The notes of one column (a segment or the total): each row's marks (注1)(注2) …
    and the numbered texts to print under the table."""
    marks: dict[str, str] = {}
    texts: list[str] = []
    for key, where, text in notes:
        if where == column:
            number = len(texts) + 1
            marks[key] = f"{marks.get(key, '')}(注{number})"
            texts.append(f"(注{number}) {text}")
    return marks, texts


def settlement_frame(
    budget: Statements,
    actual: Statements,
    statement: str,
    unit: Unit,
    notes: Sequence[tuple[str, str, str]],
    segments: Sequence[str],
) -> pd.DataFrame:
    """決算報告書 as rows: per line of the statement and segment of ``segments``,
    budget, actual and difference (actual − budget) in the unit, and the text of the
    ledger's notes on it."""
    texts: dict[tuple[str, str], list[str]] = {}
    for key, where, text in notes:
        texts.setdefault((key, where), []).append(text)
    layout = actual.layouts[statement]

    def values(figures: pd.DataFrame, rows: list[Row], column: str) -> dict[str, list]:
        keys = [r.key for r in rows]
        planned = [int(figures.at[k, ("budget", column)]) for k in keys]
        done = [int(figures.at[k, ("actual", column)]) for k in keys]
        return {
            "budget": [round_half_up(p, unit) for p in planned],
            "actual": [round_half_up(d, unit) for d in done],
            "difference": [round_half_up(d - p, unit) for p, d in zip(planned, done, strict=True)],
            "note": [" ".join(texts.get((k, column), ())) for k in keys],
        }

    frame = rows_by_segment(
        [layout], segments, unit, lambda name: execution_figures(budget, actual, name), values
    )
    return frame[SETTLEMENT_TIDY]


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
        marks, texts = _numbered_notes(notes, column)
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
                columns=SETTLEMENT_COLUMNS,
                headers=SETTLEMENT_HEADERS,
                rows=tuple(rows),
                notes=(*texts, ROUNDING),
            )
        )
    return tables
