"""Every rule of yosan-ledger, in the order they run: a ledger names this one plugin.

    plugin "yosan_ledger.plugins.all"

The ledger's files through the gate first (for a load that did not pass it before
its parse: bean-check, plain Fava); then the segments, the fiscal year, the layouts
and whole yen (the statements assume them), then each account's statement line, the
statements themselves, and last the checks of published figures and the schedules;
last the execution of a year (a local government's declaration, the acts, the
closing period, the control of commitments, revenue and carry-overs).  This is the
only place the order is written.
"""

from __future__ import annotations

from beancount import loader

from yosan_ledger.plugins import (
    acts,
    actuals,
    advances,
    budget_control,
    carryovers,
    closing_period,
    commitments,
    fiscal_year,
    layouts,
    local_government,
    overview,
    published,
    revenue,
    revisions,
    segments,
    sources,
    statement_lines,
    statements,
    yen,
)

RULES = (
    sources,
    segments,
    actuals,
    fiscal_year,
    layouts,
    yen,
    statement_lines,
    statements,
    revisions,
    published,
    overview,
    advances,
    commitments,
    local_government,
    acts,
    closing_period,
    budget_control,
    revenue,
    carryovers,
)

__plugins__ = loader.combine_plugins(*RULES)
