"""The Fava extension classes' common part: the statements of the current load.

Kept out of ``reports.fava_ext`` itself, whose every class Fava takes for an
extension of its own.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote

import flask
from fava.ext import FavaExtensionBase, extension_endpoint
from markupsafe import Markup

from plugins.engine import Statements, compute_statements
from plugins.layout import default_layouts
from plugins.published import PublishedError, PublishedFigure, published_figures
from plugins.statements import statements_of
from reports.fava_ext.pages import (
    ChecksPage,
    Errors,
    LinePage,
    NoBudget,
    Place,
    StatementPage,
    checks_page,
    error_lines,
    line_page,
    statement_page,
)

if TYPE_CHECKING:
    from fava.core import FavaLedger

# Statements computed here for a ledger that does not run plugins.statements,
# shared by the extensions of one ledger and kept while its entries are current.
_computed: weakref.WeakKeyDictionary[FavaLedger, tuple[list, Statements | None]] = (
    weakref.WeakKeyDictionary()
)


def ledger_statements(ledger: FavaLedger) -> Statements | None:
    """The statements of the ledger's current load (None without a budget)."""
    found = statements_of(ledger.options)
    if found is not None:
        return found
    cached = _computed.get(ledger)
    if cached is None or cached[0] is not ledger.all_entries:
        cached = (ledger.all_entries, compute_statements(ledger.all_entries))
        _computed[ledger] = cached
    return cached[1]


class BudgetReport(FavaExtensionBase):
    """A page of the budget: what every page of this extension needs."""

    def place(self) -> Place:
        request = flask.request
        return Place(
            path=quote(request.script_root + request.path),
            ledger_url=flask.url_for("index"),
            args=request.args.to_dict(flat=True),
        )

    def statements(self) -> Statements | None:
        return ledger_statements(self.ledger)

    def errors(self, place: Place) -> Errors:
        return error_lines(list(self.ledger.errors), place, self.ledger.beancount_file_path)

    def organisation(self) -> str:
        return str(self.ledger.options.get("title") or "")


class StatementReport(BudgetReport):
    """予定貸借対照表, 予定損益計算書 or 資金計画, total, one segment or by segment."""

    statement: ClassVar[str]

    @property
    def report_title(self) -> str:  # type: ignore[override]
        return default_layouts()[self.statement].title

    def page(self) -> StatementPage | NoBudget:
        place = self.place()
        statements = self.statements()
        if statements is None:
            return NoBudget(self.errors(place))
        return statement_page(
            statements,
            self.statement,
            place,
            organisation=self.organisation(),
            errors=self.errors(place),
        )

    def line_page(self) -> LinePage | NoBudget | None:
        place = self.place()
        statements = self.statements()
        if statements is None:
            return NoBudget(self.errors(place))
        if not place.arg("ref").startswith(f"{self.statement}:"):
            return None
        ledger = self.ledger
        return line_page(
            statements,
            place,
            entries_for=lambda account, fql: (
                ledger.get_filtered(account=account, filter=fql).entries
            ),
            account_meta={name: data.meta for name, data in ledger.accounts.items()},
            ledger_file=ledger.beancount_file_path,
            errors=self.errors(place),
        )

    @extension_endpoint("line")
    def line(self) -> str:
        """The transactions behind one figure, inside Fava's page layout."""
        page = self.line_page()
        if page is None:
            flask.abort(404)
        template = self.jinja_env.get_template("yosan_line.html")
        content = Markup(template.render(ledger=self.ledger, extension=self, page=page))
        return flask.render_template("_layout.html", content=content, page_title=self.report_title)


class ChecksReport(BudgetReport):
    """Every published figure the ledger states, beside the computed one."""

    report_title = "公表値の照合"
    _published: tuple[list, list[PublishedFigure], list[PublishedError]] | None = None

    def after_load_file(self) -> None:
        self._published = None

    def published(self, statements: Statements) -> tuple[list, list]:
        entries = self.ledger.all_entries
        if self._published is None or self._published[0] is not entries:
            figures, malformed = published_figures(list(entries), statements)
            self._published = (entries, figures, malformed)
        return self._published[1], self._published[2]

    def page(self) -> ChecksPage | NoBudget:
        place = self.place()
        statements = self.statements()
        if statements is None:
            return NoBudget(self.errors(place))
        figures, malformed = self.published(statements)
        return checks_page(
            statements,
            figures,
            malformed,
            place,
            ledger_file=self.ledger.beancount_file_path,
            errors=self.errors(place),
        )
