"""CSV: the tidy export of every figure, and a statement table as rows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, BinaryIO

from yosan_ledger.plugins.core.messages import inert
from yosan_ledger.reports.rendering.format import Format, Options, text_report
from yosan_ledger.reports.tables.table import Table

if TYPE_CHECKING:
    import pandas as pd

    from yosan_ledger.plugins.core.units import Unit
    from yosan_ledger.reports.loading.ledger import LoadedLedger

BOM = "\ufeff"  # lets Excel on Japanese Windows read UTF-8
# Excel reads a field beginning with one of these as a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?\Z")  # a figure as text (執行率 -5.0): no formula


def as_text(value: object) -> object:
    """A text field Excel would take for a formula, with a leading apostrophe (Excel
    shows the rest as text); figures and other fields as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _field(value: object, *, excel_compatible: bool) -> object:
    """A field as written: text with its control characters as code points (a CSV
    printed to a terminal sends none of them), and, for Excel, never a formula."""
    if isinstance(value, str):
        return inert(as_text(value) if excel_compatible else value)
    return value


def tidy_csv(frame: pd.DataFrame, *, excel_compatible: bool = False) -> str:
    """Rows as CSV.  Every text cell is written through ``_field``, whatever the
    column's dtype (``object``, pandas' ``string``, a category): only numbers and
    booleans are left as they are."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if not (is_numeric_dtype(values) or is_bool_dtype(values)):
            frame[column] = values.astype(object).map(
                lambda v: _field(v, excel_compatible=excel_compatible)
            )
    frame.columns = [_field(str(c), excel_compatible=excel_compatible) for c in frame.columns]
    text = frame.to_csv(index=False, lineterminator="\n")
    return BOM + text if excel_compatible else text


def table_csv(table: Table, *, excel_compatible: bool = False) -> str:
    return tables_csv([table], excel_compatible=excel_compatible)


def tables_csv(tables: Sequence[Table], *, excel_compatible: bool = False) -> str:
    """One header row.  With more than one table (all the statements), a first column
    ``statement`` says which table each row belongs to and the label column is ``line``,
    as in the export, since the tables name it differently (科目, 区分).  A last column
    ``unit`` names each row's unit (千円 …), as the export's does."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def shown(value: object) -> object:
        return _field(value, excel_compatible=excel_compatible)

    first = tables[0]
    if any(t.headers != first.headers for t in tables):
        raise ValueError("tables with different columns make no one CSV")
    if len(tables) == 1:
        header = ("section", first.label_header, *first.headers, "unit")
    else:
        header = ("statement", "section", "line", *first.headers, "unit")
    writer.writerow([shown(v) for v in header])
    for table in tables:
        key = [table.statement] if len(tables) > 1 else []
        unit = table.unit.label
        for row in table.rows:
            if row.values is not None:
                values = (*key, row.section, row.label, *row.values, unit)
                writer.writerow([shown(v) for v in values])
    return (BOM if excel_compatible else "") + buffer.getvalue()


EXPORT_COLUMNS = ["statement", "section", "line", "segment", "amount", "unit"]


def _report(tables: Sequence[Table], options: Options) -> str:
    return tables_csv(tables, excel_compatible=options.excel_compatible)


def _export(ledger: LoadedLedger, unit: Unit, stream: BinaryIO, options: Options) -> None:
    from yosan_ledger.reports.tables.exports import figure_rows

    frame = figure_rows(ledger, unit)[EXPORT_COLUMNS]
    stream.write(tidy_csv(frame, excel_compatible=options.excel_compatible).encode("utf-8"))


FORMAT = Format("csv", (".csv",), report=text_report(_report), export=_export, order=20)
