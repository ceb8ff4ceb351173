"""Sums per file, merged (issue 26): the statements are made of what each file's
transactions add (``yosan_ledger.plugins.core.sums``), so what any grouping of the
transactions into files adds, merged, must be what all of them add at once: every
sum, every count, and every transaction the statements rule reports.  That is the
property a file's kept contribution stands on.

Hypothesis deals the transactions of each ledger of the repository and of each case of
the bad-input corpus into a few "files" at random; the merge of their contributions
is compared with the contribution of the whole, cell by cell, and the statements made
of the merge with the statements of the load.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

import numpy as np
import pytest
from beancount.core import data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from tests.test_grouping import LEDGERS
from yosan_ledger.plugins.core import actuals, results, walk
from yosan_ledger.plugins.core.engine import compute_statements, statements_of
from yosan_ledger.plugins.core.sums import OPENING, Contribution, contribution_of, merged, month_of
from yosan_ledger.reports.loading.ledger import load_ledger

CORPUS = sorted(p.parent for p in (ROOT / "tests" / "corpus").glob("*/main.beancount"))
MAINS = {name: ROOT / main for name, (main, _folders) in LEDGERS.items()}
MAINS |= {f"corpus/{case.name}": case / "main.beancount" for case in CORPUS}
SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))


@cache
def loaded(name: str):
    entries = load_ledger(MAINS[name], cache=False).entries
    return entries, results.basis(entries)


def cells(sums: Contribution) -> dict:
    """Every cell with a posting or a figure, by its labels: (version, period,
    account) -> the measures of each column."""
    found = {}
    for v, version in enumerate(sums.versions):
        for p, period in enumerate(sums.periods):
            for a, account in enumerate(sums.accounts):
                block = sums.figures[v, p, a]
                if np.any(block):
                    found[version, period, account] = block.tolist()
    return found


def reported(sums: Contribution) -> tuple[Counter, Counter, Counter]:
    """What the statements rule reports, by the transaction's identity."""
    return (
        Counter((id(t), j) for t, j in sums.unplaced),
        Counter((key, id(t), why) for key, t, why in sums.unexplained),
        Counter((key, id(t)) for key, t in sums.ambiguous),
    )


@pytest.mark.parametrize("name", list(MAINS))
@SETTINGS
@given(data=st.data())
def test_the_files_sums_merged_are_the_sums_of_the_whole(name, data):
    entries, basis = loaded(name)
    if basis is None:
        pytest.skip("no budget or no usable layouts: no statements")
    transactions = walk.transactions(entries)
    files = data.draw(st.integers(1, 5))
    dealt = data.draw(
        st.lists(st.integers(0, files - 1), min_size=len(transactions), max_size=len(transactions))
    )
    parts = [
        contribution_of([t for t, f in zip(transactions, dealt, strict=True) if f == i], basis)
        for i in range(files)
    ]
    whole = contribution_of(transactions, basis)
    together = merged(parts, basis)
    assert cells(together) == cells(whole)
    assert reported(together) == reported(whole)

    statements = results.statements(entries)
    actual = actuals.period(entries)[1]
    made = statements_of(together, basis, results.layouts(entries), actual=actual, entries=entries)
    for key, frame in statements.figures.items():
        assert made.figures[key].equals(frame), key
    assert (made.unplaced, made.unexplained, made.ambiguous) == (
        statements.unplaced,
        statements.unexplained,
        statements.ambiguous,
    )


def test_some_case_reports_what_a_merge_must_keep():
    """The corpus holds transactions the statements rule reports (a posting on no line,
    a cash movement no row takes), so the comparison above is not of empty lists."""
    kinds = set()
    for name in MAINS:
        entries, basis = loaded(name)
        if basis is not None:
            whole = contribution_of(walk.transactions(entries), basis)
            kinds |= {kind for kind, found in zip("uxa", reported(whole), strict=True) if found}
    assert {"u", "x"} <= kinds, kinds


def test_an_empty_part_adds_nothing():
    entries, basis = loaded("fy2016")
    whole = contribution_of(walk.transactions(entries), basis)
    assert cells(merged([contribution_of([], basis), whole], basis)) == cells(whole)


@pytest.mark.parametrize("name", ["town-actuals", "kumiai-actuals", "university"])
def test_the_sums_through_a_month_are_the_statements_of_the_journal_through_it(name):
    """A contribution keeps each month apart: the statements through a month, chosen
    from the sums, are those of the entries with every later transaction left out."""
    entries, basis = loaded(name)
    layouts = results.layouts(entries)
    budget, actual = actuals.period(entries)
    whole = contribution_of(walk.transactions(entries), basis)
    months = [p for p in whole.periods if p != OPENING]
    assert len(months) > 2
    for month in months[:-1]:
        kept = [
            e
            for e in entries
            if type(e) is not data.Transaction
            or e.date == budget.opening_date
            or month_of(e.date) <= month
        ]
        made = statements_of(whole, basis, layouts, actual=actual, through=month, entries=entries)
        alone = compute_statements(kept, layouts, budget, actual=actual)
        for key, frame in alone.figures.items():
            assert made.figures[key].equals(frame), (key, month)
