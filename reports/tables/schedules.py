"""The budget's other tables (schedules) as ``Table``s, and the registry of them.

Each schedule is registered once in ``SCHEDULES``: its name (``yosan report NAME``),
the result it is drawn from (a memoised function of the entries, in
``yosan_ledger.plugins.core``) and the function that lays that result out as a
table.  The command, the export workbook and the statement cache all go through
the registry.  Figures are scaled by ``yosan_ledger.plugins.core.units`` and years
formatted by ``yosan_ledger.plugins.core.era``; nothing is computed here, so every
renderer prints the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from yosan_ledger.plugins.core.advances import Advances, advances_of, by_purpose
from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.commitments import Commitments, commitments_of, limit_totals
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.era import format_fiscal_year, format_fiscal_years
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.overview import COLUMNS as OVERVIEW_COLUMNS
from yosan_ledger.plugins.core.overview import (
    OverviewLayout,
    overview_frame,
    overview_of,
    year_header,
)
from yosan_ledger.plugins.core.units import UNITS, Unit, round_half_up, scale_frame
from yosan_ledger.reports.tables.statements import statement_table
from yosan_ledger.reports.tables.table import Table, TableRow

SUBTOTAL = "小計"


class ScheduleError(ValueError):
    """A schedule that cannot be drawn as asked (the message says why)."""


@dataclass(frozen=True)
class Request:
    """How a schedule is asked for: unit (None: as published), one segment or by
    segment, the organisation's name, eras, and (overview) another budget."""

    unit: Unit | None = None
    segment: str | None = None
    by_segment: bool = False
    organisation: str = ""
    true_era: bool = False
    against: tuple[Statements, str] | None = None


@dataclass(frozen=True)
class Schedule:
    name: str
    result: Callable[[list], Any]  # its figures, from the entries (memoised)
    table: Callable[[Mapping[str, Any], Request], Table]  # results by name -> table


def overview_table(
    statements: Statements,
    other: Statements,
    label: str,
    layout: OverviewLayout,
    *,
    unit: Unit | None = None,
    organisation: str = "",
    true_era: bool = False,
) -> Table:
    """予算の概要: each item of this budget beside the other's, and 増減."""
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


def _declared(results: Mapping[str, Any], name: str) -> Any:
    found = results.get(name)
    if found is None:
        raise ScheduleError(
            _(
                "this ledger's layouts declare no {name} table: add {name}.toml to its "
                "layout folder",
                name=name,
            )
        )
    return found


def _overview(results: Mapping[str, Any], request: Request) -> Table:
    if request.segment or request.by_segment:
        raise ScheduleError(_("the overview compares whole budgets: no --segment"))
    overview = _declared(results, "overview")
    if request.against is not None:
        other, label = request.against
    else:
        comparison = overview.comparison
        if comparison is None or comparison.statements is None:
            raise ScheduleError(
                _(
                    "the ledger names no budget to compare with: give --against LEDGER, or "
                    'declare one: custom "yosan-comparison" "label" "path/to/main.beancount"'
                )
            )
        other, label = comparison.statements, comparison.label
    return overview_table(
        results["statements"],
        other,
        label,
        overview.layout,
        unit=request.unit,
        organisation=request.organisation,
        true_era=request.true_era,
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
    advances: Advances,
    statements: Statements,
    *,
    unit: Unit | None = None,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
) -> Table:
    """Advances (``yosan_ledger.plugins.core.advances``): a row
    per purpose and 合計; under a heading per segment with ``by_segment``, or one
    segment's."""
    layout, frame = advances.layout, advances.frame
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
    commitments: Commitments,
    statements: Statements,
    *,
    unit: Unit | None = None,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
    true_era: bool = False,
) -> Table:
    """債務負担行為 (``yosan_ledger.plugins.core.commitments``): item, limit, act year
    and the years it burdens, and the total of the limits; grouped under a heading
    per segment, with a 小計 each, with ``by_segment``."""
    layout, frame = commitments.layout, commitments.frame
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


def _advances(results: Mapping[str, Any], request: Request) -> Table:
    return advances_table(
        _declared(results, "advances"),
        results["statements"],
        unit=request.unit,
        segment=request.segment,
        by_segment=request.by_segment,
        organisation=request.organisation,
    )


def _commitments(results: Mapping[str, Any], request: Request) -> Table:
    return commitments_table(
        _declared(results, "commitments"),
        results["statements"],
        unit=request.unit,
        segment=request.segment,
        by_segment=request.by_segment,
        organisation=request.organisation,
        true_era=request.true_era,
    )


SCHEDULES: dict[str, Schedule] = {
    schedule.name: schedule
    for schedule in (
        Schedule("overview", overview_of, _overview),
        Schedule("advances", advances_of, _advances),
        Schedule("commitments", commitments_of, _commitments),
    )
}


def workbook_tables(
    results: Mapping[str, Any],
    unit: Unit = UNITS["thousand"],
    *,
    organisation: str = "",
    true_era: bool = False,
    version: str | None = None,
) -> list[Table]:
    """Every table of a ledger: each statement of the whole body, then each by
    segment (a revised budget's saying which ``version``), then each schedule that
    can be drawn, in its published unit."""
    statements = results["statements"]
    tables = [
        statement_table(
            statements,
            name,
            unit,
            by_segment=by_segment,
            organisation=organisation,
            true_era=true_era,
            version=version,
        )
        for by_segment in (False, True)
        for name in (layout.statement for layout in statements.layouts.shown())
    ]
    request = Request(organisation=organisation, true_era=true_era)
    for schedule in SCHEDULES.values():
        try:
            tables.append(schedule.table(results, request))
        except ScheduleError:
            continue  # e.g. no budget to compare with: no overview sheet
    return tables
