"""Japanese eras (和暦) and fiscal years (年度, April to March), in one place.

A budget adopted in 平成 keeps counting in 平成 for the years it plans past the
change of era (the FY2016 budget writes FY2021 as 平成33年度): pass the adoption
date as ``as_of`` to get the era in force that day; leave it out for the true era.

In a ledger a fiscal year is written as dates: its first day (2016-04-01) or the
span from its first to its last day (2016-04-01 .. 2017-03-31).
"""

from __future__ import annotations

import datetime
from typing import NamedTuple


class Era(NamedTuple):
    name: str
    start: datetime.date


ERAS = (
    Era("令和", datetime.date(2019, 5, 1)),
    Era("平成", datetime.date(1989, 1, 8)),
    Era("昭和", datetime.date(1926, 12, 25)),
)

FISCAL_YEAR_START_MONTH = 4


def era_on(day: datetime.date) -> Era:
    for era in ERAS:
        if day >= era.start:
            return era
    raise ValueError(f"{day} is before 昭和")


def era_year(day: datetime.date, as_of: datetime.date | None = None) -> tuple[str, int]:
    """(era, year of that era) for a day; in the era in force on ``as_of`` if given
    and the day is not before that era began."""
    era = era_on(day)
    if as_of is not None:
        held = era_on(as_of)
        if day >= held.start:
            era = held
    return era.name, day.year - era.start.year + 1


def _year(number: int) -> str:
    return "元" if number == 1 else str(number)


def format_date(day: datetime.date, as_of: datetime.date | None = None) -> str:
    """平成29年3月31日"""
    name, year = era_year(day, as_of)
    return f"{name}{_year(year)}年{day.month}月{day.day}日"


def fiscal_year_of(day: datetime.date) -> int:
    """The fiscal year (named by the calendar year it starts in) a day falls in."""
    return day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1


def named_fiscal_years() -> tuple[int, int]:
    """The first and last fiscal year an era here names: from the first whose 4月1日
    falls in an era (昭和2年度) to the last whose 3月31日 a date can hold."""
    oldest = ERAS[-1].start
    first = oldest.year + (oldest > datetime.date(oldest.year, FISCAL_YEAR_START_MONTH, 1))
    return first, datetime.MAXYEAR - 1


def fiscal_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a fiscal year: 2016 → 2016-04-01, 2017-03-31."""
    return datetime.date(year, FISCAL_YEAR_START_MONTH, 1), datetime.date(year + 1, 3, 31)


def is_fiscal_year_start(day: datetime.date) -> bool:
    return day == fiscal_year_bounds(fiscal_year_of(day))[0]


def is_fiscal_year_end(day: datetime.date) -> bool:
    return day == fiscal_year_bounds(fiscal_year_of(day))[1]


def format_fiscal_year(
    year: int, as_of: datetime.date | None = None, *, with_era: bool = True
) -> str:
    """平成28年度 (or 28年度 without the era's name, as table headers write it).

    A fiscal year is named after the calendar year it starts in, in the era that
    year ends in: FY2019 (from 平成31年4月1日) is 令和元年度, FY1988 (to 平成元年3月31日)
    昭和63年度.  With ``as_of``, in the era in force that day (平成31年度)."""
    name, era_number = era_year(datetime.date(year, 12, 31), as_of)
    return f"{name if with_era else ''}{_year(era_number)}年度"


def format_fiscal_years(first: int, last: int, as_of: datetime.date | None = None) -> str:
    """平成28年度から平成33年度, or 平成29年度 when the span is one year."""
    if first == last:
        return format_fiscal_year(first, as_of)
    return f"{format_fiscal_year(first, as_of)}から{format_fiscal_year(last, as_of)}"
