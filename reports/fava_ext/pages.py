"""What the Fava pages show, worked out here so that the templates only lay it out.

A page is made of the engine's statements through ``reports.tables.statements``
(the same ``Table`` the terminal renderer draws) plus links: the unit and segment
switches, and from each figure to the postings behind it (``line_page``) and on
to Fava's journal of them.  Nothing here touches Flask: a ``Place`` carries the
URL the page was asked for.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

from beancount.core.data import Transaction
from fava.core.filters import FilterError

from yosan_ledger.load import internals
from yosan_ledger.plugins.core import revisions
from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.messages import _, locale_language, translated
from yosan_ledger.plugins.core.problem import Problem
from yosan_ledger.plugins.core.published import PublishedFigure
from yosan_ledger.plugins.core.units import UNITS
from yosan_ledger.reports.fava_ext.drill import basis, journal_filter
from yosan_ledger.reports.loading.ledger import CHECK, RULE, error_rank, one_line
from yosan_ledger.reports.rendering.text import figure
from yosan_ledger.reports.tables.execution import execution_tables
from yosan_ledger.reports.tables.revision import revision_tables
from yosan_ledger.reports.tables.statements import TOTAL_HEADER, statement_table
from yosan_ledger.reports.tables.table import Table

DEFAULT_UNIT = "thousand"
SHOWN_ERRORS = 20  # a statement page lists this many; Fava's Errors page has them all
BY_SEGMENT = "事業別"
LINE_PAGE = "line"  # the transactions behind one figure: extension endpoint
ALL_FIGURES = "すべて"


@dataclass(frozen=True)
class Place:
    """The URL a page was asked for: its path, the ledger's base and the query."""

    path: str  # e.g. /jlis/extension/YosanBalanceSheet/
    ledger_url: str  # e.g. /jlis/
    args: Mapping[str, str]

    def arg(self, name: str) -> str:
        return (self.args.get(name) or "").strip()

    def here(self, **changes: str | None) -> str:
        """This page with some query arguments changed (None or "" removes one)."""
        args = {k: v for k, v in self.args.items() if k != "partial"}  # Fava's fetch flag
        for key, value in changes.items():
            if value:
                args[key] = value
            else:
                args.pop(key, None)
        return f"{self.path}?{urlencode(args)}" if args else self.path

    def beside(self, name: str) -> Place:
        """The page ``name`` of the same extension (``""`` for its main page)."""
        return Place(self.path.rsplit("/", 1)[0] + "/" + name, self.ledger_url, self.args)

    def report(self, name: str, params: Mapping[str, str] | None = None) -> str:
        query = urlencode(params or {})
        return f"{self.ledger_url}{name}/" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Choice:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class Selection:
    """The segment a page shows, as Fava's filter gives it.

    The page follows Fava's filter when it holds one segment tag (``#jpki``),
    alone or beside other conditions; it shows the whole body when it holds
    none.  ``ambiguous``: the filter names segments in a way a statement cannot
    follow (two of them, a negated one, an alternative ``,``), so the whole body
    is shown.  ``ignored``: Fava's filters hold more than the segment tag (an
    account, a period, other conditions), which the statements do not apply.
    """

    segment: str  # a segment key, or TOTAL
    by_segment: bool
    ambiguous: bool
    ignored: bool
    filter_text: str
    follows_time: bool = False  # an actual journal's page: to the end of Fava's period

    @property
    def narrows_fava(self) -> bool:
        """One segment is shown because Fava's filter names it: Fava's own pages
        (journal, balances) are narrowed to it as well."""
        return self.segment != TOTAL and not self.by_segment


def select_segment(place: Place, keys: Sequence[str], *, follows_time: bool = False) -> Selection:
    text = place.arg("filter")
    by_segment = place.arg("by_segment") == "1"
    tags, ambiguous, others = _segment_tags(text, frozenset(keys))
    if len(tags) > 1:
        ambiguous = True
    segment = tags[0] if len(tags) == 1 and not ambiguous else TOTAL
    ignoring = ("account",) if follows_time else ("account", "time")
    ignored = others or any(place.arg(name) for name in ignoring)
    return Selection(segment, by_segment, ambiguous, ignored, text, follows_time)


OPERATORS = frozenset({"(", ")", ",", "-", "ANY", "ALL"})


def _segment_tags(text: str, keys: frozenset[str]) -> tuple[list[str], bool, bool]:
    """(segment tags standing as plain conditions, whether the filter is ambiguous,
    whether it holds other conditions)."""
    if not text:
        return [], False, False
    try:
        tokens = internals.filter_tokens(text)
    except FilterError:
        return [], True, True
    tags: list[str] = []
    ambiguous = any(t.type == "," for t in tokens)
    others = False
    depth = 0
    for i, token in enumerate(tokens):
        if token.type in ("(", "ANY", "ALL"):
            depth += 1
        elif token.type == ")":
            depth -= 1
        if token.type == "TAG" and token.value in keys:
            negated = i > 0 and tokens[i - 1].type == "-"
            if negated or depth:
                ambiguous = True
            else:
                tags.append(token.value)
        elif token.type not in OPERATORS:
            others = True
    return tags, ambiguous, others


@dataclass(frozen=True)
class Cell:
    text: str
    url: str | None
    accounts: str  # the accounts feeding the figure, one a line (the link's tooltip)


@dataclass(frozen=True)
class Line:
    kind: str  # heading, line, total, cash
    ref: str  # "stmt:key"
    label: str
    depth: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class ErrorLine:
    where: str  # file:line, relative to the ledger's folder
    url: str | None  # Fava's editor at that line
    message: str


@dataclass(frozen=True)
class Errors:
    count: int
    shown: tuple[ErrorLine, ...]  # the causes first, as the command prints them
    url: str  # Fava's Errors page
    causes: int = 0  # how many of the first are causes of the ones after them (0: none)


@dataclass(frozen=True)
class SegmentChoices:
    selection: Selection
    segment_name: str  # of the segment shown, or "" for the whole body
    choices: tuple[Choice, ...]  # 合計, each segment, and (statement pages) 事業別


@dataclass(frozen=True)
class Failed:
    """A page the extension could not compute: what went wrong, and the ledger's
    errors (the cause is most often among them: a broken layout)."""

    errors: Errors
    failure: str
    missing_budget: ClassVar[bool] = False


def failed_page(error: BaseException, errors: Errors, language: str | None) -> Failed:
    message = _(
        "yosan cannot compute this page: {kind}: {error}",
        kind=type(error).__name__,
        error=str(error),
    )
    return Failed(errors, translated(message, language))


@dataclass(frozen=True)
class NoBudget:
    """A ledger that declares no budget: nothing to show but its errors."""

    errors: Errors
    missing_budget: bool = True


@dataclass(frozen=True)
class StatementPage:
    missing_budget: ClassVar[bool] = False
    table: Table | None  # None: nothing to show (empty_note says why)
    lines: tuple[Line, ...]
    statements: tuple[Choice, ...]  # one per statement the ledger declares
    units: tuple[Choice, ...]
    segments: SegmentChoices
    errors: Errors
    versions: tuple[Choice, ...] = ()  # 当初 and each revision, for a revised budget
    empty_note: str = ""  # what the page says when it has no table

    @property
    def linked(self) -> bool:
        """Whether the figures open the postings behind them."""
        return any(cell.url for line in self.lines for cell in line.cells)


@dataclass(frozen=True)
class RevisionPage:
    """A revision's table (補正前の額 / 補正額 / 補正後の額) of one statement."""

    missing_budget: ClassVar[bool] = False
    table: Table | None  # None: the budget has no revision
    lines: tuple[Line, ...]
    statements: tuple[Choice, ...]
    units: tuple[Choice, ...]
    segments: SegmentChoices
    errors: Errors
    versions: tuple[Choice, ...] = ()  # the revisions
    linked: ClassVar[bool] = False
    empty_note: str = (
        'この予算には補正予算がありません。補正は custom "yosan-revision" "名称" で宣言し、'
        'その取引に revision: "名称" を付けます。'
    )


def execution_page(
    planned: Statements | None,
    actual: Statements,
    statement: str,
    place: Place,
    *,
    day: datetime.date,
    version: str,
    organisation: str,
    errors: Errors,
) -> StatementPage:
    """予算執行状況 of one statement through ``day`` (the end of Fava's time filter):
    予算現額, 執行額 (each opening its postings), 残額, 執行率."""
    if statement not in [layout.statement for layout in actual.layouts.shown()]:
        statement = first_statement(actual)
    unit_key = place.arg("unit") if place.arg("unit") in UNITS else DEFAULT_UNIT
    units = tuple(
        Choice(unit.label, place.here(unit=key), key == unit_key) for key, unit in UNITS.items()
    )
    segments = segment_choices(actual, place, with_table=False)
    shown = tuple(
        Choice(
            layout.title_of(actual=True),
            place.here(statement=layout.statement),
            layout.statement == statement,
        )
        for layout in actual.layouts.shown()
    )
    if not actual.actual or planned is None:
        note = (
            '予算執行状況は実績の帳簿（custom "yosan-actuals" で予算を指定した帳簿）で表示します。'
        )
        return StatementPage(None, (), shown, units, segments, errors, empty_note=note)
    column = segments.selection.segment
    (table,) = [
        t
        for t in execution_tables(
            planned,
            actual,
            day,
            version,
            UNITS[unit_key],
            segment=None if column == TOTAL else column,
            organisation=organisation,
        )
        if t.statement == statement
    ]
    lines = []
    for row in table.rows:
        cells: tuple[Cell, ...] = ()
        if row.values is not None:
            budget, done, remaining, rate = row.values
            linked = _cell(actual, place, row.ref, column, int(done))
            cells = (
                Cell(figure(budget), None, ""),
                linked,
                Cell(figure(remaining), None, ""),
                Cell(figure(rate), None, ""),
            )
        lines.append(Line(row.kind, row.ref, row.label, row.depth, cells))
    return StatementPage(table, tuple(lines), shown, units, segments, errors)


def kind_page(
    tables: Sequence[Table],
    statements: Statements,
    place: Place,
    *,
    unit_key: str | None,
    errors: Errors,
    empty_note: str = "",
) -> StatementPage:
    """A kind of table of the registry (``tables.kinds``), drawn for the segment of
    Fava's filter and the unit asked for: a switch between its tables where it draws
    several (a 会計's 歳入 and 歳出, say)."""
    segments = segment_choices(statements, place, with_table=False)
    units = tuple(
        Choice(unit.label, place.here(unit=key), key == unit_key) for key, unit in UNITS.items()
    )
    if not tables:
        return StatementPage(None, (), (), units, segments, errors, empty_note=empty_note)
    asked = place.arg("table")
    index = int(asked) if asked.isdigit() and int(asked) < len(tables) else 0
    switch = tuple(
        Choice(table.title, place.here(table=str(i) if i else None), i == index)
        for i, table in enumerate(tables)
    )
    table = tables[index]
    lines = table_lines(table)
    return StatementPage(table, lines, switch if len(tables) > 1 else (), units, segments, errors)


def table_lines(table: Table) -> tuple[Line, ...]:
    """A table's rows as the page draws them: each figure as printed, no link."""
    return tuple(
        Line(
            row.kind,
            row.ref,
            row.label,
            row.depth,
            tuple(Cell(figure(v), None, "") for v in row.values or ()),
        )
        for row in table.rows
    )


def revision_page(
    versions: Sequence[str],
    statements_as_of: Callable[[str], Statements],
    statement: str,
    place: Place,
    *,
    organisation: str,
    errors: Errors,
) -> RevisionPage:
    """The table of the revision the page asks for (default: the last)."""
    after = statements_as_of(versions[-1])
    if statement not in [layout.statement for layout in after.layouts.shown()]:
        statement = first_statement(after)
    unit_key = place.arg("unit") if place.arg("unit") in UNITS else DEFAULT_UNIT
    units = tuple(
        Choice(unit.label, place.here(unit=key), key == unit_key) for key, unit in UNITS.items()
    )
    segments = segment_choices(after, place)
    shown = tuple(
        Choice(layout.title, place.here(statement=layout.statement), layout.statement == statement)
        for layout in after.layouts.shown()
    )
    if len(versions) < 2:
        return RevisionPage(None, (), shown, units, segments, errors)
    asked = revisions.canonical(place.arg("revision") or "")
    target = asked if asked in versions[1:] else versions[-1]
    before = statements_as_of(versions[versions.index(target) - 1])
    after = statements_as_of(target)
    selection = segments.selection
    (table,) = [
        t
        for t in revision_tables(
            before,
            after,
            target,
            UNITS[unit_key],
            segment=None if selection.segment == TOTAL else selection.segment,
            organisation=organisation,
        )
        if t.statement == statement
    ]
    lines = table_lines(table)
    choices = version_choices_of(versions, place, current=target, first=1)
    return RevisionPage(table, lines, shown, units, segments, errors, choices)


def source_of(source: Any, place: Place, folder: str) -> tuple[str, str | None]:
    """(file:line relative to the ledger's folder, Fava's editor at that line)."""
    filename = source.get("filename") if isinstance(source, dict) else None
    lineno = source.get("lineno") if isinstance(source, dict) else None
    if not filename or str(filename).startswith("<"):
        return "", None
    relative = os.path.relpath(filename, folder)
    shown = filename if relative.startswith("..") else relative
    params = {"file_path": filename, **({"line": str(lineno)} if lineno else {})}
    return (f"{shown}:{lineno}" if lineno else shown), place.report("editor", params)


def error_lines(
    errors: Sequence[Any], place: Place, ledger_file: str, language: str | None = None
) -> Errors:
    """Fava's errors for the ledger (load, plugins, Fava's own) as the command orders
    them, the causes first (Beancount's errors, then the rules' at the lines that make
    the totals, then the checks of totals that follow from them), each kind in file
    and line order; the first ones in full, the messages in ``language`` (Fava's
    option, else the locale's) where the catalog has them."""
    folder = os.path.dirname(os.path.abspath(ledger_file))

    def order(error: Any) -> tuple[int, str, int]:
        source = getattr(error, "source", None)
        source = source if isinstance(source, dict) else {}
        return error_rank(error), str(source.get("filename") or ""), source.get("lineno") or 0

    ordered = sorted(errors, key=order)
    ranks = [error_rank(error) for error in ordered]
    causes = sum(1 for r in ranks if r < RULE) or sum(1 for r in ranks if r < CHECK)
    shown = []
    language = language or locale_language()
    for error in ordered[:SHOWN_ERRORS]:
        where, url = source_of(getattr(error, "source", None), place, folder)
        message = one_line(translated(getattr(error, "message", error), language), language)
        shown.append(ErrorLine(where, url, message))
    following = causes if 0 < causes < len(ordered) else 0
    return Errors(len(errors), tuple(shown), place.report("errors"), following)


def segment_choices(
    statements: Statements,
    place: Place,
    *,
    whole_label: str = TOTAL_HEADER,
    with_table: bool = True,
) -> SegmentChoices:
    keys = [s.key for s in statements.segments]
    selection = select_segment(place, keys, follows_time=statements.actual)
    whole = not selection.by_segment and selection.segment == TOTAL
    choices = [Choice(whole_label, place.here(filter=None, by_segment=None), whole)]
    for segment in statements.segments:
        current = not selection.by_segment and selection.segment == segment.key
        url = place.here(filter=f"#{segment.key}", by_segment=None)
        choices.append(Choice(segment.name, url, current))
    if with_table:
        # Every segment at once: a segment tag left in Fava's filter would say otherwise.
        by_segment = place.here(by_segment="1", filter=None)
        choices.append(Choice(BY_SEGMENT, by_segment, selection.by_segment))
    names = {s.key: s.name for s in statements.segments}
    return SegmentChoices(selection, names.get(selection.segment, ""), tuple(choices))


def version_choices_of(
    versions: Sequence[str], place: Place, *, current: str | None, first: int = 0
) -> tuple[Choice, ...]:
    """The budget's versions as switches (none for a budget without revisions)."""
    if len(versions) < 2:
        return ()
    shown = current if current in versions else versions[-1]
    return tuple(
        Choice(revisions.title(v), place.here(revision=v), v == shown) for v in versions[first:]
    )


def statement_page(
    statements: Statements,
    statement: str,
    place: Place,
    *,
    organisation: str,
    errors: Errors,
    versions: Sequence[str] = (),
    version: str | None = None,
) -> StatementPage:
    """One statement of one version of the budget; its figures open their postings
    for the budget in force only (an earlier version's transactions are a part of
    the journal that Fava's filters cannot pick)."""
    version_choices = version_choices_of(versions, place, current=version)
    linked = not versions or version in (None, versions[-1])
    unit_key = place.arg("unit") if place.arg("unit") in UNITS else DEFAULT_UNIT
    if statement not in statements.layouts.by_statement:
        statement = first_statement(statements)
    segments = segment_choices(statements, place)
    selection = segments.selection
    table = statement_table(
        statements,
        statement,
        UNITS[unit_key],
        segment=selection.segment,
        by_segment=selection.by_segment,
        organisation=organisation,
        version=revisions.shown_as(versions, version) if version_choices else None,
    )
    lines = []
    for row in table.rows:
        cells: tuple[Cell, ...] = ()
        if row.values is not None:
            cells = tuple(
                _cell(statements, place, row.ref, column, value)
                if linked
                else Cell(figure(value), None, "")
                for column, value in zip(table.columns, row.values, strict=True)
            )
        lines.append(Line(row.kind, row.ref, row.label, row.depth, cells))
    units = tuple(
        Choice(unit.label, place.here(unit=key), key == unit_key) for key, unit in UNITS.items()
    )
    shown = tuple(
        Choice(
            layout.title_of(actual=statements.actual),
            place.here(statement=layout.statement),
            layout.statement == statement,
        )
        for layout in statements.layouts
        if not layout.hidden or layout.statement == statement
    )
    return StatementPage(table, tuple(lines), shown, units, segments, errors, version_choices)


def first_statement(statements: Statements) -> str:
    """The statement a page shows when none is asked for: the first one shown."""
    shown = statements.layouts.shown() or list(statements.layouts)
    return shown[0].statement


def _cell(statements: Statements, place: Place, ref: str, column: str, value: int) -> Cell:
    url = None
    if journal_filter(statements, ref, column) is not None:
        tag = None if column == TOTAL else f"#{column}"
        url = place.beside(LINE_PAGE).here(ref=ref, filter=tag, by_segment=None)
    return Cell(figure(value), url, "\n".join(statements.accounts.get(ref, ())))


@dataclass(frozen=True)
class FigureCheck:
    """One published figure beside the computed one."""

    statement: str  # the statement's title
    row: str
    segment: str  # the segment's name, or 合計
    published: str
    computed: str
    difference: str
    unit: str
    matches: bool
    where: str
    source_url: str | None


@dataclass(frozen=True)
class ChecksPage:
    missing_budget: ClassVar[bool] = False
    checks: tuple[FigureCheck, ...]
    mismatches: tuple[FigureCheck, ...]
    malformed: tuple[ErrorLine, ...]  # published directives that name nothing known
    segments: SegmentChoices
    errors: Errors

    @property
    def matched(self) -> int:
        return len(self.checks) - len(self.mismatches)


def checks_page(
    statements: Statements,
    figures: Sequence[PublishedFigure],
    malformed: Sequence[Problem],
    place: Place,
    *,
    ledger_file: str,
    errors: Errors,
    language: str | None = None,
) -> ChecksPage:
    segments = segment_choices(statements, place, whole_label=ALL_FIGURES, with_table=False)
    chosen = segments.selection.segment
    names = {s.key: s.name for s in statements.segments} | {TOTAL: TOTAL_HEADER}
    shown = sorted(
        (f for f in figures if chosen == TOTAL or f.segment == chosen),
        key=_published_order(statements),
    )
    folder = os.path.dirname(os.path.abspath(ledger_file))
    checks = []
    for f in shown:
        where, url = source_of(f.entry.meta, place, folder)
        checks.append(
            FigureCheck(
                statement=statements.layouts[f.statement].title,
                row=f.row_key,
                segment=names[f.segment],
                published=figure(f.published),
                computed=figure(f.computed),
                difference="" if f.matches else f"{f.computed - f.published:+,}",
                unit=f.unit.label,
                matches=f.matches,
                where=where,
                source_url=url,
            )
        )
    bad = error_lines(list(malformed), place, ledger_file, language).shown
    return ChecksPage(
        tuple(checks), tuple(c for c in checks if not c.matches), bad, segments, errors
    )


def _published_order(statements: Statements) -> Any:
    """Statements, rows and segments in the order the published tables have them."""
    position: dict[str, int] = {}
    for layout in statements.layouts:
        for row in layout.value_rows():
            position[row.ref] = len(position)
    column = {key: i for i, key in enumerate(statements.columns)}

    def key(figure: PublishedFigure) -> tuple[int, int]:
        return position[f"{figure.statement}:{figure.row_key}"], column[figure.segment]

    return key


@dataclass(frozen=True)
class AccountLine:
    """An account feeding a row, with the metadata of its ``open``."""

    name: str
    url: str  # Fava's account page, in the segment
    meta: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PostingLine:
    """One posting to an account of the row: a debit or a credit, in yen."""

    date: str
    payee: str
    narration: str
    account: str
    debit: str
    credit: str
    where: str
    source_url: str | None


@dataclass(frozen=True)
class LinePage:
    """The transactions behind one figure of a statement, in one segment or all."""

    missing_budget: ClassVar[bool] = False
    statement_title: str
    label: str
    segments: SegmentChoices
    figure: str
    unit: str
    basis: str  # see drill.basis
    accounts: tuple[AccountLine, ...]
    postings: tuple[PostingLine, ...]
    journal_url: str | None  # the same transactions in Fava's journal
    statement_url: str
    errors: Errors


def line_page(
    statements: Statements,
    place: Place,
    *,
    entries_for: Any,  # (account, filter) -> Fava's filtered entries
    account_meta: Mapping[str, Mapping[str, Any]],
    ledger_file: str,
    errors: Errors,
) -> LinePage | None:
    """None when the URL names no row of the statement this page belongs to."""
    try:
        row = statements.layouts.row(place.arg("ref"))
    except KeyError:
        return None
    segments = segment_choices(statements, place, with_table=False)
    segment = segments.selection.segment
    unit_key = place.arg("unit") if place.arg("unit") in UNITS else DEFAULT_UNIT
    table = statement_table(statements, row.statement, UNITS[unit_key], segment=segment)
    (value,) = next(r.values for r in table.rows if r.ref == row.ref)
    tag = "" if segment == TOTAL else f"#{segment}"
    accounts = tuple(
        AccountLine(
            name,
            place.report(f"account/{name}", {"filter": tag} if tag else {}),
            tuple(
                (str(k), str(v))
                for k, v in account_meta.get(name, {}).items()
                if k not in ("filename", "lineno")
            ),
        )
        for name in statements.accounts.get(row.ref, ())
    )
    journal = journal_filter(statements, row.ref, segment)
    # A cash statement's flow row counts the part of each posting its rule counts.
    rule = statements.cash_rules.get(row.statement) if row.basis == "flow" else None
    postings: list[PostingLine] = []
    if journal is not None:
        folder = os.path.dirname(os.path.abspath(ledger_file))
        feeding = set(statements.accounts[row.ref])
        for entry in entries_for(journal.account, journal.filter):
            if not isinstance(entry, Transaction):
                continue
            where, url = source_of(entry.meta, place, folder)
            amounts = [
                (p.account, int(p.units.number) if p.units.number is not None else 0)
                for p in entry.postings
            ]
            if rule is not None:
                amounts = list(
                    zip(
                        (account for account, _ in amounts),
                        rule.count(amounts).parts,
                        strict=True,
                    )
                )
            for posting, (account, amount) in zip(entry.postings, amounts, strict=True):
                if account not in feeding or posting.units.number is None:
                    continue
                if rule is not None and not amount:
                    continue  # not counted on this row (a non-cash entry beside a payment)
                postings.append(
                    PostingLine(
                        date=entry.date.isoformat(),
                        payee=entry.payee or "",
                        narration=entry.narration or "",
                        account=posting.account,
                        debit=f"{amount:,}" if amount > 0 else "",
                        credit=f"{-amount:,}" if amount < 0 else "",
                        where=where,
                        source_url=url,
                    )
                )
    statement_place = place.beside("")
    return LinePage(
        statement_title=statements.layouts[row.statement].title_of(actual=statements.actual),
        label=row.label,
        segments=segments,
        figure=figure(value),
        unit=table.unit.label,
        basis=basis(statements, row.ref),
        accounts=accounts,
        postings=tuple(postings),
        journal_url=place.report("journal", journal.params()) if journal else None,
        statement_url=statement_place.here(ref=None, statement=row.statement),
        errors=errors,
    )
