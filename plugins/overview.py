"""The published 予算の概要 matches the two budgets it compares.

    2016-02-25 custom "yosan-comparison" "27年度6月補正" "fy2015/main.beancount"
    2017-03-31 custom "yosan-overview-published" "営業収益" "百万円"
      this: 51815
      that: 75060
      change: -23245

An overview-published directive states one item of the published overview: this
budget's figure, the other budget's (``yosan-comparison``), and 増減 (this − that),
each rounded half-up on its own to the unit.  The figures are metadata, since two
numbers side by side do not survive Beancount's own printer: ``75060 (-23245)``
comes back as ``75060 -23245``, which Beancount reads as one subtraction.  A figure
the two ledgers no longer give is an error at the directive's line; the other
ledger's own errors are reported at the comparison directive, and a second
comparison is an error.
"""

from __future__ import annotations

from collections import namedtuple
from decimal import Decimal

import pandas as pd
from beancount.core import data

from yosan_ledger.plugins.core import results, revisions, walk
from yosan_ledger.plugins.core.budget import values
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.overview import (
    COLUMNS,
    COMPARISON_FORM,
    LAYOUT_FILE,
    Comparison,
    OverviewLayout,
    comparison_of,
    declared,
    overview_frame,
    overview_layout,
    well_formed,
    year_header,
)
from yosan_ledger.plugins.core.units import BY_LABEL, discrepancy, round_half_up, unknown_unit

__plugins__ = ("check_overview",)

OverviewError = namedtuple("OverviewError", "source message entry")

OVERVIEW_PUBLISHED = "yosan-overview-published"
PUBLISHED_FORM = _(
    'custom "yosan-overview-published" "item" "百万円" with the whole figures as metadata '
    "this: (this budget), that: (the other budget) and change: (増減), one a line "
    "(not as values after the item: Beancount reads 75060 -23245 as a subtraction)"
)


def _comparison_errors(comparison: Comparison) -> list[OverviewError]:
    problems = comparison.problems
    if not problems:
        return []
    about = dict(ledger=comparison.relative, first=problems[0], more=len(problems) - 1)
    if len(problems) == 1:
        message = _("The comparison budget {ledger} has 1 error: {first}", **about)
    else:
        message = _(
            "The comparison budget {ledger} has {count} errors: {first} (and {more} more)",
            count=len(problems),
            **about,
        )
    return [OverviewError(comparison.directive.meta, message, comparison.directive)]


def check_overview(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[OverviewError]]:
    """Each published overview item (this year, the other, 増減) is what the two budgets
    give; the comparison ledger loads without errors."""
    errors: list[OverviewError] = []
    found = declared(entries)
    comparison = None
    if found:
        if not well_formed(found[0]):
            errors.append(
                OverviewError(
                    found[0].meta,
                    _("Malformed comparison: {form}", form=COMPARISON_FORM),
                    found[0],
                )
            )
        else:
            comparison = comparison_of(entries)
            errors += _comparison_errors(comparison)
            # The other ledger's files count as this ledger's input: the statement
            # cache and Fava's file watcher then see an edit to them.
            if "include" in options_map:
                options_map["include"] = list(
                    dict.fromkeys([*options_map["include"], *comparison.files])
                )
        errors += [
            OverviewError(e.meta, _("A second comparison budget; a ledger compares with one"), e)
            for e in found[1:]
        ]
    published = walk.customs(entries, OVERVIEW_PUBLISHED)
    layout, error = overview_layout(entries)
    if error is not None:
        return entries, [*errors, OverviewError(*results.layout_problem(error, None))]
    if published and layout is None:
        what = _("a published overview")
        problems = results.undeclared(entries, OVERVIEW_PUBLISHED, LAYOUT_FILE, what)
        return entries, errors + [OverviewError(*p) for p in problems]
    if not published:
        return entries, errors
    statements = results.statements(entries)
    if statements is None:
        return entries, errors  # yosan_ledger.plugins.fiscal_year reports the missing budget
    if comparison is None:
        errors.append(
            OverviewError(
                published[0].meta,
                _(
                    "Published overview figures need a comparison budget: {form}",
                    form=COMPARISON_FORM,
                ),
                published[0],
            )
        )
        return entries, errors
    if comparison.statements is None:
        return entries, errors  # reported at the comparison directive
    headers = (year_header(statements.budget), comparison.label, layout.change_header)
    frames: dict[str, pd.DataFrame] = {}
    for entry in published:
        # An item states the original budget, or the version its `revision` names.
        version = revisions.revision_of(entry) or revisions.ORIGINAL
        if version not in revisions.names(entries):
            continue  # yosan_ledger.plugins.revisions reports it
        if version not in frames:
            this = revisions.statements_as_of(entries, version)
            frames[version] = overview_frame(this, comparison.statements, layout)
        errors += _check_item(entry, frames[version], layout, headers)
    return entries, errors


def _check_item(
    entry: data.Custom, frame: pd.DataFrame, layout: OverviewLayout, headers: tuple[str, ...]
) -> list[OverviewError]:
    args = values(entry)
    figures = [entry.meta.get(column) for column in COLUMNS]
    if (
        len(args) != 2
        or not all(isinstance(a, str) for a in args)
        or not all(isinstance(f, Decimal) and f == f.to_integral_value() for f in figures)
    ):
        return [
            OverviewError(
                entry.meta,
                _("Malformed published overview figure: {form}", form=PUBLISHED_FORM),
                entry,
            )
        ]
    label, unit_label = args
    if layout.item(label) is None:
        known = ", ".join(i.label for i in layout.items)
        return [
            OverviewError(
                entry.meta,
                _("The overview has no item {item!r}: one of {known}", item=label, known=known),
                entry,
            )
        ]
    unit = BY_LABEL.get(unit_label)
    if unit is None:
        return [OverviewError(entry.meta, unknown_unit(unit_label), entry)]
    errors = []
    for column, header, published in zip(COLUMNS, headers, figures, strict=True):
        computed = round_half_up(int(frame.at[label, column]), unit)
        if computed != int(published):
            errors.append(
                OverviewError(
                    entry.meta,
                    _(
                        "予算の概要 {item} ({header}): {discrepancy}",
                        item=label,
                        header=header,
                        discrepancy=discrepancy(
                            int(published), computed, unit, gives="the ledgers give"
                        ),
                    ),
                    entry,
                )
            )
    return errors
