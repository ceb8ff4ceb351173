"""CSV: the tidy export of every figure, and a statement table as rows."""

from __future__ import annotations

import csv
import io

import pandas as pd

from yosan_ledger.reports.tables.table import Table

BOM = "\ufeff"  # lets Excel on Japanese Windows read UTF-8
# Excel reads a field beginning with one of these as a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def as_text(value: object) -> object:
    """A text field Excel would take for a formula, with a leading apostrophe (Excel
    shows the rest as text); figures and other fields as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def tidy_csv(frame: pd.DataFrame, *, excel_compatible: bool = False) -> str:
    if excel_compatible:
        frame = frame.copy()
        for column in frame.columns:
            if frame[column].dtype == object:
                frame[column] = frame[column].map(as_text)
    text = frame.to_csv(index=False, lineterminator="\n")
    return BOM + text if excel_compatible else text


def table_csv(table: Table, *, excel_compatible: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    shown = as_text if excel_compatible else (lambda value: value)
    writer.writerow([shown(v) for v in ("section", table.label_header, *table.headers)])
    for row in table.rows:
        if row.values is not None:
            writer.writerow([shown(v) for v in (row.section, row.label, *row.values)])
    return (BOM if excel_compatible else "") + buffer.getvalue()
