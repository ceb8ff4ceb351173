"""The per-ledger results as a partitioned Parquet dataset: ``scope=…/entity=…``.

One file per entity (``scope=全体/entity=kokuho/figures.parquet``), Hive-style, so
that DuckDB (``hive_partitioning``), Spark (``spark.read.parquet``), pandas and
pyarrow read the folder as one table with ``scope`` and ``entity`` as columns.
Written whole into a new folder, or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa

from yosan_ledger.reports.consolidation.entity import FigureRow

FILE = "figures.parquet"
# Each column of a file; `scope` and `entity` are the folders'.
SCHEMA = pa.schema(
    [
        pa.field("kind", pa.string(), False, {"description": "line: a figure; pair: a side"}),
        pa.field("statement", pa.string(), False, {"description": "consolidated statement"}),
        pa.field("line", pa.string(), False, {"description": "consolidated line's key"}),
        pa.field("pair", pa.int32(), False, {"description": "elimination's index, -1 for a line"}),
        pa.field("side", pa.int8(), False, {"description": "side of the elimination, or -1"}),
        pa.field("amount", pa.int64(), False, {"description": "the entity's figure in yen"}),
        pa.field("weight", pa.int64(), False, {"description": "share × denominator"}),
    ]
)


def write_dataset(rows: Iterable[FigureRow], folder: Path) -> None:
    """Every entity's rows into ``folder``, a new folder (refused if it exists)."""
    import pyarrow.parquet as pq

    from yosan_ledger.reports.output import create_directory_atomically

    parts: dict[tuple[str, str], list[FigureRow]] = defaultdict(list)
    for row in rows:
        parts[(row.scope, row.entity)].append(row)

    def write(temporary: Path) -> None:
        for (scope, entity), part in sorted(parts.items()):
            where = temporary / f"scope={scope}" / f"entity={entity}"
            where.mkdir(parents=True)
            columns = {name: [getattr(r, name) for r in part] for name in SCHEMA.names}
            pq.write_table(pa.table(columns, schema=SCHEMA), where / FILE)

    create_directory_atomically(folder, write)
