"""Parquet: the postings and the statements, for DuckDB, pandas or Spark.

``yosan export --format parquet -o FOLDER`` writes a folder of two files (see
``schema_help``), whole or not at all: both are written into a temporary folder
beside FOLDER, which is then renamed into place.  The postings are exactly those
the statement engine reads (``yosan_ledger.plugins.core.engine.collect_postings``), in yen; the
statements are the tidy rows of ``yosan export --format csv``, in the unit asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from yosan_ledger.plugins.core.messages import _, reason, translated
from yosan_ledger.reports.rendering.format import Format, OutputError
from yosan_ledger.reports.rendering.text import hanging

if TYPE_CHECKING:
    import pyarrow as pa

    from yosan_ledger.plugins.core.units import Unit
    from yosan_ledger.reports.loading.ledger import LoadedLedger

POSTINGS = "postings.parquet"
STATEMENTS_FILE = "statements.parquet"
FILES = (POSTINGS, STATEMENTS_FILE)

# (column, Arrow type, description): the schema, documented once for the files'
# own metadata, `yosan export --help` and the README.
POSTINGS_COLUMNS = (
    ("date", "date32", _("the transaction's date; opening balances stand the day before the year")),
    ("account", "string", _("the Beancount account, e.g. Assets:1-流動資産:11-現金預金")),
    ("account_name", "string", _("its last component without the code, e.g. 現金預金")),
    ("segment", "string", _("the segment key (the transaction's tag), e.g. general")),
    ("segment_name", "string", _("the segment's name, e.g. 一般会計")),
    ("amount", "int64", _("yen, signed as Beancount keeps it (debit +, credit −)")),
    ("opening", "bool", _("true for an opening balance (前期末), false for the year's flows")),
    ("payee", "string", _("the transaction's payee, or null")),
    ("narration", "string", _("the transaction's narration")),
    ("line_ref", "string", _("the statement line the account feeds, e.g. bs:流動資産/現金預金")),
    ("filename", "string", _("the ledger file of the posting, relative to the main file's folder")),
    ("lineno", "int32", _("its line in that file")),
)
STATEMENTS_COLUMNS = (
    ("statement", "string", _("the statement's key in the ledger's layouts, e.g. bs")),
    ("section", "string", _("the heading the line stands under; empty at the top level")),
    ("line", "string", _("the line's label as published, e.g. 現金預金")),
    (
        "line_ref",
        "string",
        _("statement:section/line, as postings.line_ref, e.g. bs:流動資産/現金預金"),
    ),
    ("segment", "string", _("a segment key, or total")),
    (
        "amount",
        "int64",
        _("the figure in the unit, rounded half-up, signed as shown (▲ = negative)"),
    ),
    ("unit", "string", _("円, 千円 or 百万円 (yosan export --unit)")),
    (
        "rated",
        "bool",
        _("whether 執行率 means something on the line (not a balance, not a result)"),
    ),
)


HELP_WIDTH = 76  # columns of the help's lines, after click's indent of two


def schema_help(language: str | None = None) -> str:
    """The two files' columns as ``yosan export --help`` shows them, in ``language``."""

    def columns(found: tuple[tuple[str, str, str], ...]) -> list[str]:
        return [
            line
            for name, kind, text in found
            for line in hanging(
                f"  {name:<13}{kind:<8}", translated(text, language), 23, HELP_WIDTH
            )
        ]

    postings = _("{file}: one row per posting the statements are made of", file=POSTINGS)
    statements = _(
        "{file}: every figure of every statement, segment and total", file=STATEMENTS_FILE
    )
    return "\n".join(
        [
            translated(postings, language),
            *columns(POSTINGS_COLUMNS),
            translated(statements, language),
            *columns(STATEMENTS_COLUMNS),
        ]
    )


def _schema(columns: tuple[tuple[str, str, str], ...], title: str) -> pa.Schema:
    import pyarrow as pa

    types = {"date32": pa.date32(), "string": pa.string(), "int64": pa.int64()}
    types |= {"bool": pa.bool_(), "int32": pa.int32()}
    fields = [
        pa.field(name, types[kind], metadata={"description": str(text)})
        for name, kind, text in columns
    ]
    return pa.schema(fields, metadata={"description": title, "creator": "yosan-ledger"})


def postings_table(ledger: LoadedLedger) -> pa.Table:
    import pyarrow as pa

    from yosan_ledger.reports.tables.exports import posting_rows

    frame = posting_rows(ledger)
    schema = _schema(POSTINGS_COLUMNS, f"postings of {ledger.statements.budget.title}")
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


def statements_table(ledger: LoadedLedger, unit: Unit) -> pa.Table:
    import pyarrow as pa

    from yosan_ledger.reports.tables.exports import figure_rows

    frame = figure_rows(ledger, unit)
    schema = _schema(STATEMENTS_COLUMNS, f"statements of {ledger.statements.budget.title}")
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


def write_parquet_folder(ledger: LoadedLedger, unit: Unit, folder: Path) -> None:
    import pyarrow.parquet as pq

    from yosan_ledger.reports.output import write_directory_atomically

    postings, figures = postings_table(ledger), statements_table(ledger, unit)

    def write(temporary: Path) -> None:
        pq.write_table(postings, temporary / POSTINGS)
        pq.write_table(figures, temporary / STATEMENTS_FILE)

    write_directory_atomically(folder, write, owned=FILES)


def _folder(ledger: LoadedLedger, unit: Unit, folder: Path) -> None:
    from yosan_ledger.reports.output import ForeignDirectory

    try:
        write_parquet_folder(ledger, unit, folder)
    except ForeignDirectory as error:
        raise OutputError(reason(error)) from None


FORMAT = Format("parquet", folder=_folder, order=60)
