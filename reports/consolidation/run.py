"""A consolidation from its declaration to its figures.

The per-ledger step runs on the engine chosen, one task per ledger; what the
ledgers and the declaration do not agree on is gathered from every ledger before
anything is combined (each problem at its file and line); the results go to the
partitioned dataset; the one query combines them; the layout makes the totals.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from yosan_ledger.plugins.core.budget import Budget
from yosan_ledger.plugins.core.era import format_date
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.reports.consolidation.combine import (
    Figures,
    LineFigures,
    combine_with_duckdb,
    consolidated_figures,
)
from yosan_ledger.reports.consolidation.dataset import write_dataset
from yosan_ledger.reports.consolidation.declaration import Declaration
from yosan_ledger.reports.consolidation.engines import Engine, EngineUnavailable
from yosan_ledger.reports.consolidation.entity import (
    EntityWork,
    FigureRow,
    Issue,
    LedgerFigures,
    LedgerWork,
)


class ConsolidationFailed(Exception):
    """The ledgers or the declaration have problems: every one, as file:line: message."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} problems")
        self.issues = sorted(
            set(issues), key=lambda i: (i.filename or "", i.lineno or 0, str(i.message))
        )


@dataclass(frozen=True)
class Consolidation:
    declaration: Declaration
    budget: Budget  # the fiscal year every ledger shares (the first entity's budget)
    figures: Figures
    inputs: tuple[str, ...] = ()  # every file it read: the declaration's, every ledger's

    def period(self, statement: str) -> str:
        """（令和10年3月31日現在） or （令和9年4月1日から令和10年3月31日まで）."""
        budget = self.budget
        if self.declaration.layouts[statement].period == "closing":
            return f"（{format_date(budget.end, budget.adopted)}現在）"
        start = format_date(budget.start, budget.adopted)
        return f"（{start}から{format_date(budget.end, budget.adopted)}まで）"


def ledger_works(
    declaration: Declaration, *, foreign_plugins: bool = True, cache: bool = True
) -> list[LedgerWork]:
    """One piece of work per ledger, with every entity declared on it."""
    by_ledger: dict[Path, list[EntityWork]] = defaultdict(list)
    shown: dict[Path, str] = {}
    for entity in declaration.entities:
        sides = tuple(
            (index, number, side)
            for index, elimination in enumerate(declaration.eliminations)
            for number, side in enumerate(elimination.sides)
            if side.entity == entity.key
        )
        work = EntityWork(
            entity,
            declaration.weight(entity),
            declaration.mappings[entity.correspondence],
            sides,
        )
        by_ledger[entity.ledger].append(work)
        shown.setdefault(entity.ledger, entity.shown)
    return [
        LedgerWork(ledger, shown[ledger], tuple(works), foreign_plugins, cache)
        for ledger, works in by_ledger.items()
    ]


def _agreement(declaration: Declaration, results: list[LedgerFigures]) -> list[Issue]:
    """What only the ledgers together can tell: one fiscal year for all; each
    elimination's two sides equal, and feeding some consolidated statement both."""
    issues: list[Issue] = []
    budgets = {r.ledger: r.budget for r in results if r.budget is not None}
    first = declaration.entities[0]
    year = budgets.get(first.ledger)
    for entity in declaration.entities:
        budget = budgets.get(entity.ledger)
        if (
            year is not None
            and budget is not None
            and (budget.start, budget.end)
            != (
                year.start,
                year.end,
            )
        ):
            issues.append(
                Issue.at(
                    entity.place,
                    _(
                        "entity {entity!r} ({ledger}): its year {start} – {end} is not that of "
                        "{first!r} ({first_start} – {first_end}); a consolidation adds up one year",
                        entity=entity.key,
                        ledger=entity.shown,
                        start=budget.start,
                        end=budget.end,
                        first=first.key,
                        first_start=year.start,
                        first_end=year.end,
                    ),
                )
            )
    sides: dict[tuple[int, int], int] = {}
    statements: dict[tuple[int, int], set[str]] = defaultdict(set)
    for result in results:
        sides.update(result.sides)
        for row in result.rows:
            if row.kind == "pair":
                statements[(row.pair, row.side)].add(row.statement)
    for index, elimination in enumerate(declaration.eliminations):
        one, other = elimination.sides
        if (index, 0) not in sides or (index, 1) not in sides:
            continue  # a row the ledger lacks: said where the side is declared
        a, b = sides[(index, 0)], sides[(index, 1)]
        if a != b:
            issues.append(
                Issue.at(
                    elimination.place,
                    _(
                        "elimination {name!r} does not match: {entity} ({ledger}) {row} is "
                        "{amount:,} yen, {other_entity} ({other_ledger}) {other_row} is "
                        "{other_amount:,} yen (difference {difference:+,})",
                        name=elimination.name,
                        entity=one.entity,
                        ledger=declaration.entity(one.entity).shown,
                        row=one.row,
                        amount=a,
                        other_entity=other.entity,
                        other_ledger=declaration.entity(other.entity).shown,
                        other_row=other.row,
                        other_amount=b,
                        difference=a - b,
                    ),
                )
            )
        elif not statements[(index, 0)] & statements[(index, 1)]:
            issues.append(
                Issue.at(
                    elimination.place,
                    _(
                        "elimination {name!r}: {row} of {entity} and {other_row} of "
                        "{other_entity} feed no consolidated statement in common; "
                        "it would eliminate nothing",
                        name=elimination.name,
                        row=one.row,
                        entity=one.entity,
                        other_row=other.row,
                        other_entity=other.entity,
                    ),
                )
            )
    return issues


def consolidate(
    declaration: Declaration,
    engine: Engine,
    *,
    dataset: Path | None = None,
    foreign_plugins: bool = True,
    cache: bool = True,
    before_writing: Callable[[tuple[str, ...]], None] | None = None,
) -> Consolidation:
    """The declaration's consolidated figures; raises ``ConsolidationFailed`` with
    every problem of every ledger, or ``EngineUnavailable``.  ``dataset`` keeps the
    per-ledger results (a new folder); without it they live in a temporary one.
    ``before_writing`` is given every file read, before the dataset is written: the
    command refuses there an output that would replace one."""
    works = ledger_works(declaration, foreign_plugins=foreign_plugins, cache=cache)
    results = engine(works)
    issues = [issue for result in results for issue in result.issues]
    if not issues:
        issues = _agreement(declaration, results)
    if issues:
        raise ConsolidationFailed(issues)
    inputs = tuple(dict.fromkeys([*declaration.inputs, *(i for r in results for i in r.inputs)]))
    if before_writing is not None:
        before_writing(inputs)
    rows = [row for result in results for row in result.rows]
    if dataset is not None:
        write_dataset(rows, dataset)
        lines = _combined(dataset, rows)
    else:
        with tempfile.TemporaryDirectory(prefix="yosan-consolidation-") as folder:
            kept = Path(folder) / "dataset"
            write_dataset(rows, kept)
            lines = _combined(kept, rows)
    figures, problems = consolidated_figures(declaration, lines)
    if problems:
        raise ConsolidationFailed(problems)
    budget = next(r.budget for r in results if r.ledger == declaration.entities[0].ledger)
    return Consolidation(declaration, budget, figures, inputs)


def _combined(folder: Path, rows: list[FigureRow]) -> LineFigures:
    if not rows:
        return {}
    try:
        return combine_with_duckdb(folder)
    except ImportError:
        raise EngineUnavailable(
            _("DuckDB is not installed: pip install 'yosan-ledger[consolidation]'")
        ) from None
