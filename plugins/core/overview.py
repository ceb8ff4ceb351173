"""予算の概要: a budget beside another budget, item by item.

    2016-02-25 custom "yosan-comparison" "27年度6月補正" "fy2015/main.beancount"

The comparison directive gives the other budget's label (the overview's column
header) and its ledger, relative to the file the directive stands in.  That ledger
is loaded with its own rules (``yosan_ledger.load.ledger.load_named``).  The items
are data (layouts/overview.toml): signed sums of statement rows, so any two
budgets compare.  The rule that checks the published overview is
``yosan_ledger.plugins.overview``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from beancount.core import data

from yosan_ledger.load.ledger import load_named
from yosan_ledger.plugins.core import results, schema, walk
from yosan_ledger.plugins.core.budget import Budget, values
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.era import fiscal_year_of, format_fiscal_year
from yosan_ledger.plugins.core.layout import LayoutFile, Layouts, Term
from yosan_ledger.plugins.core.memo import of_entries
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.units import UNITS, Unit

COMPARISON = "yosan-comparison"
COMPARISON_FORM = 'custom "yosan-comparison" "label" "path/to/other/main.beancount"'
COLUMNS = ("this", "that", "change")  # the frame's columns: yen, change = this − that


@dataclass(frozen=True)
class Item:
    section: str
    label: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class OverviewLayout:
    title: str  # with {budget} where the budget's title goes
    unit: Unit
    label_header: str
    change_header: str
    notes: tuple[str, ...]
    items: tuple[Item, ...]

    def item(self, label: str) -> Item | None:
        return next((i for i in self.items if i.label == label), None)


LAYOUT_FILE = "overview.toml"


ITEM = schema.Table({"label": schema.TEXT, "sum": schema.NONEMPTY_TEXTS}, ("label", "sum"))
SECTION = schema.Table(
    {"title": schema.TEXT, "items": schema.Tables(lambda _item: ITEM, nonempty=True)},
    ("title", "items"),
)
SCHEMA = schema.Table(
    {
        "title": schema.TEXT,
        "unit": schema.one_of(*UNITS),
        "label_header": schema.TEXT,
        "change_header": schema.TEXT,
        "notes": schema.TEXTS,
        "sections": schema.Tables(lambda _item: SECTION, nonempty=True),
    },
    ("title", "unit", "label_header", "change_header", "sections"),
)


def parse_overview(source: LayoutFile, layouts: Layouts) -> OverviewLayout:
    raw = source.checked(SCHEMA)
    items = []
    for section in raw["sections"]:
        for item in section["items"]:
            written = item["sum"]
            terms = tuple(Term(-1 if r.startswith("-") else 1, r.lstrip("-")) for r in written)
            for term, text in zip(terms, written, strict=True):
                try:
                    layouts.row(term.ref)
                except KeyError:
                    raise source.error(
                        _("{item}: no row {row!r}", item=item["label"], row=term.ref), text
                    ) from None
            items.append(Item(section["title"], item["label"], terms))
    labels = [i.label for i in items]
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise source.error(_("the item {item!r} stands twice", item=twice[0]), twice[0])
    return OverviewLayout(
        title=raw["title"],
        unit=UNITS[raw["unit"]],
        label_header=raw["label_header"],
        change_header=raw["change_header"],
        notes=tuple(raw.get("notes", ())),
        items=tuple(items),
    )


@of_entries
def overview_layout(entries: list[data.Directive]) -> tuple[OverviewLayout | None, object]:
    """(the ledger's overview layout or None, the error reading it or None)."""
    return results.schedule_layout(entries, LAYOUT_FILE, parse_overview)


@dataclass(frozen=True)
class Overview:
    """The schedule as the ledger declares it, and the budget it compares with."""

    layout: OverviewLayout
    comparison: Comparison | None


def overview_frame(this: Statements, that: Statements, layout: OverviewLayout) -> pd.DataFrame:
    """Each item of the overview in yen: this budget, the other, and the change."""
    rows = []
    for item in layout.items:
        mine = sum(t.coefficient * this.figure(t.ref) for t in item.terms)
        theirs = sum(t.coefficient * that.figure(t.ref) for t in item.terms)
        rows.append((mine, theirs, mine - theirs))
    matrix = np.array(rows, dtype=np.int64).reshape(len(rows), len(COLUMNS))
    return pd.DataFrame(matrix, index=[i.label for i in layout.items], columns=list(COLUMNS))


def year_header(budget: Budget, *, true_era: bool = False) -> str:
    """28年度: the budget's fiscal year as the overview's column header."""
    as_of = None if true_era else budget.adopted
    return format_fiscal_year(fiscal_year_of(budget.start), as_of, with_era=False)


@dataclass(frozen=True)
class Comparison:
    """The budget a ledger compares itself with, as its directive declares it."""

    label: str
    relative: str  # the path as the directive writes it
    path: Path
    statements: Statements | None  # None when it could not be loaded
    directive: data.Custom
    problems: tuple[str, ...] = ()  # the other ledger's errors, as file:line: message
    files: tuple[str, ...] = ()  # the files the other ledger is made of


def declared(entries: list[data.Directive]) -> list[data.Custom]:
    """The comparison directives (a ledger may have one)."""
    return walk.customs(entries, COMPARISON)


def well_formed(entry: data.Custom) -> bool:
    args = values(entry)
    return len(args) == 2 and all(isinstance(a, str) for a in args)


def load_budget(path: Path) -> tuple[Statements | None, list[str], list[str]]:
    """The statements of another budget ledger, its errors as file:line: message,
    and the files it is made of."""
    entries, problems, files = load_named(path)
    statements = results.statements(entries) if entries else None
    if statements is None and not problems:
        problems.append(_("{ledger}: the ledger declares no budget", ledger=path.resolve()))
    return statements, problems, files


@of_entries
def comparison_of(entries: list[data.Directive]) -> Comparison | None:
    """The budget the first comparison directive names, loaded; None without a
    well-formed one."""
    found = declared(entries)
    if not found or not well_formed(found[0]):
        return None
    entry = found[0]
    label, relative = values(entry)
    path = Path(entry.meta.get("filename", ".")).parent / relative
    statements, problems, files = load_budget(path)
    return Comparison(
        label,
        relative,
        path,
        None if problems else statements,
        entry,
        tuple(problems),
        tuple(files),
    )


@of_entries
def overview_of(entries: list[data.Directive]) -> Overview | None:
    """The overview's layout and the budget compared with; None without the
    schedule in the ledger's layouts."""
    layout, _error = overview_layout(entries)
    return Overview(layout, comparison_of(entries)) if layout is not None else None
