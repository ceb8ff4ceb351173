"""A table to render: labelled rows of figures already in their unit.

Every renderer (terminal, CSV, Excel, HTML and PDF, Fava) draws a ``Table`` and
computes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from yosan_ledger.plugins.core.units import Unit


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
