"""The combination: one SQL query over the dataset, then the consolidated layout.

``COMBINATION`` reads the table ``entity_figures`` (the dataset of ``dataset``) and
gives, per scope and consolidated line, the 単純合算 (each entity's figure times its
share, added up over the entities of the scope and the scopes before it), the
相殺消去 (each elimination whose two entities are in the scope, taken off the line
each side feeds, at the smaller of their shares) and their sum.  Figures are exact
integers in parts of a yen (``weight`` is a share in parts of the declaration's
denominator), as DECIMAL(38, 0): an overflow is an error in DuckDB and in Spark's
ANSI mode, never a wrapped figure.  The text is plain SQL that DuckDB and Spark SQL
both run (``tests/test_consolidation.py`` runs it on both and compares).

The layout then adds the lines up into its totals (``consolidated_figures``), still
exactly, and each figure is rounded half-up to the yen on its own.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from yosan_ledger.plugins.core.messages import _
from yosan_ledger.reports.consolidation.declaration import SCOPES, Declaration, Place
from yosan_ledger.reports.consolidation.entity import Issue

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

COLUMNS = ("simple_sum", "eliminations", "consolidated")
INT64 = 2**63 - 1

_SCOPE_RANKS = " UNION ALL ".join(
    f"SELECT '{scope}' AS scope, {rank} AS scope_rank" for rank, scope in enumerate(SCOPES)
)
COMBINATION = f"""
WITH scopes AS ({_SCOPE_RANKS}),
members AS (
  SELECT shown.scope AS report_scope, f.kind, f.statement, f.line, f.pair, f.side,
         CAST(f.amount AS DECIMAL(38, 0)) AS amount, f.weight
  FROM entity_figures AS f
  JOIN scopes AS entered ON f.scope = entered.scope
  JOIN scopes AS shown ON entered.scope_rank <= shown.scope_rank
),
added AS (
  SELECT report_scope, statement, line, sum(amount * weight) AS simple_sum
  FROM members WHERE kind = 'line'
  GROUP BY report_scope, statement, line
),
pairs AS (
  SELECT a.report_scope, a.statement, a.line AS line_a, b.line AS line_b,
         a.amount * least(a.weight, b.weight) AS eliminated
  FROM members AS a
  JOIN members AS b
    ON a.report_scope = b.report_scope AND a.statement = b.statement AND a.pair = b.pair
  WHERE a.kind = 'pair' AND b.kind = 'pair' AND a.side = 0 AND b.side = 1
),
taken_off AS (
  SELECT report_scope, statement, line, -sum(eliminated) AS eliminations
  FROM (
    SELECT report_scope, statement, line_a AS line, eliminated FROM pairs
    UNION ALL
    SELECT report_scope, statement, line_b AS line, eliminated FROM pairs
  ) AS sides
  GROUP BY report_scope, statement, line
)
SELECT report_scope AS scope, statement, line,
       coalesce(simple_sum, 0) AS simple_sum,
       coalesce(eliminations, 0) AS eliminations,
       coalesce(simple_sum, 0) + coalesce(eliminations, 0) AS consolidated
FROM added FULL OUTER JOIN taken_off USING (report_scope, statement, line)
ORDER BY scope, statement, line
"""

# A line's three figures in parts of a yen, by (scope, statement, line).
LineFigures = dict[tuple[str, str, str], tuple[int, int, int]]


def _as_lines(rows: Iterable[tuple]) -> LineFigures:
    return {(s, t, line): (int(a), int(b), int(c)) for s, t, line, a, b, c in rows}


def combine_with_duckdb(folder: Path) -> LineFigures:
    """The query on DuckDB over the dataset folder."""
    import duckdb

    files = str(folder / "**" / "*.parquet").replace("'", "''")
    with duckdb.connect() as connection:
        connection.execute(
            "CREATE VIEW entity_figures AS SELECT * FROM read_parquet("
            f"'{files}', hive_partitioning = true, "
            "hive_types = {'scope': 'VARCHAR', 'entity': 'VARCHAR'})"
        )
        return _as_lines(connection.execute(COMBINATION).fetchall())


def combine_with_spark(session: SparkSession, folder: Path) -> LineFigures:
    """The same query on Spark SQL over the same folder."""
    with warnings.catch_warnings():  # pyspark's own doubt about this pandas: not ours
        warnings.simplefilter("ignore", FutureWarning)
        session.read.parquet(str(folder)).createOrReplaceTempView("entity_figures")
        return _as_lines(tuple(row) for row in session.sql(COMBINATION).collect())


def _yen(parts: int, denominator: int) -> int:
    """四捨五入 to the yen: halves away from zero, as every table rounds."""
    quotient, remainder = divmod(abs(parts), denominator)
    rounded = quotient + (1 if 2 * remainder >= denominator else 0)
    return rounded if parts >= 0 else -rounded


@dataclass(frozen=True)
class Figures:
    """Each scope's consolidated statements, in yen."""

    # (scope, statement) -> value rows × COLUMNS, int64 yen
    frames: dict[tuple[str, str], pd.DataFrame]
    rounded: bool  # some figure was a fraction of a yen (a share below 1), rounded


def _exact(declaration: Declaration, lines: LineFigures, scope: str) -> dict[str, tuple[int, ...]]:
    """Every value row of every consolidated statement, in parts of a yen: a line
    as the query gave it (and its ``plus`` rows), a total as the sum of its terms."""
    layouts = declaration.layouts
    exact: dict[str, tuple[int, ...]] = {}
    for reference in layouts.order:  # each row after the rows it is made of
        row = layouts.row(reference)
        base = lines.get((scope, row.statement, row.key), (0, 0, 0))
        if row.kind != "line":  # a total: its terms alone
            base = (0, 0, 0)
        exact[reference] = tuple(
            base[i] + sum(t.coefficient * exact[layouts.row(t.ref).ref][i] for t in row.terms)
            for i in range(len(COLUMNS))
        )
    return exact


def _broken_checks(
    declaration: Declaration, exact: dict[str, tuple[int, ...]], scope: str, statement: str
) -> list[Issue]:
    """The layout's equalities (資産合計 = 負債及び純資産合計) that the exact figures
    break: a correspondence that feeds an asset to a liability, say."""
    layouts, denominator = declaration.layouts, declaration.denominator
    layout = layouts[statement]
    issues = []
    for check in layout.checks:
        row, other = layouts.row(check.row), layouts.row(check.equals)
        for column, a, b in zip(COLUMNS, exact[row.ref], exact[other.ref], strict=True):
            if a != b:
                message = _(
                    "{statement} ({scope}, {column}): {row} is {value:,} yen but {other} is "
                    "{expected:,} yen: a correspondence feeds a line of the wrong side",
                    statement=layout.title,
                    scope=scope,
                    column=column,
                    row=row.label,
                    value=_yen(a, denominator),
                    other=other.label,
                    expected=_yen(b, denominator),
                )
                issues.append(Issue.at(Place(layout.source, row.lineno), message))
                break  # the first column that breaks it says enough
    return issues


def consolidated_figures(
    declaration: Declaration, lines: LineFigures
) -> tuple[Figures, list[Issue]]:
    """Every printed statement of every scope through the consolidated layout: the
    lines from the query, the totals added up exactly, each figure then rounded to
    the yen on its own; each layout check tested on the exact figures."""
    layouts, denominator = declaration.layouts, declaration.denominator
    frames: dict[tuple[str, str], pd.DataFrame] = {}
    issues: list[Issue] = []
    rounded = False
    for scope, printed in declaration.scopes.items():
        exact = _exact(declaration, lines, scope)
        for statement in printed:
            layout = layouts[statement]
            keys, values = [], []
            for row in layout.value_rows():
                figures = [_yen(v, denominator) for v in exact[row.ref]]
                rounded = rounded or any(v % denominator for v in exact[row.ref])
                if any(abs(f) > INT64 for f in figures):
                    message = _(
                        "{statement} ({scope}): {row} adds up to more than a statement can hold",
                        statement=layout.title,
                        scope=scope,
                        row=row.label,
                    )
                    issues.append(Issue.at(Place(layout.source, row.lineno), message))
                    figures = [0, 0, 0]
                keys.append(row.key)
                values.append(figures)
            issues += _broken_checks(declaration, exact, scope, statement)
            frames[(scope, statement)] = pd.DataFrame(
                np.array(values, dtype=np.int64).reshape(-1, len(COLUMNS)),
                index=keys,
                columns=list(COLUMNS),
            )
    return Figures(frames, rounded), issues
