"""Every amount is a whole number of yen, and an amount the statements can hold.

The statements are exact integers: a posting in another currency, a fraction of
a yen, a cost or a price (``{…}``, ``@``: Beancount would balance the transaction
by the converted weight, the statements add the amounts themselves), or an
amount beyond 1,000兆円 is an error at the posting's line; so is the posting at
which the amounts of the whole ledger add up (in absolute value) to more than
10京円, beyond which the int64 sums of the statements could overflow.
"""

from __future__ import annotations

import operator
from collections import namedtuple
from decimal import Decimal
from itertools import chain

from beancount.core import data

from yosan_ledger.plugins.core import walk
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.sums import CURRENCY, LARGEST

LARGEST_TOTAL = 10**17  # yen: Σ|amount| of the whole ledger; int64 holds 9.2 × 10**18

__plugins__ = ("validate_yen",)

YenError = namedtuple("YenError", "source message entry")


def validate_yen(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[YenError]]:
    """Every amount is whole yen within 1,000兆円, with no cost and no price, and the
    postings add up to no more than the statements can hold."""
    transactions = walk.transactions(entries)
    postings = list(chain.from_iterable(map(_POSTINGS, transactions)))
    units = list(map(_UNITS, postings))
    numbers = [n for n in map(_NUMBER, units) if n is not None]
    # Each pass runs in C: a whole number of yen equals its integer part.
    finite = all(map(_finite, numbers))
    plain = (
        finite
        and set(map(_CURRENCY, units)) <= {CURRENCY}
        and not any(map(_COST, postings))
        and not any(map(_PRICE, postings))
        and all(map(operator.eq, numbers, map(int, numbers)))
        and max(map(abs, numbers), default=0) <= LARGEST
    )
    errors = []
    if not plain:  # some posting is not a plain yen amount: look at each
        errors = [
            error
            for entry in transactions
            for posting in entry.postings
            for error in _posting_errors(entry, posting)
        ]
    if finite and sum(map(abs, numbers)) > LARGEST_TOTAL:
        errors.append(_where_the_total_overflows(entries))
    return entries, errors


_POSTINGS = operator.attrgetter("postings")
_UNITS = operator.attrgetter("units")
_NUMBER = operator.attrgetter("number")
_CURRENCY = operator.attrgetter("currency")
_COST = operator.attrgetter("cost")
_PRICE = operator.attrgetter("price")
_finite = Decimal.is_finite


def _posting_errors(entry: data.Transaction, posting: data.Posting) -> list[YenError]:
    units = posting.units
    meta = posting.meta or entry.meta
    errors = []
    if units.currency != CURRENCY:
        errors.append(
            YenError(
                meta,
                _(
                    "Amount in {currency} on {account}; the budget is kept in {yen}",
                    currency=units.currency,
                    account=posting.account,
                    yen=CURRENCY,
                ),
                entry,
            )
        )
    elif units.number is not None and units.number != units.number.to_integral_value():
        errors.append(
            YenError(
                meta,
                _(
                    "Fractional yen {number} on {account}; amounts are whole yen",
                    number=units.number,
                    account=posting.account,
                ),
                entry,
            )
        )
    elif units.number is not None and abs(units.number) > LARGEST:
        errors.append(
            YenError(
                meta,
                _(
                    "Amount {number:,} yen on {account} is beyond "
                    "{largest:,} yen (1,000兆円), the largest a posting may be",
                    number=units.number,
                    account=posting.account,
                    largest=LARGEST,
                ),
                entry,
            )
        )
    if posting.cost is not None or posting.price is not None:
        errors.append(
            YenError(
                meta,
                _(
                    "Posting to {account} carries a cost; a budget posting is a plain yen amount",
                    account=posting.account,
                )
                if posting.cost is not None
                else _(
                    "Posting to {account} carries a price; a budget posting is a plain yen amount",
                    account=posting.account,
                ),
                entry,
            )
        )
    return errors


def _where_the_total_overflows(entries: list[data.Directive]) -> YenError:
    """The posting at which Σ|amount| of the ledger passes LARGEST_TOTAL."""
    total = 0
    for entry in entries:
        if type(entry) is not data.Transaction:
            continue
        for posting in entry.postings:
            if posting.units.number is None:
                continue
            total += abs(posting.units.number)
            if total > LARGEST_TOTAL:
                return YenError(
                    posting.meta or entry.meta,
                    _(
                        "The amounts of the ledger add up to more than {largest:,} "
                        "yen (10京円) at this posting; the statements are exact only below that",
                        largest=LARGEST_TOTAL,
                    ),
                    entry,
                )
    raise AssertionError("the total passes the limit somewhere")
