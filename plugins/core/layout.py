"""Statement layouts: which statements a ledger prints, their rows, fed by what.

The layouts are data, kept with the ledger: a folder of TOML files the ledger
names with ``custom "yosan-layouts" "layouts"``.  ``statements.toml`` lists the
ledger's statements in print order (and, where more than one could be, which
one the 決算報告書 is made of: ``settlement = "cf"``); each is ``<key>.toml``
beside it, of one kind:

- ``balance``: balances at the year's end (a 貸借対照表); the ledger's Assets,
  Liabilities and Equity accounts feed its lines;
- ``flow``: flows over the year (a 損益計算書, a 歳入歳出予算); the Income and
  Expenses accounts feed its lines;
- ``cash``: a cash statement (資金計画, a 予算 of 収入 and 支出) made of the flows
  and balances of other statements' rows, moving against the cash it names.

A row is addressed by its key: the label, or ``section/label`` where a label
stands twice in one statement.  References across statements take the other
statement's key as a prefix (``pl:当期純利益``).  The same layouts are shared by
the engine, the checks and every renderer.

Every file is checked as strictly as a ledger (``yosan_ledger.plugins.core.schema``):
an unknown key, a value of the wrong type, a reference to no row, a total that
refers to itself, or a cash statement whose rows overlap is an error at the file
and line of the value.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from yosan_ledger.plugins.core import schema
from yosan_ledger.plugins.core.messages import Message, _
from yosan_ledger.plugins.core.sources import FileProblem, read_text
from yosan_ledger.plugins.core.toml_lines import ValuePath, line_of, nesting_too_deep, value_lines

RowKind = Literal["heading", "line", "total", "cash"]
CashBasis = Literal["flow", "opening", "closing"]
StatementKind = Literal["balance", "flow", "cash"]

INDEX = "statements.toml"  # the ledger's statements, in print order
KINDS: tuple[StatementKind, ...] = ("balance", "flow", "cash")
BASES: tuple[CashBasis, ...] = ("flow", "opening", "closing")
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
    hide_zero: bool = False  # left out of a printed table when zero in every figure shown
    hidden: bool = False  # computed and referred to, never shown
    result: bool = False  # a result of other rows (利益, 差額): no 執行率
    lineno: int | None = field(default=None, compare=False)  # in its layout file

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
    cash: str | None = None  # a cash statement: the balance row that is its cash
    # A balance statement: the line the year's result is carried into next year
    # (積立金); by default the one line with `plus` terms.
    closes_into: str | None = None
    actual_title: str | None = None  # the title of the actual statement (貸借対照表)
    hidden: bool = False  # computed and checked; shown only when asked for by name
    source: str = field(default="", compare=False)  # the layout file
    _index: dict[str, Row] = field(default_factory=dict, compare=False, repr=False)

    @property
    def period(self) -> Literal["closing", "flow"]:
        """What a figure is: a balance at the year's end, or a flow over the year."""
        return "closing" if self.kind == "balance" else "flow"

    def value_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.has_value)

    def shown_rows(self) -> tuple[Row, ...]:
        """The rows a table prints (headings included), leaving out hidden rows."""
        return tuple(row for row in self.rows if not row.hidden)

    def title_of(self, *, actual: bool) -> str:
        """The statement's title: of the budget (予定貸借対照表), or of the actual journal."""
        return (self.actual_title or self.title) if actual else self.title

    def rated(self, row: Row) -> bool:
        """Whether an execution rate (執行率) means something on the row: a flow of
        a flow or cash statement, not a balance and not a result of other rows."""
        if self.kind == "balance" or not row.has_value or row.result:
            return False
        return not (row.kind == "cash" and row.basis != "flow")

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
    settlement: str | None = None  # the statement the 決算報告書 is made of
    # Every value row's reference, each after the rows it is made of.
    order: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __getitem__(self, statement: str) -> Layout:
        return self.by_statement[statement]

    def __iter__(self) -> Iterator[Layout]:
        return iter(self.by_statement.values())

    def shown(self) -> list[Layout]:
        """The statements printed, exported and shown when none is named."""
        return [layout for layout in self if not layout.hidden]

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

    def parts(self, reference: str) -> tuple[str, ...]:
        """The references a row is made of: its terms, or a cash row's ``of``."""
        row = self.row(reference)
        return (*(t.ref for t in row.terms), *row.of)

    def reach(self, reference: str) -> set[str]:
        """The row and every row it is made of, however deep (the rows whose
        accounts it takes)."""
        found, pending = set(), [reference]
        while pending:
            ref = self.row(pending.pop()).ref
            if ref not in found:
                found.add(ref)
                pending.extend(t.ref for t in self.row(ref).terms)
        return found


class LayoutFile:
    """A layout file's text, to name the line of a problem in it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lines: dict[ValuePath, int] | None = None
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

    def line(self, path: ValuePath) -> int | None:
        """The line of the value at ``path`` (``("rows", 3, "depth")``)."""
        if self._lines is None:
            self._lines = value_lines(self.text)
        return line_of(self._lines, path)

    def error_at(self, message: str, path: ValuePath) -> LayoutError:
        """An error at the line of the value at ``path``."""
        return LayoutError(message, str(self.path), self.line(path))

    def parse(self) -> dict[str, Any]:
        deep = nesting_too_deep(self.text)
        if deep is not None:
            raise LayoutError(
                _("values nested too deeply (a layout needs three levels)"), str(self.path), deep
            )
        try:
            return tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            lineno = getattr(error, "lineno", None)
            found = str(error).rsplit("(at line ", 1)
            if lineno is None and len(found) == 2:
                lineno = int(found[1].split(",")[0])
            message = _("not valid TOML: {detail}", detail=found[0].strip())
            raise LayoutError(message, str(self.path), lineno) from None

    def checked(self, against: schema.Table) -> dict[str, Any]:
        """The document, checked against a schema: an error at the line of the first
        key or value it refuses."""
        return self.check(self.parse(), against)

    def check(self, document: dict[str, Any], against: schema.Table) -> dict[str, Any]:
        try:
            schema.check(document, against, self._where)
        except schema.SchemaError as error:
            raise self.error_at(error.message, error.path) from None
        return document

    def _where(self, path: ValuePath, table: Mapping[str, Any]) -> str:
        """How a message names a table: the file, ``row '資金収入合計'``, ``checks[0]``."""
        if not path:
            return self.path.name
        label = next((table[k] for k in LABEL_KEYS if isinstance(table.get(k), str)), None)
        if path[0] == "rows" and label is not None:
            return _("row {label!r}", label=label)
        place = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        return f"{place} {label!r}" if label is not None else place


LABEL_KEYS = ("heading", "line", "total", "label", "title", "row")

# What each part of a statement file may say.
_COMMON_ROW = {"depth": schema.DEPTH}
_SHOWN = {"hide_zero": schema.FLAG, "hidden": schema.FLAG}
HEADING = schema.Table({"heading": schema.TEXT, **_COMMON_ROW, "sign": schema.SIGN}, ("depth",))
LINE = schema.Table(
    {"line": schema.TEXT, **_COMMON_ROW, "plus": schema.TEXTS, **_SHOWN, "result": schema.FLAG},
    ("depth",),
)
TOTAL = schema.Table(
    {
        "total": schema.TEXT,
        **_COMMON_ROW,
        "sum": schema.NONEMPTY_TEXTS,
        **_SHOWN,
        "result": schema.FLAG,
    },
    ("depth", "sum"),
)
CASH_ROW = schema.Table(
    {
        "cash": schema.one_of(*BASES),
        "line": schema.TEXT,
        **_COMMON_ROW,
        "of": schema.NONEMPTY_TEXTS,
        **_SHOWN,
    },
    ("line", "depth", "of"),
)
# A row that names no heading, line or total: any row's key is known (the missing
# label is the error), so that only a misspelt key is named as unknown.
UNLABELLED = schema.Table({**HEADING.keys, **LINE.keys, **TOTAL.keys, **CASH_ROW.keys})
CHECK = schema.Table({"row": schema.TEXT, "equals": schema.TEXT}, ("row", "equals"))


def _row_schema(item: Mapping[str, Any]) -> schema.Table:
    if "heading" in item:
        return HEADING
    if "total" in item:
        return TOTAL
    if "cash" in item:
        return CASH_ROW
    if "line" in item:
        return LINE
    return UNLABELLED


ROWS = schema.Tables(_row_schema, nonempty=True)
_STATEMENT_KEYS: dict[str, schema.Value | schema.Tables] = {
    "title": schema.TEXT,
    "actual_title": schema.TEXT,
    "kind": schema.one_of(*KINDS),
    "label_header": schema.TEXT,
    "hidden": schema.FLAG,
    "rows": ROWS,
    "checks": schema.Tables(lambda _item: CHECK),
}
STATEMENT = {
    "balance": schema.Table(
        {**_STATEMENT_KEYS, "closes_into": schema.TEXT}, ("title", "kind", "rows")
    ),
    "flow": schema.Table(_STATEMENT_KEYS, ("title", "kind", "rows")),
    "cash": schema.Table(
        {**_STATEMENT_KEYS, "cash": schema.TEXT}, ("title", "kind", "rows", "cash")
    ),
}
ANY_STATEMENT = schema.Table(
    {**STATEMENT["balance"].keys, **STATEMENT["cash"].keys}, ("title", "kind", "rows")
)
INDEX_SCHEMA = schema.Table(
    {"statements": schema.NONEMPTY_TEXTS, "settlement": schema.TEXT}, ("statements",)
)


def _parse(statement: str, source: LayoutFile) -> Layout:
    document = source.parse()
    kind = document.get("kind")
    # Against its kind's keys; without a valid kind, against every kind's (so that the
    # kind itself, or an unknown key, is named).
    raw = source.check(document, STATEMENT[kind] if kind in KINDS else ANY_STATEMENT)
    rows: list[Row] = []
    headings: list[tuple[int, str, int]] = []  # (depth, label, sign) of open sections
    for index, item in enumerate(raw["rows"]):
        label = next((item[k] for k in ("heading", "total", "line") if k in item), None)
        if label is None:
            raise source.error_at(_("a row names no heading, line or total"), ("rows", index))
        if sum(k in item for k in ("heading", "total")) + ("line" in item) > 1:
            raise source.error_at(
                _("row {label!r} is more than one of heading, line and total", label=label),
                ("rows", index),
            )
        if "cash" in item and kind != "cash":
            raise source.error_at(
                _("row {label!r}: a cash row belongs in a statement of kind cash", label=label),
                ("rows", index, "cash"),
            )
        depth = item["depth"]
        while headings and headings[-1][0] >= depth:
            headings.pop()
        section = headings[-1][1] if headings else ""
        sign = headings[-1][2] if headings else 1
        lineno = source.line(("rows", index))
        shown = {
            "hide_zero": item.get("hide_zero", False),
            "hidden": item.get("hidden", False),
            "lineno": lineno,
        }
        if "heading" in item:
            heading_sign = item.get("sign", sign)
            rows.append(
                Row(statement, "heading", label, depth, section, heading_sign, lineno=lineno)
            )
            headings.append((depth, label, heading_sign))
        elif "total" in item:
            terms = tuple(_term(statement, ref) for ref in item["sum"])
            rows.append(
                Row(statement, "total", label, depth, section, sign, terms,
                    result=item.get("result", False), **shown)
            )  # fmt: skip
        elif "cash" in item:
            rows.append(
                Row(statement, "cash", label, depth, section, sign, (),
                    tuple(_qualify(statement, r) for r in item["of"]), item["cash"], **shown)
            )  # fmt: skip
        else:
            terms = tuple(_term(statement, ref) for ref in item.get("plus", ()))
            rows.append(
                Row(statement, "line", label, depth, section, sign, terms,
                    result=item.get("result", False), **shown)
            )  # fmt: skip
    frozen = tuple(rows)
    checks = tuple(
        Equality(_qualify(statement, c["row"]), _qualify(statement, c["equals"]))
        for c in raw.get("checks", ())
    )
    return Layout(
        statement=statement,
        kind=kind,
        title=raw["title"],
        label_header=raw.get("label_header", "科目"),
        rows=frozen,
        checks=checks,
        cash=_qualify(statement, raw["cash"]) if "cash" in raw else None,
        closes_into=raw.get("closes_into"),
        actual_title=raw.get("actual_title"),
        hidden=raw.get("hidden", False),
        source=str(source.path),
        _index=_index(frozen, source),
    )


def _index(rows: tuple[Row, ...], source: LayoutFile) -> dict[str, Row]:
    index: dict[str, Row] = {}
    label_count: dict[str, int] = {}
    for position, row in enumerate(rows):
        if not row.has_value:
            continue
        if row.key in index:
            raise source.error_at(
                _("row {row!r} is declared twice", row=row.key), ("rows", position)
            )
        index[row.key] = row
        label_count[row.label] = label_count.get(row.label, 0) + 1
    for row in rows:
        if row.has_value and label_count[row.label] == 1:
            index.setdefault(row.label, row)
    return index


def _qualify(statement: str, ref: str) -> str:
    return ref if ":" in ref else f"{statement}:{ref}"


def _term(statement: str, ref: str) -> Term:
    coefficient = -1 if ref.startswith("-") else 1
    return Term(coefficient, _qualify(statement, ref.lstrip("-")))


class _Layouts:
    """The checks across a ledger's statement files, each error at its line."""

    def __init__(self, layouts: Layouts, sources: dict[str, LayoutFile]) -> None:
        self.layouts, self.sources = layouts, sources

    def at(self, row: Row, message: Message) -> LayoutError:
        """An error at the row's line in its layout file."""
        return LayoutError(message, str(self.sources[row.statement].path), row.lineno)

    def known(self, row: Row, reference: str) -> Row:
        try:
            return self.layouts.row(reference)
        except KeyError:
            raise self.at(row, _("no row {reference!r} to refer to", reference=reference)) from None

    def references(self) -> None:
        """Every reference names a row; a cash row takes rows of balance or flow
        statements; checks and ``closes_into`` name rows."""
        layouts = self.layouts
        for layout in layouts:
            source = self.sources[layout.statement]
            for row in layout.rows:
                for term in row.terms:
                    self.known(row, term.ref)
                for reference in row.of:
                    taken = self.known(row, reference)
                    if layouts[taken.statement].kind == "cash":
                        raise self.at(
                            row,
                            _(
                                "row {row!r} takes {reference!r}, a row of a cash statement; "
                                "a cash row takes rows of balance and flow statements",
                                row=row.label,
                                reference=reference,
                            ),
                        )
            for check in layout.checks:
                for reference in (check.row, check.equals):
                    short = reference.removeprefix(layout.statement + ":")
                    try:
                        layouts.row(reference)
                    except KeyError:
                        mention = short if f'"{short}"' in source.text else reference
                        raise source.error(
                            _("no row {reference!r} to refer to", reference=reference), mention
                        ) from None
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

    def order(self) -> tuple[str, ...]:
        """Every value row, each after the rows it is made of; a row that is made
        of itself, however far round, is an error naming the round."""
        layouts = self.layouts
        done: dict[str, bool] = {}  # ref -> finished (False while on the path)
        order: list[str] = []
        for layout in layouts:
            for row in layout.value_rows():
                if row.ref in done:
                    continue
                path: list[str] = [row.ref]
                pending: list[Iterator[str]] = [iter(layouts.parts(row.ref))]
                done[row.ref] = False
                while pending:
                    part = next(pending[-1], None)
                    if part is None:
                        pending.pop()
                        finished = path.pop()
                        done[finished] = True
                        order.append(finished)
                        continue
                    part = layouts.row(part).ref
                    if part not in done:
                        done[part] = False
                        path.append(part)
                        pending.append(iter(layouts.parts(part)))
                    elif not done[part]:
                        loop = path[path.index(part) :] + [part]
                        first = layouts.row(loop[0])
                        raise self.at(
                            first,
                            _(
                                "row {row!r} is made of itself: {loop}",
                                row=first.label,
                                loop=" → ".join(loop),
                            ),
                        )
        return tuple(order)

    def cash_statements(self) -> None:
        """A cash statement names a balance row as its cash; its flow rows, its
        opening rows and its closing rows each take rows no other of them takes,
        and its working capital (what its opening and closing rows take, but its
        cash) has both an opening and a closing row, so that its rows account for
        every movement of its cash."""
        layouts = self.layouts
        for layout in layouts.of_kind("cash"):
            source = self.sources[layout.statement]
            cash_row = layouts.find(*layout.cash.split(":", 1)) if layout.cash else None
            if cash_row is None or layouts[cash_row.statement].kind != "balance":
                raise source.error_at(
                    _(
                        "`cash` names the balance-sheet row that is the statement's cash "
                        '(cash = "bs:現金預金"); {reference!r} is none',
                        reference=layout.cash,
                    ),
                    ("cash",),
                )
            cash = layouts.reach(cash_row.ref)
            taken: dict[str, dict[str, Row]] = {basis: {} for basis in BASES}
            for row in layout.rows:
                if row.kind != "cash":
                    continue
                reached: set[str] = set()
                for reference in row.of:
                    reached |= layouts.reach(reference)
                if reached & cash and (row.basis == "flow" or reached - cash):
                    raise self.at(
                        row,
                        _(
                            "row {row!r} of {statement} takes its cash ({cash}); only an "
                            "opening or a closing row takes the cash, alone",
                            row=row.label,
                            statement=layout.title,
                            cash=cash_row.label,
                        ),
                    )
                if reached <= cash:
                    continue
                # An opening and a closing row take the same rows; nothing else overlaps.
                against = BASES if row.basis == "flow" else (row.basis, "flow")
                for basis in against:
                    for reference in sorted(reached):
                        other = taken[basis].get(reference)
                        if other is not None:
                            raise self.at(
                                row,
                                _(
                                    "rows {row!r} and {other!r} of {statement} both take "
                                    "{taken!r}: its accounts would count twice",
                                    row=row.label,
                                    other=other.label,
                                    statement=layout.title,
                                    taken=reference,
                                ),
                            )
                for reference in reached:
                    taken[row.basis][reference] = row
            opening, closing = set(taken["opening"]), set(taken["closing"])
            if opening != closing:
                missing, basis = sorted(opening ^ closing)[0], "closing"
                if missing in closing:
                    basis = "opening"
                raise source.error_at(
                    _(
                        "{statement} has working capital {row!r} without a {basis} row: "
                        "its movements would go unexplained; give it an opening and a "
                        "closing row",
                        statement=layout.title,
                        row=missing,
                        basis=basis,
                    ),
                    ("rows",),
                )

    def settlement(self, index: LayoutFile, declared: str | None) -> str | None:
        """The statement the 決算報告書 is made of: the one declared, else the one
        cash statement, else the one flow statement."""
        layouts = self.layouts
        if declared is not None:
            if declared not in layouts.by_statement or layouts[declared].kind == "balance":
                raise index.error_at(
                    _(
                        "settlement names no cash or flow statement of this ledger: {statement!r}",
                        statement=declared,
                    ),
                    ("settlement",),
                )
            return declared
        for kind in ("cash", "flow"):
            candidates = [layout.statement for layout in layouts.of_kind(kind)]
            if len(candidates) > 1:
                raise index.error_at(
                    _(
                        "{candidates} could each be the statement of the settlement "
                        '(決算報告書): declare which, settlement = "{first}"',
                        candidates=", ".join(candidates),
                        first=candidates[0],
                    ),
                    ("statements",),
                )
            if candidates:
                return candidates[0]
        return None


def read_layouts(folder: Path) -> Layouts:
    """The statements of a layout folder (``statements.toml`` and a file per
    statement); raises ``LayoutError`` at the file and line of a problem."""
    index = LayoutFile(folder / INDEX)
    declared = index.checked(INDEX_SCHEMA)
    keys = declared["statements"]
    sources: dict[str, LayoutFile] = {}
    by_statement: dict[str, Layout] = {}
    for position, key in enumerate(keys):
        if not key.isidentifier() or key in by_statement:
            raise index.error_at(
                _("statement key {key!r} is not a name, or stands twice", key=key),
                ("statements", position),
            )
        sources[key] = LayoutFile(folder / f"{key}.toml")
        by_statement[key] = _parse(key, sources[key])
    layouts = Layouts(by_statement, str(folder))
    checks = _Layouts(layouts, sources)
    checks.references()
    order = checks.order()
    checks.cash_statements()
    settlement = checks.settlement(index, declared.get("settlement"))
    return Layouts(by_statement, str(folder), settlement, order)
