"""Advances (前受金): what a budget receives and holds in advance, by purpose.

An account whose Open names an ``advance`` purpose holds the advances received
for it.  予定前受金 is what the year receives into such accounts (their credits in
the year), 累積前受金 their balance at its end.  The rule that ties them to the
statements is ``yosan_ledger.plugins.advances``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from beancount.core import data

from yosan_ledger.plugins.core import results, schema, walk
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.layout import LayoutFile, Layouts
from yosan_ledger.plugins.core.memo import of_entries
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.units import UNITS, Unit

ADVANCE = "advance"  # Open metadata: the purpose the account's advances serve
COLUMNS = ["purpose", "segment", "received", "cumulative"]


@dataclass(frozen=True)
class AdvancesLayout:
    title: str
    unit: Unit
    label_header: str
    received_header: str
    cumulative_header: str
    total_label: str
    balance: str  # "bs:長期前受金": 累積前受金 ties to it
    receipts: str  # "cf:資金収入/その他": 予定前受金 ties to it


LAYOUT_FILE = "advances.toml"


@dataclass(frozen=True)
class Advances:
    """The schedule as the ledger declares it, and its figures (yen)."""

    layout: AdvancesLayout
    frame: pd.DataFrame  # COLUMNS: a row per purpose and segment


SCHEMA = schema.Table(
    {
        "title": schema.TEXT,
        "unit": schema.one_of(*UNITS),
        "label_header": schema.TEXT,
        "received_header": schema.TEXT,
        "cumulative_header": schema.TEXT,
        "total_label": schema.TEXT,
        "balance": schema.TEXT,
        "receipts": schema.TEXT,
    },
    (
        "title",
        "unit",
        "label_header",
        "received_header",
        "cumulative_header",
        "total_label",
        "balance",
        "receipts",
    ),
)


def parse_advances(source: LayoutFile, layouts: Layouts) -> AdvancesLayout:
    raw = source.checked(SCHEMA)
    layout = AdvancesLayout(
        title=raw["title"],
        unit=UNITS[raw["unit"]],
        label_header=raw["label_header"],
        received_header=raw["received_header"],
        cumulative_header=raw["cumulative_header"],
        total_label=raw["total_label"],
        balance=raw["balance"],
        receipts=raw["receipts"],
    )
    for reference in (layout.balance, layout.receipts):
        try:
            layouts.row(reference)
        except KeyError:
            raise source.error(_("no row {row!r} to tie to", row=reference), reference) from None
    return layout


@of_entries
def advances_layout(entries: list[data.Directive]) -> tuple[AdvancesLayout | None, object]:
    """(the ledger's advances layout or None, the error reading it or None)."""
    return results.schedule_layout(entries, LAYOUT_FILE, parse_advances)


def advance_accounts(entries: list[data.Directive]) -> dict[str, data.Open]:
    """The accounts that hold advances, by name, in the order they are opened."""
    return {
        e.account: e for e in walk.of_type(entries, data.Open) if e.meta.get(ADVANCE) is not None
    }


def purposes(entries: list[data.Directive]) -> dict[str, str]:
    """Each advance account's purpose, in the order the accounts are opened."""
    return {name: str(e.meta[ADVANCE]) for name, e in advance_accounts(entries).items()}


def advances_frame(statements: Statements, purpose_of: dict[str, str]) -> pd.DataFrame:
    """One row per purpose and segment with postings (purpose order, then segment
    order): the advances received in the year (the credits to the purpose's
    accounts) and the balance at its end, in yen; from the engine's figures per
    account.  ``purpose_of`` maps each advance account to its purpose, in order."""
    figures = statements.account_figures
    keys = [s.key for s in statements.segments]
    accounts = [a for a in purpose_of if a in figures["postings"].index]
    if not accounts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS[:2]}).assign(
            received=pd.Series(dtype=np.int64), cumulative=pd.Series(dtype=np.int64)
        )
    purposes = pd.Index([purpose_of[a] for a in accounts], name="purpose")

    def per_purpose(name: str) -> pd.Series:
        by_purpose = figures[name].loc[accounts, keys].groupby(purposes, sort=False).sum()
        return by_purpose.rename_axis(columns="segment").stack()

    # A liability: credits are receipts, and its balance is negative.
    frame = pd.DataFrame(
        {
            "received": -per_purpose("credits"),
            "cumulative": -(per_purpose("opening") + per_purpose("flow")),
        }
    )[per_purpose("postings") > 0]
    return frame.reset_index()[COLUMNS].astype({"received": np.int64, "cumulative": np.int64})


def by_purpose(frame: pd.DataFrame, total_label: str) -> pd.DataFrame:
    """予定前受金 and 累積前受金 per purpose over the segments of ``frame``, in
    purpose order, and their total under ``total_label``; yen."""
    sums = frame.groupby("purpose", sort=False)[["received", "cumulative"]].sum()
    sums.loc[total_label] = frame[["received", "cumulative"]].sum()
    return sums.astype(np.int64)


@of_entries
def advances_of(entries: list[data.Directive]) -> Advances | None:
    """The advances by purpose and segment, in yen; None without a budget
    or without the schedule in the ledger's layouts."""
    statements = results.statements(entries)
    layout, _error = advances_layout(entries)
    if statements is None or layout is None:
        return None
    return Advances(layout, advances_frame(statements, purposes(entries)))
