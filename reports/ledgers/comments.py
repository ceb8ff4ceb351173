"""The comments ``yosan new`` and ``yosan rollover`` write into a ledger's files, in
the language of the locale (the catalog's, as every message), wrapped to the width
of a ledger's lines.

A starter file marks the place of each comment with a line ``@@name@@``; ``filled``
puts the comment there, each line behind the file's comment sign (``;`` in a
ledger, ``#`` in a layout).
"""

from __future__ import annotations

import re

from yosan_ledger.plugins.core.messages import Message, _, locale_language, translated
from yosan_ledger.reports.rendering.text import fill

WIDTH = 88  # columns of a comment line, its sign included
PLACE = re.compile(r"^@@([a-z-]+)@@$", re.MULTILINE)

STARTER: dict[str, Message] = {
    "main": _(
        "A NEW LEDGER FROM `yosan new`: its figures are placeholders, not a budget. "
        "Change, in this order: the title below; the budget's title and dates; the accounts "
        "(accounts.beancount) and the statements' lines (layouts/); the segments "
        "(segments.beancount, one file each under segments/); then write the budget's "
        "transactions. `yosan check` says what is wrong, at its file and line."
    ),
    "budget": _(
        "The budget: dated the day it is adopted, with the first and last day of its year."
    ),
    "layouts": _("The statements it prints: the TOML files in layouts/."),
    "rules": _("Every rule of yosan-ledger, checked on each load (bean-check, Fava, yosan)."),
    "segments": _(
        "The business segments (事業): key (also the transactions' tag: lower-case ASCII), "
        "name, and the areas of the business plan the segment serves. Add one line and one "
        "file under segments/ per segment."
    ),
    "segment": _(
        "This segment's file: every transaction between pushtag and poptag belongs to it."
    ),
    "opening": _(
        "Opening balances (前期末): dated the day before the year starts, balance accounts only."
    ),
    "transactions": _(
        "The year's budget: replace these placeholders with the budget's own transactions."
    ),
    "accounts": _(
        "The chart of accounts: each account names the statement line it feeds (`line:`), a "
        "line of layouts/bs.toml for Assets, Liabilities and Equity, of layouts/pl.toml for "
        "Income and Expenses. Rename, add or remove accounts and lines together."
    ),
    "statements": _(
        "The statements of this (made-up) body, in the order they print; each is <key>.toml. "
        "kind: balance (fed by Assets, Liabilities, Equity accounts), flow (fed by Income and "
        "Expenses accounts) or cash (a cash plan made of the other statements' rows)."
    ),
    "bs": _(
        "予定貸借対照表: rows in print order. heading: opens a section; line: fed by the "
        "accounts naming it (`plus` adds rows of other statements); total: signed sum of rows "
        '("-x" subtracts). hide_zero = true leaves a row out of the printed table when zero.'
    ),
    "closes-into": _("`yosan rollover` carries the year's result into this line's account."),
    "checks": _("Every segment's balance sheet balances on its own."),
    "pl": _("予定損益計算書: fed by the Income and Expenses accounts."),
    "cf": _(
        "資金計画: each cash row takes the accounts feeding the named rows, on one basis: flow "
        "(their postings in transactions that move cash or working capital), opening or "
        "closing (their balance). Cash in is positive; a heading of sign = -1 shows cash out."
    ),
}


def comment(text: str, sign: str = ";") -> str:
    """``text`` in the locale's language as comment lines behind ``sign``."""
    shown = translated(text, locale_language())
    return "".join(f"{sign} {line}\n" for line in fill(shown, WIDTH - len(sign) - 1))


def filled(text: str, sign: str) -> str:
    """A starter file with each ``@@name@@`` line replaced by its comment."""
    return PLACE.sub(lambda found: comment(STARTER[found[1]], sign).rstrip("\n"), text)
