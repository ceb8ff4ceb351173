"""Published figures (``custom "yosan-published"``) beside the figures the ledger gives.

    2017-03-31 custom "yosan-published" "bs" "現金預金" "general" 3141526 "千円"

The rule that reports a difference is ``yosan_ledger.plugins.published``; the
Fava extension lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from yosan_ledger.plugins.core import revisions, walk
from yosan_ledger.plugins.core.budget import TOTAL, values
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.problem import Problem
from yosan_ledger.plugins.core.revisions import ORIGINAL
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
    version: str = ORIGINAL  # the budget's version it states (revision metadata)

    @property
    def matches(self) -> bool:
        return self.published == self.computed


def published_by_version(
    entries: list[data.Directive],
) -> tuple[list[PublishedFigure], list[Problem]]:
    """Every well-formed published figure beside the figure of the version it states
    (its ``revision``, else the original budget); errors for the malformed."""
    groups: dict[str, list[data.Custom]] = {}
    for entry in walk.customs(entries, PUBLISHED):
        groups.setdefault(revisions.revision_of(entry) or ORIGINAL, []).append(entry)
    figures, problems = [], []
    for version, directives in groups.items():
        if version not in revisions.names(entries):
            continue  # yosan_ledger.plugins.revisions reports it
        statements = revisions.statements_as_of(entries, version)
        if statements is None:
            continue
        found, wrong = published_figures(statements, directives, version)
        figures += found
        problems += wrong
    order = {id(e): n for n, e in enumerate(walk.customs(entries, PUBLISHED))}
    figures.sort(key=lambda f: order[id(f.entry)])
    return figures, problems


def published_figures(
    statements: Statements, directives: list[data.Custom], version: str = ORIGINAL
) -> tuple[list[PublishedFigure], list[Problem]]:
    """The published figures of ``directives`` beside the computed ones; errors for
    the malformed."""
    figures, errors = [], []
    segment_names = {s.key: s.name for s in statements.segments}
    for entry in directives:
        args = values(entry)
        if (
            len(args) != 5
            or not all(isinstance(a, str) for a in args[:3] + args[4:])
            or not isinstance(args[3], Decimal)
        ):
            message = _("Malformed published figure: {form}", form=FORM)
            errors.append(Problem(entry.meta, message, entry))
            continue
        statement, key, segment, number, unit_label = args
        if statement not in statements.figures:
            known = ", ".join(statements.figures)
            message = _(
                "Unknown statement {statement!r}: one of {known}", statement=statement, known=known
            )
            errors.append(Problem(entry.meta, message, entry))
            continue
        row = statements.layouts.find(statement, key)
        if row is None:
            title = statements.layouts[statement].title
            message = _("{statement} has no row {row!r}", statement=title, row=key)
            errors.append(Problem(entry.meta, message, entry))
            continue
        if segment != TOTAL and segment not in segment_names:
            errors.append(
                Problem(
                    entry.meta,
                    _(
                        "Unknown segment {segment!r}: one of {known} or total",
                        segment=segment,
                        known=", ".join(segment_names),
                    ),
                    entry,
                )
            )
            continue
        unit = BY_LABEL.get(unit_label)
        if unit is None:
            errors.append(Problem(entry.meta, unknown_unit(unit_label), entry))
            continue
        if number != number.to_integral_value():
            message = _("A published figure is whole {unit}", unit=unit.label)
            errors.append(Problem(entry.meta, message, entry))
            continue
        computed = round_half_up(statements.figure(row.ref, segment), unit)
        figures.append(
            PublishedFigure(
                entry, statement, row.key, row.label, segment, int(number), unit, computed, version
            )
        )
    return figures, errors
