"""Beancount's booking and balance check, done once per transaction where that is
all they do.

A yosan ledger is a narrow case of Beancount: one currency, whole yen, no cost and
no price (``yosan_ledger.plugins.yen`` refuses the rest).  For such a transaction
Beancount's booking (``beancount.parser.booking.book``) only copies the entry's
metadata and records its tolerances under ``__tolerances__``; it keeps the balance
of every account, but only a posting held at cost ever reads it.  And its last
check, that every transaction balances
(``beancount.ops.validation.validate_check_transaction_balances``), comes down to
the postings' numbers adding up to nothing.

So, when no posting of the ledger has a cost or a price (``fast``):

- ``book`` gives a transaction whose postings are complete, in one currency, the
  entry Beancount gives, without its per-account inventories; any other
  transaction (an amount left out, several currencies) is booked by Beancount's
  own code, alone: without a cost nothing it does depends on earlier entries;
- ``check_balances`` passes a transaction of complete postings in one currency
  whose numbers add up to exactly zero, and hands every other one to Beancount's
  check, which words the error.

A ledger with a cost or a price anywhere is booked and checked by Beancount's own
code throughout.  ``tests/test_pipeline.py`` proves the same entries and the same
errors on every ledger of the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount
from beancount.core.number import MISSING
from beancount.utils.misc_utils import log_time

from yosan_ledger.load import internals

_ONE = Decimal(1)
Log = Callable[[str], None] | None


def _one_currency(postings: list[data.Posting]) -> tuple[str | None, bool]:
    """The currency of complete postings without cost or price, all in one currency
    (None for any other list, empty included), and whether their numbers are all
    whole (then the tolerance is the default)."""
    currency, whole = None, True
    for posting in postings:
        units = posting.units
        if posting.cost is not None or posting.price is not None or type(units) is not Amount:
            return None, False
        number = units.number
        if type(number) is not Decimal:
            return None, False
        if whole and not number.same_quantum(_ONE):
            whole = False
        if currency is None:
            currency = units.currency
            if type(currency) is not str:
                return None, False
        elif units.currency != currency:
            return None, False
    return currency, whole


def fast(entries: list[data.Directive]) -> bool:
    """Whether no posting of the ledger has a cost or a price (or a currency left
    to infer from an account's balance): then every transaction books alone."""
    for entry in entries:
        if type(entry) is data.Transaction:
            for posting in entry.postings:
                if posting.cost is not None or posting.price is not None:
                    return False
                units = posting.units
                if units is not MISSING and (units is None or units.currency is MISSING):
                    return False
    return True


def book(entries: list[data.Directive], options: dict) -> tuple[list[data.Directive], list]:
    """``beancount.parser.booking.book(entries, options)``, for a ledger ``fast``
    accepts: the same entries and errors, but that the entries parsed are booked in
    place (their metadata given the tolerances), not copied."""
    defaults = options["inferred_tolerance_default"]
    of_currency: dict[str, dict] = {}
    booked: list[data.Directive] = []
    errors: list = []
    others: list[data.Directive] = []
    for entry in entries:
        if type(entry) is not data.Transaction:
            booked.append(entry)
            continue
        postings = entry.postings
        currency, whole = _one_currency(postings)
        if currency is not None and whole:
            tolerances = of_currency.get(currency)
            if tolerances is None:
                tolerances = of_currency[currency] = {
                    c: t for c, t in defaults.items() if c == "*" or c == currency
                }
            tolerances = dict(tolerances)
        elif currency is not None:
            tolerances = internals.tolerances(postings, options)
        else:
            done, found = internals.book_alone(entry, options)
            errors.extend(found)
            booked.extend(done)
            others.extend(done)
            continue
        # The parse's entries are this load's alone and dropped once booked: their
        # metadata takes the tolerances where Beancount copies it to add them.
        entry.meta[internals.TOLERANCES] = tolerances
        booked.append(entry)
    # Beancount's booking errors come first, then the postings left incomplete.
    return booked, errors + internals.incomplete(others, options)


def _balances_exactly(postings: list[data.Posting]) -> bool:
    """Whether the postings, complete, without cost or price, in one currency and
    none added to absorb a residual, add up to exactly zero."""
    if _one_currency(postings)[0] is None:
        return False
    total = 0
    for posting in postings:
        meta = posting.meta
        if meta and internals.RESIDUAL in meta:
            return False
        total += posting.units.number
    return total == 0


def check_balances(entries: list[data.Directive], options: dict) -> list:
    """``validate_check_transaction_balances(entries, options)``."""
    errors: list = []
    for entry in entries:
        if type(entry) is data.Transaction and not _balances_exactly(entry.postings):
            errors.extend(internals.check_balances([entry], options))
    return errors


def validate(entries: list[data.Directive], options: dict, log_timings: Log = None) -> list:
    """``beancount.ops.validation.validate(entries, options)``, the balance check
    done as above."""
    errors: list = []
    for name, check in internals.validations(check_balances):
        with log_time(f"function: {name}", log_timings, indent=2):
            errors.extend(check(entries, options))
    return errors
