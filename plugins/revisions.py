"""Revisions (補正予算) are declared once each, and every version of the budget holds.

    2016-12-20 custom "yosan-revision" "平成28年度12月補正予算（案）"

A revision directive names the revision (unique, not 当初; names are compared
in Unicode NFC) and is dated within the budget's life: not before the budget was
adopted, not after the fiscal year's end.  A transaction, a published figure or
overview item with ``revision: "…"`` names a declared revision.  Each version of
the budget — the original (当初予算) and the budget as revised through each
revision — must balance on its own: a version whose balance
sheet or cash plan breaks is reported at the revision that made it (for the
original, at the budget or the segment), naming the version.  The budget in
force, the last version, is checked by ``yosan_ledger.plugins.statements``.
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core import walk
from yosan_ledger.plugins.core.budget import TOTAL, declared_segments, find_budget, values
from yosan_ledger.plugins.core.engine import failure_message
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.revisions import (
    FORM,
    ORIGINAL,
    REVISION,
    canonical,
    names,
    revision_of,
    revisions,
    statements_as_of,
    title,
)

__plugins__ = ("check_revisions",)

RevisionError = namedtuple("RevisionError", "source message entry")


def _declaration_errors(entries: list[data.Directive]) -> list[RevisionError]:
    errors, seen = [], set()
    for entry in walk.customs(entries, REVISION):
        args = values(entry)
        if len(args) != 1 or not isinstance(args[0], str) or not args[0].strip():
            message = _("Malformed revision: {form}", form=FORM)
            errors.append(RevisionError(entry.meta, message, entry))
            continue
        name = canonical(args[0])
        if name == ORIGINAL:
            errors.append(
                RevisionError(
                    entry.meta, _("{name!r} names the original budget", name=ORIGINAL), entry
                )
            )
        elif name in seen:
            message = _("Revision {name!r} is declared twice", name=name)
            errors.append(RevisionError(entry.meta, message, entry))
        seen.add(name)
    return errors


def _outside_the_budget(entries: list[data.Directive]) -> list[RevisionError]:
    """Each revision dated before the budget it revises was adopted, or after the
    fiscal year's end: no 補正予算 is adopted then."""
    budget = find_budget(walk.of_type(entries, data.Custom))[0]
    if budget is None:
        return []  # yosan_ledger.plugins.fiscal_year reports it
    errors = []
    for revision in revisions(entries):
        if revision.adopted < budget.adopted:
            message = _(
                "Revision {name!r} is dated {date}, before the budget it revises was "
                "adopted ({adopted})",
                name=revision.name,
                date=revision.adopted,
                adopted=budget.adopted,
            )
        elif revision.adopted > budget.end:
            message = _(
                "Revision {name!r} is dated {date}, after the fiscal year's end ({end})",
                name=revision.name,
                date=revision.adopted,
                end=budget.end,
            )
        else:
            continue
        errors.append(RevisionError(revision.entry.meta, message, revision.entry))
    return errors


def _unknown_revisions(entries: list[data.Directive]) -> list[RevisionError]:
    known = set(names(entries)[1:])
    errors = []
    for entry in entries:
        if type(entry) not in (data.Transaction, data.Custom) or not entry.meta:
            continue
        name = revision_of(entry)
        if name is not None and name not in known:
            listed = ", ".join(known) or _("none is declared")
            errors.append(
                RevisionError(
                    entry.meta,
                    _(
                        "revision {name!r} is not declared ({known}): "
                        '{date} custom "yosan-revision" "{name}"',
                        name=name,
                        known=listed,
                        date=entry.date,
                    ),
                    entry,
                )
            )
    return errors


def check_revisions(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[RevisionError]]:
    """Each revision is declared once and well formed, dated within the budget's life,
    every transaction names a declared revision or none, and every version of the budget
    keeps every rule."""
    errors = (
        _declaration_errors(entries) + _outside_the_budget(entries) + _unknown_revisions(entries)
    )
    versions = names(entries)
    if len(versions) == 1:
        return entries, errors
    by_name = {r.name: r.entry for r in revisions(entries)}
    customs = walk.of_type(entries, data.Custom)
    budget = find_budget(customs)[1]
    segments = declared_segments(customs)
    for version in versions[:-1]:
        statements = statements_as_of(entries, version)
        if statements is None:
            continue
        for failure in statements.failures:
            if version in by_name:
                where = by_name[version]
            elif failure.segment == TOTAL or failure.segment not in segments:
                where = budget
            else:
                where = None
            meta = where.meta if where is not None else segments[failure.segment].meta
            errors.append(
                RevisionError(
                    meta,
                    _(
                        "{version}: {failure}",
                        version=title(version),
                        failure=failure_message(failure, statements),
                    ),
                    where,
                )
            )
    return entries, errors
