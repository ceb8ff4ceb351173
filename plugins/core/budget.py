"""The budget a ledger declares: its period and its business segments.

    2016-02-25 custom "yosan-budget" "平成28年度予算（案）" 2016-04-01 2017-03-31
    2016-04-01 custom "yosan-segment" "general" "一般事業" "6,7,8,9,10"

The budget directive's date is the day the budget was adopted; its arguments are
the title and the first and last day of the fiscal year.  Opening balances (前期末)
are the transactions dated the day before the year starts.  A segment directive
gives the segment's key, which is also its transaction tag, its Japanese name and
the areas of the business plan it serves.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from beancount.core import data

from yosan_ledger.plugins.core import walk

BUDGET = "yosan-budget"
SEGMENT = "yosan-segment"
TOTAL = "total"  # the column of the whole body, beside the segments
VERSION = "revision"  # metadata: the revision (補正予算) a transaction or figure belongs to


def canonical(name: str) -> str:
    """A revision's name as names are compared and shown: without surrounding blanks,
    in Unicode NFC.  A name typed on some systems arrives decomposed (NFD: カ and
    a combining ゙ for ガ); it names the same revision."""
    return unicodedata.normalize("NFC", name.strip())


@dataclass(frozen=True)
class Budget:
    title: str
    start: datetime.date
    end: datetime.date
    adopted: datetime.date
    # The last day of the closing period (出納整理期間) of a local government's actual
    # journal, whose receipts and payments belong to the year; None: the year ends at ``end``.
    closing: datetime.date | None = None

    @property
    def opening_date(self) -> datetime.date:
        """前期末: the day before the fiscal year, when opening balances stand."""
        return self.start - datetime.timedelta(days=1)

    @property
    def last_day(self) -> datetime.date:
        """The last day whose transactions belong to the year: the end of its closing
        period, else its last day."""
        return self.closing or self.end


@dataclass(frozen=True)
class Segment:
    key: str
    name: str
    areas: tuple[str, ...]
    meta: dict[str, Any]


def values(entry: data.Custom) -> list[Any]:
    return [v.value for v in entry.values or ()]  # Beancount gives None for no values


def find_budget(entries: Iterable[data.Directive]) -> tuple[Budget | None, data.Custom | None]:
    """The budget and its directive; (None, the first directive) when that one is
    malformed or there are several: no year is trusted then, and no statement is
    computed for a year in doubt (``yosan_ledger.plugins.fiscal_year`` reports it)."""
    found = walk.customs(entries, BUDGET)
    if len(found) > 1:
        return None, found[0]
    for entry in found:
        args = values(entry)
        if (
            len(args) == 3
            and isinstance(args[0], str)
            and all(isinstance(a, datetime.date) for a in args[1:])
        ):
            return Budget(args[0], args[1], args[2], entry.date), entry
        return None, entry
    return None, None


def declared_segments(entries: Iterable[data.Directive]) -> dict[str, Segment]:
    """Segments in declaration order, keyed by tag.  Malformed ones are left out
    (the segments plugin reports them)."""
    segments: dict[str, Segment] = {}
    for entry in walk.customs(entries, SEGMENT):
        args = values(entry)
        if len(args) == 3 and all(isinstance(a, str) for a in args):
            key, name, areas = args
            if key not in segments and key != TOTAL:
                area_list = tuple(a.strip() for a in areas.split(",") if a.strip())
                segments[key] = Segment(key, name, area_list, entry.meta)
    return segments
