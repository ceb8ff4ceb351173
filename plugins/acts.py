"""The acts of the year's execution are well formed, and 地方自治法 allows them.

    2027-06-01 custom "yosan-assessment" Income:01-町税:01-町民税:01-個人 310000000 JPY
      segment: "ippan"

Each 調定 (``yosan-assessment``), 不納欠損 (``yosan-write-off``), 支出負担行為
(``yosan-obligation``), 予備費充用・流用 (``yosan-transfer``) and 繰越
(``yosan-carryover``) has its form, whole yen within 1,000兆円, an opened account
of its side (歳入 or 歳出) and a declared segment; stands in an actual journal
(all but an obligation: of a local government's budget); and is dated in the
fiscal year (a write-off or a carry-over: in its closing period too).  A change
of an obligation names its account and segment.  A transfer goes from the
reserve (予備費充用) to any line but a reserve, or between the 目 and 節 of one 項
(流用), between the 項 of one 款 only for the 節 ``yosan-item-transfers`` names,
never between 款 (地方自治法第220条第2項).  ``yosan_ledger.plugins.core.acts``
describes each form.
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core.acts import acts

__plugins__ = ("validate_acts",)

ActError = namedtuple("ActError", "source message entry")


def validate_acts(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[ActError]]:
    return entries, [ActError(*p) for p in acts(entries).problems]
