"""Japanese eras and fiscal years: the Heisei/Reiwa boundary, and a budget's
years printed in the era in force on its adoption date."""

from __future__ import annotations

import datetime

import pytest

from yosan_ledger.plugins.core.era import (
    era_year,
    fiscal_year_bounds,
    fiscal_year_of,
    format_date,
    format_fiscal_year,
    format_fiscal_years,
    is_fiscal_year_end,
    is_fiscal_year_start,
)

D = datetime.date
ADOPTED_FY2016 = D(2016, 2, 25)  # the FY2016 budget, adopted in 平成


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2019, 4, 30), "平成31年4月30日"),
        (D(2019, 5, 1), "令和元年5月1日"),
        (D(2020, 1, 1), "令和2年1月1日"),
        (D(1989, 1, 7), "昭和64年1月7日"),
        (D(1989, 1, 8), "平成元年1月8日"),
        (D(2017, 3, 31), "平成29年3月31日"),
    ],
)
def test_dates_across_the_change_of_era(day, expected):
    assert format_date(day) == expected


def test_a_date_in_the_era_in_force_on_a_day():
    assert format_date(D(2019, 5, 1), as_of=ADOPTED_FY2016) == "平成31年5月1日"
    assert format_date(D(2021, 3, 31), as_of=ADOPTED_FY2016) == "平成33年3月31日"
    # A day before the era of `as_of` keeps its own era.
    assert format_date(D(2019, 4, 30), as_of=D(2020, 1, 1)) == "平成31年4月30日"
    assert era_year(D(2019, 5, 1), as_of=D(2019, 4, 30)) == ("平成", 31)
    assert era_year(D(2019, 5, 1), as_of=D(2019, 5, 1)) == ("令和", 1)


@pytest.mark.parametrize(
    ("year", "true_era", "as_adopted"),
    [
        (2015, "平成27年度", "平成27年度"),
        (2016, "平成28年度", "平成28年度"),
        (2018, "平成30年度", "平成30年度"),  # ends 2019-03-31, still 平成
        (2019, "令和元年度", "平成31年度"),  # starts 平成31年4月1日, named 令和元年度
        (2021, "令和3年度", "平成33年度"),  # as the FY2016 budget prints it
        (2022, "令和4年度", "平成34年度"),
        (1988, "昭和63年度", "昭和63年度"),  # ends in 平成, named in 昭和
        (1989, "平成元年度", "平成元年度"),
    ],
)
def test_fiscal_years_with_and_without_as_of(year, true_era, as_adopted):
    assert format_fiscal_year(year) == true_era
    assert format_fiscal_year(year, ADOPTED_FY2016) == as_adopted


def test_fiscal_year_headers_and_spans():
    assert format_fiscal_year(2016, with_era=False) == "28年度"
    assert format_fiscal_year(2019, with_era=False) == "元年度"
    assert format_fiscal_years(2016, 2021, ADOPTED_FY2016) == "平成28年度から平成33年度"
    assert format_fiscal_years(2016, 2021) == "平成28年度から令和3年度"
    assert format_fiscal_years(2017, 2017, ADOPTED_FY2016) == "平成29年度"


def test_fiscal_years_as_dates():
    assert fiscal_year_bounds(2016) == (D(2016, 4, 1), D(2017, 3, 31))
    assert fiscal_year_of(D(2016, 4, 1)) == 2016
    assert fiscal_year_of(D(2017, 3, 31)) == 2016
    assert fiscal_year_of(D(2017, 4, 1)) == 2017
    assert is_fiscal_year_start(D(2017, 4, 1)) and not is_fiscal_year_start(D(2017, 4, 2))
    assert is_fiscal_year_end(D(2020, 3, 31)) and not is_fiscal_year_end(D(2020, 4, 1))
