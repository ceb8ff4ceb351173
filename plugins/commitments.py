"""債務負担行為 are well formed: dated in the budget's year, burdening whole fiscal years.

    2016-04-01 custom "yosan-commitment" "LGWAN運用監視" 305000000 JPY 2017-04-01 2020-03-31
      segment: "lgwan"

A commitment whose burden starts before its act year (the directive's date),
ends before it starts, does not start on a 1 April or end on a 31 March, whose
act year is not the budget's, whose limit is not whole positive yen, or that
names no declared segment is an error at its line (the form is explained in
``yosan_ledger.plugins.core.commitments``).
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core import results
from yosan_ledger.plugins.core.commitments import (
    COMMITMENT,
    LAYOUT_FILE,
    commitments,
    commitments_layout,
)
from yosan_ledger.plugins.core.messages import _

__plugins__ = ("validate_commitments",)

CommitmentError = namedtuple("CommitmentError", "source message entry")


def validate_commitments(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[CommitmentError]]:
    """Each 債務負担行為 is what it says: dated in the budget's act year, burdening whole
    fiscal years that start no earlier, a whole positive limit, a declared segment."""
    layout, error = commitments_layout(entries)
    if error is not None:
        return entries, [CommitmentError(*results.layout_problem(error, None))]
    if layout is None:
        what = _("commitments")
        problems = results.undeclared(entries, COMMITMENT, LAYOUT_FILE, what)
    else:
        problems = commitments(entries)[1]
    return entries, [CommitmentError(*p) for p in problems]
