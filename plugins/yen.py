"""Every amount is a whole number of yen.

The statements are exact integers: a posting in another currency, or a fraction
of a yen, is an error at the posting's line.
"""

from __future__ import annotations

from collections import namedtuple

from beancount.core import data

from plugins.engine import CURRENCY

__plugins__ = ("validate_yen",)

YenError = namedtuple("YenError", "source message entry")


def validate_yen(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[YenError]]:
    # One pass over the postings finds the few transactions to look at closely.
    suspects = [
        entry
        for entry in entries
        if type(entry) is data.Transaction
        for posting in entry.postings
        if (units := posting.units).currency != CURRENCY
        or (units.number is not None and units.number != units.number.to_integral_value())
    ]
    errors = []
    for entry in {id(entry): entry for entry in suspects}.values():
        for posting in entry.postings:
            units = posting.units
            meta = posting.meta or entry.meta
            if units.currency != CURRENCY:
                errors.append(
                    YenError(
                        meta,
                        f"Amount in {units.currency} on {posting.account}; "
                        f"the budget is kept in {CURRENCY}",
                        entry,
                    )
                )
            elif units.number is not None and units.number != units.number.to_integral_value():
                errors.append(
                    YenError(
                        meta,
                        f"Fractional yen {units.number} on {posting.account}; "
                        "amounts are whole yen",
                        entry,
                    )
                )
    return entries, errors
