"""CSV: the tidy export of every figure, and a statement table as rows."""

from __future__ import annotations

import csv
import io

import pandas as pd

from yosan_ledger.reports.tables.table import Table

BOM = "\ufeff"  # lets Excel on Japanese Windows read UTF-8


def tidy_csv(frame: pd.DataFrame, *, excel_compatible: bool = False) -> str:
    text = frame.to_csv(index=False, lineterminator="\n")
    return BOM + text if excel_compatible else text


def table_csv(table: Table, *, excel_compatible: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", table.label_header, *table.headers])
    for row in table.rows:
        if row.values is not None:
            writer.writerow([row.section, row.label, *row.values])
    return (BOM if excel_compatible else "") + buffer.getvalue()
