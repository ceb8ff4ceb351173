"""A statement as a table to render: the figures in a unit, with their labels.

Every renderer (terminal, CSV, Excel, HTML, Fava) draws a ``Table`` and computes
nothing: the figures come from the engine, scaled by ``plugins.units``.
"""

from __future__ import annotations

from dataclasses import dataclass

from plugins.budget import TOTAL
from plugins.engine import Statements
from plugins.era import format_date
from plugins.units import Unit, scale_frame

TOTAL_HEADER = "合計"
SINGLE_HEADER = "金額"


@dataclass(frozen=True)
class TableRow:
    kind: str  # heading, line, total, cash
    label: str
    depth: int
    section: str
    ref: str  # "stmt:key": what the row is, for links and exports
    values: tuple[int | str, ...] | None  # None for a heading; str for a year, a span

    @property
    def is_total(self) -> bool:
        return self.kind == "total"


@dataclass(frozen=True)
class Table:
    statement: str
    organisation: str
    title: str
    period: str
    unit: Unit
    label_header: str
    columns: tuple[str, ...]  # segment keys, or "total"
    headers: tuple[str, ...]  # what each column is called
    rows: tuple[TableRow, ...]
    notes: tuple[str, ...] = ()  # printed below the table, as the source prints them


def period_line(statements: Statements, statement: str, *, true_era: bool = False) -> str:
    """（平成29年3月31日現在） or （平成28年4月1日から平成29年3月31日まで）."""
    budget = statements.budget
    as_of = None if true_era else budget.adopted
    if statements.layouts[statement].period == "closing":
        return f"（{format_date(budget.end, as_of)}現在）"
    return f"（{format_date(budget.start, as_of)}から{format_date(budget.end, as_of)}まで）"


def statement_table(
    statements: Statements,
    statement: str,
    unit: Unit,
    *,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
    true_era: bool = False,
) -> Table:
    """One statement: the whole body, one segment, or every segment beside the total."""
    layout = statements.layouts[statement]
    names = {s.key: s.name for s in statements.segments}
    if by_segment:
        columns = tuple(statements.columns)
        headers = tuple(names.get(c, TOTAL_HEADER) for c in columns)
        title = f"{layout.title}（事業別）"
    elif segment is not None and segment != TOTAL:
        columns, headers = (segment,), (SINGLE_HEADER,)
        title = f"{layout.title}（{names[segment]}）"
    else:
        columns, headers, title = (TOTAL,), (SINGLE_HEADER,), layout.title
    figures = scale_frame(statements.figures[statement][list(columns)], unit)
    rows = []
    for row in layout.rows:
        values = tuple(int(v) for v in figures.loc[row.key]) if row.has_value else None
        rows.append(TableRow(row.kind, row.label, row.depth, row.section, row.ref, values))
    return Table(
        statement=statement,
        organisation=organisation,
        title=title,
        period=period_line(statements, statement, true_era=true_era),
        unit=unit,
        label_header=layout.label_header,
        columns=columns,
        headers=headers,
        rows=tuple(rows),
    )
