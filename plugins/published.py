"""Each published figure the ledger states matches the figure the ledger gives.

    2017-03-31 custom "yosan-published" "bs" "現金預金" "general" 3141526 "千円"

Arguments: statement (its key in the ledger's layouts), row (label, or ``section/label`` where the
label stands twice), segment key or ``total``, the figure as published (signed:
a loss or a subtracted line is negative), and its unit (円, 千円, 百万円).  The
computed figure is rounded half-up to that unit.  A difference is an error at the
directive's line, so bean-check and Fava show which published figure an edit broke.
A figure with ``revision: "…"`` states the budget as revised through that
revision (補正後); one without, the original budget (当初予算).
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core import results, revisions
from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.problem import Consequence
from yosan_ledger.plugins.core.published import published_by_version
from yosan_ledger.plugins.core.units import discrepancy

__plugins__ = ("check_published",)

PublishedError = namedtuple("PublishedError", "source message entry")


class PublishedMismatch(namedtuple("PublishedMismatch", "source message entry"), Consequence):
    """A published figure the ledger no longer gives."""


def check_published(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[PublishedError]]:
    """Each yosan-published figure is well formed and is what the ledger gives, in its
    unit, for its version of the budget."""
    statements = results.statements(entries)
    if statements is None:
        return entries, []
    figures, problems = published_by_version(entries)
    errors = [PublishedError(*p) for p in problems]
    names = {s.key: s.name for s in statements.segments} | {TOTAL: "合計"}
    revised = len(revisions.names(entries)) > 1
    for figure in figures:
        if not figure.matches:
            title = statements.layouts[figure.statement].title
            version = f"{revisions.title(figure.version)}: " if revised else ""
            errors.append(
                PublishedMismatch(
                    figure.entry.meta,
                    _(
                        "{version}{statement} {row} ({segment}): {discrepancy}",
                        version=version,
                        statement=title,
                        row=figure.row_key,
                        segment=names[figure.segment],
                        discrepancy=discrepancy(figure.published, figure.computed, figure.unit),
                    ),
                    figure.entry,
                )
            )
    return entries, errors
