"""債務負担行為 as a table (``yosan report commitments``): each item, its limit, its act
year and the years it burdens, and the total of the limits; grouped under a heading
per segment, with a 小計 each, with ``--by-segment``.  The figures are
``yosan_ledger.plugins.core.commitments``'s."""

from __future__ import annotations

import pandas as pd

from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.commitments import Commitments, commitments_of, limit_totals
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.era import format_fiscal_year, format_fiscal_years
from yosan_ledger.plugins.core.units import Unit, round_half_up
from yosan_ledger.reports.tables.kinds import Kind, Request, Results, declared, has_rows
from yosan_ledger.reports.tables.table import Table, TableRow, of_segment, segment_names

SUBTOTAL = "小計"


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
    names = segment_names(statements)
    frame, title = of_segment(frame, layout.title, names, segment)
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


def commitments_tables(results: Results, request: Request) -> list[Table]:
    table = commitments_table(
        declared(results, "commitments"),
        results.statements,
        unit=request.unit,
        segment=request.segment,
        by_segment=request.by_segment,
        organisation=request.organisation,
        true_era=request.true_era,
    )

    return [table]


KIND = Kind(
    "commitments",
    "債務負担行為",
    commitments_tables,
    options=frozenset({"segment", "by_segment", "true_era"}),
    needs={"commitments": commitments_of},
    applies=has_rows("commitments"),
    workbook=True,
    fava="YosanTableCommitments",
)
