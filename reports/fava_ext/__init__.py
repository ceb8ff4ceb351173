"""The budget's statements inside Fava, as the published tables show them.

Registered from the ledger::

    2016-04-01 custom "fava-extension" "yosan_ledger.reports.fava_ext"

Each class is one page in Fava's sidebar, shown only for a ledger it applies to;
Fava lists them in the order of their names, and the names are chosen so that the
budget's statements come first:

- ``YosanStatements``: the ledger's statements (as many as its layouts declare,
  with a switch between them, and one per version of a revised budget; the page is
  named by the budget's title);
- one page for each kind of table of the registry (``yosan_ledger.reports.tables.kinds``)
  that names one: 予算執行状況, 決算報告書, 補正予算, 予算の概要 …, made below from the
  registry (a kind's page is ``report.TablesReport``'s, or the page of its own that
  ``PAGES`` names);
- ``YosanVerification``: 公表値の照合, of a ledger that states published figures.

The figures come from the statement engine through ``yosan_ledger.reports.tables``;
the pages render them (templates/) and link each figure to the journal behind it.
"""

from __future__ import annotations

from yosan_ledger.reports.fava_ext import report as _report
from yosan_ledger.reports.tables.kinds import kinds


class YosanStatements(_report.StatementReport):
    pass


class YosanVerification(_report.ChecksReport):
    pass


# The kinds whose page is drawn by a class of its own (figures that open their postings).
PAGES = {"execution": _report.ExecutionReport, "revision": _report.RevisionReport}

for _kind in kinds().values():
    if _kind.fava:
        _base = PAGES.get(_kind.name, _report.TablesReport)
        globals()[_kind.fava] = type(
            _kind.fava, (_base,), {"kind_name": _kind.name, "__module__": __name__}
        )
