"""A table to render: labelled rows of figures already in their unit.

Every renderer (terminal, CSV, Excel, HTML and PDF, Fava) draws a ``Table`` and
computes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yosan_ledger.plugins.core.units import Unit

if TYPE_CHECKING:
    import pandas as pd

    from yosan_ledger.plugins.core.engine import Statements
    from yosan_ledger.plugins.core.layout import Row


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


def rows_by_segment(
    statements: Statements,
    figures_of: Callable[[str], pd.DataFrame],
    values: Callable[[pd.DataFrame, list[Row], str], dict[str, list]],
) -> pd.DataFrame:
    """One row per line of every statement and per segment and the total (statement,
    section, line, segment, then the ``values`` of the line's figures), leaving out
    hidden statements and rows, and a row the layout hides when zero where it is zero
    throughout: the CSV of a table
    that sets two sets of figures side by side."""
    import pandas as pd

    parts = []
    for layout in statements.layouts.shown():
        figures = figures_of(layout.statement)
        rows = [
            r
            for r in layout.value_rows()
            if not r.hidden and (not r.hide_zero or figures.loc[r.key].any())
        ]
        for segment in statements.columns:
            parts.append(
                pd.DataFrame(
                    {
                        "statement": layout.statement,
                        "section": [r.section for r in rows],
                        "line": [r.label for r in rows],
                        "segment": segment,
                        **values(figures, rows, segment),
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)
