"""Every use of Beancount's private API (and the one of Fava's), in one place.

The load is Beancount's own load, step by step, with the work that cannot change a
thing left out (``steps``, ``parsing``, ``booking``).  That needs parts of Beancount
that are no documented interface: names with a leading underscore, a module global
replaced for the length of a load, a class subclassed and its attributes set,
lists of steps kept in module globals, behaviour reproduced, and the wording of
messages read back.  This module is the only one that touches them
(``tests/test_architecture.py`` holds every other module of the package, the tests
and the benchmarks to that); the others call the functions below.

They are watched.  ``tests/test_pipeline.py`` (the parity tests) loads every ledger
of the repository, the broken ledgers of the corpus and synthetic journals both
ways, through ``beancounts_load`` and through ``yosan_ledger.load``, and compares
the entries, the errors and the options; ``.ci/beancount-parity`` runs them against
the newest Beancount 3 release in a scratch environment, in CI, and names the
release that differs.  ``pyproject.toml`` pins Beancount to the releases they have
passed on.

What is used, where it is in Beancount 3.2, why, and what breaks if it changes:

``loader._parse_recursive``  (beancount/loader.py)
    why     The parse of a ledger and its includes as ``load_file`` parses it:
            the order of the files, duplicate and missing files, the options of
            the top file with the others' merged.  ``load_file`` would also read
            and write its pickle cache beside the ledger, and run every step.
    breaks  A new signature or return: every load fails at once.  Another order
            or other errors: the parity tests.

``loader.parser``, the module global, replaced for a load  (beancount/loader.py)
    why     ``_parse_recursive`` parses each file by ``parser.parse_file``, looked
            up on the loader module; replaced, each file's parse is ours (read
            once and hashed, kept, parsed ahead by workers, a leaner builder)
            while Beancount's recursion stays whole.
    breaks  Called some other way, our parse is skipped: no kept parse, and no
            hash of the bytes parsed (the statement cache would hash the files
            after the load, and keep a file replaced during it as read).  The
            parity test of the kept parses fails, and tests/test_cache.py.

``loader._load``  (beancount/loader.py)
    why     Beancount's whole load without its pickle cache: what the parity
            tests compare ours with (``beancounts_load``).
    breaks  The parity tests cannot run: they fail.

``loader.PLUGINS_PRE``, ``PLUGINS_AUTO``, ``PLUGINS_POST``, ``RENAMED_MODULES``, and
``loader.run_transformations`` reproduced  (beancount/loader.py)
    why     The plugins run as Beancount runs them (``plugins``, ``renamed``):
            its built-in steps around the ledger's, in the same order, all of
            them in ``raw`` mode; but the entries are not sorted again after a
            rule of this project, and a built-in step with nothing to do is not
            run (``idle``).
    breaks  A step added, removed or reordered: the parity tests.

The built-in steps ``beancount.ops.documents``, ``pad`` and ``balance`` do nothing
without their directives  (beancount/ops/)
    why     Each walks every entry and hands them back unchanged when the ledger
            has no ``document`` (nor ``option "documents"``), ``pad`` or
            ``balance`` directive; ``idle`` leaves them out then.
    breaks  A step that starts doing something else: the parity tests.

The wording of the plugin errors ``Error importing "…"`` and ``Error applying plugin
"…"`` (beancount/loader.py), of ``Unbalanced pushed tag: '…'``
(beancount/parser/grammar.py) and of ``Invalid token`` (beancount/parser/lexer.l)
    why     A failed plugin is made as Beancount makes it (``plugin_error``) and
            read back to name the plugin and its directive's line
            (``plugin_failure``); an unpopped tag is shown at its ``pushtag``
            (``unpopped_tag``); a Japanese minus sign is explained
            (``invalid_token``).
    breaks  Other words: these errors lose their line or their explanation
            (``tests/test_bad_input.py``, ``tests/test_pipeline.py``).

The modules Beancount's errors are defined in  (beancount/parser/, beancount/…)
    why     An error of the parser is a cause that others follow from; the command
            prints it first (``raised_by_parser``, ``raised_by_beancount``).
    breaks  An error class moved: the order errors print in
            (``tests/test_root_cause.py``).

``misc_utils.log_time``'s wording ``Operation: '…'`` and the operation
``beancount.parser.parser.parse_file``  (beancount/utils/misc_utils.py,
beancount/loader.py)
    why     The command's progress line follows the load's phases by the timings
            Beancount logs (``timed_operation``, ``PARSE_FILE``).
    breaks  The progress line stops following them (``tests/test_progress.py``).

``_parser.Parser(builder).parse(…)`` and a subclass of ``grammar.Builder``
(beancount/parser/_parser, grammar.py)
    why     ``parser.parse_file`` makes a ``grammar.Builder`` per file; the C parser
            calls it back for every account and amount.  ``LeanBuilder`` overrides
            ``account``, ``amount`` and ``option``, reads ``accounts``,
            ``account_regexp`` and ``dcontext``, and sets
            ``display_context_update``: an account found valid stays valid until
            an option renames the account types, a whole number updates the
            display context without building its digits, an amount is made
            without checking its types twice.
    breaks  Another callback or attribute: every parse fails at once, or the
            parity tests (``test_the_display_context_is_beancounts`` among them).

The figures ``DisplayContext`` keeps per currency: ``ccontexts[currency]``,
``has_sign``, ``integer_max``, ``fractional_dist.hist``
(beancount/core/display_context.py)
    why     What ``_CurrencyContext.update`` records of a number without a
            fraction, recorded by hand (``LeanBuilder``), and compared with
            Beancount's (``display_context_figures``).
    breaks  The parity test of the display context.

Directives and amounts built by ``tuple.__new__`` from their fields
(beancount/core/data.py, amount.py)
    why     Beancount's directives, postings, costs and amounts are NamedTuples;
            a kept parse is unpickled, and an amount built, without the checks of
            ``Amount.__new__``, which made unpickling as slow as parsing
            (``FIELD_TUPLES``, ``amount_of``).
    breaks  A type that is no longer a plain NamedTuple: the parity tests of the
            kept parses, or unpickling fails (the file is parsed again).

How ``_parse_recursive`` finds the files a file includes  (beancount/loader.py)
    why     Relative to the file's folder, globbed recursively (``included``):
            the files to parse ahead on the other cores.
    breaks  Only the parsing ahead (it parses files nobody asks for, or none).

``booking_full._book``  (beancount/parser/booking_full.py)
    why     Beancount's booking of one transaction on its own (``book_alone``):
            a transaction with an amount left out, several currencies or a
            fraction, in a ledger whose others are booked without Beancount's
            per-account inventories.
    breaks  A new signature or return: every such load fails at once; other
            entries: the parity tests.

``booking.validate_missing_eliminated``, ``interpolate.infer_tolerances(…, mode="max")``
and the ``__tolerances__`` and ``__residual__`` metadata  (beancount/parser/booking.py,
booking_full.py, beancount/core/interpolate.py)
    why     What ``booking.book`` does to a transaction of whole numbers in one
            currency: record its tolerances in its metadata, as ``booking_full``
            infers them (``tolerances``, ``TOLERANCES``); then it checks no posting
            is left incomplete (``incomplete``).  A posting added for a residual is
            never one that balances exactly (``RESIDUAL``).
    breaks  The parity tests (the entries' metadata, the errors).  Beancount 3.0.0
            to 3.2.0 take no ``mode``: a transaction with a fraction fails to load
            there, which is why ``pyproject.toml`` asks for 3.2.2 at least.

``validation.VALIDATIONS`` and ``validate_check_transaction_balances``
(beancount/ops/validation.py)
    why     Beancount's validation with its check that each transaction balances
            done only where the numbers do not add up to zero (``validations``,
            ``check_balances``).
    breaks  A check added or removed: the parity tests.

Fava's ``fava.core.filters.LEXER``  (fava/core/filters.py)
    why     The statements page reads the segment tags out of Fava's filter as Fava
            reads it (``filter_tokens``): a filter on one segment's tag shows that
            segment's column, anything else the whole body's.
    breaks  The lexer renamed or its token types changed: the filter cases of
            ``tests/test_fava_ext.py``.

Fava's ``fava.core.load_uncached``, replaced for ``yosan fava``; and
``fava.beans.load.load_uncached``  (fava/core/__init__.py, fava/beans/load.py)
    why     Fava loads a ledger, at start and after each change, through this
            name; ``yosan fava`` puts yosan's load there (``fava_loader``), and
            leaves an encrypted file to Fava's own (``favas_load``).
    breaks  Fava loads through Beancount's loader: slower, and without the gate
            (``tests/test_fava_ext.py``, ``tests/test_gate.py``).
"""

from __future__ import annotations

import collections
import contextlib
import glob
import io
import os
import re
import traceback
from collections.abc import Callable, Iterator
from decimal import Decimal
from types import ModuleType
from typing import Any

from beancount import loader
from beancount.core import amount, data, interpolate
from beancount.ops import validation
from beancount.parser import _parser, booking, booking_full, grammar, parser

from yosan_ledger.plugins.core import walk

Parsed = tuple[list, list, dict]
Log = Callable[[str], None] | None

# What no module but this one may name (tests/test_architecture.py), besides any
# name of Beancount's with a leading underscore.
WATCHED = (
    "beancount.loader.parser",
    "beancount.loader.PLUGINS_PRE",
    "beancount.loader.PLUGINS_AUTO",
    "beancount.loader.PLUGINS_POST",
    "beancount.loader.RENAMED_MODULES",
    "beancount.loader.run_transformations",
    "beancount.parser.grammar",
    "beancount.parser.booking_full",
    "beancount.parser.booking.validate_missing_eliminated",
    "beancount.core.interpolate",
    "beancount.ops.validation.VALIDATIONS",
    "beancount.ops.validation.validate_check_transaction_balances",
    "fava.core.filters.LEXER",
    "fava.core.load_uncached",
    "fava.beans.load",
)
# Attributes of Beancount's objects no other module may read.
WATCHED_ATTRIBUTES = ("ccontexts", "fractional_dist")
# The words of Beancount's messages read back, which no other module may spell.
WORDING = (
    "Error importing",
    "Error applying plugin",
    "Unbalanced pushed tag",
    "Invalid token",
    "Operation: '",
    "beancount.parser.parser.parse_file",
)


# The parse


def parse_recursive(filename: str, log_timings: Log = None) -> Parsed:
    """Beancount's parse of the ledger at ``filename`` (absolute) and its includes."""
    return loader._parse_recursive([(filename, True)], log_timings, None)


class _ParserInFront:
    """Beancount's parser module as ``loader._parse_recursive`` calls it, with each
    file's parse done by ``parse_file``."""

    def __init__(self, parse_file: Callable[..., Parsed]) -> None:
        self.parse_file = parse_file

    def __getattr__(self, name: str) -> object:
        return getattr(parser, name)


def parse_file_replaced() -> bool:
    """Whether a load's parse is in front of Beancount's already (a ledger a
    directive names, loaded within the load of the ledger naming it)."""
    return isinstance(loader.parser, _ParserInFront)


@contextlib.contextmanager
def each_file_parsed_by(parse_file: Callable[..., Parsed]) -> Iterator[None]:
    """Within the block, Beancount's recursive parse parses each file by
    ``parse_file(filename, **kwargs)`` instead of ``parser.parse_file``."""
    saved = loader.parser
    loader.parser = _ParserInFront(parse_file)  # type: ignore[assignment]
    try:
        yield
    finally:
        loader.parser = saved


def beancounts_load(filename: str) -> Parsed:
    """Beancount's own load of the ledger at ``filename`` (absolute), without its
    pickle cache: what the parity tests compare yosan's with."""
    return loader._load([(filename, True)], None, None, None)


def included(filename: str, options: dict) -> list[str]:
    """The files a parsed file includes, as ``loader._parse_recursive`` finds them
    (relative to the file's folder, globbed)."""
    folder = os.path.dirname(filename)
    found = []
    for pattern in options.get("include", ()):
        search = pattern if os.path.isabs(pattern) else os.path.join(folder, pattern)
        for match in glob.glob(search, recursive=True):
            found.append(os.path.normpath(os.path.join(folder, match)))
    return found


_tuple_new = tuple.__new__
_ONE = Decimal(1)
# Beancount's directives and the NamedTuples inside them: rebuilt from their fields.
FIELD_TUPLES = frozenset(
    {amount.Amount, data.Posting, data.Cost, data.CostSpec, *data.ALL_DIRECTIVES}
)


def amount_of(number: Decimal, currency: str) -> amount.Amount:
    """An amount whose number and currency are known to be a Decimal and a string,
    made without ``Amount.__new__`` checking them again."""
    return _tuple_new(amount.Amount, (number, currency))  # type: ignore[return-value]


class LeanBuilder(grammar.Builder):
    """Beancount's builder of a file's entries (``parser.parse_file`` makes one per
    file), with less work per amount: an account name it has found valid is valid
    until an ``option`` changes the account types; a whole number updates the
    display context by the figures ``DisplayContext.update`` takes from its digits,
    without building them; an amount of a number and a currency is made without
    checking their types again.  The same entries, errors, options and display
    context (``tests/test_pipeline.py``)."""

    def __init__(self) -> None:
        super().__init__()
        self.valid_accounts: set[str] = set()
        self.display_context_update = self._display_context_update

    def account(self, filename: str, lineno: int, account: str) -> str:
        if account in self.valid_accounts:
            return self.accounts.setdefault(account, account)
        if self.account_regexp.match(account):
            self.valid_accounts.add(account)
        return super().account(filename, lineno, account)

    def amount(self, filename: str, lineno: int, number: object, currency: object) -> Any:
        if type(number) is Decimal and type(currency) is str and currency:
            self._display_context_update(number, currency)
            return amount_of(number, currency)
        return super().amount(filename, lineno, number, currency)

    def option(self, filename: str, lineno: int, key: str, value: str) -> None:
        super().option(filename, lineno, key, value)
        self.valid_accounts.clear()

    def _display_context_update(self, number: Decimal, currency: str) -> None:
        if not number.same_quantum(_ONE):
            self.dcontext.update(number, currency)
            return
        # What _CurrencyContext.update records of a number without a fraction.
        context = self.dcontext.ccontexts[currency]
        if number.is_signed():
            context.has_sign = True
        digits = number.adjusted() + 1
        if digits > context.integer_max:
            context.integer_max = digits
        context.fractional_dist.hist[0] += 1  # type: ignore[attr-defined]


def parse_lean(raw: bytes, filename: str) -> Parsed:
    """``parser.parse_file`` of these bytes, reported as that file, with
    ``LeanBuilder``."""
    builder = LeanBuilder()
    _parser.Parser(builder).parse(io.BytesIO(raw), filename=filename, lineno=1)
    return builder.finalize()


def display_context_figures(dcontext: Any) -> dict[str, tuple[bool, int, dict]]:
    """What a display context keeps per currency: its sign, its integer digits and
    how many numbers had each count of fractional digits."""
    return {
        currency: (context.has_sign, context.integer_max, dict(context.fractional_dist.hist))
        for currency, context in dcontext.ccontexts.items()
    }


# Booking and validation

TOLERANCES = interpolate.AUTOMATIC_TOLERANCES  # the metadata booking adds to a transaction
RESIDUAL = interpolate.AUTOMATIC_RESIDUAL  # the metadata of a posting absorbing a residual


def tolerances(postings: list[data.Posting], options: dict) -> dict:
    """The tolerances Beancount's booking records for a transaction's postings."""
    return interpolate.infer_tolerances(postings, options, mode="max")


def book_alone(entry: data.Transaction, options: dict) -> tuple[list, list]:
    """Beancount's booking of one transaction on its own (no posting has a cost, so
    nothing depends on earlier entries): its entries and errors."""
    methods = collections.defaultdict(lambda: options["booking_method"])
    done, errors, _ = booking_full._book([entry], options, methods)
    return done, errors


def incomplete(entries: list[data.Directive], options: dict) -> list:
    """The errors of ``booking.book``'s last check: no posting left incomplete."""
    return booking.validate_missing_eliminated(entries, options)


def check_balances(entries: list[data.Directive], options: dict) -> list:
    """Beancount's check that each transaction balances."""
    return validation.validate_check_transaction_balances(entries, options)


def validations(balance_check: Callable[[list, dict], list]) -> list[tuple[str, Callable]]:
    """Beancount's validation, (name, check) each in its order, with its check that
    each transaction balances done by ``balance_check``."""
    return [
        (
            check.__name__,
            balance_check if check is validation.validate_check_transaction_balances else check,
        )
        for check in validation.VALIDATIONS
    ]


# The plugins


def plugins(named: list[tuple[str, str | None]], mode: str) -> list[tuple[str, str | None]]:
    """The plugins Beancount runs, in its order (``loader.run_transformations``):
    its built-in steps around those the ledger names, or these alone in ``raw`` mode."""
    if mode == "raw":
        return list(named)
    return [*loader.PLUGINS_PRE, *named, *loader.PLUGINS_AUTO, *loader.PLUGINS_POST]


def renamed(name: str) -> str:
    """The module Beancount runs for a plugin it knows by another name."""
    return loader.RENAMED_MODULES.get(name, name)


def _lacks(kind: type) -> Callable[[list[data.Directive], dict], bool]:
    return lambda entries, options: kind not in walk.by_type(entries)


# Beancount's built-in steps, each with the test that it has nothing to do.
_IDLE: dict[str, Callable[[list[data.Directive], dict], bool]] = {
    "beancount.ops.documents": lambda entries, options: (
        not options["documents"] and _lacks(data.Document)(entries, options)
    ),
    "beancount.ops.pad": _lacks(data.Pad),
    "beancount.ops.balance": _lacks(data.Balance),
}


def idle(name: str, entries: list[data.Directive], options: dict) -> bool:
    """Whether a built-in step would hand the entries back unchanged."""
    test = _IDLE.get(name)
    return test is not None and test(entries, options)


_PLUGIN_FAILURE = re.compile(r'Error (importing|applying plugin) "([^"]+)"')
_UNPOPPED_TAG = re.compile(r"Unbalanced pushed tag: '([^']+)'")


def plugin_error(name: str, *, imported: bool) -> loader.LoadError:
    """Beancount's error for a plugin that cannot be imported, or (``imported``)
    that failed, with the traceback of the exception being handled."""
    what = f'Error applying plugin "{name}"' if imported else f'Error importing "{name}"'
    formatted = traceback.format_exc().replace("\n", "\n  ")
    return loader.LoadError(data.new_metadata("<load>", 0), f"{what}: {formatted}", None)


def plugin_failure(message: str) -> tuple[str, bool] | None:
    """(plugin, whether it failed rather than could not be imported) of an error
    about a plugin; None for any other."""
    found = _PLUGIN_FAILURE.match(message)
    return (found[2], found[1] != "importing") if found else None


def unpopped_tag(message: str) -> str | None:
    """The tag of an error about a pushtag never popped; None for any other."""
    found = _UNPOPPED_TAG.match(message)
    return found[1] if found else None


def invalid_token(message: str) -> bool:
    """Whether an error is the lexer's about a token it cannot read."""
    return message.startswith("Invalid token")


def raised_by_parser(error: object) -> bool:
    """Whether an error is Beancount's parser's (a syntax error, an unpopped tag)."""
    return type(error).__module__.startswith("beancount.parser")


def raised_by_beancount(error: object) -> bool:
    """Whether an error is Beancount's (its parser's, booking's, validation's or
    loading's)."""
    return type(error).__module__.startswith("beancount.")


# log_time's line, and the operation _parse_recursive times for each file.
_OPERATION = re.compile(r"Operation: '([^']+)'")
PARSE_FILE = "beancount.parser.parser.parse_file"


def timed_operation(message: str) -> str | None:
    """The operation a line of Beancount's ``log_timings`` says has ended."""
    found = _OPERATION.search(message)
    return found[1] if found else None


# Fava


def filter_tokens(text: str) -> list:
    """The tokens of a Fava filter, as Fava's own lexer reads it (its ``type`` and
    ``value``); Fava's ``FilterError`` when the text does not lex."""
    from fava.core.filters import LEXER

    return list(LEXER.lex(text))


def fava_loader() -> tuple[ModuleType, str]:
    """Where Fava looks up the function it loads a ledger with (``setattr`` it)."""
    import fava.core

    return fava.core, "load_uncached"


def favas_load(path: str, *, is_encrypted: bool) -> Any:
    """Fava's own load of a ledger (``fava.beans.load.load_uncached``)."""
    from fava.beans.load import load_uncached

    return load_uncached(path, is_encrypted=is_encrypted)
