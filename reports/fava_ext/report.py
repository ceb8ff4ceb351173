"""The Fava extension classes' common part: the statements of the current load.

Kept out of ``yosan_ledger.reports.fava_ext`` itself, whose every class Fava takes for an
extension of its own.
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import quote

import flask
from fava.ext import FavaExtensionBase, extension_endpoint
from markupsafe import Markup

from yosan_ledger.plugins.core import results
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.problem import Problem
from yosan_ledger.plugins.core.published import PublishedFigure, published_figures
from yosan_ledger.reports.fava_ext.pages import (
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
        """The statements of the ledger's current load (the rules computed them)."""
        return results.statements(self.ledger.all_entries)

    def errors(self, place: Place) -> Errors:
        return error_lines(
            list(self.ledger.errors),
            place,
            self.ledger.beancount_file_path,
            language=self.ledger.fava_options.language,
        )

    def organisation(self) -> str:
        return str(self.ledger.options.get("title") or "")


class StatementReport(BudgetReport):
    """The ledger's statements, as its layouts declare them (a switch picks one):
    total, one segment or by segment."""

    default_title: ClassVar[str] = "予算"

    @property
    def report_title(self) -> str:  # type: ignore[override]
        """The budget's own title (平成28年度予算（案）) in Fava's sidebar."""
        statements = self.statements()
        return statements.budget.title if statements is not None else self.default_title

    def page(self) -> StatementPage | NoBudget:
        place = self.place()
        statements = self.statements()
        if statements is None:
            return NoBudget(self.errors(place))
        return statement_page(
            statements,
            place.arg("statement") or next(iter(statements.layouts.by_statement)),
            place,
            organisation=self.organisation(),
            errors=self.errors(place),
        )

    def line_page(self) -> LinePage | NoBudget | None:
        place = self.place()
        statements = self.statements()
        if statements is None:
            return NoBudget(self.errors(place))
        statement = place.arg("ref").partition(":")[0]
        if statement not in statements.layouts.by_statement:
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
    _published: tuple[list, list[PublishedFigure], list[Problem]] | None = None

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
