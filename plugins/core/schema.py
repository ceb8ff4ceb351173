"""What a layout file may say: its keys, their types, and where a wrong one stands.

A layout file is checked as strictly as a ledger: a key it does not know, a value
of the wrong type, or a missing key is an error at the file and line of the
offending value, naming the keys allowed there.  A schema is a ``Table`` of
``Key``s; ``check`` walks a parsed document against it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from yosan_ledger.plugins.core.messages import Message, _
from yosan_ledger.plugins.core.toml_lines import ValuePath


@dataclass(frozen=True)
class Value:
    """A kind of value: a test, and how the message names what is expected."""

    accepts: Callable[[Any], bool]
    expected: Message


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


TEXT = Value(_is_text, _("a text in quotes"))
OPTIONAL_TEXT = Value(lambda v: isinstance(v, str), _("a text in quotes"))
FLAG = Value(lambda v: isinstance(v, bool), _("true or false"))
TEXTS = Value(
    lambda v: isinstance(v, list) and all(_is_text(x) for x in v),
    _('a list of texts in quotes, ["…", "…"]'),
)
NONEMPTY_TEXTS = Value(
    lambda v: isinstance(v, list) and bool(v) and all(_is_text(x) for x in v),
    _('a list of one or more texts in quotes, ["…", "…"]'),
)
DEPTH = Value(
    lambda v: type(v) is int and 0 <= v <= 9, _("a whole number from 0 to 9 (the indent)")
)
SIGN = Value(lambda v: type(v) is int and v in (1, -1), _("1 or -1"))


def one_of(*choices: str) -> Value:
    return Value(
        lambda v: isinstance(v, str) and v in choices,
        _("one of {choices}", choices=", ".join(f'"{c}"' for c in choices)),
    )


@dataclass(frozen=True)
class Table:
    """The keys a table (the file, a row, a check) may hold."""

    keys: Mapping[str, Value | Table | Tables | Entries]
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tables:
    """A list of tables, each of one schema (chosen per item by ``choose``)."""

    choose: Callable[[Mapping[str, Any]], Table]
    expected: Message = field(default_factory=lambda: _("a list of tables, [{ … }, { … }]"))
    nonempty: bool = False


@dataclass(frozen=True)
class Entries:
    """A table whose keys the file chooses (names, row references), each value of
    one schema: a kind of value, a table, or entries again."""

    value: Value | Table | Tables | Entries
    expected: Message = field(default_factory=lambda: _("a table of names and values"))


class SchemaError(ValueError):
    """A value a schema refuses: the message and the path of the value."""

    def __init__(self, message: Message, path: ValuePath) -> None:
        super().__init__(message)
        self.message, self.path = message, path


def shown(value: Any) -> str:
    """A value as the file wrote it, short enough for a message."""
    text = repr(value) if not isinstance(value, bool) else str(value).lower()
    return text if len(text) <= 40 else text[:37] + "…"


def check(
    document: Mapping[str, Any],
    schema: Table,
    where: Callable[[ValuePath, Mapping[str, Any]], str],
    path: ValuePath = (),
) -> None:
    """Raise ``SchemaError`` at the first key or value ``schema`` refuses.
    ``where(path, table)`` names the table in a message (the file, ``row "…"``)."""
    here = where(path, document)
    for key in document:
        if key not in schema.keys:
            allowed = ", ".join(schema.keys)
            raise SchemaError(
                _(
                    "{where}: unknown key `{key}`; allowed here: {allowed}",
                    where=here,
                    key=key,
                    allowed=allowed,
                ),
                (*path, key),
            )
    for key in schema.required:
        if key not in document:
            raise SchemaError(_("{what} lacks `{name}`", what=here, name=key), path)
    for key, value in document.items():
        _check_value(value, schema.keys[key], key, here, where, path)


def _check_value(
    value: Any,
    spec: Value | Table | Tables | Entries,
    key: str | int,
    here: str,
    where: Callable[[ValuePath, Mapping[str, Any]], str],
    path: ValuePath,
) -> None:
    """One value against its spec, ``key`` being where it stands in the table ``here``."""
    if isinstance(spec, Tables):
        items_ok = isinstance(value, list) and all(isinstance(v, dict) for v in value)
        ok = items_ok and not (spec.nonempty and not value)
    elif isinstance(spec, Table):
        ok, expected = isinstance(value, dict), _("a table of keys and values")
    elif isinstance(spec, Entries):
        ok, expected = isinstance(value, dict), spec.expected
    else:
        ok, expected = spec.accepts(value), spec.expected
    if not ok:
        raise SchemaError(
            _(
                "{where}: `{key}` must be {expected}, not {value}",
                where=here,
                key=key,
                expected=spec.expected if isinstance(spec, Tables) else expected,
                value=shown(value),
            ),
            (*path, key),
        )
    if isinstance(spec, Tables):
        for index, item in enumerate(value):
            check(item, spec.choose(item), where, (*path, key, index))
    elif isinstance(spec, Table):
        check(value, spec, where, (*path, key))
    elif isinstance(spec, Entries):
        inner = (*path, key)
        for name, item in value.items():
            _check_value(item, spec.value, name, where(inner, value), where, inner)
