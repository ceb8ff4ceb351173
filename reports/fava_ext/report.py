"""The Fava extension classes' common part: the statements of the current load.

Kept out of ``yosan_ledger.reports.fava_ext`` itself, whose every class Fava takes for an
extension of its own.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from functools import cached_property
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

import flask
import jinja2
from fava.ext import FavaExtensionBase, extension_endpoint
from fava.util.date import parse_date
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from yosan_ledger.plugins.core import execution, results, revisions
from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.messages import reason, translated
from yosan_ledger.plugins.core.problem import Problem
from yosan_ledger.plugins.core.published import PublishedFigure, published_by_version
from yosan_ledger.plugins.core.units import UNITS
from yosan_ledger.reports.fava_ext.pages import (
    ChecksPage,
    Errors,
    Failed,
    LinePage,
    NoBudget,
    Place,
    RevisionPage,
    StatementPage,
    checks_page,
    error_lines,
    execution_page,
    failed_page,
    first_statement,
    kind_page,
    line_page,
    revision_page,
    segment_choices,
    statement_page,
)
from yosan_ledger.reports.rendering.phrases import breakable
from yosan_ledger.reports.tables.kinds import Kind, KindError, Request, Results, kinds

Page = TypeVar("Page")


class BudgetReport(FavaExtensionBase):
    """A page of the budget: what every page of this extension needs."""

    @cached_property
    def jinja_env(self) -> jinja2.Environment:
        """Fava's environment for this extension, with the filter the printed tables use."""
        templates = super().jinja_env
        templates.filters["phrases"] = breakable
        return templates

    def after_load_file(self) -> None:
        """The ledger's errors, on Fava's own Errors page too, in Fava's language where
        the ledger names one (else they stay in the locale's, as the rules made them)."""
        language = self.ledger.fava_options.language
        if language:
            self.ledger.load_errors = [
                error._replace(message=translated(error.message, language))
                if hasattr(error, "_replace")
                else error
                for error in self.ledger.load_errors
            ]

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

    def build_page(self) -> Any:
        """What the page shows (each page's own)."""
        raise NotImplementedError

    def sidebar_statements(self) -> Statements | None:
        """The statements, for what Fava's sidebar shows on every page (a title, or
        no entry): None when they cannot be computed, which the extension's own page
        then says (``page``)."""
        try:
            return self.statements()
        except Exception:  # noqa: BLE001 - said on the extension's page
            if os.environ.get("YOSAN_DEBUG"):
                raise
            return None

    def page(self) -> Any:
        """What the page shows, or, when computing it raised anything (a broken
        layout, an engine's error), that failure with the ledger's errors: the
        failure stays on the extension's page, and Fava's own pages, its Errors
        page included, go on working."""
        return self.guarded(self.build_page)

    def guarded(self, build: Callable[[], Page]) -> Page | Failed:
        try:
            return build()
        except HTTPException:
            raise  # Fava's answer (a 404), not a failure
        except Exception as error:  # noqa: BLE001 - shown on the page, never a 500
            if os.environ.get("YOSAN_DEBUG"):
                raise
            try:
                errors = self.errors(self.place())
            except Exception:  # noqa: BLE001 - the failure alone, then
                errors = Errors(0, (), "")
            return failed_page(error, errors, self.ledger.fava_options.language)

    def errors(self, place: Place) -> Errors:
        return error_lines(
            list(self.ledger.errors),
            place,
            self.ledger.beancount_file_path,
            language=self.ledger.fava_options.language,
        )

    def organisation(self) -> str:
        return str(self.ledger.options.get("title") or "")

    def through(self, statements: Statements) -> datetime.date | None:
        """An actual journal's day: the last of Fava's time filter, inside the year."""
        text = self.place().arg("time")
        if not statements.actual or not text:
            return None
        try:
            _, end = parse_date(text, self.ledger.fava_options.fiscal_year_end)
        except (ValueError, TypeError):
            return None
        if end is None:
            return None
        day = end - datetime.timedelta(days=1)
        budget = statements.budget
        return min(max(day, budget.opening_date), budget.end)

    def statements_through(self, statements: Statements) -> Statements:
        """The statements as Fava's time filter asks (an actual journal through its day)."""
        day = self.through(statements)
        if day is None:
            return statements
        return execution.statements_through(self.ledger.all_entries, day) or statements


class StatementReport(BudgetReport):
    """The ledger's statements, as its layouts declare them (a switch picks one):
    total, one segment or by segment."""

    default_title: ClassVar[str] = "予算"

    @property
    def report_title(self) -> str:  # type: ignore[override]
        """The budget's own title (平成28年度予算（案）) in Fava's sidebar, which every
        page of Fava shows: a ledger whose statements cannot be computed gets the
        default title there, and its error on the extension's page."""
        statements = self.sidebar_statements()
        return statements.budget.title if statements is not None else self.default_title

    def build_page(self) -> StatementPage | NoBudget:
        place = self.place()
        statements = self.statements()
        if statements is None:
            return NoBudget(self.errors(place))
        entries = self.ledger.all_entries
        if statements.actual:  # an actual journal follows Fava's time filter
            return statement_page(
                self.statements_through(statements),
                place.arg("statement") or first_statement(statements),
                place,
                organisation=self.organisation(),
                errors=self.errors(place),
            )
        versions = revisions.names(entries)
        asked = revisions.canonical(place.arg("revision") or "")
        version = asked if asked in versions else None
        return statement_page(
            revisions.statements_as_of(entries, version) or statements,
            place.arg("statement") or first_statement(statements),
            place,
            organisation=self.organisation(),
            errors=self.errors(place),
            versions=versions,
            version=version,
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
        day = self.through(statements)
        # An actual journal through a day: the postings up to it, opening balances included.
        time = f"{statements.budget.opening_date} - {day}" if day is not None else None
        return line_page(
            self.statements_through(statements),
            place,
            entries_for=lambda account, fql: (
                ledger.get_filtered(account=account, filter=fql, time=time).entries
            ),
            account_meta={name: data.meta for name, data in ledger.accounts.items()},
            ledger_file=ledger.beancount_file_path,
            errors=self.errors(place),
        )

    @extension_endpoint("line")
    def line(self) -> str:
        """The transactions behind one figure, inside Fava's page layout."""
        page = self.guarded(self.line_page)
        if page is None:
            flask.abort(404)
        template = self.jinja_env.get_template("yosan_line.html")
        content = Markup(template.render(ledger=self.ledger, extension=self, page=page))
        return flask.render_template("_layout.html", content=content, page_title=self.report_title)


class TablesReport(BudgetReport):
    """A kind of table of the registry (``yosan_ledger.reports.tables.kinds``): its page
    is shown for a ledger the kind applies to, drawn for the segment of Fava's filter,
    the unit asked for and, in an actual journal, the last day of Fava's time filter.
    ``yosan_ledger.reports.fava_ext`` makes one such class for each kind that names
    its page."""

    kind_name: ClassVar[str] = ""

    @cached_property
    def jinja_env(self) -> jinja2.Environment:
        """The extension's templates; a kind's page without a template of its own is
        drawn as a statement is."""
        templates = super().jinja_env
        generic = jinja2.DictLoader({f"{self.name}.html": '{% include "yosan_statement.html" %}'})
        templates.loader = jinja2.ChoiceLoader([templates.loader, generic])
        return templates

    @property
    def kind(self) -> Kind:
        return kinds()[self.kind_name]

    def results(self, statements: Statements) -> Results:
        entries = self.ledger.all_entries
        known = {"statements": statements}
        computed = {"versions": version_statements, **self.kind.needs}
        return Results(known, lambda: entries, computed)

    @property
    def report_title(self) -> str | None:  # type: ignore[override]
        statements = self.sidebar_statements()
        if statements is None:
            return None
        try:
            found = self.results(statements)
            return self.kind.title_of(found) if self.kind.applies(found) else None
        except Exception:  # noqa: BLE001 - said on the extension's page
            if os.environ.get("YOSAN_DEBUG"):
                raise
            return None

    def build_page(self) -> StatementPage | NoBudget:
        place = self.place()
        statements = self.statements()
        if statements is None:
            return NoBudget(self.errors(place))
        selection = segment_choices(statements, place, with_table=False).selection
        unit_key = place.arg("unit") if place.arg("unit") in UNITS else None
        request = Request(
            unit=UNITS[unit_key] if unit_key else None,
            segment=None if selection.segment == TOTAL else selection.segment,
            organisation=self.organisation(),
            day=self.through(statements),
        )
        try:
            tables = self.kind.tables(self.results(statements), request)
        except KindError as error:
            tables, note = [], translated(reason(error), self.ledger.fava_options.language)
        else:
            note = ""
        return kind_page(
            tables,
            statements,
            place,
            unit_key=unit_key,
            errors=self.errors(place),
            empty_note=note,
        )


class ExecutionReport(TablesReport, StatementReport):
    """予算執行状況 of an actual journal through the end of Fava's time filter: of a body
    in corporate form, against the budget in force that day, each 執行額 opening its
    postings; of a local government, the registry's table (予算現額, 負担行為額, 支出済額,
    執行率 …)."""

    def build_page(self) -> StatementPage | NoBudget:
        place = self.place()
        statements = self.statements()
        if statements is None:
            return NoBudget(self.errors(place))
        if self.results(statements)["local_settlement"] is not None:
            return super().build_page()
        entries = self.ledger.all_entries
        day = self.through(statements) or statements.budget.end
        asked = revisions.canonical(place.arg("revision") or "")
        version = execution.budget_version(entries, day, asked or None)
        planned = execution.budget_statements(entries, version) if statements.actual else None
        return execution_page(
            planned,
            self.statements_through(statements),
            place.arg("statement"),
            place,
            day=day,
            version=revisions.title(version),
            organisation=self.organisation(),
            errors=self.errors(place),
        )


def version_statements(entries: list) -> dict[str, Statements | None]:
    """Every version of the budget (当初, then each revision)."""
    return {v: revisions.statements_as_of(entries, v) for v in revisions.names(entries)}


class RevisionReport(BudgetReport):
    """補正予算: a revision's 補正前の額, 補正額 and 補正後の額, per statement line.  A page
    of a budget with revisions only."""

    @property
    def report_title(self) -> str | None:  # type: ignore[override]
        return "補正予算" if len(revisions.names(self.ledger.all_entries)) > 1 else None

    def build_page(self) -> RevisionPage | NoBudget:
        place = self.place()
        statements = self.statements()
        if statements is None:
            return NoBudget(self.errors(place))
        entries = self.ledger.all_entries
        return revision_page(
            revisions.names(entries),
            lambda version: revisions.statements_as_of(entries, version),
            place.arg("statement"),
            place,
            organisation=self.organisation(),
            errors=self.errors(place),
        )


class ChecksReport(BudgetReport):
    """Every published figure the ledger states, beside the computed one.  A page of a
    ledger that states published figures only."""

    _published: tuple[list, list[PublishedFigure], list[Problem]] | None = None

    @property
    def report_title(self) -> str | None:  # type: ignore[override]
        statements = self.sidebar_statements()
        if statements is None:
            return None
        figures, malformed = self.published(statements)
        return "公表値の照合" if figures or malformed else None

    def after_load_file(self) -> None:
        super().after_load_file()
        self._published = None

    def published(self, statements: Statements) -> tuple[list, list]:
        entries = self.ledger.all_entries
        if self._published is None or self._published[0] is not entries:
            figures, malformed = published_by_version(entries)
            self._published = (entries, figures, malformed)
        return self._published[1], self._published[2]

    def build_page(self) -> ChecksPage | NoBudget:
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
            language=self.ledger.fava_options.language,
        )
