"""Which statement row each account feeds, from the ``line`` (or ``total``) on its Open.

Balance-sheet accounts (Assets, Liabilities, Equity) feed a row of the balance
sheet, income-statement accounts (Income, Expenses) a row of the income
statement; the rule that checks it is ``yosan_ledger.plugins.statement_lines``.
"""

from __future__ import annotations

from collections.abc import Iterable

from beancount.core import account_types, data

from yosan_ledger.plugins.core import walk
from yosan_ledger.plugins.core.layout import Layouts
from yosan_ledger.plugins.core.problem import Problem

LINE = "line"  # Open metadata: the row an account feeds
SUMMARY = "total"  # Open metadata: the total a summary-level account feeds directly
# Metadata of the yosan-budget directive: `level: "summary"` declares a ledger known
# only in totals, whose statements' sections need not add up to their totals.
LEVEL, SUMMARY_LEVEL = "level", "summary"


def is_summary_level(entries: Iterable[data.Directive]) -> bool:
    """Whether the ledger's budget is declared summary-level (``level: "summary"``)."""
    return any(
        e.type == "yosan-budget" and e.meta.get(LEVEL) == SUMMARY_LEVEL
        for e in walk.of_type(entries, data.Custom)
    )


ROOTS = tuple(account_types.DEFAULT_ACCOUNT_TYPES)


def statement_of(account: str) -> str:
    """``bs`` for balance-sheet accounts, ``pl`` for income-statement ones."""
    root = account_types.get_account_type(account)
    return "pl" if root in ("Income", "Expenses") else "bs"


def map_accounts(
    entries: Iterable[data.Directive], layouts: Layouts
) -> tuple[dict[str, str], list[Problem]]:
    """Each opened account's row reference (``bs:現金及び預金``), and the errors."""
    mapping: dict[str, str] = {}
    errors: list[Problem] = []
    summary_level = is_summary_level(entries)
    for entry in walk.of_type(entries, data.Open):
        root = account_types.get_account_type(entry.account)
        if root not in ROOTS:
            errors.append(
                Problem(
                    entry.meta,
                    f"Account {entry.account} stands under {root}, not under one of "
                    f"{', '.join(ROOTS)}; the statements read an account's side from its root",
                    entry,
                )
            )
            continue
        statement = statement_of(entry.account)
        value = entry.meta.get(LINE)
        summary = entry.meta.get(SUMMARY)
        if summary is not None:
            error = _summary_error(entry, value, str(summary).strip(), statement, layouts)
            if error is not None:
                errors.append(error)
                continue
            row = layouts.find(statement, str(summary).strip())
            mapping[entry.account] = row.ref
            if not summary_level and row.terms:
                parts = ", ".join(layouts.row(t.ref).label for t in row.terms)
                errors.append(
                    Problem(
                        entry.meta,
                        f"Account {entry.account} feeds the total {row.label} directly, so "
                        f"{row.label} would no longer be the sum of {parts}; name the line "
                        "it belongs to, or declare a ledger known only in totals with "
                        f'`{LEVEL}: "{SUMMARY_LEVEL}"` on its yosan-budget directive',
                        entry,
                    )
                )
            continue
        if value is None:
            errors.append(
                Problem(
                    entry.meta,
                    f"Account {entry.account} feeds no statement line: "
                    f'give its Open a `line: "…"` naming a row of {layouts[statement].title}',
                    entry,
                )
            )
            continue
        names = [n.strip() for n in str(value).replace("、", ",").split(",") if n.strip()]
        if len(names) != 1:
            errors.append(
                Problem(
                    entry.meta,
                    f"Account {entry.account} feeds {len(names)} statement lines "
                    f"({', '.join(names) or 'none'}); an account feeds exactly one",
                    entry,
                )
            )
            continue
        row = layouts.find(statement, names[0])
        if row is None or row.kind != "line":
            errors.append(
                Problem(
                    entry.meta,
                    f"Account {entry.account} names line {names[0]!r}, but "
                    f"{layouts[statement].title} has no line of that name fed by accounts",
                    entry,
                )
            )
            continue
        mapping[entry.account] = row.ref
    return mapping, errors


def _summary_error(
    entry: data.Open, line: object, name: str, statement: str, layouts: Layouts
) -> Problem | None:
    if line is not None:
        return Problem(
            entry.meta,
            f"Account {entry.account} names both a line ({line}) and a total ({name}); "
            "an account feeds one row",
            entry,
        )
    row = layouts.find(statement, name)
    if row is None or row.kind != "total":
        return Problem(
            entry.meta,
            f"Account {entry.account} names total {name!r}, but "
            f"{layouts[statement].title} has no total of that name",
            entry,
        )
    return None
