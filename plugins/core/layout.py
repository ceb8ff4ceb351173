"""Statement layouts: which statements a ledger prints, their rows, fed by what.

The layouts are data, kept with the ledger: a folder of TOML files the ledger
names with ``custom "yosan-layouts" "layouts"``.  ``statements.toml`` lists the
ledger's statements in print order; each is ``<key>.toml`` beside it, of one
kind:

- ``balance``: balances at the year's end (a 貸借対照表); the ledger's Assets,
  Liabilities and Equity accounts feed its lines;
- ``flow``: flows over the year (a 損益計算書, a 歳入歳出予算); the Income and
  Expenses accounts feed its lines;
- ``cash``: a cash plan (資金計画) made of the flows and balances of other
  statements' rows, moving against cash.

A row is addressed by its key: the label, or ``section/label`` where a label
stands twice in one statement.  References across statements take the other
statement's key as a prefix (``pl:当期純利益``).  The same layouts are shared by
the engine, the checks and every renderer.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.sources import FileProblem, read_text

RowKind = Literal["heading", "line", "total", "cash"]
CashBasis = Literal["flow", "opening", "closing"]
StatementKind = Literal["balance", "flow", "cash"]

INDEX = "statements.toml"  # the ledger's statements, in print order
KINDS: tuple[StatementKind, ...] = ("balance", "flow", "cash")
# The account roots whose accounts feed the lines of a statement of each kind.
ROOTS_OF_KIND: dict[str, tuple[str, ...]] = {
    "balance": ("Assets", "Liabilities", "Equity"),
    "flow": ("Income", "Expenses"),
    "cash": (),
}


class LayoutError(ValueError):
    """A layout the ledger names that cannot be used: what, and where."""

    def __init__(
        self, message: str, filename: str | None = None, lineno: int | None = None
    ) -> None:
        super().__init__(message)
        self.message, self.filename, self.lineno = message, filename, lineno


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
    of: tuple[str, ...] = ()  # cash rows: the rows of other statements whose accounts feed it
    basis: CashBasis | None = None
    hide_zero: bool = False  # left out of a printed table when zero in every column

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
    statement: str  # its key
    kind: StatementKind
    title: str
    label_header: str
    rows: tuple[Row, ...]
    checks: tuple[Equality, ...] = ()
    cash: str | None = None  # a cash plan: the balance row that is cash
    # A balance statement: the line the year's result is carried into next year
    # (積立金); by default the one line with `plus` terms.
    closes_into: str | None = None
    actual_title: str | None = None  # the title of the actual statement (貸借対照表)
    _index: dict[str, Row] = field(default_factory=dict, compare=False, repr=False)

    @property
    def period(self) -> Literal["closing", "flow"]:
        """What a figure is: a balance at the year's end, or a flow over the year."""
        return "closing" if self.kind == "balance" else "flow"

    def value_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.has_value)

    def title_of(self, *, actual: bool) -> str:
        """The statement's title: of the budget (予定貸借対照表), or of the actual journal."""
        return (self.actual_title or self.title) if actual else self.title

    def closing_row(self) -> Row | None:
        """Where the year's result is carried (a balance statement's ``closes_into``,
        else its one line with ``plus`` terms); None if it names none."""
        if self.closes_into is not None:
            return self.find(self.closes_into)
        carrying = [r for r in self.rows if r.kind == "line" and r.terms]
        return carrying[0] if len(carrying) == 1 else None

    def find(self, reference: str) -> Row | None:
        """The row a key names: ``section/label``, or a label that is unique."""
        return self._index.get(reference)


@dataclass(frozen=True)
class Layouts:
    """A ledger's statements, in print order, with references resolved across them."""

    by_statement: dict[str, Layout]
    folder: str = ""  # where they were read from

    def __getitem__(self, statement: str) -> Layout:
        return self.by_statement[statement]

    def __iter__(self):  # noqa: ANN204
        return iter(self.by_statement.values())

    def of_kind(self, kind: StatementKind) -> list[Layout]:
        return [layout for layout in self if layout.kind == kind]

    def statement_for_root(self, root: str) -> Layout | None:
        """The statement an account under ``root`` (Assets …) feeds: the first of
        the kind that takes that root."""
        return next((lay for lay in self if root in ROOTS_OF_KIND[lay.kind]), None)

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


class LayoutFile:
    """A layout file's text, to name the line of a problem in it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            raise LayoutError(_("{file} is missing", file=path.name), str(path))
        try:
            self.text = read_text(path)  # the gate every file of a ledger passes
        except FileProblem as problem:
            raise LayoutError(problem.message, str(path), problem.lineno) from None

    def error(self, message: str, *mentions: str) -> LayoutError:
        """An error at the first line holding every mention (quoted), else the file."""
        for lineno, line in enumerate(self.text.splitlines(), start=1):
            if mentions and all(f'"{m}"' in line for m in mentions):
                return LayoutError(message, str(self.path), lineno)
        return LayoutError(message, str(self.path), None)

    def parse(self) -> dict[str, Any]:
        try:
            return tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            lineno = getattr(error, "lineno", None)
            found = str(error).rsplit("(at line ", 1)
            if lineno is None and len(found) == 2:
                lineno = int(found[1].split(",")[0])
            message = _("not valid TOML: {detail}", detail=found[0].strip())
            raise LayoutError(message, str(self.path), lineno) from None


def _index(rows: tuple[Row, ...], source: LayoutFile) -> dict[str, Row]:
    index: dict[str, Row] = {}
    label_count: dict[str, int] = {}
    for row in rows:
        if not row.has_value:
            continue
        if row.key in index:
            raise source.error(_("row {row!r} is declared twice", row=row.key), row.label)
        index[row.key] = row
        label_count[row.label] = label_count.get(row.label, 0) + 1
    for row in rows:
        if row.has_value and label_count[row.label] == 1:
            index.setdefault(row.label, row)
    return index


def _field(raw: dict[str, Any], name: str, source: LayoutFile, where: str = "") -> Any:
    if name not in raw:
        raise source.error(
            _("{what} lacks `{name}`", what=where or source.path.name, name=name),
            *([where] if where else []),
        )
    return raw[name]


def _parse(statement: str, source: LayoutFile) -> Layout:
    raw = source.parse()
    kind = _field(raw, "kind", source)
    if kind not in KINDS:
        raise source.error(
            _("kind {kind!r} is none of {kinds}", kind=kind, kinds=", ".join(KINDS)), str(kind)
        )
    rows: list[Row] = []
    headings: list[tuple[int, str, int]] = []  # (depth, label, sign) of open sections
    for item in _field(raw, "rows", source):
        label = next((item[k] for k in ("heading", "total", "line") if k in item), None)
        if label is None:
            raise source.error(_("a row names no heading, line or total"))
        depth = int(_field(item, "depth", source, label))
        while headings and headings[-1][0] >= depth:
            headings.pop()
        section = headings[-1][1] if headings else ""
        sign = headings[-1][2] if headings else 1
        hidden = bool(item.get("hide_zero", False))
        if "heading" in item:
            heading_sign = int(item.get("sign", sign))
            rows.append(Row(statement, "heading", label, depth, section, heading_sign))
            headings.append((depth, label, heading_sign))
        elif "total" in item:
            terms = tuple(_term(statement, ref) for ref in _field(item, "sum", source, label))
            rows.append(
                Row(statement, "total", label, depth, section, sign, terms, hide_zero=hidden)
            )
        elif "cash" in item:
            basis = item["cash"]
            if basis not in ("flow", "opening", "closing"):
                raise source.error(
                    _("{row}: unknown cash basis {basis!r}", row=label, basis=basis), label
                )
            of = tuple(_field(item, "of", source, label))
            rows.append(Row(statement, "cash", label, depth, section, sign, (), of, basis, hidden))
        else:
            terms = tuple(_term(statement, ref) for ref in item.get("plus", ()))
            rows.append(
                Row(statement, "line", label, depth, section, sign, terms, hide_zero=hidden)
            )
    frozen = tuple(rows)
    checks = tuple(
        Equality(_qualify(statement, c["row"]), _qualify(statement, c["equals"]))
        for c in raw.get("checks", ())
    )
    return Layout(
        statement=statement,
        kind=kind,
        title=_field(raw, "title", source),
        label_header=raw.get("label_header", "科目"),
        rows=frozen,
        checks=checks,
        cash=raw.get("cash"),
        closes_into=raw.get("closes_into"),
        actual_title=raw.get("actual_title"),
        _index=_index(frozen, source),
    )


def _qualify(statement: str, ref: str) -> str:
    return ref if ":" in ref else f"{statement}:{ref}"


def _term(statement: str, ref: str) -> Term:
    coefficient = -1 if ref.startswith("-") else 1
    return Term(coefficient, _qualify(statement, ref.lstrip("-")))


def _validate(layouts: Layouts, sources: dict[str, LayoutFile]) -> None:
    """Every reference names a row; a cash plan names its cash row."""

    def known(reference: str, source: LayoutFile, mention: str) -> None:
        try:
            layouts.row(reference)
        except KeyError:
            raise source.error(
                _("no row {reference!r} to refer to", reference=reference), mention
            ) from None

    for layout in layouts:
        source = sources[layout.statement]
        for row in layout.rows:
            for term in row.terms:
                written = (
                    term.ref.partition(":")[2]
                    if term.ref.startswith(layout.statement + ":")
                    else term.ref
                )
                known(term.ref, source, ("-" if term.coefficient < 0 else "") + written)
            for reference in row.of:
                known(reference, source, reference)
        for check in layout.checks:
            for reference in (check.row, check.equals):
                short = reference.removeprefix(layout.statement + ":")
                known(reference, source, short if short in source.text else reference)
        if layout.closes_into is not None:
            row = layout.find(layout.closes_into)
            if row is None or row.kind != "line":
                raise source.error(
                    _(
                        "closes_into names no line of this statement: {row!r}",
                        row=layout.closes_into,
                    ),
                    layout.closes_into,
                )
        if layout.kind == "cash":
            if layout.cash is None:
                raise source.error(_('a cash plan names its cash row: cash = "stmt:row"'))
            known(layout.cash, source, layout.cash)


def read_layouts(folder: Path) -> Layouts:
    """The statements of a layout folder (``statements.toml`` and a file per
    statement); raises ``LayoutError`` at the file and line of a problem."""
    index = LayoutFile(folder / INDEX)
    keys = index.parse().get("statements")
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        raise index.error(_('statements.toml lists the statements: statements = ["bs", "pl", …]'))
    sources: dict[str, LayoutFile] = {}
    by_statement: dict[str, Layout] = {}
    for key in keys:
        if not key.isidentifier() or key in by_statement:
            raise index.error(
                _("statement key {key!r} is not a name, or stands twice", key=key), key
            )
        sources[key] = LayoutFile(folder / f"{key}.toml")
        by_statement[key] = _parse(key, sources[key])
    layouts = Layouts(by_statement, str(folder))
    _validate(layouts, sources)
    return layouts
