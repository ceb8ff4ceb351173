"""The ``yosan`` command: statements of a budget ledger, on the terminal or as files.

yosan report                       all the statements of the whole body
yosan report bs --by-segment       one statement, a column per segment
yosan report overview              予算の概要, against the budget the ledger compares with
yosan report commitments           債務負担行為 (advances: 前受金)
yosan export --format csv          every figure as tidy rows
yosan check                        every rule's errors, as file:line: message
yosan fava                         the statements in Fava, on http://127.0.0.1:5000

One grammar (click).  This module imports only what parsing needs: a command
first starts verifying the ledger's statement cache (and replays a repeated
report, ``replay.start``), then imports the engine, pandas and the renderers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from yosan_ledger.plugins.core.messages import (
    bind_global_domain,
    locale_language,
    localized,
    reason,
    translated,
)
from yosan_ledger.plugins.core.units import UNITS
from yosan_ledger.reports.command import replay
from yosan_ledger.reports.interruption import Interrupted, interrupt
from yosan_ledger.reports.rendering import formats
from yosan_ledger.reports.rendering.parquet import schema_help

if TYPE_CHECKING:
    from yosan_ledger.reports.loading.ledger import LoadedLedger
    from yosan_ledger.reports.tables.table import Table

# Click's own words in the locale's language: some are read as the options below are
# declared (the --version option's help), the rest as the command runs.
bind_global_domain()

DEFAULT_LEDGER = Path("ledger") / "main.beancount"
LEDGER_HERE = Path("main.beancount")  # run inside the ledger's folder
LEDGER_ENV = "YOSAN_LEDGER"
SCHEDULE_NAMES = ("overview", "advances", "commitments")  # checked against the registry in tests
EXPORT_HELP = localized(
    "Every figure of every statement and segment.\n\n"
    "\b\n"
    "csv      statement,section,line,segment,amount,unit (to standard output, or -o FILE)\n"
    "xlsx     a sheet per statement, whole body and by segment, and the figures as rows\n"
    "parquet  -o FOLDER: two files, written together or not at all\n\n"
    "\b\n"
) + schema_help(locale_language())


class LedgerFailed(click.ClickException):
    """The ledger has errors: they are printed, and the command exits 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


def said(error: BaseException) -> str:
    """What an error raised with a message says, in the locale's language."""
    return translated(reason(error), locale_language())


def default_ledger() -> Path:
    """ledger/main.beancount, or main.beancount when the command runs in the ledger's folder."""
    if not DEFAULT_LEDGER.is_file() and LEDGER_HERE.is_file():
        return LEDGER_HERE
    return DEFAULT_LEDGER


def ledger_option(command: Callable) -> Callable:
    return click.option(
        "--ledger",
        "-l",
        "ledger_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=default_ledger,
        envvar=LEDGER_ENV,
        show_default=localized(
            "{default}, or {here} in the ledger's folder", default=DEFAULT_LEDGER, here=LEDGER_HERE
        ),
        help=localized("The ledger's main file."),
    )(command)


def cache_option(command: Callable) -> Callable:
    return click.option(
        "--no-cache",
        "no_cache",
        is_flag=True,
        help=localized("Load the ledger in full, not from the statement cache (see README)."),
    )(command)


def unit_option(command: Callable) -> Callable:
    return click.option(
        "--unit",
        type=click.Choice(list(UNITS)),
        default="thousand",
        show_default=True,
        help=localized("円, 千円 or 百万円; each figure rounded half-up on its own."),
    )(command)


def _output(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """The ``-o`` path; one ending in a slash (``export/``) names a folder."""
    if value is None:
        return None
    ctx.meta["output_is_folder"] = value.endswith(("/", os.sep))
    return Path(value)


def revision_option(command: Callable) -> Callable:
    return click.option(
        "--revision",
        help=localized(
            "The budget as revised through this revision (補正予算), or 当初 for the original "
            "[default: the budget in force, the last revision]."
        ),
    )(command)


def output_option(command: Callable) -> Callable:
    return click.option(
        "--output",
        "-o",
        type=click.Path(),
        callback=_output,
        help=localized(
            "Write to this file (whole, or not at all) instead of standard output; "
            "required for binary formats."
        ),
    )(command)


def foreign_plugins_option(command: Callable) -> Callable:
    return click.option(
        "--no-foreign-plugins",
        "foreign_plugins",
        flag_value=False,
        default=True,
        help=localized(
            "Refuse a ledger naming a plugin from outside yosan-ledger and Beancount "
            "(for a ledger from an untrusted source: plugins are Python code)."
        ),
    )(command)


def failure(lines: list[str], ledger_path: Path, *, causes: int | None = None) -> LedgerFailed:
    """Every error, one a line, and how many there are.  When the first ``causes``
    lines are Beancount's own errors, the budget's rules' errors after them are
    announced as what may follow from them: the first line is the one to fix."""
    count = len(lines)
    shown = lines
    if causes and count > causes:
        follow = count - causes
        announcements = {
            (True, True): localized(
                "and {count} error of the budget's rules that may follow from it "
                "(fix the above first):",
                count=follow,
            ),
            (True, False): localized(
                "and {count} errors of the budget's rules that may follow from it "
                "(fix the above first):",
                count=follow,
            ),
            (False, True): localized(
                "and {count} error of the budget's rules that may follow from them "
                "(fix the above first):",
                count=follow,
            ),
            (False, False): localized(
                "and {count} errors of the budget's rules that may follow from them "
                "(fix the above first):",
                count=follow,
            ),
        }
        announcement = announcements[causes == 1, follow == 1]
        shown = [*lines[:causes], announcement, *lines[causes:]]
    summary = (
        localized("{count} error in {ledger}", count=count, ledger=ledger_path)
        if count == 1
        else localized("{count} errors in {ledger}", count=count, ledger=ledger_path)
    )
    return LedgerFailed("\n".join([*shown, summary]))


# Under ``run``, every ledger a command loaded stays alive until ``leave`` ends the
# process: freeing a large ledger's millions of objects one by one when the command
# returns takes seconds.
_kept_until_exit: list[LoadedLedger] | None = None


def load(ledger_path: Path, foreign_plugins: bool = True, no_cache: bool = False) -> LoadedLedger:
    """The loaded ledger, or the command fails with every error it has."""
    from yosan_ledger.reports.loading.ledger import LedgerError, load_ledger

    try:
        ledger = load_ledger(ledger_path, foreign_plugins=foreign_plugins, cache=not no_cache)
    except LedgerError as error:
        raise LedgerFailed(said(error)) from None
    if _kept_until_exit is not None:
        _kept_until_exit.append(ledger)
    if ledger.problems:
        from yosan_ledger.reports.loading.ledger import CHECK, RULE

        # Beancount's errors before everything the rules find; else the rules' errors
        # at the lines that make the totals before the checks of those totals.
        ranks = [p.rank for p in ledger.problems]
        causes = sum(1 for r in ranks if r < RULE) or sum(1 for r in ranks if r < CHECK)
        raise failure([str(p) for p in ledger.problems], ledger_path, causes=causes)
    if ledger.statements is None:
        raise LedgerFailed(localized("{ledger}: the ledger declares no budget", ledger=ledger_path))
    return ledger


def emit(write: Callable[[], str | None]) -> None:
    """Run a writer of ``rendering.formats``; print the text it returns, if any."""
    try:
        text = write()
    except formats.OutputError as error:
        raise click.UsageError(said(error)) from None
    except formats.Unavailable as error:
        raise click.ClickException(said(error)) from None
    except OSError as error:
        raise click.ClickException(
            localized("cannot write the output: {error}", error=error)
        ) from None
    if text is not None:
        try:
            click.echo(text, nl=False)
            sys.stdout.flush()
        except OSError as error:  # a full disk, a closed pipe
            raise click.ClickException(
                localized("cannot write to standard output: {error}", error=error)
            ) from None
        replay.keep(text)


def chosen_format(fmt: str | None, output: Path | None, default: str, known: tuple) -> str:
    """The format, and a refusal before the ledger loads if it cannot go to ``output``."""
    folder = click.get_current_context().meta.get("output_is_folder", False)
    fmt = formats.chosen_format(fmt, output, default, known, folder=folder)
    try:
        formats.check_output(fmt, output)
    except formats.OutputError as error:
        raise click.UsageError(said(error)) from None
    return fmt


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    help=localized(
        "Statements of a Beancount budget ledger (予定貸借対照表, 予定損益計算書, 資金計画)."
    ),
)
@click.version_option(package_name="yosan-ledger")
def main() -> None:
    """Statements of a Beancount budget ledger (予定貸借対照表, 予定損益計算書, 資金計画)."""


@main.command(
    help=localized(
        "Print one statement (by its key in the ledger's layouts: bs, pl, cf for FY2016), "
        "or all of them; or the budget's other tables: overview (予算の概要, against the "
        "previous budget), advances (前受金), commitments (債務負担行為), revision (補正予算: "
        "補正前の額, 補正額, 補正後の額); of an actual journal, execution (予算執行状況: 予算現額, "
        "執行額, 残額, 執行率) and settlement (決算報告書).  Or write them as a CSV, an Excel "
        "workbook (a sheet per table), a print-ready HTML page or a PDF."
    )
)
@click.argument("statement", required=False)
@click.option(
    "--segment", help=localized("One segment's statement, by key (see `yosan segments`).")
)
@click.option(
    "--by-segment",
    is_flag=True,
    help=localized("A column per segment, and 合計 (advances, commitments: grouped by segment)."),
)
@click.option(
    "--unit",
    type=click.Choice(list(UNITS)),
    help=localized(
        "円, 千円 or 百万円, each figure rounded half-up on its own "
        "[default: as published: 百万円 for overview, else 千円]."
    ),
)
@click.option(
    "--against",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help=localized(
        "overview: the budget ledger to compare with "
        '[default: the ledger\'s custom "yosan-comparison"].'
    ),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(formats.REPORT_FORMATS),
    help=localized("Default: text, or what the -o file's suffix says (.csv .xlsx .html .pdf)."),
)
@click.option("--excel-compatible", is_flag=True, help=localized("CSV with a BOM, for Excel."))
@revision_option
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help=localized(
        "An actual journal: its statements and execution through this day "
        "[default: the year's end]."
    ),
)
@click.option(
    "--by-month", is_flag=True, help=localized("execution: a column per month, 4月 to 3月.")
)
@click.option(
    "--against-revision",
    help=localized("overview: compare with this version of the same ledger (当初 or a revision)."),
)
@click.option(
    "--true-era",
    is_flag=True,
    help=localized(
        "Dates and fiscal years in the era of the day (令和), not the era the budget "
        "was adopted in."
    ),
)
@output_option
@ledger_option
@foreign_plugins_option
@cache_option
@click.pass_context
def report(
    ctx: click.Context,
    statement: str | None,
    segment: str | None,
    by_segment: bool,
    unit: str | None,
    against: Path | None,
    fmt: str | None,
    excel_compatible: bool,
    revision: str | None,
    as_of: datetime.datetime | None,
    by_month: bool,
    against_revision: str | None,
    true_era: bool,
    output: Path | None,
    ledger_path: Path,
    foreign_plugins: bool,
    no_cache: bool,
) -> None:
    """Print one statement (by its key in the ledger's layouts: bs, pl, cf for FY2016),
    or all of them; or the budget's other tables:
    overview (予算の概要, against the previous budget), advances (前受金),
    commitments (債務負担行為), revision (補正予算: 補正前の額, 補正額, 補正後の額); of an
    actual journal, execution (予算執行状況: 予算現額, 執行額, 残額, 執行率) and settlement
    (決算報告書).  Or write them as a CSV, an Excel workbook (a sheet per table), a
    print-ready HTML page or a PDF."""
    if segment and by_segment:
        raise click.UsageError(localized("--segment and --by-segment exclude each other"))
    if (against is not None or against_revision is not None) and statement != "overview":
        raise click.UsageError(
            localized("--against and --against-revision are for `yosan report overview`")
        )
    if against is not None and against_revision is not None:
        raise click.UsageError(localized("--against and --against-revision exclude each other"))
    fmt = chosen_format(fmt, output, "text", formats.REPORT_FORMATS)
    replay.start(ctx, replayable=True)
    from yosan_ledger.reports.tables.schedules import SCHEDULES, Request, ScheduleError
    from yosan_ledger.reports.tables.statements import statement_table

    ledger = load(ledger_path, foreign_plugins, no_cache)
    if statement in (EXECUTION, SETTLEMENT) or ledger.statements.actual:
        emit(
            lambda: actual_report(
                ledger,
                statement,
                revision,
                as_of.date() if as_of else None,
                by_month,
                unit,
                segment,
                by_segment,
                true_era,
                fmt,
                output,
                excel_compatible,
            )
        )
        return
    if as_of is not None or by_month:
        raise click.UsageError(localized("--as-of and --by-month are for an actual journal"))
    statements = ledger.statements_as_of(chosen_version(ledger, revision, "--revision"))
    names = list(statements.layouts.by_statement)
    shown = [layout.statement for layout in statements.layouts.shown()]
    tables_known = [*SCHEDULES, REVISION_TABLE, EXECUTION, SETTLEMENT]
    if statement is not None and statement not in names and statement not in tables_known:
        raise click.BadParameter(
            localized(
                "{statement!r} is neither a statement nor a table of this ledger: {known}",
                statement=statement,
                known=", ".join([*names, *tables_known]),
            ),
            param_hint="STATEMENT",
        )
    keys = [s.key for s in statements.segments]
    if segment is not None and segment not in keys:
        raise click.BadParameter(
            localized(
                "{segment!r} is not a segment of this ledger: {known}",
                segment=segment,
                known=", ".join(keys),
            ),
            param_hint="--segment",
        )
    organisation = ledger.options.get("title", "")
    options = formats.Options(title=statements.budget.title, excel_compatible=excel_compatible)
    tables: list[Table]
    if statement == REVISION_TABLE:
        emit(
            lambda: revision_report(
                ledger,
                revision,
                unit,
                segment,
                by_segment,
                organisation,
                true_era,
                fmt,
                output,
                options,
            )
        )
        return
    if statement in SCHEDULES:
        other = load(against, foreign_plugins, no_cache).statements if against is not None else None
        if against_revision is not None:
            version = chosen_version(ledger, against_revision, "--against-revision")
            other = ledger.statements_as_of(version)
            labelled = (other, version_title(version))
        else:
            labelled = (other, other.budget.title) if other is not None else None
        request = Request(
            unit=UNITS[unit] if unit else None,
            segment=segment,
            by_segment=by_segment,
            organisation=organisation,
            true_era=true_era,
            against=labelled,
        )
        try:
            results = {**ledger.results, "statements": statements}
            tables = [SCHEDULES[statement].table(results, request)]
        except ScheduleError as error:
            raise click.UsageError(said(error)) from None
    else:
        tables = [
            statement_table(
                statements,
                name,
                UNITS[unit or "thousand"],
                segment=segment,
                by_segment=by_segment,
                organisation=organisation,
                true_era=true_era,
                version=version_label(ledger, revision),
            )
            for name in ([statement] if statement else shown)
        ]
    emit(lambda: formats.write_report(tables, fmt, output, options))


REVISION_TABLE = "revision"
EXECUTION = "execution"
SETTLEMENT = "settlement"
MONTHS = ("4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月", "1月", "2月", "3月")


def actual_report(
    ledger: LoadedLedger,
    statement: str | None,
    revision: str | None,
    day: datetime.date | None,
    by_month: bool,
    unit: str | None,
    segment: str | None,
    by_segment: bool,
    true_era: bool,
    fmt: str,
    output: Path | None,
    excel_compatible: bool,
) -> str | None:
    """An actual journal's statements through a day, its 予算執行状況 or 決算報告書."""
    from yosan_ledger.plugins.core import execution
    from yosan_ledger.reports.tables.execution import (
        execution_frame,
        execution_tables,
        settlement_tables,
    )
    from yosan_ledger.reports.tables.statements import statement_table

    if not ledger.statements.actual:
        raise formats.OutputError(
            localized(
                "{statement} is for an actual journal: a ledger that declares "
                'custom "yosan-actuals" "path/to/budget/main.beancount"',
                statement=statement,
            )
        )
    budget = ledger.statements.budget
    day = min(max(day or budget.end, budget.start), budget.end)
    organisation = ledger.options.get("title", "")
    options = formats.Options(title=budget.title, excel_compatible=excel_compatible)
    scale = UNITS[unit or "thousand"]
    budget_versions = ledger.results["budget_versions"]
    if revision is not None and revision not in budget_versions:
        raise click.BadParameter(
            localized(
                "{revision!r} is no version of the budget: {known}",
                revision=revision,
                known=", ".join(budget_versions),
            ),
            param_hint="--revision",
        )
    if day == budget.end and not by_month:  # the year: all in the statement cache
        actual = ledger.statements
        version = revision or ledger.results["budget_in_force"]
        notes = ledger.results["settlement_notes"]
    else:  # a day of the year: from the journal's entries
        entries = ledger.entries
        actual = execution.statements_through(entries, day)
        version = execution.budget_version(entries, day, revision)
        notes = execution.settlement_notes(entries, actual)[0]
    planned = budget_versions[version]
    if statement == EXECUTION:
        if fmt == "csv":
            frame = execution_frame(planned, actual, scale)
            if segment is not None:
                frame = frame[frame["segment"] == segment]
            return formats.write_rows(frame, output, options)
        monthly = []
        if by_month:
            for number, label in enumerate(MONTHS):
                month_end = _month_end(budget.start, number)
                if month_end > day:
                    break
                monthly.append((label, execution.statements_through(ledger.entries, month_end)))
        tables = execution_tables(
            planned,
            actual,
            day,
            version_title(version),
            scale,
            segment=segment,
            by_segment=by_segment,
            organisation=organisation,
            monthly=monthly,
        )
    elif statement == SETTLEMENT:
        settled = execution.settlement_statement(actual)
        if settled is None:
            raise formats.OutputError(
                localized(
                    "the layouts declare no cash or flow statement for the settlement "
                    '(決算報告書): add one, or name it with settlement = "key" in statements.toml'
                )
            )
        tables = settlement_tables(
            planned,
            actual,
            settled,
            scale,
            notes,
            segment=segment,
            by_segment=by_segment,
            organisation=organisation,
        )
    else:
        names = list(actual.layouts.by_statement)
        shown = [layout.statement for layout in actual.layouts.shown()]
        if statement is not None and statement not in names:
            raise formats.OutputError(
                localized(
                    "{statement!r} is no statement of this journal: {known}",
                    statement=statement,
                    known=", ".join([*names, EXECUTION, SETTLEMENT]),
                )
            )
        tables = [
            statement_table(
                actual,
                name,
                scale,
                segment=segment,
                by_segment=by_segment,
                organisation=organisation,
                true_era=true_era,
            )
            for name in ([statement] if statement else shown)
        ]
    return formats.write_report(tables, fmt, output, options)


def _month_end(start: datetime.date, months: int) -> datetime.date:
    """The last day of the month ``months`` after the one ``start`` falls in."""
    year, month = divmod(start.month - 1 + months + 1, 12)
    return datetime.date(start.year + year, month + 1, 1) - datetime.timedelta(days=1)


def chosen_version(ledger: LoadedLedger, version: str | None, option: str) -> str | None:
    """The version asked for (None: the budget in force), or a refusal naming them."""
    if version is not None and version not in ledger.versions:
        raise click.BadParameter(
            localized(
                "{version!r} is no version of this budget: {known}",
                version=version,
                known=", ".join(ledger.versions),
            ),
            param_hint=option,
        )
    return version


def version_title(version: str) -> str:
    from yosan_ledger.plugins.core.revisions import title

    return title(version)


def version_label(ledger: LoadedLedger, version: str | None) -> str | None:
    """What the period line says of the version shown, for a ledger with revisions."""
    from yosan_ledger.plugins.core.revisions import shown_as

    return shown_as(ledger.versions, version) if len(ledger.versions) > 1 else None


def revision_report(
    ledger: LoadedLedger,
    revision: str | None,
    unit: str | None,
    segment: str | None,
    by_segment: bool,
    organisation: str,
    true_era: bool,
    fmt: str,
    output: Path | None,
    options: formats.Options,
) -> str | None:
    """The revision's table (the last revision by default): text, Excel, HTML, PDF, or
    CSV rows statement,section,line,segment,before,change,after."""
    from yosan_ledger.reports.tables.revision import revision_frame, revision_tables

    versions = ledger.versions
    target = revision or versions[-1]
    if len(versions) < 2 or target == versions[0]:
        raise formats.OutputError(
            localized(
                "the budget has no revision to show: declare one with "
                'custom "yosan-revision" "name" and give its transactions revision: "name"'
            )
        )
    before = ledger.statements_as_of(versions[versions.index(target) - 1])
    after = ledger.statements_as_of(target)
    scale = UNITS[unit or "thousand"]
    if fmt == "csv":
        frame = revision_frame(before, after, scale)
        if segment is not None:
            frame = frame[frame["segment"] == segment]
        return formats.write_rows(frame, output, options)
    tables = revision_tables(
        before,
        after,
        target,
        scale,
        segment=segment,
        by_segment=by_segment,
        organisation=organisation,
        true_era=true_era,
    )
    return formats.write_report(tables, fmt, output, options)


@main.command(help=EXPORT_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(formats.EXPORT_FORMATS),
    help=localized(
        "Default: csv, or what the -o file's suffix says (.xlsx), or parquet for a folder."
    ),
)
@unit_option
@click.option("--excel-compatible", is_flag=True, help=localized("UTF-8 with a BOM, for Excel."))
@revision_option
@output_option
@ledger_option
@foreign_plugins_option
@cache_option
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str | None,
    unit: str,
    excel_compatible: bool,
    revision: str | None,
    output: Path | None,
    ledger_path: Path,
    foreign_plugins: bool,
    no_cache: bool,
) -> None:
    fmt = chosen_format(fmt, output, "csv", formats.EXPORT_FORMATS)
    replay.start(ctx, replayable=True)
    ledger = load(ledger_path, foreign_plugins, no_cache)
    version = chosen_version(ledger, revision, "--revision")
    if version is not None:  # the figures of that version, in every format
        statements = ledger.statements_as_of(version)
        ledger = dataclasses.replace(ledger, results={**ledger.results, "statements": statements})
    options = formats.Options(
        title=ledger.statements.budget.title, excel_compatible=excel_compatible
    )
    emit(lambda: formats.write_export(ledger, fmt, UNITS[unit], output, options))


@main.command(
    help=localized("Load the ledger, run every plugin, and list each error as file:line: message.")
)
@ledger_option
@foreign_plugins_option
@cache_option
@click.pass_context
def check(ctx: click.Context, ledger_path: Path, foreign_plugins: bool, no_cache: bool) -> None:
    """Load the ledger, run every plugin, and list each error as file:line: message."""
    replay.start(ctx, replayable=False)
    ledger = load(ledger_path, foreign_plugins, no_cache)
    segments = len(ledger.statements.segments)
    click.echo(
        localized("{ledger}: no errors ({count} segments)", ledger=ledger_path, count=segments),
        err=True,
    )


@main.command(help=localized("List the ledger's segments: key, name, business-plan areas."))
@ledger_option
@cache_option
@click.pass_context
def segments(ctx: click.Context, ledger_path: Path, no_cache: bool) -> None:
    """List the ledger's segments: key, name, business-plan areas."""
    replay.start(ctx, replayable=False)
    ledger = load(ledger_path, no_cache=no_cache)
    for segment in ledger.statements.segments:
        click.echo(f"{segment.key}\t{segment.name}\t{','.join(segment.areas)}")


@main.command(
    "new",
    help=localized(
        "Write a small working ledger into the new FOLDER: main, accounts, segments, "
        "one segment file and layouts, with comments saying what to change."
    ),
)
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--year",
    type=int,
    help=localized(
        "The fiscal year, by the calendar year it starts in (2027 for 令和9年度) "
        "[default: the year after the current one]."
    ),
)
def new_ledger(folder: Path, year: int | None) -> None:
    """Write a small working ledger into the new FOLDER: main, accounts, segments,
    one segment file and layouts, with comments saying what to change."""
    from yosan_ledger.reports.ledgers.new import NewLedgerError, next_fiscal_year, write_new_ledger

    try:
        written = write_new_ledger(folder, year or next_fiscal_year())
    except (NewLedgerError, OSError) as error:
        raise click.ClickException(said(error)) from None
    for path in written:
        click.echo(folder / path)
    click.echo(f"yosan check --ledger {folder / 'main.beancount'}", err=True)


@main.command(
    help=localized(
        "Write next year's ledger from this one: the same accounts, segments and layouts, "
        "the budget of the next fiscal year, and this year's closing balances, segment by "
        "segment, as its opening balances (the year's result carried into the line the "
        "balance sheet's layout names)."
    )
)
@ledger_option
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help=localized("The new folder for next year's ledger (refused if it exists)."),
)
def rollover(ledger_path: Path, output: Path) -> None:
    """Write next year's ledger from this one: the same accounts, segments and layouts,
    the budget of the next fiscal year, and this year's closing balances, segment by
    segment, as its opening balances (the year's result carried into the line the
    balance sheet's layout names)."""
    from yosan_ledger.reports.ledgers.rollover import RolloverError, roll_over

    ledger = load(ledger_path, no_cache=True)
    try:
        roll_over(ledger_path, ledger.entries, ledger.options, output)
    except (RolloverError, OSError) as error:
        raise click.ClickException(said(error)) from None
    click.echo(
        localized("{ledger}: edit the budget's title and date", ledger=output / "main.beancount"),
        err=True,
    )


@main.command(
    help=localized(
        "Browse the ledger in Fava, with the statements as published (reports.fava_ext)."
    )
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help=localized("Address to listen on.")
)
@click.option(
    "--port",
    "-p",
    type=click.IntRange(1, 65535),
    default=5000,
    show_default=True,
    help=localized("Port to listen on."),
)
@click.option(
    "--read-only", is_flag=True, help=localized("Fava's read-only mode: no edits through Fava.")
)
@ledger_option
@foreign_plugins_option
def fava(host: str, port: int, read_only: bool, ledger_path: Path, foreign_plugins: bool) -> None:
    """Browse the ledger in Fava, with the statements as published (reports.fava_ext)."""
    from fava.cli import main as fava_main

    from yosan_ledger.reports.loading.sources import (
        foreign_plugin_problems,
        parsed_sources,
        read_sources,
    )

    if not ledger_path.is_file():
        raise LedgerFailed(
            localized("{ledger}: no such ledger (give another with --ledger)", ledger=ledger_path)
        )
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise click.BadParameter(
            localized(
                "{host!r} is not an address or a host name this machine can resolve ({error})",
                host=host,
                error=error,
            ),
            param_hint="--host",
        ) from None
    sources = read_sources(ledger_path)
    refused = [p for p in sources.problems if p.renamed]
    if not foreign_plugins:
        refused += sources.problems
        if not sources.problems:
            refused += foreign_plugin_problems(parsed_sources(ledger_path, sources))
    if refused:
        refused = list(dict.fromkeys(refused))
        refused.sort(key=lambda p: (p.where.filename, p.where.lineno or 0))
        shown = [f"{p.where}: {translated(p.message, locale_language())}" for p in refused]
        raise failure(shown, ledger_path)
    # Beancount's pickle cache beside a ledger is unpickled, that is run, on load.
    os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
    from yosan_ledger.reports.fava_ext.load import serve_fava_from_yosans_load

    serve_fava_from_yosans_load()
    args = [str(ledger_path.resolve()), "--host", host, "--port", str(port)]
    fava_main.main(args=args + (["--read-only"] if read_only else []), prog_name="yosan fava")


@main.command(
    help=localized(
        "Consolidate many ledgers as DECLARATION (a TOML file) says: per scope (一般会計等, "
        "全体, 連結), each consolidated statement with 単純合算, 相殺消去 and the scope's "
        "figure.  The ledgers load on a pool of processes, or on Spark with --cluster."
    )
)
@click.argument("declaration", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--scope",
    type=click.Choice(["一般会計等", "全体", "連結"]),  # declaration.SCOPES, as tested
    help=localized("One scope's statements [default: every scope the declaration prints]."),
)
@unit_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(formats.REPORT_FORMATS),
    help=localized("Default: text, or what the -o file's suffix says (.csv .xlsx .html .pdf)."),
)
@click.option("--excel-compatible", is_flag=True, help=localized("CSV with a BOM, for Excel."))
@output_option
@click.option(
    "--workers",
    type=click.IntRange(1, 512),
    default=lambda: os.cpu_count() or 1,
    show_default=localized("the machine's cores"),
    help=localized("Processes loading the ledgers (1: one after another, in this process)."),
)
@click.option(
    "--cluster",
    metavar="MASTER",
    help=localized(
        "Load the ledgers on Spark instead: its master (local[2], spark://host:7077, yarn); "
        "the executors need yosan-ledger and the ledgers at the same paths."
    ),
)
@click.option(
    "--dataset",
    type=click.Path(path_type=Path, file_okay=False),
    help=localized(
        "Keep the per-ledger results in this new folder: Parquet, scope=…/entity=… "
        "(default: a temporary folder)."
    ),
)
@foreign_plugins_option
@cache_option
def consolidate(
    declaration: Path,
    scope: str | None,
    unit: str,
    fmt: str | None,
    excel_compatible: bool,
    output: Path | None,
    workers: int,
    cluster: str | None,
    dataset: Path | None,
    foreign_plugins: bool,
    no_cache: bool,
) -> None:
    """Consolidate many ledgers as DECLARATION (a TOML file) says: per scope (一般会計等,
    全体, 連結), each consolidated statement with 単純合算, 相殺消去 and the scope's
    figure.  The ledgers load on a pool of processes, or on Spark with --cluster."""
    from yosan_ledger.plugins.core.layout import LayoutError
    from yosan_ledger.reports.consolidation import engines
    from yosan_ledger.reports.consolidation.declaration import read_declaration
    from yosan_ledger.reports.consolidation.run import ConsolidationFailed
    from yosan_ledger.reports.consolidation.run import consolidate as consolidated
    from yosan_ledger.reports.consolidation.tables import consolidation_frame, consolidation_tables
    from yosan_ledger.reports.loading.ledger import Problem

    fmt = chosen_format(fmt, output, "text", formats.REPORT_FORMATS)
    if dataset is not None and (dataset.exists() or dataset.is_symlink()):
        raise click.BadParameter(
            localized("{path} exists; the dataset is written into a new folder", path=dataset),
            param_hint="--dataset",
        )
    if dataset is not None and not dataset.absolute().parent.is_dir():
        raise click.BadParameter(
            localized("{path}: there is no folder {folder}", path=dataset, folder=dataset.parent),
            param_hint="--dataset",
        )
    if not declaration.is_file():
        raise LedgerFailed(localized("{path}: no such declaration", path=declaration))
    try:
        declared = read_declaration(declaration)
    except LayoutError as error:
        where = f"{error.filename}:{error.lineno}" if error.lineno else error.filename
        raise failure([f"{where}: {said(error)}"], declaration) from None
    engine = engines.on_spark(cluster) if cluster else engines.on_processes(workers)
    try:
        result = consolidated(
            declared, engine, dataset=dataset, foreign_plugins=foreign_plugins, cache=not no_cache
        )
    except ConsolidationFailed as problems:
        lines = [
            str(Problem(i.filename, i.lineno, translated(i.message, locale_language())))
            for i in problems.issues
        ]
        raise failure(lines, declaration) from None
    except engines.EngineUnavailable as error:
        raise click.ClickException(said(error)) from None
    except OSError as error:  # the dataset's folder: a full disk, no permission
        raise click.ClickException(
            localized("cannot write the output: {error}", error=error)
        ) from None
    options = formats.Options(title=declared.title, excel_compatible=excel_compatible)
    if fmt == "csv":
        frame = consolidation_frame(result, UNITS[unit], scope=scope)
        emit(lambda: formats.write_rows(frame, output, options))
        return
    tables = consolidation_tables(result, UNITS[unit], scope=scope)
    emit(lambda: formats.write_report(tables, fmt, output, options))


def run() -> None:
    """Entry point that turns an unexpected failure into a message, not a traceback;
    Ctrl-C ends the command with exit status 130 and one line."""
    global _kept_until_exit
    _kept_until_exit = []
    with contextlib.suppress(ValueError):  # not the main thread: leave the handler be
        signal.signal(signal.SIGINT, interrupt)
    try:
        main(standalone_mode=True)
    except SystemExit as done:
        leave(done.code)
    except Interrupted:
        click.echo(localized("yosan: interrupted"), err=True)
        leave(130)
    except MemoryError:
        click.echo(
            localized(
                "yosan: out of memory (is a file of the ledger far larger than it should be?)"
            ),
            err=True,
        )
        leave(1)
    except Exception as error:  # noqa: BLE001
        if os.environ.get("YOSAN_DEBUG"):
            raise
        click.echo(
            localized(
                "yosan: internal error: {kind}: {error} (set YOSAN_DEBUG=1 for the traceback)",
                kind=type(error).__name__,
                error=error,
            ),
            err=True,
        )
        leave(3)


def leave(code: int | str | None) -> None:
    """Exit at once once the output is flushed.  Python would otherwise free a large
    ledger's millions of objects one by one (seconds at a million transactions)
    just before the process ends; every file was written and closed by now."""
    if isinstance(code, str):
        click.echo(code, err=True)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code or 0)
