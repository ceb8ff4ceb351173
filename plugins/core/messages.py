"""The messages of the rules and of the command, in the reader's language.

A message is built in English with ``_("Segment {key!r} is declared twice", key=key)``:
a ``Message``, a ``str`` (the text in the locale's language, as bean-check and Fava's
Errors page print it: Japanese under ``LANG=ja_JP.UTF-8``, English under ``LANG=C``)
that keeps its template and values, so that whoever shows it translates it into the
language of its reader — the command into the language of the locale, the Fava
extension into Fava's ``language`` option.  The catalogs are gettext's, made with
Babel (``just translations``): ``locale/<language>/LC_MESSAGES/yosan.po``, compiled
beside it to ``yosan.mo``.
"""

from __future__ import annotations

import gettext
import os
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

DOMAIN = "yosan"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


class Message(str):
    """Text in the locale's language that remembers its English template and values,
    to be shown in another language too."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Message:
        text = super().__new__(cls, _in_language(template, values, locale_language()))
        text.template, text.values = template, values
        return text

    def __reduce__(self) -> tuple:
        return (_rebuild, (self.template, self.values))

    def in_language(self, language: str | None) -> str:
        return _in_language(self.template, self.values, language)


def _in_language(template: str, values: dict[str, Any], language: str | None) -> str:
    translated = catalog(language).gettext(template)
    if not values:
        return translated
    shown = {k: _inert(translated_value(v, language)) for k, v in values.items()}
    return translated.format(**shown)


def translated_value(value: object, language: str | None) -> object:
    return value.in_language(language) if isinstance(value, Message) else value


# What a terminal acts on rather than shows: C0 and C1 controls (ESC starts an escape
# sequence, LF and CR start a line anew) and the line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def inert(text: str) -> str:
    """The text with every control character as its code point (``\\u001b``): text
    from a ledger (a label, a segment's name, a file name) shown on a terminal can
    neither send an escape sequence nor start a line of its own."""
    return _CONTROL.sub(lambda found: f"\\u{ord(found[0]):04x}", text)


def visible(message: str) -> str:
    """The message with every invisible or combining character as its code point
    (\\u200b, \\u3099): two names that differ only by one, or by Unicode
    normalisation (NFD), then print differently; control characters too (``inert``)."""
    if message.isascii() and message.isprintable():
        return message
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cf", "Mn", "Me", "Cc", "Zl", "Zp") else c
        for c in message
    )


def _inert(value: object) -> object:
    """A message's value as it is shown: text (a str, a path) with its control
    characters as code points, since it may come from the ledger."""
    if isinstance(value, Message):
        return value
    if isinstance(value, str):
        return inert(value)
    if isinstance(value, os.PathLike):
        text = os.fspath(value)
        return inert(text) if isinstance(text, str) and _CONTROL.search(text) else value
    return value


def _rebuild(template: str, values: dict[str, Any]) -> Message:
    return Message(template, **values)


def _(template: str, **values: Any) -> Message:
    """A message to show in its reader's language (the keyword Babel extracts)."""
    return Message(template, **values)


def locale_language() -> str | None:
    """The language of the process's locale, as gettext reads it (LANGUAGE, LC_ALL,
    LC_MESSAGES, LANG): "ja" for ja_JP.UTF-8, None for C or POSIX."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            language = value.split(":")[0].split(".")[0].split("@")[0].split("_")[0]
            return None if language in ("C", "POSIX", "") else language
    return None


@cache
def catalog(language: str | None) -> gettext.NullTranslations:
    if not language:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def bind_global_domain() -> None:
    """Make this catalog gettext's global text domain when the locale's language has
    one: click then says its own words ("Usage:", "Error: …", "No such option …") in
    that language too (``yosan_ledger.reports.command.click_words`` lists them)."""
    language = locale_language()
    if language and type(catalog(language)) is not gettext.NullTranslations:
        gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
        gettext.textdomain(DOMAIN)


# Beancount's own messages, as its parser and checks word them: read back into a
# template and values so that they too are shown in the reader's language.
BEANCOUNT_MESSAGES = (
    (
        re.compile(r"Transaction does not balance: (?P<residual>.+)\Z"),
        _("Transaction does not balance: {residual}"),
    ),
    (
        re.compile(r"Invalid reference to unknown account '(?P<account>[^']+)'\Z"),
        _("Invalid reference to unknown account '{account}'"),
    ),
    (
        re.compile(r"Invalid reference to inactive account '(?P<account>[^']+)'\Z"),
        _("Invalid reference to inactive account '{account}'"),
    ),
    (
        re.compile(r"Invalid currency (?P<currency>\S+) for account '(?P<account>[^']+)'\Z"),
        _("Invalid currency {currency} for account '{account}'"),
    ),
    (re.compile(r"syntax error, (?P<detail>.+)\Z"), _("syntax error, {detail}")),
)


def translated(text: object, language: str | None) -> str:
    """``text`` in ``language`` where the catalog has it; any other text as it is."""
    if isinstance(text, Message):
        return text.in_language(language)
    text = str(text)
    if language and catalog(language) is not catalog(None):
        for pattern, template in BEANCOUNT_MESSAGES:
            if found := pattern.match(text):
                return Message(template, **found.groupdict()).in_language(language)
    return text


def reason(error: BaseException) -> str:
    """What an exception says, as the Message it was raised with (``str(error)`` is
    only the English text), to be re-raised or shown in the reader's language."""
    if len(error.args) == 1 and isinstance(error.args[0], Message):
        return error.args[0]
    return str(error)


def localized(text: str, **values: Any) -> str:
    """A message for this process's reader: in the locale's language."""
    return Message(text, **values).in_language(locale_language())
