"""A consolidation as tables: per scope, each statement it prints with 単純合算,
相殺消去 and the scope's figure (一般会計等, 全体 or 連結) side by side; and as rows,
one per line and scope, for CSV."""

from __future__ import annotations

import pandas as pd

from yosan_ledger.plugins.core.layout import Row
from yosan_ledger.plugins.core.units import Unit, scale_frame
from yosan_ledger.reports.consolidation.combine import COLUMNS
from yosan_ledger.reports.consolidation.run import Consolidation
from yosan_ledger.reports.tables.table import Table, TableRow

HEADERS = ("単純合算", "相殺消去")  # and the scope's name
TIDY_COLUMNS = ["scope", "statement", "section", "line", *COLUMNS, "unit"]
ROUNDING = (
    "（注）各数値は単位未満を四捨五入しているため、単純合算と相殺消去の和が"
    "{scope}の額と一致しない場合がある。"
)
SHARE = "（注）比例連結の団体の数値は、持分割合を乗じて円未満を四捨五入している。"


def _shown(consolidation: Consolidation, scope: str | None) -> list[tuple[str, str]]:
    """(scope, statement) in print order: the scopes in order, each its statements."""
    return [
        (name, statement)
        for name, statements in consolidation.declaration.scopes.items()
        if scope in (None, name)
        for statement in statements
    ]


def _rows(consolidation: Consolidation, scope: str, statement: str) -> list[Row]:
    layout = consolidation.declaration.layouts[statement]
    frame = consolidation.figures.frames[(scope, statement)]
    return [
        row
        for row in layout.shown_rows()
        if not (row.hide_zero and row.has_value and not frame.loc[row.key].any())
    ]


def consolidation_tables(
    consolidation: Consolidation, unit: Unit, *, scope: str | None = None
) -> list[Table]:
    """One table per scope and statement, in the unit (each figure rounded on its own)."""
    tables = []
    for name, statement in _shown(consolidation, scope):
        layout = consolidation.declaration.layouts[statement]
        figures = scale_frame(consolidation.figures.frames[(name, statement)], unit)
        rows = tuple(
            TableRow(
                row.kind,
                row.label,
                row.depth,
                row.section,
                row.ref,
                tuple(int(v) for v in figures.loc[row.key]) if row.has_value else None,
            )
            for row in _rows(consolidation, name, statement)
        )
        notes = (ROUNDING.format(scope=name),) if unit.yen > 1 else ()
        if consolidation.figures.rounded:
            notes += (SHARE,)
        tables.append(
            Table(
                statement=statement,
                organisation=consolidation.declaration.title,
                title=f"{layout.title}（{name}）",
                period=consolidation.period(statement),
                unit=unit,
                label_header=layout.label_header,
                columns=COLUMNS,
                headers=(*HEADERS, name),
                rows=rows,
                notes=notes,
            )
        )
    return tables


def consolidation_frame(
    consolidation: Consolidation, unit: Unit, *, scope: str | None = None
) -> pd.DataFrame:
    """Every line of every printed statement, one row per scope: scope, statement,
    section, line, simple_sum, eliminations, consolidated (in the unit), unit."""
    parts = []
    for name, statement in _shown(consolidation, scope):
        rows = [r for r in _rows(consolidation, name, statement) if r.has_value]
        figures = scale_frame(consolidation.figures.frames[(name, statement)], unit)
        part = figures.loc[[r.key for r in rows]].reset_index(drop=True)
        part.insert(0, "line", [r.label for r in rows])
        part.insert(0, "section", [r.section for r in rows])
        part.insert(0, "statement", statement)
        part.insert(0, "scope", name)
        part["unit"] = unit.label
        parts.append(part)
    return pd.concat(parts, ignore_index=True)[TIDY_COLUMNS]
