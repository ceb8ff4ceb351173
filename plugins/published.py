"""Each published figure the ledger states matches the figure the ledger gives.

    2017-03-31 custom "yosan-published" "bs" "現金及び預金" "general" 3141526 "千円"

Arguments: statement (bs, pl, cf), row (label, or ``section/label`` where the
label stands twice), segment key or ``total``, the figure as published (signed:
a loss or a subtracted line is negative), and its unit (円, 千円, 百万円).  The
computed figure is rounded half-up to that unit.  A difference is an error at the
directive's line, so bean-check and Fava show which published figure an edit broke.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from plugins import walk
from plugins.budget import TOTAL, values
from plugins.engine import Statements, compute_statements
from plugins.statements import statements_of
from plugins.units import BY_LABEL, Unit, discrepancy, round_half_up, unknown_unit

__plugins__ = ("check_published",)

PublishedError = namedtuple("PublishedError", "source message entry")

PUBLISHED = "yosan-published"
FORM = 'custom "yosan-published" "bs|pl|cf" "row" "segment|total" FIGURE "千円"'


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
) -> tuple[list[PublishedFigure], list[PublishedError]]:
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
            errors.append(PublishedError(entry.meta, f"Malformed published figure: {FORM}", entry))
            continue
        statement, key, segment, number, unit_label = args
        if statement not in statements.figures:
            errors.append(
                PublishedError(
                    entry.meta, f"Unknown statement {statement!r}: one of bs, pl, cf", entry
                )
            )
            continue
        row = statements.layouts.find(statement, key)
        if row is None:
            title = statements.layouts[statement].title
            errors.append(PublishedError(entry.meta, f"{title} has no row {key!r}", entry))
            continue
        if segment != TOTAL and segment not in segment_names:
            errors.append(
                PublishedError(
                    entry.meta,
                    f"Unknown segment {segment!r}: one of {', '.join(segment_names)} or total",
                    entry,
                )
            )
            continue
        unit = BY_LABEL.get(unit_label)
        if unit is None:
            errors.append(PublishedError(entry.meta, unknown_unit(unit_label), entry))
            continue
        if number != number.to_integral_value():
            errors.append(
                PublishedError(entry.meta, f"A published figure is whole {unit.label}", entry)
            )
            continue
        computed = round_half_up(statements.figure(row.ref, segment), unit)
        figures.append(
            PublishedFigure(
                entry, statement, row.key, row.label, segment, int(number), unit, computed
            )
        )
    return figures, errors


def check_published(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[PublishedError]]:
    statements = statements_of(options_map) or compute_statements(entries)
    if statements is None:
        return entries, []
    figures, errors = published_figures(entries, statements)
    names = {s.key: s.name for s in statements.segments} | {TOTAL: "合計"}
    for figure in figures:
        if not figure.matches:
            title = statements.layouts[figure.statement].title
            errors.append(
                PublishedError(
                    figure.entry.meta,
                    f"{title} {figure.row_key} ({names[figure.segment]}): "
                    + discrepancy(figure.published, figure.computed, figure.unit),
                    figure.entry,
                )
            )
    return entries, errors
