"""The budget's other tables as ``Table``s: 予算の概要, 予定前受金及び累積前受金, 債務負担行為.

Figures come from the plugins' frames (plugins.overview, plugins.advances,
plugins.commitments), scaled by ``plugins.units``; years are formatted by
``plugins.era``.  Nothing is computed here, so every renderer prints the same.
"""

from __future__ import annotations

import pandas as pd

from plugins.advances import by_purpose, default_advances
from plugins.budget import TOTAL
from plugins.commitments import default_commitments, limit_totals
from plugins.engine import Statements
from plugins.era import format_fiscal_year, format_fiscal_years
from plugins.overview import COLUMNS as OVERVIEW_COLUMNS
from plugins.overview import default_overview, overview_frame, year_header
from plugins.units import Unit, round_half_up, scale_frame
from reports.view import Table, TableRow

SCHEDULES = ("overview", "advances", "commitments")
SUBTOTAL = "小計"


def overview_table(
    statements: Statements,
    other: Statements,
    label: str,
    *,
    unit: Unit | None = None,
    organisation: str = "",
    true_era: bool = False,
) -> Table:
    """予算の概要: each item of this budget beside the other's, and 増減."""
    layout = default_overview()
    unit = unit or layout.unit
    figures = scale_frame(overview_frame(statements, other, layout), unit)
    rows: list[TableRow] = []
    section = None
    for item in layout.items:
        if item.section != section:
            section = item.section
            rows.append(TableRow("heading", section, 0, "", "", None))
        values = tuple(int(v) for v in figures.loc[item.label])
        rows.append(TableRow("line", item.label, 1, section, f"overview:{item.label}", values))
    return Table(
        statement="overview",
        organisation=organisation,
        title=layout.title.format(budget=statements.budget.title),
        period="",
        unit=unit,
        label_header=layout.label_header,
        columns=OVERVIEW_COLUMNS,
        headers=(
            year_header(statements.budget, true_era=true_era),
            label,
            layout.change_header,
        ),
        rows=tuple(rows),
        notes=layout.notes,
    )


def _names(statements: Statements) -> dict[str, str]:
    return {s.key: s.name for s in statements.segments}


def _of_segment(
    frame: pd.DataFrame, title: str, names: dict[str, str], segment: str | None
) -> tuple[pd.DataFrame, str]:
    """A schedule's rows and title for one segment (``segment``), or for all."""
    if segment is None:
        return frame, title
    return frame[frame["segment"] == segment], f"{title}（{names[segment]}）"


def advances_table(
    frame: pd.DataFrame,
    statements: Statements,
    *,
    unit: Unit | None = None,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
) -> Table:
    """予定前受金及び累積前受金 from the advances frame (``plugins.advances``): a row
    per purpose and 合計; under a heading per segment with ``by_segment``, or one
    segment's."""
    layout = default_advances()
    unit = unit or layout.unit
    names = _names(statements)
    frame, title = _of_segment(frame, layout.title, names, segment)
    rows: list[TableRow] = []
    groups = [(s, frame[frame["segment"] == s]) for s in dict.fromkeys(frame["segment"])]
    for key, part in groups if by_segment else [("", frame)]:
        depth = 0
        if by_segment:
            rows.append(TableRow("heading", names[key], 0, "", "", None))
            depth = 1
        sums = scale_frame(by_purpose(part, layout.total_label).iloc[:-1], unit)
        for purpose, values in sums.iterrows():
            rows.append(
                TableRow(
                    "line",
                    str(purpose),
                    depth,
                    names.get(key, ""),
                    f"advances:{purpose}",
                    tuple(int(v) for v in values),
                )
            )
    total = scale_frame(by_purpose(frame, layout.total_label).iloc[-1:], unit).iloc[0]
    rows.append(
        TableRow(
            "total",
            layout.total_label,
            0,
            "",
            "advances:total",
            tuple(int(v) for v in total),
        )
    )
    return Table(
        statement="advances",
        organisation=organisation,
        title=title,
        period="",
        unit=unit,
        label_header=layout.label_header,
        columns=("received", "cumulative"),
        headers=(layout.received_header, layout.cumulative_header),
        rows=tuple(rows),
    )


def commitments_table(
    frame: pd.DataFrame,
    statements: Statements,
    *,
    unit: Unit | None = None,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
    true_era: bool = False,
) -> Table:
    """債務負担行為 from the commitments frame (``plugins.commitments``): 事項, 限度額,
    行為年度, 機構の負担となる年度, and the total of 限度額; grouped under a heading
    per segment, with a 小計 each, with ``by_segment``."""
    layout = default_commitments()
    unit = unit or layout.unit
    as_of = None if true_era else statements.budget.adopted
    names = _names(statements)
    frame, title = _of_segment(frame, layout.title, names, segment)
    totals = limit_totals(frame)

    def rows_of(part: pd.DataFrame, depth: int, section: str) -> list[TableRow]:
        return [
            TableRow(
                "line",
                str(c.item),
                depth,
                section,
                f"commitments:{c.item}",
                (
                    round_half_up(int(c.limit), unit),
                    format_fiscal_year(int(c.act_year), as_of),
                    format_fiscal_years(int(c.first_year), int(c.last_year), as_of),
                ),
            )
            for c in part.itertuples()
        ]

    rows: list[TableRow] = []
    if by_segment:
        for key in (s.key for s in statements.segments):
            part = frame[frame["segment"] == key]
            if part.empty:
                continue
            rows.append(TableRow("heading", names[key], 0, "", "", None))
            rows += rows_of(part, 1, names[key])
            subtotal = (round_half_up(int(totals[key]), unit), "", "")
            rows.append(TableRow("total", SUBTOTAL, 1, names[key], f"commitments:{key}", subtotal))
    else:
        rows = rows_of(frame, 0, "")
    total = (round_half_up(int(totals[TOTAL]), unit), "", "")
    rows.append(TableRow("total", layout.total_label, 0, "", "commitments:total", total))
    return Table(
        statement="commitments",
        organisation=organisation,
        title=title,
        period="",
        unit=unit,
        label_header=layout.item_header,
        columns=("limit", "act_year", "burden"),
        headers=(layout.limit_header, layout.act_header, layout.burden_header),
        rows=tuple(rows),
    )


def budget_schedules(
    statements: Statements,
    advances: pd.DataFrame,
    commitments: pd.DataFrame,
    comparison: tuple[Statements, str] | None,
    *,
    organisation: str = "",
    true_era: bool = False,
) -> list[Table]:
    """The overview (when there is a budget to compare with), advances and commitments,
    each in its published unit: the tables a workbook carries beside the statements."""
    tables = []
    if comparison is not None:
        other, label = comparison
        tables.append(
            overview_table(statements, other, label, organisation=organisation, true_era=true_era)
        )
    tables.append(advances_table(advances, statements, organisation=organisation))
    tables.append(
        commitments_table(commitments, statements, organisation=organisation, true_era=true_era)
    )
    return tables
