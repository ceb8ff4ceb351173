"""Published figures (``custom "yosan-published"``) beside the figures the ledger gives.

    2017-03-31 custom "yosan-published" "bs" "現金預金" "general" 3141526 "千円"

The rule that reports a difference is ``yosan_ledger.plugins.published``; the
Fava extension lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from yosan_ledger.plugins.core import walk
from yosan_ledger.plugins.core.budget import TOTAL, values
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.problem import Problem
from yosan_ledger.plugins.core.units import BY_LABEL, Unit, round_half_up, unknown_unit

PUBLISHED = "yosan-published"
FORM = 'custom "yosan-published" "statement" "row" "segment|total" FIGURE "千円"'


@dataclass(frozen=True)
class PublishedFigure:
    """One stated figure, with what the ledger gives for it."""

    entry: data.Custom
    statement: str
    row_key: str
    label: str
    segment: str
    published: int
    unit: Unit
    computed: int

    @property
    def matches(self) -> bool:
        return self.published == self.computed


def published_figures(
    entries: list[data.Directive], statements: Statements
) -> tuple[list[PublishedFigure], list[Problem]]:
    """Every well-formed published figure beside the computed one; errors for the rest."""
    figures, errors = [], []
    segment_names = {s.key: s.name for s in statements.segments}
    for entry in walk.customs(entries, PUBLISHED):
        args = values(entry)
        if (
            len(args) != 5
            or not all(isinstance(a, str) for a in args[:3] + args[4:])
            or not isinstance(args[3], Decimal)
        ):
            errors.append(Problem(entry.meta, f"Malformed published figure: {FORM}", entry))
            continue
        statement, key, segment, number, unit_label = args
        if statement not in statements.figures:
            known = ", ".join(statements.figures)
            message = f"Unknown statement {statement!r}: one of {known}"
            errors.append(Problem(entry.meta, message, entry))
            continue
        row = statements.layouts.find(statement, key)
        if row is None:
            title = statements.layouts[statement].title
            errors.append(Problem(entry.meta, f"{title} has no row {key!r}", entry))
            continue
        if segment != TOTAL and segment not in segment_names:
            errors.append(
                Problem(
                    entry.meta,
                    f"Unknown segment {segment!r}: one of {', '.join(segment_names)} or total",
                    entry,
                )
            )
            continue
        unit = BY_LABEL.get(unit_label)
        if unit is None:
            errors.append(Problem(entry.meta, unknown_unit(unit_label), entry))
            continue
        if number != number.to_integral_value():
            errors.append(Problem(entry.meta, f"A published figure is whole {unit.label}", entry))
            continue
        computed = round_half_up(statements.figure(row.ref, segment), unit)
        figures.append(
            PublishedFigure(
                entry, statement, row.key, row.label, segment, int(number), unit, computed
            )
        )
    return figures, errors
