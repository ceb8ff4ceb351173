"""The registry of the tables `yosan report NAME` draws besides the statements.

Each kind of table is one module of ``yosan_ledger.reports.tables`` that declares a
``KIND`` (or ``KINDS``): its name, its printed title, the command's options it takes,
the results of the ledger it is drawn from (functions of the entries, from
``yosan_ledger.plugins.core``, kept in the statement cache by name), the function
that lays them out as ``Table``s (and, where its CSV has a contract of its own, as
rows), whether the ledger has it, whether the export workbook takes it, and its
page in Fava.  The command's arguments, usage errors and help, the export
workbook, the statement cache and Fava's pages all read this registry: a new kind
of table is its module (and its computation in ``plugins/core``), nothing else.

The statements themselves (`yosan report`, `yosan report bs`) are the ledger's
own (its layouts name them) and are drawn by ``tables.statements``.
"""

from __future__ import annotations

import datetime
import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from yosan_ledger.plugins.core.layout import LayoutFile, Layouts
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.problem import Problem
from yosan_ledger.plugins.core.results import layout_problem, schedule_layout
from yosan_ledger.plugins.core.units import UNITS, Unit
from yosan_ledger.reports import tables

if TYPE_CHECKING:
    import pandas as pd
    from beancount.core import data

    from yosan_ledger.plugins.core.engine import Statements
    from yosan_ledger.reports.tables.table import Table

# The command's options a kind of table may take (each kind names those it takes).
OPTIONS = (
    "segment",
    "by_segment",
    "revision",
    "as_of",
    "by_month",
    "against",
    "against_revision",
    "true_era",
)


class KindError(ValueError):
    """A table that cannot be drawn as asked (the message says why)."""


@dataclass(frozen=True)
class Request:
    """How a table is asked for: its unit (None: the kind's own), one segment or every
    segment, the organisation's name, the era, a version of the budget, a day of an
    actual journal's year and its months, another budget to compare with."""

    unit: Unit | None = None
    segment: str | None = None
    by_segment: bool = False
    organisation: str = ""
    true_era: bool = False
    revision: str | None = None
    day: datetime.date | None = None
    by_month: bool = False
    against: tuple[Statements, str] | None = None
    version: str | None = None  # what the period line says of the version shown

    def unit_or(self, default: str) -> Unit:
        return self.unit or UNITS[default]


class Results(Mapping[str, Any]):
    """What a table is drawn from: the ledger's results by name (the statement cache's,
    or computed from the entries when asked), and its entries where a table needs them
    (a day of the year)."""

    def __init__(
        self,
        known: Mapping[str, Any],
        entries: Callable[[], list[data.Directive]],
        computed: Mapping[str, Callable[[list[data.Directive]], Any]] | None = None,
    ) -> None:
        self._known = dict(known)
        self._entries = entries
        self._computed = dict(computed or {})

    def __getitem__(self, name: str) -> Any:
        if name not in self._known:
            if name not in self._computed:
                raise KeyError(name)
            self._known[name] = self._computed[name](self.entries)
        return self._known[name]

    def __iter__(self) -> Iterator[str]:
        return iter({**self._computed, **self._known})

    def __len__(self) -> int:
        return len({**self._computed, **self._known})

    @property
    def entries(self) -> list[data.Directive]:
        return self._entries()

    @property
    def statements(self) -> Statements:
        return self["statements"]


def declared(results: Results, name: str) -> Any:
    """A schedule's result, or a refusal saying how a ledger declares it."""
    found = results.get(name)
    if found is None:
        raise KindError(
            _(
                "this ledger's layouts declare no {name} table: add {name}.toml to its "
                "layout folder",
                name=name,
            )
        )
    return found


def has_rows(name: str) -> Callable[[Results], bool]:
    """A kind's ``applies``: the ledger declares the schedule ``name`` and it has rows."""
    return lambda results: results[name] is not None and not results[name].frame.empty


DrawTables = Callable[[Results, Request], "list[Table]"]
DrawRows = Callable[[Results, Request], "pd.DataFrame"]


@dataclass(frozen=True)
class Kind:
    """One kind of table (``yosan report NAME``)."""

    name: str
    title: str  # as printed (予算の概要): the help, Fava's sidebar
    tables: DrawTables
    options: frozenset[str] = frozenset()  # of OPTIONS, beside --unit, --format and -o
    needs: Mapping[str, Callable[[list[data.Directive]], Any]] = field(default_factory=dict)
    rows: DrawRows | None = None  # its CSV, where it is not its tables' rows
    applies: Callable[[Results], bool] = lambda results: True  # noqa: E731
    workbook: bool = False  # a sheet of `yosan export --format xlsx`
    fava: str | None = None  # its page's class in Fava (a name after YosanStatements)
    titled: Callable[[Results], str] | None = None  # its title for this ledger, if it varies
    # A file of the ledger's layout folder the kind reads, and how: a kind the ledger must
    # declare (`yosan check` reports a broken one at its line, through the registry).
    layout: str | None = None
    parse_layout: Callable[[LayoutFile, Layouts], Any] | None = None

    def __post_init__(self) -> None:
        unknown = set(self.options) - set(OPTIONS)
        assert not unknown, f"{self.name}: unknown options {unknown}"
        if self.layout is not None:
            assert self.parse_layout is not None, f"{self.name}: a layout needs its parser"
            read = partial(schedule_layout, name=self.layout, parse=self.parse_layout)
            object.__setattr__(self, "needs", {**self.needs, self.layout_result: read})

    @property
    def layout_result(self) -> str:
        """The name its layout is kept under: (the layout or None, the error or None)."""
        return f"layout:{self.name}"

    def title_of(self, results: Results) -> str:
        """Its title for this ledger (Fava's sidebar): 決算報告書 or 歳入歳出決算書 …"""
        return self.titled(results) if self.titled is not None else self.title

    def declared_layout(self, results: Results) -> Any:
        """The layout the ledger declares for it, or a refusal: the layout's error at its
        line, or how to declare one."""
        found, error = results[self.layout_result]
        if error is not None:
            problem = layout_problem(error, None)
            where = f"{problem.source['filename']}:{problem.source['lineno']}"
            raise KindError(_("{where}: {problem}", where=where, problem=problem.message))
        if found is None:
            raise KindError(
                _(
                    "this ledger's layouts declare no {name} table: add {file} to its "
                    "layout folder",
                    name=self.name,
                    file=self.layout,
                )
            )
        return found


@cache
def kinds() -> dict[str, Kind]:
    """Every kind of table, by name, in the order their modules declare them."""
    found: dict[str, Kind] = {}
    for module in sorted(pkgutil.iter_modules(tables.__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"{tables.__name__}.{module.name}")
        declared = getattr(loaded, "KINDS", ())
        declared = (*declared, loaded.KIND) if hasattr(loaded, "KIND") else declared
        for kind in declared:
            assert kind.name not in found, f"two kinds named {kind.name}"
            found[kind.name] = kind
    return dict(sorted(found.items(), key=lambda item: ORDER.get(item[0], len(ORDER))))


# The order the help and the workbook list the kinds in; any other kind comes after.
ORDER = {
    name: i
    for i, name in enumerate(
        ("overview", "advances", "commitments", "revision", "execution", "settlement")
    )
}


def layout_needs() -> dict[str, Callable[[list[data.Directive]], Any]]:
    """The layouts of the kinds a ledger declares in its layout folder."""
    return {k.layout_result: k.needs[k.layout_result] for k in kinds().values() if k.layout}


def layout_problems(results: Results) -> list[Problem]:
    """Each declared kind's layout that cannot be read, at its file and line."""
    found = []
    for kind in kinds().values():
        if kind.layout is not None:
            _layout, error = results[kind.layout_result]
            if error is not None:
                found.append(layout_problem(error, None))
    return found


def needs(*names: str) -> dict[str, Callable[[list[data.Directive]], Any]]:
    """The results the named kinds are drawn from (every kind's, without a name)."""
    chosen = [kinds()[n] for n in names] if names else list(kinds().values())
    return {name: compute for kind in chosen for name, compute in kind.needs.items()}


def workbook_tables(
    results: Results,
    unit: Unit = UNITS["thousand"],
    *,
    organisation: str = "",
    true_era: bool = False,
    version: str | None = None,
) -> list[Table]:
    """Every table of the export workbook: each statement shown, of the whole body,
    then each by segment; then each kind the workbook takes that the ledger has."""
    from yosan_ledger.reports.tables.statements import statement_table

    statements = results.statements
    drawn = [
        statement_table(
            statements,
            layout.statement,
            unit,
            by_segment=by_segment,
            organisation=organisation,
            true_era=true_era,
            version=version,
        )
        for by_segment in (False, True)
        for layout in statements.layouts.shown()
    ]
    request = Request(organisation=organisation, true_era=true_era)
    for kind in kinds().values():
        if kind.workbook and kind.applies(results):
            try:
                drawn += kind.tables(results, request)
            except KindError:
                continue  # e.g. no budget to compare with: no overview sheet
    return drawn
