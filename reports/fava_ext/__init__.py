"""The budget's statements inside Fava, as the published tables show them.

Registered from the ledger::

    2016-04-01 custom "fava-extension" "yosan_ledger.reports.fava_ext"

Each class below is one page in Fava's sidebar, shown only for a ledger it applies
to; Fava lists them in the order of their names, and the names are chosen so that
the budget's statements come first:

- ``YosanStatements``: the ledger's statements (as many as its layouts declare,
  with a switch between them, and one per version of a revised budget; the page is
  named by the budget's title);
- ``YosanStatusOfExecution``: 予算執行状況, and ``YosanSummaryOfSettlement``: 決算報告書,
  of an actual journal;
- ``YosanSupplementaryBudget``: 補正予算, a revision's table, of a budget with revisions;
- ``YosanVerification``: 公表値の照合, of a ledger that states published figures.

The figures come from the statement engine through ``yosan_ledger.reports.tables``;
the pages render them (templates/) and link each figure to the journal behind it.
"""

from __future__ import annotations

from yosan_ledger.reports.fava_ext import report as _report


class YosanStatements(_report.StatementReport):
    pass


class YosanStatusOfExecution(_report.ExecutionReport):
    pass


class YosanSummaryOfSettlement(_report.SettlementReport):
    pass


class YosanSupplementaryBudget(_report.RevisionReport):
    pass


class YosanVerification(_report.ChecksReport):
    pass
