"""A statement as a ``Table``: the engine's figures in a unit, with their labels,
for the whole body, one segment, or every segment beside the total."""

from __future__ import annotations

from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.era import format_date
from yosan_ledger.plugins.core.units import Unit, scale_frame
from yosan_ledger.reports.tables.table import Table, TableRow

TOTAL_HEADER = "合計"
SINGLE_HEADER = "金額"


def period_line(statements: Statements, statement: str, *, true_era: bool = False) -> str:
    """（平成29年3月31日現在） or （平成28年4月1日から平成29年3月31日まで）; of a year with a
    closing period (出納整理期間), the balances at its end and the flows with it."""
    budget = statements.budget
    as_of = None if true_era else budget.adopted
    if statements.layouts[statement].period == "closing":
        return f"（{format_date(budget.last_day, as_of)}現在）"
    year = f"{format_date(budget.start, as_of)}から{format_date(budget.end, as_of)}まで"
    if budget.closing is not None:
        return f"（{year}・出納整理期間{format_date(budget.closing, as_of)}までを含む）"
    return f"（{year}）"


def statement_table(
    statements: Statements,
    statement: str,
    unit: Unit,
    *,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
    true_era: bool = False,
    version: str | None = None,
) -> Table:
    """One statement: the whole body, one segment, or every segment beside the total;
    ``version`` (補正後 …) is said after the period.
    A row the layout marks ``hide_zero`` is left out when it is zero in every column
    the table shows (a line the body no longer has)."""
    layout = statements.layouts[statement]
    shown_title = layout.title_of(actual=statements.actual)
    names = {s.key: s.name for s in statements.segments}
    if by_segment:
        columns = tuple(statements.columns)
        headers = tuple(names.get(c, TOTAL_HEADER) for c in columns)
        title = f"{shown_title}（事業別）"
    elif segment is not None and segment != TOTAL:
        columns, headers = (segment,), (SINGLE_HEADER,)
        title = f"{shown_title}（{names[segment]}）"
    else:
        columns, headers, title = (
            (TOTAL,),
            (SINGLE_HEADER,),
            shown_title,
        )
    frame = statements.figures[statement]
    figures = scale_frame(frame[list(columns)], unit)
    rows = []
    for row in layout.shown_rows():
        if row.hide_zero and not frame.loc[row.key, list(columns)].any():
            continue
        values = tuple(int(v) for v in figures.loc[row.key]) if row.has_value else None
        rows.append(TableRow(row.kind, row.label, row.depth, row.section, row.ref, values))
    return Table(
        statement=statement,
        organisation=organisation,
        title=title,
        period=period_line(statements, statement, true_era=true_era)
        + (f"　{version}" if version else ""),
        unit=unit,
        label_header=layout.label_header,
        columns=columns,
        headers=headers,
        rows=tuple(rows),
    )
