"""The budget's statements inside Fava, as the published tables show them.

Registered from the ledger::

    2016-04-01 custom "fava-extension" "yosan_ledger.reports.fava_ext"

Each class below is one page in Fava's sidebar (Fava lists them in the order
of their names): the ledger's statements (as many as its layouts declare, with a
switch between them, and one per version of a revised budget; the page is named by the
budget's title), 補正予算 (a revision's table) and 公表値の照合.  The
figures come from the statement engine through ``yosan_ledger.reports.tables.statements``; the pages
render them (templates/) and link each figure to the journal behind it.
"""

from __future__ import annotations

from yosan_ledger.reports.fava_ext import report as _report


class YosanStatements(_report.StatementReport):
    pass


class YosanExecution(_report.ExecutionReport):
    pass


class YosanRevision(_report.RevisionReport):
    pass


class YosanPublishedFigures(_report.ChecksReport):
    pass
