"""An actual journal names a budget that loads, and is never a budget itself.

    2016-04-01 custom "yosan-actuals" "../budget/main.beancount"

A ledger is a budget (``yosan-budget``) or the actual journal of one
(``yosan-actuals``), never both: both in one ledger is an error at the actuals
directive.  So is an actuals directive that is malformed, a second one, or one
whose budget ledger is missing or has errors (the first of them is quoted).  The
actual journal's transactions must lie in the budget's fiscal year
(``yosan_ledger.plugins.fiscal_year``).  A note on the 決算報告書
(``custom "yosan-settlement-note" "statement" "row" "segment|total" "text"``) names a
row and a segment that exist.
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core import actuals, execution, results
from yosan_ledger.plugins.core.budget import find_budget
from yosan_ledger.plugins.core.messages import _

__plugins__ = ("check_actuals",)

ActualsError = namedtuple("ActualsError", "source message entry")


def check_actuals(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[ActualsError]]:
    """An actual journal names one budget that loads, and declares no budget of its own;
    each settlement note names a row and a segment that exist."""
    found = actuals.declared(entries)
    if not found:
        return entries, []
    entry = found[0]
    errors = [
        ActualsError(e.meta, _("A second budget to execute; an actual journal has one"), e)
        for e in found[1:]
    ]
    budget = find_budget(entries)[1]
    if budget is not None:
        where = f"{budget.meta.get('filename')}:{budget.meta.get('lineno')}"
        errors.append(
            ActualsError(
                entry.meta,
                _(
                    "A ledger is a budget or the actual journal of one, never both: this one "
                    "also declares a budget ({where})",
                    where=where,
                ),
                entry,
            )
        )
        return entries, errors
    if not actuals.well_formed(entry):
        return entries, [
            *errors,
            ActualsError(entry.meta, _("Malformed actuals: {form}", form=actuals.FORM), entry),
        ]
    loaded = actuals.actuals_of(entries)
    if loaded is not None and loaded.problems:
        count = len(loaded.problems)
        about = dict(ledger=loaded.relative, first=loaded.problems[0], more=count - 1)
        if count == 1:
            message = _("The budget {ledger} has 1 error: {first}", **about)
        else:
            message = _(
                "The budget {ledger} has {count} errors: {first} (and {more} more)",
                count=count,
                **about,
            )
        errors.append(ActualsError(entry.meta, message, entry))
    statements = results.statements(entries)
    if statements is not None:
        wrong = execution.settlement_notes(entries, statements)[1]
        errors += [ActualsError(note.meta, why, note) for note, why in wrong]
    if loaded is not None and "include" in options_map:
        # The budget's files are this ledger's input too: the cache and Fava see an edit.
        options_map["include"] = list(dict.fromkeys([*options_map["include"], *loaded.files]))
    return entries, errors
