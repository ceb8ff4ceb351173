"""The per-ledger step: one ledger loaded, its entities' rows mapped to the
consolidated lines.

Independent of every other ledger, so that it can run anywhere (a process pool, a
Spark executor): it takes a ``LedgerWork`` and gives back ``LedgerFigures`` — small,
picklable, the dataset's rows and what is wrong — and never raises for a problem of
the ledger or of the declaration.

For each consolidated statement an entity feeds, every row of the entity's
statements named in that correspondence must be taken exactly once: fed to a line
(itself, or as part of a total that is), or left out by name.  A row with a figure
that is neither is an error naming the ledger, the row and the figure; a row taken
twice (a total and one of its lines) is an error too: its figure would count twice.
"""

from __future__ import annotations

import gc
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from yosan_ledger.plugins.core.budget import TOTAL, Budget
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.layout import Row
from yosan_ledger.plugins.core.messages import Message, _, reason
from yosan_ledger.reports.consolidation.declaration import Entity, Mapping, Place, Side

LEAVES = ("line", "cash")  # the rows a statement's figures are made of


@dataclass(frozen=True)
class EntityWork:
    entity: Entity
    weight: int  # its share, in parts of the declaration's denominator
    mappings: tuple[Mapping, ...]
    sides: tuple[tuple[int, int, Side], ...]  # (elimination, side, the side) of this entity


@dataclass(frozen=True)
class LedgerWork:
    """What the step needs to know of one ledger: picklable, no open file."""

    ledger: Path
    shown: str  # as the declaration names it
    entities: tuple[EntityWork, ...]
    foreign_plugins: bool = True
    cache: bool = True


@dataclass(frozen=True)
class Issue:
    """A problem, where it stands (the ledger's file, or the declaration's)."""

    filename: str | None
    lineno: int | None
    message: str

    @classmethod
    def at(cls, place: Place, message: Message) -> Issue:
        return cls(place.filename, place.lineno, message)


class FigureRow(NamedTuple):
    """One row of the dataset.  ``kind`` is ``line`` (an entity's figure feeding a
    consolidated line) or ``pair`` (one side of an elimination, on the line it is
    taken off); ``weight`` is the entity's share in parts of the denominator."""

    scope: str
    entity: str
    kind: str
    statement: str
    line: str
    pair: int  # the elimination's index; -1 for a line
    side: int  # 0 or 1; -1 for a line
    amount: int  # yen
    weight: int


@dataclass(frozen=True)
class LedgerFigures:
    ledger: Path  # as the work named it (absolute)
    issues: tuple[Issue, ...] = ()
    rows: tuple[FigureRow, ...] = ()
    sides: dict[tuple[int, int], int] = field(default_factory=dict)  # yen of each side
    budget: Budget | None = None
    inputs: tuple[str, ...] = ()  # every file the load read (absolute)


def ledger_figures(work: LedgerWork) -> LedgerFigures:
    """Load the ledger and map each entity on it; every problem as an ``Issue``."""
    from yosan_ledger.reports.loading.ledger import LedgerError, load_ledger

    try:
        # The collector off during the load, as the command has it, but nothing frozen
        # after: a process loads ledger after ledger, and what one leaves in cycles
        # must go (frozen, a thousand ledgers would stay in memory to the end).
        enabled = gc.isenabled()
        gc.disable()
        try:
            loaded = load_ledger(
                work.ledger,
                foreign_plugins=work.foreign_plugins,
                cache=work.cache,
                pause_collector=False,
                progress=io.StringIO(),  # quiet: a worker has no terminal to show it on
            )
        finally:
            if enabled:
                gc.enable()
    except LedgerError as error:
        place = work.entities[0].entity.place
        return LedgerFigures(work.ledger, (Issue(place.filename, place.lineno, reason(error)),))
    if loaded.problems:
        issues = tuple(Issue(p.filename, p.lineno, p.message) for p in loaded.problems)
        return LedgerFigures(work.ledger, issues, inputs=loaded.inputs)
    statements = loaded.statements
    if statements is None:
        place = work.entities[0].entity.place
        return LedgerFigures(
            work.ledger,
            (Issue.at(place, _("{ledger}: the ledger declares no budget", ledger=work.shown)),),
            inputs=loaded.inputs,
        )
    issues: list[Issue] = []
    rows: list[FigureRow] = []
    sides: dict[tuple[int, int], int] = {}
    for entity in work.entities:
        mapped = EntityMapper(statements, entity, work.shown)
        rows += mapped.rows
        issues += mapped.issues
        sides.update(mapped.sides)
    return LedgerFigures(
        work.ledger, tuple(issues), tuple(rows), sides, statements.budget, loaded.inputs
    )


class EntityMapper:
    """One entity's rows, mapped: the dataset's rows, its elimination sides' figures
    and every problem found on the way."""

    def __init__(self, statements: Statements, work: EntityWork, ledger: str) -> None:
        self.statements, self.work, self.ledger = statements, work, ledger
        self.entity = work.entity
        self.issues: list[Issue] = []
        self.rows: list[FigureRow] = []
        self.sides: dict[tuple[int, int], int] = {}
        self.column = self.entity.segment or TOTAL
        if self.column not in statements.columns:
            known = ", ".join(s.key for s in statements.segments)
            self.issues.append(
                Issue.at(
                    self.entity.segment_place,
                    _(
                        "entity {entity!r}: {ledger} has no segment {segment!r}: one of {known}",
                        entity=self.entity.key,
                        ledger=ledger,
                        segment=self.entity.segment,
                        known=known,
                    ),
                )
            )
            return
        # Per consolidated statement: each leaf of the entity's rows, and the line it feeds
        # (None: left out).
        self.taken: dict[str, dict[str, str | None]] = {}
        for mapping in work.mappings:
            self.taken[mapping.statement] = self._map(mapping)
        for elimination, number, side in work.sides:
            self._side(elimination, number, side)

    def figure(self, row: Row) -> int:
        return int(self.statements.figures[row.statement].at[row.key, self.column])

    def row(self, reference: str, place: Place) -> Row | None:
        """The entity's row a reference names, or None with the problem noted."""
        layouts = self.statements.layouts
        statement, _colon, key = reference.partition(":")
        if statement not in layouts.by_statement:
            message = _(
                "entity {entity!r} ({ledger}): the ledger has no statement {statement!r}: "
                "one of {known}",
                entity=self.entity.key,
                ledger=self.ledger,
                statement=statement,
                known=", ".join(layouts.by_statement),
            )
            self.issues.append(Issue.at(place, message))
            return None
        found = layouts.find(statement, key)
        if found is None:
            message = _(
                "entity {entity!r} ({ledger}): {title} ({statement}) has no row {row!r}",
                entity=self.entity.key,
                ledger=self.ledger,
                title=layouts[statement].title,
                statement=statement,
                row=key,
            )
            self.issues.append(Issue.at(place, message))
        return found

    def leaves(self, row: Row) -> list[str]:
        """The rows of its statement whose figures make the row's (itself, or a
        total's lines however deep)."""
        layouts = self.statements.layouts
        found = (layouts.row(ref) for ref in layouts.reach(row.ref))
        return sorted(r.ref for r in found if r.statement == row.statement and r.kind in LEAVES)

    def _map(self, mapping: Mapping) -> dict[str, str | None]:
        layouts = self.statements.layouts
        consolidated = mapping.statement
        taken: dict[str, str | None] = {}
        by_whom: dict[str, str] = {}
        sums: dict[str, int] = defaultdict(int)
        named = [(f.row, f.line, f.place) for f in mapping.feeds]
        named += [(row, None, place) for row, place in mapping.left_out]
        statements: set[str] = set()
        for reference, line, place in named:
            row = self.row(reference, place)
            if row is None:
                continue
            statements.add(row.statement)
            for leaf in self.leaves(row):
                if leaf in taken:
                    self.issues.append(
                        Issue.at(
                            place,
                            _(
                                "entity {entity!r} ({ledger}): {row!r} and {other!r} both take "
                                "{leaf!r} into {statement}: its figure would count twice",
                                entity=self.entity.key,
                                ledger=self.ledger,
                                row=reference,
                                other=by_whom[leaf],
                                leaf=leaf,
                                statement=consolidated,
                            ),
                        )
                    )
                    continue
                taken[leaf], by_whom[leaf] = line, reference
            if line is not None:
                sums[line] += self.figure(row)
        for statement in sorted(statements):
            for row in layouts[statement].rows:
                if row.kind not in LEAVES or row.ref in taken:
                    continue
                figure = self.figure(row)
                if figure:
                    self.issues.append(
                        Issue.at(
                            mapping.place,
                            _(
                                "entity {entity!r} ({ledger}): {row!r} is {figure:,} yen and "
                                "feeds no line of {statement}: map it under "
                                "[correspondence.{name}.{statement}.lines], or leave it out",
                                entity=self.entity.key,
                                ledger=self.ledger,
                                row=row.ref,
                                figure=figure,
                                statement=consolidated,
                                name=mapping.correspondence,
                            ),
                        )
                    )
        for line, amount in sums.items():
            self.rows.append(self._figure_row("line", consolidated, line, -1, -1, amount))
        return taken

    def _side(self, elimination: int, number: int, side: Side) -> None:
        """The side's figure, and the line it is taken off in each consolidated
        statement its row feeds."""
        row = self.row(side.row, side.place)
        if row is None:
            return
        amount = self.figure(row)
        self.sides[(elimination, number)] = amount
        leaves = self.leaves(row)
        for statement, taken in self.taken.items():
            lines = sorted({taken[leaf] for leaf in leaves if taken.get(leaf) is not None})
            if len(lines) > 1:
                self.issues.append(
                    Issue.at(
                        side.place,
                        _(
                            "entity {entity!r} ({ledger}): the parts of {row!r} feed "
                            "{lines} of {statement}; name a row that feeds one line",
                            entity=self.entity.key,
                            ledger=self.ledger,
                            row=side.row,
                            lines=", ".join(lines),
                            statement=statement,
                        ),
                    )
                )
            elif lines:
                self.rows.append(
                    self._figure_row("pair", statement, lines[0], elimination, number, amount)
                )

    def _figure_row(
        self, kind: str, statement: str, line: str, pair: int, side: int, amount: int
    ) -> FigureRow:
        return FigureRow(
            self.entity.scope,
            self.entity.key,
            kind,
            statement,
            line,
            pair,
            side,
            amount,
            self.work.weight,
        )
