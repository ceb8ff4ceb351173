"""債務負担行為: multi-year commitments, declared with the segment they serve.

    2016-04-01 custom "yosan-commitment" "LGWAN運用監視" 305000000 JPY 2017-04-01 2020-03-31
      segment: "lgwan"

The directive is dated in the fiscal year the commitment is made (行為年度, which
must be the budget's year); its arguments are the item (事項), the limit (限度額, a
positive whole number of yen) and the first and last day of the years it burdens
(a 1 April and a 31 March).  ``segment`` names the declared
segment the commitment serves.  A commitment whose burden starts before its act
year, ends before it starts, lacks a declared segment, or is malformed is an error
at its line (``yosan_ledger.plugins.commitments``).  Commitments are no
postings: they change no statement.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
import pandas as pd
from beancount.core import amount, data

from yosan_ledger.plugins.core import results, schema, walk
from yosan_ledger.plugins.core.budget import TOTAL, declared_segments, find_budget, values
from yosan_ledger.plugins.core.era import fiscal_year_of, is_fiscal_year_end, is_fiscal_year_start
from yosan_ledger.plugins.core.layout import LayoutFile, Layouts
from yosan_ledger.plugins.core.memo import of_entries
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.problem import Problem
from yosan_ledger.plugins.core.sums import CURRENCY, LARGEST
from yosan_ledger.plugins.core.units import UNITS, Unit

COMMITMENT = "yosan-commitment"
SEGMENT = "segment"
FORM = _(
    'custom "yosan-commitment" "事項" LIMIT JPY FIRST-DAY LAST-DAY (dated in the act year; '
    'segment: "key" below)'
)
TOTAL_LARGEST = 10**18  # yen: the sum of all limits, inside int64 (about 9.2 × 10^18)
COLUMNS = ["item", "segment", "limit", "act_year", "first_year", "last_year"]


@dataclass(frozen=True)
class CommitmentsLayout:
    title: str
    unit: Unit
    item_header: str
    limit_header: str
    act_header: str
    burden_header: str
    total_label: str


LAYOUT_FILE = "commitments.toml"


_HEADERS = ("title", "item_header", "limit_header", "act_header", "burden_header", "total_label")
SCHEMA = schema.Table(
    {**dict.fromkeys(_HEADERS, schema.TEXT), "unit": schema.one_of(*UNITS)},
    (*_HEADERS, "unit"),
)


def parse_commitments(source: LayoutFile, layouts: Layouts) -> CommitmentsLayout:
    raw = source.checked(SCHEMA)
    return CommitmentsLayout(
        title=raw["title"],
        unit=UNITS[raw["unit"]],
        item_header=raw["item_header"],
        limit_header=raw["limit_header"],
        act_header=raw["act_header"],
        burden_header=raw["burden_header"],
        total_label=raw["total_label"],
    )


@dataclass(frozen=True)
class Commitment:
    item: str
    segment: str
    limit: int  # yen
    act_year: int  # fiscal years, named by the calendar year they start in
    first_year: int
    last_year: int
    entry: data.Custom


def _parse(
    entry: data.Custom, segments: list[str], budget_year: int | None
) -> tuple[Commitment | None, list[str]]:
    """The commitment a directive declares, or what is wrong with it."""
    args = values(entry)
    if (
        len(args) != 4
        or not isinstance(args[0], str)
        or not isinstance(args[1], amount.Amount)
        or not all(isinstance(a, datetime.date) for a in args[2:])
    ):
        return None, [_("Malformed commitment: {form}", form=FORM)]
    item, limit, first, last = args
    problems = []
    if limit.currency != CURRENCY or limit.number != limit.number.to_integral_value():
        problems.append(
            _(
                "The limit of {item!r} is {limit}; a limit is whole {currency}",
                item=item,
                limit=limit,
                currency=CURRENCY,
            )
        )
    elif limit.number <= 0:
        problems.append(
            _("The limit of {item!r} is {limit}; a limit is positive", item=item, limit=limit)
        )
    elif limit.number > LARGEST:
        problems.append(
            _(
                "The limit of {item!r} is {number:,} {currency}, beyond the "
                "{largest:,} yen (1,000兆円) a figure may have",
                item=item,
                number=limit.number,
                currency=CURRENCY,
                largest=LARGEST,
            )
        )
    if not is_fiscal_year_start(first):
        problems.append(
            _(
                "The burden of {item!r} starts {first}, not on the first day of a fiscal year "
                "(4月1日)",
                item=item,
                first=first,
            )
        )
    if not is_fiscal_year_end(last):
        problems.append(
            _(
                "The burden of {item!r} ends {last}, not on the last day of a fiscal year "
                "(3月31日)",
                item=item,
                last=last,
            )
        )
    act = fiscal_year_of(entry.date)
    if last < first:
        problems.append(
            _(
                "The burden of {item!r} ends ({last}) before it starts ({first})",
                item=item,
                last=last,
                first=first,
            )
        )
    if fiscal_year_of(first) < act:
        problems.append(
            _(
                "The burden of {item!r} starts in FY{first}, before its act year "
                "FY{act} (the directive's date, {date})",
                item=item,
                first=fiscal_year_of(first),
                act=act,
                date=entry.date,
            )
        )
    if budget_year is not None and act != budget_year:
        problems.append(
            _(
                "{item!r} is dated {date}, in FY{act}; the budget authorises commitments "
                "of its own year, FY{year}",
                item=item,
                date=entry.date,
                act=act,
                year=budget_year,
            )
        )
    segment = entry.meta.get(SEGMENT)
    if segment is None:
        problems.append(
            _(
                "Commitment {item!r} serves no segment: add `segment:` with one of {known}",
                item=item,
                known=", ".join(segments),
            )
        )
    elif segment not in segments:
        problems.append(
            _(
                "Commitment {item!r} names segment {segment!r}, which is not declared: "
                "one of {known}",
                item=item,
                segment=segment,
                known=", ".join(segments),
            )
        )
    if problems:
        return None, problems
    return (
        Commitment(
            item,
            str(segment),
            int(limit.number),
            act,
            fiscal_year_of(first),
            fiscal_year_of(last),
            entry,
        ),
        [],
    )


def commitments(
    entries: list[data.Directive],
) -> tuple[list[Commitment], list[Problem]]:
    """The well-formed commitments in declaration order, and errors for the rest."""
    segments = list(declared_segments(entries))
    budget, _entry = find_budget(entries)
    budget_year = fiscal_year_of(budget.start) if budget else None
    found, errors = [], []
    for entry in walk.customs(entries, COMMITMENT):
        commitment, problems = _parse(entry, segments, budget_year)
        if commitment is not None:
            found.append(commitment)
        errors += [Problem(entry.meta, p, entry) for p in problems]
    # Beancount sorts by date; the published order is the order in the file.
    found.sort(key=lambda c: (c.entry.meta.get("filename", ""), c.entry.meta.get("lineno", 0)))
    # Their 合計 must stay an exact int64 (each limit is at most LARGEST).
    running, kept = 0, []
    for commitment in found:
        running += commitment.limit
        if running > TOTAL_LARGEST:
            errors.append(
                Problem(
                    commitment.entry.meta,
                    _(
                        "The limits up to {item!r} add up to more than "
                        "{largest:,} yen, beyond what a 合計 may hold",
                        item=commitment.item,
                        largest=TOTAL_LARGEST,
                    ),
                    commitment.entry,
                )
            )
        else:
            kept.append(commitment)
    return kept, errors


def commitments_frame(found: list[Commitment]) -> pd.DataFrame:
    """One row per commitment, in the ledger's order: the limit in yen and the
    fiscal years (as numbers) of the act and of the first and last burden year."""
    return pd.DataFrame(
        {
            "item": [c.item for c in found],
            "segment": [c.segment for c in found],
            "limit": np.array([c.limit for c in found], dtype=np.int64),
            "act_year": np.array([c.act_year for c in found], dtype=np.int64),
            "first_year": np.array([c.first_year for c in found], dtype=np.int64),
            "last_year": np.array([c.last_year for c in found], dtype=np.int64),
        }
    )[COLUMNS]


def limit_totals(frame: pd.DataFrame) -> pd.Series:
    """The total of 限度額 per segment (in the frame's order) and for the whole
    body (``total``), in yen."""
    sums = frame.groupby("segment", sort=False)["limit"].sum()
    sums.loc[TOTAL] = frame["limit"].sum()
    return sums.astype(np.int64)


@of_entries
def commitments_layout(entries: list[data.Directive]) -> tuple[CommitmentsLayout | None, object]:
    """(the ledger's commitments layout or None, the error reading it or None)."""
    return results.schedule_layout(entries, LAYOUT_FILE, parse_commitments)


@dataclass(frozen=True)
class Commitments:
    """The schedule as the ledger declares it, and its rows."""

    layout: CommitmentsLayout
    frame: pd.DataFrame  # COLUMNS: a row per commitment, in the ledger's order


@of_entries
def commitments_of(entries: list[data.Directive]) -> Commitments | None:
    """債務負担行為, one row per well-formed commitment, in the ledger's order; None
    without the schedule in the ledger's layouts."""
    layout, _error = commitments_layout(entries)
    if layout is None:
        return None
    found, _errors = commitments(entries)
    return Commitments(layout, commitments_frame(found))
