"""補正予算の表: per statement line, 補正前の額 / 補正額 / 補正後の額.

A revision's table sets the budget as it stood before the revision (the previous
version: 当初予算, or the budget as revised through the revision before) beside
the budget as revised, and the difference.  Every figure is the engine's for its
version, in yen; in the unit, each is rounded half-up on its own, so 補正前の額 +
補正額 may differ from 補正後の額 by a unit, as the note under the table says.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.layout import Row
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.units import Unit, scale_frame
from yosan_ledger.reports.tables.kinds import Kind, KindError, Request, Results
from yosan_ledger.reports.tables.statements import TOTAL_HEADER, period_line
from yosan_ledger.reports.tables.table import Table, TableRow, rows_by_segment, shown_rows

COLUMNS = ("before", "change", "after")
HEADERS = ("補正前の額", "補正額", "補正後の額")
TIDY_COLUMNS = ["statement", "section", "line", "segment", *COLUMNS, "unit"]
NOTE = (
    "（注）各数値は単位未満を四捨五入しているため、補正前の額と補正額の和が"
    "補正後の額と一致しない場合がある。"
)


def revision_figures(before: Statements, after: Statements, statement: str) -> pd.DataFrame:
    """One statement's rows × (segment, before/change/after), in yen."""
    columns = after.columns
    old = before.figures[statement].reindex(columns=columns, fill_value=0)
    new = after.figures[statement][columns]
    return pd.concat({"before": old, "change": new - old, "after": new}, axis=1).astype(np.int64)


def _in_unit(figures: pd.DataFrame, segment: str, unit: Unit) -> pd.DataFrame:
    """One segment's before, change and after, each rounded on its own in the unit."""
    return scale_frame(pd.DataFrame({c: figures[(c, segment)] for c in COLUMNS}), unit)


def revision_frame(
    before: Statements, after: Statements, unit: Unit, segments: Sequence[str]
) -> pd.DataFrame:
    """Every line of every statement, per segment of ``segments``: before, change and
    after, each rounded on its own in the unit (the CSV export)."""

    def values(figures: pd.DataFrame, rows: list[Row], segment: str) -> dict[str, list]:
        block = _in_unit(figures, segment, unit)
        return {c: list(block.loc[[r.key for r in rows], c]) for c in COLUMNS}

    frame = rows_by_segment(
        after.layouts.shown(),
        segments,
        unit,
        lambda statement: revision_figures(before, after, statement),
        values,
    )
    return frame[TIDY_COLUMNS]


def revision_tables(
    before: Statements,
    after: Statements,
    revision: str,
    unit: Unit,
    *,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
    true_era: bool = False,
) -> list[Table]:
    """The revision's table of each statement: the whole body (or one segment), or
    with ``by_segment`` one table per segment and the total (each fits A4)."""
    names = {s.key: s.name for s in after.segments}
    shown = [TOTAL, *names] if by_segment else [segment or TOTAL]
    tables = []
    for layout in after.layouts.shown():
        figures = revision_figures(before, after, layout.statement)
        for column in shown:
            block = _in_unit(figures, column, unit)
            rows = []
            nonzero = shown_rows(figures, [column])
            for row in layout.shown_rows():
                if row.has_value and row.hide_zero and row.key not in nonzero:
                    continue
                values = tuple(int(v) for v in block.loc[row.key]) if row.has_value else None
                rows.append(TableRow(row.kind, row.label, row.depth, row.section, row.ref, values))
            where = (
                ""
                if column == TOTAL and not by_segment
                else f"（{names.get(column, TOTAL_HEADER)}）"
            )
            tables.append(
                Table(
                    statement=layout.statement,
                    organisation=organisation,
                    title=f"{layout.title}　{revision}{where}",
                    period=period_line(after, layout.statement, true_era=true_era),
                    unit=unit,
                    label_header=layout.label_header,
                    columns=COLUMNS,
                    headers=HEADERS,
                    rows=tuple(rows),
                    notes=(NOTE,),
                )
            )
    return tables


def _versions(results: Results, request: Request) -> tuple[Statements, Statements, str]:
    """The budget before the revision asked for (the last by default) and after it."""
    versions = results["versions"]
    names = list(versions)
    target = request.revision or names[-1]
    if len(names) < 2 or target == names[0]:
        raise KindError(
            _(
                "the budget has no revision to show: declare one with "
                'custom "yosan-revision" "name" and give its transactions revision: "name"'
            )
        )
    return versions[names[names.index(target) - 1]], versions[target], target


def _revision_tables(results: Results, request: Request) -> list[Table]:
    before, after, target = _versions(results, request)
    return revision_tables(
        before,
        after,
        target,
        request.unit_or("thousand"),
        segment=request.segment,
        by_segment=request.by_segment,
        organisation=request.organisation,
        true_era=request.true_era,
    )


def _revision_rows(results: Results, request: Request) -> pd.DataFrame:
    before, after, _target = _versions(results, request)
    segments = [request.segment] if request.segment is not None else after.columns
    return revision_frame(before, after, request.unit_or("thousand"), segments)


KIND = Kind(
    "revision",
    "補正予算",
    _revision_tables,
    options=frozenset({"segment", "by_segment", "revision", "true_era"}),
    rows=_revision_rows,
    applies=lambda results: len(results["versions"]) > 1,
    fava="YosanSupplementaryBudget",
)
