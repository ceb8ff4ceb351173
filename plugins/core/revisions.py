"""補正予算: a budget and its revisions in one ledger, each version's statements.

    2027-12-20 custom "yosan-revision" "令和9年度12月補正予算"
    2027-12-20 * "施設修繕費の増額" #hall
      revision: "令和9年度12月補正予算"
      …

A revision is declared by a directive dated the day it is adopted; its
transactions carry its name in ``revision`` metadata (``pushmeta`` gives it to a
file of them).  Transactions without it are the original budget (当初予算).  The
versions of the budget are the original, then the budget as revised through each
revision in date order; the last is the budget in force (予算現額).  Each version's
statements are the engine's over the transactions of that version.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from beancount.core import data

from yosan_ledger.plugins.core import results, walk
from yosan_ledger.plugins.core.budget import VERSION, canonical, find_budget, values
from yosan_ledger.plugins.core.engine import Statements, compute_statements, statements_of
from yosan_ledger.plugins.core.memo import of_entries
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.sums import merged

REVISION = "yosan-revision"
META = VERSION  # a transaction's (or published figure's) revision
ORIGINAL = "当初"  # what `--revision` calls the original budget
ORIGINAL_TITLE = "当初予算"
FORM = _('custom "yosan-revision" "name" (dated the day the revision is adopted)')


@dataclass(frozen=True)
class Revision:
    name: str
    adopted: datetime.date
    entry: data.Custom


@of_entries
def revisions(entries: list[data.Directive]) -> tuple[Revision, ...]:
    """The well-formed revisions, in the order they were adopted (ties: file order);
    the first of a name only (``yosan_ledger.plugins.revisions`` reports the rest)."""
    found: dict[str, Revision] = {}
    for entry in walk.customs(entries, REVISION):
        args = values(entry)
        if len(args) == 1 and isinstance(args[0], str) and args[0].strip():
            name = canonical(args[0])
            if name != ORIGINAL and name not in found:
                found[name] = Revision(name, entry.date, entry)
    return tuple(sorted(found.values(), key=lambda r: r.adopted))


def names(entries: list[data.Directive]) -> tuple[str, ...]:
    """The versions, oldest first: ``当初``, then each revision's name."""
    return (ORIGINAL, *(r.name for r in revisions(entries)))


def latest(entries: list[data.Directive]) -> str:
    return names(entries)[-1]


def revision_of(entry: data.Directive) -> str | None:
    """The revision a transaction (or a published figure) belongs to; None: 当初."""
    value = (entry.meta or {}).get(META)
    return canonical(str(value)) if value is not None else None


@of_entries
def _statements_by_version(entries: list[data.Directive]) -> dict[str, Statements | None]:
    """Each version's statements, worked out when first asked for."""
    return {}


def statements_as_of(
    entries: list[data.Directive], version: str | None = None
) -> Statements | None:
    """The statements of one version (None or the latest: the budget in force)."""
    versions = names(entries)
    if version is None or version == versions[-1]:
        return results.statements(entries)
    if version not in versions:
        raise KeyError(version)
    known = _statements_by_version(entries)
    if version not in known:
        through = {None, *versions[1 : versions.index(version) + 1]}
        known[version] = _version_statements(entries, through)
    return known[version]


def _version_statements(
    entries: list[data.Directive], through: set[str | None]
) -> Statements | None:
    """The statements of the transactions of the original budget and of the
    revisions ``through`` names, from the files' sums."""
    layouts = results.layouts(entries)
    budget = find_budget(walk.of_type(entries, data.Custom))[0]
    basis, parts = results.basis(entries), results.contributions(entries)
    if layouts is None or budget is None or basis is None or parts is None:
        return None

    def kept() -> list[data.Directive]:
        return [
            e
            for e in entries
            if type(e) is not data.Transaction
            or (revision_of(e) is None or revision_of(e) in through)
        ]

    if basis.budget != budget:  # a ledger declaring a budget and an actuals directive
        return compute_statements(kept(), layouts)
    sums = merged(parts.values(), basis)
    return statements_of(sums, basis, layouts, versions=through, entries=kept)


def title(version: str) -> str:
    """当初予算, or the revision's name."""
    return ORIGINAL_TITLE if version == ORIGINAL else version


def shown_as(versions: tuple[str, ...] | list[str], version: str | None) -> str:
    """How a table says which version it shows: 当初予算, or 〇〇補正予算による補正後
    (None: the budget in force)."""
    shown = version or versions[-1]
    return title(shown) if shown == ORIGINAL else f"{title(shown)}による補正後"
