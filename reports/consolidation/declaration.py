"""The consolidation's declaration: which ledgers, in which scope, mapped how.

A TOML file checked as strictly as a layout (``plugins.core.schema``): an unknown
key, a value of the wrong type, a scope, entity, statement or line that does not
exist is an error at the file and line of the value.  What only a ledger can tell
(its rows, its figures) is checked by the per-ledger step (``entity``), at the
line of the declaration that names it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from yosan_ledger.plugins.core import schema
from yosan_ledger.plugins.core.layout import LayoutError, LayoutFile, Layouts, read_layouts
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.sources import layout_files

# The scopes of 統一的な基準, each holding the entities of the scopes before it.
SCOPES = ("一般会計等", "全体", "連結")
LARGEST_DENOMINATOR = 10**6  # a share's: keeps every sum of the combination exact
_KEY = re.compile(r"[a-z][a-z0-9_-]*\Z")  # an entity's key: a folder name anywhere
_SHARE = re.compile(r"(?P<percent>\d+(\.\d+)?)%\Z|(?P<ratio>\d+/\d+)\Z|(?P<decimal>\d+(\.\d+)?)\Z")


def parse_share(text: str) -> Fraction | None:
    """``"40%"``, ``"2/5"`` or ``"0.4"`` as an exact fraction in (0, 1]; None otherwise."""
    found = _SHARE.match(text.strip()) if isinstance(text, str) else None
    if found is None:
        return None
    if found["percent"]:
        share = Fraction(found["percent"]) / 100
    else:
        numerator, _slash, denominator = (found["ratio"] or found["decimal"]).partition("/")
        if denominator and int(denominator) == 0:
            return None
        share = Fraction(numerator) / (int(denominator) if denominator else 1)
    if not 0 < share <= 1 or share.denominator > LARGEST_DENOMINATOR:
        return None
    return share


SHARE = schema.Value(
    lambda v: parse_share(v) is not None,
    _('a share above 0 and at most 1, in quotes: "40%", "2/5" or "0.4"'),
)
ENTITY_KEY = schema.Value(
    lambda v: isinstance(v, str) and bool(_KEY.match(v)),
    _("a key of lower-case letters, digits, _ and -, starting with a letter"),
)
ENTITY = schema.Table(
    {
        "key": ENTITY_KEY,
        "name": schema.TEXT,
        "ledger": schema.TEXT,
        "segment": schema.TEXT,
        "scope": schema.one_of(*SCOPES),
        "share": SHARE,
        "correspondence": schema.TEXT,
    },
    ("key", "name", "ledger", "scope", "correspondence"),
)
MAPPING = schema.Table(
    {"lines": schema.Entries(schema.TEXT), "leave_out": schema.TEXTS}, ("lines",)
)
SIDE = schema.Table({"entity": schema.TEXT, "row": schema.TEXT}, ("entity", "row"))
ELIMINATION = schema.Table(
    {"name": schema.TEXT, "between": schema.Tables(lambda _item: SIDE, nonempty=True)},
    ("name", "between"),
)
DECLARATION = schema.Table(
    {
        "title": schema.TEXT,
        "layouts": schema.TEXT,
        "scopes": schema.Entries(schema.NONEMPTY_TEXTS),
        "entities": schema.Tables(lambda _item: ENTITY, nonempty=True),
        "correspondence": schema.Entries(schema.Entries(MAPPING)),
        "eliminations": schema.Tables(lambda _item: ELIMINATION),
    },
    ("title", "layouts", "scopes", "entities", "correspondence"),
)


@dataclass(frozen=True)
class Place:
    """Where a value stands in the declaration."""

    filename: str
    lineno: int | None

    def __str__(self) -> str:
        return f"{self.filename}:{self.lineno}" if self.lineno else self.filename


@dataclass(frozen=True)
class Entity:
    key: str
    name: str
    ledger: Path  # absolute
    shown: str  # the ledger as the declaration names it
    segment: str | None  # one segment of the ledger; None: the whole body
    scope: str
    share: Fraction
    correspondence: str
    place: Place
    segment_place: Place

    @property
    def rank(self) -> int:
        return SCOPES.index(self.scope)


@dataclass(frozen=True)
class Feed:
    """A row of an entity's statement feeding a line of a consolidated statement."""

    row: str  # "statement:row" of the entity's ledger
    line: str  # the consolidated line's key
    place: Place


@dataclass(frozen=True)
class Mapping:
    """How the rows of an entity's statements feed one consolidated statement."""

    correspondence: str
    statement: str  # the consolidated statement
    feeds: tuple[Feed, ...]
    left_out: tuple[tuple[str, Place], ...]  # rows that feed it on purpose not
    place: Place


@dataclass(frozen=True)
class Side:
    entity: str
    row: str  # "statement:row" of the entity's ledger
    place: Place


@dataclass(frozen=True)
class Elimination:
    """Two rows that are one internal transaction or balance, seen from both sides."""

    name: str
    sides: tuple[Side, Side]
    place: Place


@dataclass(frozen=True)
class Declaration:
    path: Path
    title: str
    layouts: Layouts
    scopes: dict[str, tuple[str, ...]]  # scope -> the statements it prints, in SCOPES order
    entities: tuple[Entity, ...]
    mappings: dict[str, tuple[Mapping, ...]]  # correspondence -> per consolidated statement
    eliminations: tuple[Elimination, ...]

    @property
    def inputs(self) -> tuple[str, ...]:
        """The files it is read from (absolute): itself and its layouts."""
        files = [self.path, *layout_files(Path(self.layouts.folder))]
        return tuple(str(path.absolute()) for path in files)

    @property
    def denominator(self) -> int:
        """The common denominator of every share: a figure times a share is a whole
        number of these parts of a yen."""
        return math.lcm(*(e.share.denominator for e in self.entities))

    def weight(self, entity: Entity) -> int:
        """The entity's share in parts of ``denominator``."""
        return int(entity.share * self.denominator)

    def entity(self, key: str) -> Entity:
        return next(e for e in self.entities if e.key == key)


def _row_reference(text: str) -> bool:
    statement, colon, row = text.partition(":")
    return bool(colon and statement and row)


class _Reader:
    def __init__(self, path: Path) -> None:
        self.source = LayoutFile(path)
        self.path = path

    def place(self, *path: str | int) -> Place:
        return Place(str(self.path), self.source.line(path))

    def error(self, message: str, *path: str | int) -> LayoutError:
        return self.source.error_at(message, path)

    def layouts(self, folder: str) -> Layouts:
        where = self.path.parent / folder
        if not where.is_dir():
            raise self.error(
                _("layouts names no folder: {folder} (relative to this file)", folder=folder),
                "layouts",
            )
        layouts = read_layouts(where)
        for layout in layouts:
            if layout.kind == "cash":
                raise LayoutError(
                    _(
                        "{statement}: a consolidated statement is of kind balance or flow, its "
                        "lines fed by the entities' rows (a cash statement takes accounts)",
                        statement=layout.statement,
                    ),
                    layout.source,
                    LayoutFile(Path(layout.source)).line(("kind",)),
                )
        return layouts

    def scopes(self, raw: dict[str, list[str]], layouts: Layouts) -> dict[str, tuple[str, ...]]:
        for scope, statements in raw.items():
            if scope not in SCOPES:
                raise self.error(
                    _(
                        "{scope!r} is no scope: one of {known}",
                        scope=scope,
                        known=", ".join(SCOPES),
                    ),
                    "scopes",
                    scope,
                )
            for index, statement in enumerate(statements):
                if statement not in layouts.by_statement:
                    raise self.error(
                        _(
                            "{statement!r} is no consolidated statement: one of {known}",
                            statement=statement,
                            known=", ".join(layouts.by_statement),
                        ),
                        "scopes",
                        scope,
                        index,
                    )
        return {scope: tuple(raw[scope]) for scope in SCOPES if scope in raw}

    def entities(self, raw: list[dict[str, Any]], mappings: dict) -> tuple[Entity, ...]:
        found: list[Entity] = []
        for index, item in enumerate(raw):
            key = item["key"]
            if any(e.key == key for e in found):
                raise self.error(
                    _("entity {key!r} is declared twice", key=key), "entities", index, "key"
                )
            ledger = (self.path.parent / item["ledger"]).resolve()
            if not ledger.is_file():
                raise self.error(
                    _(
                        "entity {key!r}: no such ledger: {ledger} (relative to this file)",
                        key=key,
                        ledger=item["ledger"],
                    ),
                    "entities",
                    index,
                    "ledger",
                )
            if item["correspondence"] not in mappings:
                raise self.error(
                    _(
                        "entity {key!r}: no [correspondence.{name}] in this file: {known}",
                        key=key,
                        name=item["correspondence"],
                        known=", ".join(mappings) or "-",
                    ),
                    "entities",
                    index,
                    "correspondence",
                )
            found.append(
                Entity(
                    key=key,
                    name=item["name"],
                    ledger=ledger,
                    shown=item["ledger"],
                    segment=item.get("segment"),
                    scope=item["scope"],
                    share=parse_share(item.get("share", "1")) or Fraction(1),
                    correspondence=item["correspondence"],
                    place=self.place("entities", index),
                    segment_place=self.place(
                        "entities", index, "segment" if "segment" in item else "ledger"
                    ),
                )
            )
        return tuple(found)

    def mappings(
        self, raw: dict[str, dict[str, dict[str, Any]]], layouts: Layouts
    ) -> dict[str, tuple[Mapping, ...]]:
        found: dict[str, tuple[Mapping, ...]] = {}
        for name, statements in raw.items():
            mappings = []
            for statement, table in statements.items():
                here = ("correspondence", name, statement)
                layout = layouts.by_statement.get(statement)
                if layout is None:
                    raise self.error(
                        _(
                            "[correspondence.{name}.{statement}]: {statement!r} is no "
                            "consolidated statement: one of {known}",
                            name=name,
                            statement=statement,
                            known=", ".join(layouts.by_statement),
                        ),
                        *here,
                    )
                feeds = []
                for row, line in table["lines"].items():
                    where = (*here, "lines", row)
                    if not _row_reference(row):
                        raise self.error(
                            _(
                                "{row!r}: name a row of the entity's ledger as "
                                '"statement:row" (e.g. "bs:現金預金")',
                                row=row,
                            ),
                            *where,
                        )
                    target = layout.find(line)
                    if target is None or target.kind != "line":
                        lines = [r.label for r in layout.rows if r.kind == "line"]
                        raise self.error(
                            _(
                                "{line!r} is no line of {title} ({statement}): one of {known}",
                                line=line,
                                title=layout.title,
                                statement=statement,
                                known=", ".join(lines),
                            ),
                            *where,
                        )
                    feeds.append(Feed(row, target.key, self.place(*where)))
                left_out = []
                for index, row in enumerate(table.get("leave_out", ())):
                    if not _row_reference(row):
                        raise self.error(
                            _(
                                "{row!r}: name a row of the entity's ledger as "
                                '"statement:row" (e.g. "bs:現金預金")',
                                row=row,
                            ),
                            *here,
                            "leave_out",
                            index,
                        )
                    left_out.append((row, self.place(*here, "leave_out", index)))
                place = self.place(*here, "lines")
                mappings.append(Mapping(name, statement, tuple(feeds), tuple(left_out), place))
            found[name] = tuple(mappings)
        return found

    def eliminations(
        self, raw: list[dict[str, Any]], entities: tuple[Entity, ...]
    ) -> tuple[Elimination, ...]:
        keys = [e.key for e in entities]
        found = []
        for index, item in enumerate(raw):
            between = item["between"]
            if len(between) != 2:
                raise self.error(
                    _(
                        "elimination {name!r}: `between` names two sides, "
                        "the entity and row of each; it names {count}",
                        name=item["name"],
                        count=len(between),
                    ),
                    "eliminations",
                    index,
                    "between",
                )
            sides = []
            for number, side in enumerate(between):
                where = ("eliminations", index, "between", number)
                if side["entity"] not in keys:
                    raise self.error(
                        _(
                            "elimination {name!r}: no entity {entity!r}: one of {known}",
                            name=item["name"],
                            entity=side["entity"],
                            known=", ".join(keys),
                        ),
                        *where,
                    )
                if not _row_reference(side["row"]):
                    raise self.error(
                        _(
                            "{row!r}: name a row of the entity's ledger as "
                            '"statement:row" (e.g. "bs:現金預金")',
                            row=side["row"],
                        ),
                        *where,
                    )
                sides.append(Side(side["entity"], side["row"], self.place(*where)))
            if sides[0].entity == sides[1].entity:
                raise self.error(
                    _(
                        "elimination {name!r}: both sides are entity {entity!r}; "
                        "an elimination is between two entities",
                        name=item["name"],
                        entity=sides[0].entity,
                    ),
                    "eliminations",
                    index,
                    "between",
                )
            place = self.place("eliminations", index)
            found.append(Elimination(item["name"], (sides[0], sides[1]), place))
        return tuple(found)


def read_declaration(path: Path) -> Declaration:
    """The declaration at ``path``, checked; raises ``LayoutError`` at the file and
    line of the first problem (in it, or in the consolidated layouts it names)."""
    reader = _Reader(path)
    raw = reader.source.checked(DECLARATION)
    layouts = reader.layouts(raw["layouts"])
    scopes = reader.scopes(raw["scopes"], layouts)
    mappings = reader.mappings(raw["correspondence"], layouts)
    entities = reader.entities(raw["entities"], mappings)
    eliminations = reader.eliminations(raw.get("eliminations", []), entities)
    return Declaration(
        path=path,
        title=raw["title"],
        layouts=layouts,
        scopes=scopes,
        entities=entities,
        mappings=mappings,
        eliminations=eliminations,
    )
