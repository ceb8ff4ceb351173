"""Japanese eras (和暦) and fiscal years (年度, April to March), in one place.

A budget adopted in 平成 keeps counting in 平成 for the years it plans past the
change of era (the FY2016 budget writes FY2021 as 平成33年度): pass the adoption
date as ``as_of`` to get the era in force that day; leave it out for the true era.
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
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


def format_fiscal_year(year: int, as_of: datetime.date | None = None) -> str:
    """平成28年度.  A fiscal year takes the era in force at its end (FY2019 is
    令和元年度), or on ``as_of``."""
    _, last = fiscal_year_bounds(year)
    name, era_number = era_year(last, as_of)
    return f"{name}{_year(era_number)}年度"
