"""予算の概要: the budget beside another budget, and the published overview checked.

    2016-02-25 custom "yosan-comparison" "27年度6月補正" "fy2015/main.beancount"
    2017-03-31 custom "yosan-overview-published" "営業収益" 51815 75060 -23245 "百万円"

The comparison directive gives the other budget's label (the overview's column
header) and its ledger, relative to the file the directive stands in.  That ledger
is loaded with its own plugins; its errors are reported at the directive.  An
overview-published directive states one item of the published overview: this
budget's figure, the other budget's, and 増減 (this − that), each rounded half-up
on its own to the unit.  A figure the two ledgers no longer give is an error at
the directive's line.  The items are data (layouts/overview.toml): signed sums of
statement rows, so any two budgets compare.
"""

from __future__ import annotations

import importlib
import tomllib
from collections import namedtuple
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from beancount import loader
from beancount.core import data

from plugins import PLUGIN_CHAIN
from plugins.budget import Budget, values
from plugins.engine import Statements, compute_statements
from plugins.era import fiscal_year_of, format_fiscal_year
from plugins.layout import LayoutError, Layouts, Term, default_layouts
from plugins.statements import statements_of
from plugins.units import BY_LABEL, UNITS, Unit, discrepancy, round_half_up, unknown_unit

__plugins__ = ("check_overview",)

OverviewError = namedtuple("OverviewError", "source message entry")

COMPARISON = "yosan-comparison"
OVERVIEW_PUBLISHED = "yosan-overview-published"
OPTION = "yosan_comparison"  # where the loaded comparison travels in options_map
COMPARISON_FORM = 'custom "yosan-comparison" "label" "path/to/other/main.beancount"'
PUBLISHED_FORM = (
    'custom "yosan-overview-published" "item" THIS-YEAR OTHER-BUDGET CHANGE "百万円", '
    "a negative figure after another in parentheses: 51815 75060 (-23245) "
    "(Beancount reads 75060 -23245 as a subtraction)"
)

COLUMNS = ("this", "that", "change")  # the frame's columns: yen, change = this − that

_loading: set[Path] = set()  # comparison ledgers being loaded (a cycle would recurse)


@dataclass(frozen=True)
class Item:
    section: str
    label: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class OverviewLayout:
    title: str  # "{budget}の概要": the budget's title goes in
    unit: Unit
    label_header: str
    change_header: str
    notes: tuple[str, ...]
    items: tuple[Item, ...]

    def item(self, label: str) -> Item | None:
        return next((i for i in self.items if i.label == label), None)


def parse_overview(text: str, layouts: Layouts) -> OverviewLayout:
    raw = tomllib.loads(text)
    items = []
    for section in raw["sections"]:
        for item in section["items"]:
            terms = tuple(Term(-1 if r.startswith("-") else 1, r.lstrip("-")) for r in item["sum"])
            for term in terms:
                try:
                    layouts.row(term.ref)
                except KeyError:
                    raise LayoutError(f"overview {item['label']}: unknown row {term.ref}") from None
            items.append(Item(section["title"], item["label"], terms))
    labels = [i.label for i in items]
    if len(set(labels)) != len(labels):
        raise LayoutError("overview: an item label stands twice")
    return OverviewLayout(
        title=raw["title"],
        unit=UNITS[raw["unit"]],
        label_header=raw["label_header"],
        change_header=raw["change_header"],
        notes=tuple(raw.get("notes", ())),
        items=tuple(items),
    )


@cache
def default_overview() -> OverviewLayout:
    text = (resources.files("plugins") / "layouts" / "overview.toml").read_text("utf-8")
    return parse_overview(text, default_layouts())


def overview_frame(
    this: Statements, that: Statements, layout: OverviewLayout | None = None
) -> pd.DataFrame:
    """Each item of the overview in yen: this budget, the other, and the change."""
    layout = layout or default_overview()
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
    path: Path
    statements: Statements | None  # None when it could not be loaded
    directive: data.Custom


def comparison_of(options_map: dict) -> Comparison | None:
    """The comparison budget a load found, if the ledger declares one."""
    return options_map.get(OPTION)


def _where(error: object) -> str:
    source = getattr(error, "source", None) or {}
    message = str(getattr(error, "message", error)).strip().splitlines()[0]
    if isinstance(source, dict) and source.get("filename") and source.get("lineno"):
        return f"{source['filename']}:{source['lineno']}: {message}"
    return message


def _run_plugins(entries: list[data.Directive], options: dict) -> list[object]:
    """Run the plugin chain on a ledger that names none of its plugins."""
    if {name for name, _ in options.get("plugin", ())} & set(PLUGIN_CHAIN):
        return []
    errors: list[object] = []
    for name in PLUGIN_CHAIN:
        module = importlib.import_module(name)
        for function in module.__plugins__:
            entries, found = getattr(module, function)(entries, options)
            errors.extend(found)
    return errors


def load_budget(path: Path) -> tuple[Statements | None, list[str], list[str]]:
    """The statements of another budget ledger, its errors as file:line: message,
    and the files it is made of."""
    path = path.resolve()
    if path in _loading:
        return None, [f"{path}: compares with itself through its comparison budgets"], []
    if not path.is_file():
        return None, [f"{path}: no such ledger"], []
    _loading.add(path)
    try:
        # loader._load: without Beancount's pickle cache, which unpickles a file
        # found beside the ledger (that is, runs it as code) before checking it.
        entries, errors, options = loader._load([(str(path), True)], None, None, None)
        errors = list(errors) + _run_plugins(entries, options)
    finally:
        _loading.discard(path)
    statements = statements_of(options) or compute_statements(entries)
    problems = [_where(e) for e in errors]
    if statements is None and not problems:
        problems.append(f"{path}: the ledger declares no budget")
    return statements, problems, list(options.get("include", ()))


def _comparison(
    entry: data.Custom, options_map: dict
) -> tuple[Comparison | None, list[OverviewError]]:
    args = values(entry)
    if len(args) != 2 or not all(isinstance(a, str) for a in args):
        return None, [OverviewError(entry.meta, f"Malformed comparison: {COMPARISON_FORM}", entry)]
    label, relative = args
    path = Path(entry.meta.get("filename", ".")).parent / relative
    statements, problems, files = load_budget(path)
    # The other ledger's files count as this ledger's input: Beancount's load cache
    # and Fava's file watcher then see an edit to them.
    if "include" in options_map:
        options_map["include"] = list(dict.fromkeys([*options_map["include"], *files]))
    errors = []
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        errors.append(
            OverviewError(
                entry.meta,
                f"The comparison budget {relative} has {len(problems)} "
                f"error{'s' if len(problems) != 1 else ''}: {problems[0]}{more}",
                entry,
            )
        )
        statements = None
    return Comparison(label, path, statements, entry), errors


def check_overview(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[OverviewError]]:
    errors: list[OverviewError] = []
    declared = [e for e in entries if isinstance(e, data.Custom) and e.type == COMPARISON]
    comparison = None
    if declared:
        comparison, errors = _comparison(declared[0], options_map)
        options_map[OPTION] = comparison
        errors += [
            OverviewError(e.meta, "A second comparison budget; a ledger compares with one", e)
            for e in declared[1:]
        ]
    published = [e for e in entries if isinstance(e, data.Custom) and e.type == OVERVIEW_PUBLISHED]
    if not published:
        return entries, errors
    statements = statements_of(options_map) or compute_statements(entries)
    if statements is None:
        return entries, errors  # plugins.fiscal_year reports the missing budget
    if comparison is None:
        errors.append(
            OverviewError(
                published[0].meta,
                f"Published overview figures need a comparison budget: {COMPARISON_FORM}",
                published[0],
            )
        )
        return entries, errors
    if comparison.statements is None:
        return entries, errors  # reported at the comparison directive
    layout = default_overview()
    frame = overview_frame(statements, comparison.statements, layout)
    headers = (year_header(statements.budget), comparison.label, layout.change_header)
    for entry in published:
        errors += _check_item(entry, frame, layout, headers)
    return entries, errors


def _check_item(
    entry: data.Custom, frame: pd.DataFrame, layout: OverviewLayout, headers: tuple[str, ...]
) -> list[OverviewError]:
    args = values(entry)
    if (
        len(args) != 5
        or not isinstance(args[0], str)
        or not isinstance(args[4], str)
        or not all(isinstance(a, Decimal) and a == a.to_integral_value() for a in args[1:4])
    ):
        return [
            OverviewError(
                entry.meta, f"Malformed published overview figure: {PUBLISHED_FORM}", entry
            )
        ]
    label, *figures, unit_label = args
    if layout.item(label) is None:
        known = ", ".join(i.label for i in layout.items)
        return [
            OverviewError(entry.meta, f"The overview has no item {label!r}: one of {known}", entry)
        ]
    unit = BY_LABEL.get(unit_label)
    if unit is None:
        return [OverviewError(entry.meta, unknown_unit(unit_label), entry)]
    errors = []
    for column, header, published in zip(COLUMNS, headers, figures, strict=True):
        computed = round_half_up(int(frame.at[label, column]), unit)
        if computed != int(published):
            errors.append(
                OverviewError(
                    entry.meta,
                    f"予算の概要 {label} ({header}): "
                    + discrepancy(int(published), computed, unit, gives="the ledgers give"),
                    entry,
                )
            )
    return errors
