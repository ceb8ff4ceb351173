"""Which statement row each account feeds, from the ``line`` (or ``total``) on its Open.

Assets, Liabilities and Equity accounts feed a row of the ledger's first
statement of kind ``balance``, Income and Expenses accounts a row of its first
statement of kind ``flow`` (``line: "key:row"`` names another statement of the
right kind); the rule that checks it is ``yosan_ledger.plugins.statement_lines``.
"""

from __future__ import annotations

from collections.abc import Iterable

from beancount.core import account_types, data

from yosan_ledger.plugins.core import walk
from yosan_ledger.plugins.core.layout import ROOTS_OF_KIND, Layouts
from yosan_ledger.plugins.core.messages import _
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


def statement_of(account: str, layouts: Layouts) -> str | None:
    """The key of the statement an account feeds: the first balance statement for
    Assets, Liabilities and Equity, the first flow statement for Income and
    Expenses; None when the ledger has no statement of that kind."""
    layout = layouts.statement_for_root(account_types.get_account_type(account))
    return layout.statement if layout is not None else None


def map_accounts(
    entries: Iterable[data.Directive], layouts: Layouts
) -> tuple[dict[str, str], list[Problem]]:
    """Each opened account's row reference (``bs:現金預金``), and the errors."""
    mapping: dict[str, str] = {}
    errors: list[Problem] = []
    summary_level = is_summary_level(entries)
    for entry in walk.of_type(entries, data.Open):
        root = account_types.get_account_type(entry.account)
        if root not in ROOTS:
            errors.append(
                Problem(
                    entry.meta,
                    _(
                        "Account {account} stands under {root}, not under one of {roots}; "
                        "the statements read an account's side from its root",
                        account=entry.account,
                        root=root,
                        roots=", ".join(ROOTS),
                    ),
                    entry,
                )
            )
            continue
        statement = statement_of(entry.account, layouts)
        if statement is None:
            kind = "balance" if root in ("Assets", "Liabilities", "Equity") else "flow"
            errors.append(
                Problem(
                    entry.meta,
                    _(
                        "Account {account} has no statement to feed: the ledger's layouts "
                        'declare no statement of kind "{kind}", which takes {root} accounts',
                        account=entry.account,
                        kind=kind,
                        root=root,
                    ),
                    entry,
                )
            )
            continue
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
                        _(
                            "Account {account} feeds the total {row} directly, so "
                            "{row} would no longer be the sum of {parts}; name the line "
                            "it belongs to, or declare a ledger known only in totals with "
                            '`{level}: "{summary}"` on its yosan-budget directive',
                            account=entry.account,
                            row=row.label,
                            parts=parts,
                            level=LEVEL,
                            summary=SUMMARY_LEVEL,
                        ),
                        entry,
                    )
                )
            continue
        if value is None:
            errors.append(
                Problem(
                    entry.meta,
                    _(
                        "Account {account} feeds no statement line: "
                        'give its Open a `line: "…"` naming a row of {statement}',
                        account=entry.account,
                        statement=layouts[statement].title,
                    ),
                    entry,
                )
            )
            continue
        names = [n.strip() for n in str(value).replace("、", ",").split(",") if n.strip()]
        if len(names) != 1:
            errors.append(
                Problem(
                    entry.meta,
                    _(
                        "Account {account} feeds {count} statement lines ({lines}); "
                        "an account feeds exactly one",
                        account=entry.account,
                        count=len(names),
                        lines=", ".join(names) or "none",
                    ),
                    entry,
                )
            )
            continue
        name = names[0]
        prefix, qualified, rest = name.partition(":")
        if qualified and prefix in layouts.by_statement:  # "key:line": another statement
            if root not in ROOTS_OF_KIND[layouts[prefix].kind]:
                errors.append(
                    Problem(
                        entry.meta,
                        _(
                            "Account {account} names {line!r}, but {statement} "
                            "takes no {root} accounts",
                            account=entry.account,
                            line=name,
                            statement=layouts[prefix].title,
                            root=root,
                        ),
                        entry,
                    )
                )
                continue
            statement, name = prefix, rest
        row = layouts.find(statement, name)
        if row is None or row.kind != "line":
            errors.append(
                Problem(
                    entry.meta,
                    _(
                        "Account {account} names line {line!r}, but "
                        "{statement} has no line of that name fed by accounts",
                        account=entry.account,
                        line=name,
                        statement=layouts[statement].title,
                    ),
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
            _(
                "Account {account} names both a line ({line}) and a total ({total}); "
                "an account feeds one row",
                account=entry.account,
                line=line,
                total=name,
            ),
            entry,
        )
    row = layouts.find(statement, name)
    if row is None or row.kind != "total":
        return Problem(
            entry.meta,
            _(
                "Account {account} names total {total!r}, but "
                "{statement} has no total of that name",
                account=entry.account,
                total=name,
                statement=layouts[statement].title,
            ),
            entry,
        )
    return None
