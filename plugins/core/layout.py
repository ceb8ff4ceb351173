"""Statement layouts: which rows each statement prints, in what order, fed by what.

The layouts are data (``layouts/*.toml``), declared once and shared by the engine,
the checks and every renderer.  A row is addressed by its key: the label, or
``section/label`` where a label stands twice in one statement (リース資産 under
有形固定資産 and 無形固定資産).  References across statements take a prefix:
``pl:当期純利益``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

STATEMENTS = ("bs", "pl", "cf")

RowKind = Literal["heading", "line", "total", "cash"]
CashBasis = Literal["flow", "opening", "closing"]


class LayoutError(ValueError):
    """A layout file that contradicts itself (a bug in the package, not the ledger)."""


@dataclass(frozen=True)
class Term:
    """One signed reference in a total: ``coefficient × row``."""

    coefficient: int
    ref: str  # "stmt:key"


@dataclass(frozen=True)
class Row:
    statement: str
    kind: RowKind
    label: str
    depth: int
    section: str  # the heading the row stands under; "" at the top level
    sign: int  # +1, or -1 for rows shown as the opposite of their cash contribution
    terms: tuple[Term, ...] = ()  # totals; `plus` of a line
    of: tuple[str, ...] = ()  # cash rows: the bs/pl rows whose accounts feed it
    basis: CashBasis | None = None

    @property
    def key(self) -> str:
        return f"{self.section}/{self.label}" if self.section else self.label

    @property
    def ref(self) -> str:
        return f"{self.statement}:{self.key}"

    @property
    def has_value(self) -> bool:
        return self.kind != "heading"


@dataclass(frozen=True)
class Equality:
    """An equality the engine must find true in every column."""

    row: str  # "stmt:key"
    equals: str  # "stmt:key"


@dataclass(frozen=True)
class Layout:
    statement: str
    title: str
    period: Literal["closing", "flow"]
    label_header: str
    rows: tuple[Row, ...]
    checks: tuple[Equality, ...] = ()
    cash: str | None = None  # cf: the balance-sheet row that is cash
    _index: dict[str, Row] = field(default_factory=dict, compare=False, repr=False)

    def value_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.has_value)

    def find(self, reference: str) -> Row | None:
        """The row a key names: ``section/label``, or a label that is unique."""
        return self._index.get(reference)


@dataclass(frozen=True)
class Layouts:
    """The three statements, with references resolved across them."""

    by_statement: dict[str, Layout]

    def __getitem__(self, statement: str) -> Layout:
        return self.by_statement[statement]

    def __iter__(self):  # noqa: ANN204
        return iter(self.by_statement.values())

    def row(self, reference: str) -> Row:
        """The row of a ``stmt:key`` reference; raises KeyError if there is none."""
        statement, _, key = reference.partition(":")
        layout = self.by_statement.get(statement)
        row = layout.find(key) if layout else None
        if row is None:
            raise KeyError(reference)
        return row

    def find(self, statement: str, key: str) -> Row | None:
        layout = self.by_statement.get(statement)
        return layout.find(key) if layout else None


def _index(rows: tuple[Row, ...]) -> dict[str, Row]:
    index: dict[str, Row] = {}
    label_count: dict[str, int] = {}
    for row in rows:
        if not row.has_value:
            continue
        if row.key in index:
            raise LayoutError(f"{row.statement}: row {row.key!r} declared twice")
        index[row.key] = row
        label_count[row.label] = label_count.get(row.label, 0) + 1
    for row in rows:
        if row.has_value and label_count[row.label] == 1:
            index.setdefault(row.label, row)
    return index


def _parse(statement: str, text: str) -> Layout:
    raw = tomllib.loads(text)
    rows: list[Row] = []
    headings: list[tuple[int, str, int]] = []  # (depth, label, sign) of open sections
    for item in raw["rows"]:
        depth = int(item["depth"])
        while headings and headings[-1][0] >= depth:
            headings.pop()
        section = headings[-1][1] if headings else ""
        sign = headings[-1][2] if headings else 1
        if "heading" in item:
            heading_sign = int(item.get("sign", sign))
            rows.append(Row(statement, "heading", item["heading"], depth, section, heading_sign))
            headings.append((depth, item["heading"], heading_sign))
        elif "total" in item:
            terms = tuple(_term(statement, ref) for ref in item["sum"])
            rows.append(Row(statement, "total", item["total"], depth, section, sign, terms))
        elif "cash" in item:
            basis = item["cash"]
            if basis not in ("flow", "opening", "closing"):
                raise LayoutError(f"{statement}: unknown cash basis {basis!r}")
            of = tuple(item["of"])
            rows.append(
                Row(statement, "cash", item["line"], depth, section, sign, of=of, basis=basis)
            )
        else:
            terms = tuple(_term(statement, ref) for ref in item.get("plus", ()))
            rows.append(Row(statement, "line", item["line"], depth, section, sign, terms))
    frozen = tuple(rows)
    checks = tuple(
        Equality(_qualify(statement, c["row"]), _qualify(statement, c["equals"]))
        for c in raw.get("checks", ())
    )
    return Layout(
        statement=statement,
        title=raw["title"],
        period=raw["period"],
        label_header=raw["label_header"],
        rows=frozen,
        checks=checks,
        cash=raw.get("cash"),
        _index=_index(frozen),
    )


def _qualify(statement: str, ref: str) -> str:
    return ref if ":" in ref else f"{statement}:{ref}"


def _term(statement: str, ref: str) -> Term:
    coefficient = -1 if ref.startswith("-") else 1
    return Term(coefficient, _qualify(statement, ref.lstrip("-")))


def _validate(layouts: Layouts) -> None:
    for layout in layouts:
        for row in layout.rows:
            references = [t.ref for t in row.terms] + list(row.of)
            for reference in references:
                try:
                    layouts.row(reference)
                except KeyError:
                    raise LayoutError(f"{row.ref}: unknown row {reference!r}") from None
        for check in layout.checks:
            layouts.row(check.row)
            layouts.row(check.equals)
    if layouts["cf"].cash is not None:
        layouts.row(layouts["cf"].cash)


def parse_layouts(texts: dict[str, str]) -> Layouts:
    """Layouts from TOML texts keyed by statement (``bs``, ``pl``, ``cf``)."""
    layouts = Layouts({s: _parse(s, texts[s]) for s in STATEMENTS})
    _validate(layouts)
    return layouts


@cache
def default_layouts() -> Layouts:
    """The layouts of the published J-LIS statements shipped with the package."""
    folder = resources.files(__package__) / "layouts"
    return parse_layouts({s: (folder / f"{s}.toml").read_text("utf-8") for s in STATEMENTS})
