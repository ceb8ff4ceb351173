"""A table to render: labelled rows of figures already in their unit.

Every renderer (terminal, CSV, Excel, HTML and PDF, Fava) draws a ``Table`` and
computes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yosan_ledger.plugins.core.units import Unit

if TYPE_CHECKING:
    import pandas as pd

    from yosan_ledger.plugins.core.engine import Statements
    from yosan_ledger.plugins.core.layout import Layout, Row


class Rate(str):
    """A rate as the engine gives it (執行率 ``-16.8``; ``""`` where there is none): a
    figure, which the printed tables show with ▲ when negative like the amounts beside
    it, and a CSV as the plain signed number."""

    @property
    def negative(self) -> bool:
        """Below zero (``-0.0``, a zero the division left a sign on, is not)."""
        return self.startswith("-") and any(digit in self for digit in "123456789")


@dataclass(frozen=True)
class TableRow:
    kind: str  # heading, line, total, cash
    label: str
    depth: int
    section: str
    ref: str  # "stmt:key": what the row is, for links and exports
    # None for a heading; str for a year, a span, a note's mark; Rate for a rate
    values: tuple[int | str, ...] | None

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


def shown_rows(figures: pd.DataFrame, segments: Sequence[str]) -> set[str]:
    """The rows of ``figures`` (rows × (…, segment), yen) with a figure other than 0 in
    the columns of ``segments``: a row the layout hides when zero stays where one is."""
    block = figures.loc[:, figures.columns.get_level_values(-1).isin(list(segments))]
    return set(block.index[(block != 0).to_numpy().any(axis=1)])


def rows_by_segment(
    layouts: Iterable[Layout],
    segments: Sequence[str],
    unit: Unit,
    figures_of: Callable[[str], pd.DataFrame],
    values: Callable[[pd.DataFrame, list[Row], str], dict[str, list]],
) -> pd.DataFrame:
    """One row per line of each statement of ``layouts`` and per segment of ``segments``
    (statement, section, line, segment, then the ``values`` of the line's figures, then
    the unit), leaving out hidden rows, and a row the layout hides when zero where every
    figure of it in those segments is zero: the CSV of a table that sets two sets of
    figures side by side."""
    import pandas as pd

    parts = []
    for layout in layouts:
        figures = figures_of(layout.statement)
        nonzero = shown_rows(figures, segments)
        rows = [
            r for r in layout.value_rows() if not r.hidden and (not r.hide_zero or r.key in nonzero)
        ]
        for segment in segments:
            parts.append(
                pd.DataFrame(
                    {
                        "statement": layout.statement,
                        "section": [r.section for r in rows],
                        "line": [r.label for r in rows],
                        "segment": segment,
                        **values(figures, rows, segment),
                        "unit": unit.label,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def segment_names(statements: Statements) -> dict[str, str]:
    """Each segment's name, by key."""
    return {s.key: s.name for s in statements.segments}


def of_segment(
    frame: pd.DataFrame, title: str, names: dict[str, str], segment: str | None
) -> tuple[pd.DataFrame, str]:
    """A schedule's rows and title for one segment (``segment``), or for all."""
    if segment is None:
        return frame, title
    return frame[frame["segment"] == segment], f"{title}（{names[segment]}）"
