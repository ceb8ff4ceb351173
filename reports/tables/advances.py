"""予定前受金及び累積前受金 as a table (``yosan report advances``): per purpose, 予定前受金
and 累積前受金, and 合計; grouped under a heading per segment with ``--by-segment``.
The figures are ``yosan_ledger.plugins.core.advances``'s."""

from __future__ import annotations

from yosan_ledger.plugins.core.advances import Advances, advances_of, by_purpose
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.units import Unit, scale_frame
from yosan_ledger.reports.tables.kinds import Kind, Request, Results, declared, has_rows
from yosan_ledger.reports.tables.table import Table, TableRow, of_segment, segment_names


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
    names = segment_names(statements)
    frame, title = of_segment(frame, layout.title, names, segment)
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


def advances_tables(results: Results, request: Request) -> list[Table]:
    table = advances_table(
        declared(results, "advances"),
        results.statements,
        unit=request.unit,
        segment=request.segment,
        by_segment=request.by_segment,
        organisation=request.organisation,
    )

    return [table]


KIND = Kind(
    "advances",
    "予定前受金及び累積前受金",
    advances_tables,
    options=frozenset({"segment", "by_segment"}),
    needs={"advances": advances_of},
    applies=has_rows("advances"),
    workbook=True,
    fava="YosanTableAdvances",
)
