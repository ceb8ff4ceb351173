"""予算の概要 as a table (``yosan report overview``): each item of the budget beside
another budget's (the one its ledger names, ``--against`` a ledger, or
``--against-revision`` a version of its own) and 増減, in the published unit.  The
figures are ``yosan_ledger.plugins.core.overview``'s."""

from __future__ import annotations

from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.overview import COLUMNS as OVERVIEW_COLUMNS
from yosan_ledger.plugins.core.overview import (
    OverviewLayout,
    overview_frame,
    overview_of,
    year_header,
)
from yosan_ledger.plugins.core.units import Unit, scale_frame
from yosan_ledger.reports.tables.kinds import Kind, KindError, Request, Results, declared
from yosan_ledger.reports.tables.table import Table, TableRow


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


def overview_tables(results: Results, request: Request) -> list[Table]:
    if request.segment or request.by_segment:
        raise KindError(_("the overview compares whole budgets: no --segment"))
    overview = declared(results, "overview")
    if request.against is not None:
        other, label = request.against
    else:
        comparison = overview.comparison
        if comparison is None or comparison.statements is None:
            raise KindError(
                _(
                    "the ledger names no budget to compare with: give --against LEDGER, or "
                    'declare one: custom "yosan-comparison" "label" "path/to/main.beancount"'
                )
            )
        other, label = comparison.statements, comparison.label
    table = overview_table(
        results.statements,
        other,
        label,
        overview.layout,
        unit=request.unit,
        organisation=request.organisation,
        true_era=request.true_era,
    )
    return [table]


KIND = Kind(
    "overview",
    "予算の概要",
    overview_tables,
    options=frozenset({"against", "against_revision", "true_era"}),
    needs={"overview": overview_of},
    applies=lambda results: results["overview"] is not None,
    workbook=True,
    fava="YosanTableOverview",
)
