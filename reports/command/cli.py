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
import errno
import io
import os
import signal
import socket
import sys
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from yosan_ledger.plugins.core.era import named_fiscal_years
from yosan_ledger.plugins.core.messages import (
    bind_global_domain,
    inert,
    locale_language,
    localized,
    reason,
    translated,
    visible,
)
from yosan_ledger.plugins.core.spelling import nearest
from yosan_ledger.plugins.core.units import BY_LABEL, UNITS
from yosan_ledger.reports.command import finding, replay
from yosan_ledger.reports.command.help import Context
from yosan_ledger.reports.interruption import Interrupted, interrupt
from yosan_ledger.reports.rendering import formats
from yosan_ledger.reports.rendering.parquet import schema_help
from yosan_ledger.reports.rendering.text import hanging

if TYPE_CHECKING:
    from yosan_ledger.plugins.core.engine import Statements
    from yosan_ledger.reports.loading.ledger import LoadedLedger
    from yosan_ledger.reports.tables.kinds import Kind, Request, Results

# Click's own words in the locale's language: some are read as the options below are
# declared (the --version option's help), the rest as the command runs.
bind_global_domain()

DEFAULT_LEDGER = Path("ledger") / "main.beancount"
LEDGER_HERE = Path("main.beancount")  # run inside the ledger's folder
LEDGER_ENV = "YOSAN_LEDGER"
EXPORT_HELP = "\n".join(
    [
        localized("Every figure of every statement and segment."),
        "",
        "\b",
        *(
            line
            for name, text in (
                (
                    "csv",
                    localized(
                        "statement,section,line,segment,amount,unit (to standard output, "
                        "or -o FILE)"
                    ),
                ),
                (
                    "xlsx",
                    localized(
                        "a sheet per statement, whole body and by segment, and the figures as rows"
                    ),
                ),
                ("parquet", localized("-o FOLDER: two files, written together or not at all")),
            )
            for line in hanging(name, text, 9, 76)
        ),
        "",
        "\b",
        schema_help(locale_language()),
    ]
)


class LedgerFailed(click.ClickException):
    """The ledger has errors: they are printed, and the command exits 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


def said(error: BaseException) -> str:
    """What an error raised with a message says, in the locale's language."""
    return translated(reason(error), locale_language())


def default_ledger() -> Path:
    """ledger/main.beancount; in the ledger's folder, main.beancount; in a folder below
    it, the main.beancount above that includes the files there."""
    if DEFAULT_LEDGER.is_file():
        return DEFAULT_LEDGER
    if LEDGER_HERE.is_file():
        return LEDGER_HERE
    above = finding.main_above(Path.cwd())
    return finding.shown(above) if above is not None else DEFAULT_LEDGER


def ledger_option(command: Callable) -> Callable:
    return click.option(
        "--ledger",
        "-l",
        "ledger_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=default_ledger,
        envvar=LEDGER_ENV,
        show_default=localized(
            "{default}; in a ledger's folders, the {here} there or above",
            default=DEFAULT_LEDGER,
            here=LEDGER_HERE,
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


class UnitChoice(click.Choice):
    """A unit by its key (thousand) or as printed (千円): the unit's key."""

    def __init__(self) -> None:
        super().__init__([*UNITS, *BY_LABEL])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        chosen = super().convert(value, param, ctx)
        return BY_LABEL[chosen].key if chosen in BY_LABEL else chosen


def unit_option(command: Callable) -> Callable:
    return click.option(
        "--unit",
        type=UnitChoice(),
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


def _revision_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A revision's name as the ledger's are compared (``revisions.canonical``: NFC,
    without surrounding blanks): one typed decomposed (NFD) finds the revision."""
    return unicodedata.normalize("NFC", value.strip()) if value is not None else None


def revision_option(command: Callable) -> Callable:
    return click.option(
        "--revision",
        callback=_revision_name,
        help=localized(
            "The budget as revised through this revision (補正予算), or 当初 for the original "
            "[default: the budget in force, the last revision]."
        ),
    )(command)


def report_format_options(command: Callable) -> Callable:
    """``--format`` among the formats a report is drawn in, and ``--excel-compatible``."""
    command = click.option(
        "--excel-compatible", is_flag=True, help=localized("CSV with a BOM, for Excel.")
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(formats.REPORT_FORMATS),
        help=formats.format_help(formats.REPORT_FORMATS, "text"),
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


def load(
    ledger_path: Path,
    foreign_plugins: bool = True,
    no_cache: bool = False,
    needs: Mapping[str, Callable] | None = None,
    known: Mapping[str, Callable] | None = None,
) -> LoadedLedger:
    """The loaded ledger, with the results ``needs`` names, or the command fails with
    every error it has."""
    from yosan_ledger.reports.loading.ledger import LedgerError, load_ledger

    try:
        ledger = load_ledger(
            ledger_path,
            needs=needs,
            known=known,
            foreign_plugins=foreign_plugins,
            cache=not no_cache,
        )
    except LedgerError as error:
        raise LedgerFailed(said(error)) from None
    if _kept_until_exit is not None:
        _kept_until_exit.append(ledger)
    if ledger.problems:
        from yosan_ledger.reports.loading.ledger import CHECK, RULE

        part_of_a_ledger(ledger_path)
        # Beancount's errors before everything the rules find; else the rules' errors
        # at the lines that make the totals before the checks of those totals.
        ranks = [p.rank for p in ledger.problems]
        causes = sum(1 for r in ranks if r < RULE) or sum(1 for r in ranks if r < CHECK)
        raise failure([str(p) for p in ledger.problems], ledger_path, causes=causes)
    if ledger.statements is None:
        part_of_a_ledger(ledger_path)
        raise LedgerFailed(localized("{ledger}: the ledger declares no budget", ledger=ledger_path))
    return ledger


def part_of_a_ledger(ledger_path: Path) -> None:
    """Refuse a file that a main file above includes: the ledger to give is that one."""
    main = finding.main_above(ledger_path, including=ledger_path.resolve())
    if main is not None:
        raise click.UsageError(
            localized(
                "{file} is a part of the ledger {ledger}, which includes it: "
                "give --ledger {ledger}",
                file=ledger_path,
                ledger=finding.shown(main),
            )
        )


def chosen_segment(statements: Statements, segment: str | None) -> str | None:
    """The key of the segment ``--segment`` names by its key or its name, or a
    refusal naming the segments (and the one meant, where a slip is plain)."""
    if segment is None:
        return None
    wanted = unicodedata.normalize("NFC", segment)
    for declared in statements.segments:
        if wanted in (declared.key, unicodedata.normalize("NFC", declared.name)):
            return declared.key
    known = ", ".join(f"{s.key} ({s.name})" for s in statements.segments)
    names = {s.key: s.key for s in statements.segments} | {
        s.name: s.key for s in statements.segments
    }
    guess = nearest(wanted, names)
    if guess is not None:
        message = localized(
            "{segment!r} is not a segment of this ledger; did you mean {guess}? "
            "The segments: {known}",
            segment=segment,
            guess=guess,
            known=known,
        )
    else:
        message = localized(
            "{segment!r} is not a segment of this ledger: {known}", segment=segment, known=known
        )
    raise click.BadParameter(message, param_hint="--segment")


def refuse_replacing_inputs(output: Path | None, *ledgers: LoadedLedger) -> None:
    """An ``-o`` naming a file the ledgers were read from is refused, before anything
    is written: ``yosan report -o main.beancount`` would replace the ledger."""
    if output is None:
        return
    from yosan_ledger.reports.output import ForeignDirectory, refuse_inputs

    folder = click.get_current_context().meta.get("output_is_folder", False) or output.is_dir()
    try:
        for ledger in ledgers:
            refuse_inputs(output, ledger.inputs, folder=folder)
    except ForeignDirectory as error:
        raise click.UsageError(said(error)) from None


def refuse_replacing_consolidation_inputs(output: Path | None, inputs: tuple[str, ...]) -> None:
    """An ``-o`` naming a file a consolidation reads (its declaration, a layout, a file
    of a ledger it names) is refused, before anything is written."""
    if output is None:
        return
    from yosan_ledger.plugins.core.sources import shown
    from yosan_ledger.reports.output import replaced_input

    found = replaced_input(output, inputs, folder=output.is_dir())
    if found is None:
        return
    name, held = found
    if held:
        raise click.UsageError(
            localized(
                "-o {path} holds {file}, a file the consolidation reads (its declaration, a "
                "layout or a ledger's); the output would replace it: give -o another folder",
                path=output,
                file=shown(name),
            )
        )
    raise click.UsageError(
        localized(
            "-o {path} is {file}, a file the consolidation reads (its declaration, a layout "
            "or a ledger's); the output would replace it: give -o another path",
            path=output,
            file=shown(name),
        )
    )


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
        printed(text)
        replay.keep(text)


def printed(text: str) -> None:
    """Print to standard output; a full disk, a closed pipe or a closed standard
    output is one line and exit 1."""
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()
    except OSError as error:
        raise click.ClickException(
            localized("cannot write to standard output: {error}", error=error)
        ) from None


def chosen_format(fmt: str | None, output: Path | None, default: str, known: tuple) -> str:
    """The format, and a refusal before the ledger loads if it cannot go to ``output``."""
    folder = click.get_current_context().meta.get("output_is_folder", False)
    try:
        fmt = formats.chosen_format(fmt, output, default, known, folder=folder)
        formats.check_output(fmt, output)
    except formats.OutputError as error:
        raise click.UsageError(said(error)) from None
    return fmt


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    help=localized(
        "The statements of a Beancount budget ledger, as its layouts declare them "
        "(予定貸借対照表, 歳入歳出予算 …), its execution and its settlement."
    ),
)
@click.version_option(package_name="yosan-ledger")
def main() -> None:
    """The statements of a Beancount budget ledger, as its layouts declare them."""


class ReportCommand(click.Command):
    """`yosan report`: its help lists the kinds of table the registry holds, read when
    the help is asked for (the registry imports the tables, pandas with them)."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from yosan_ledger.reports.tables.kinds import kinds

        listed = ", ".join(f"{kind.name} ({kind.title})" for kind in kinds().values())
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(
                localized(
                    "Print one statement (by its key in the ledger's layouts/statements.toml), "
                    "or all of them; or another table of the ledger: {tables}.  Or write them "
                    "as {formats}.",
                    tables=listed,
                    formats=formats.described(formats.REPORT_FORMATS),
                )
            )


# The command's options a kind of table may take, as the command line writes them.
OPTION_FLAGS = {
    "segment": "--segment",
    "by_segment": "--by-segment",
    "revision": "--revision",
    "as_of": "--as-of",
    "by_month": "--by-month",
    "against": "--against",
    "against_revision": "--against-revision",
    "true_era": "--true-era",
}
# Those a statement takes (`yosan report`, `yosan report bs`).
STATEMENT_OPTIONS = frozenset({"segment", "by_segment", "revision", "as_of", "true_era"})


@main.command(cls=ReportCommand)
@click.argument("name", metavar="[STATEMENT|TABLE]", required=False)
@click.option(
    "--segment",
    help=localized("One segment's table, by its key or its name (see `yosan segments`)."),
)
@click.option(
    "--by-segment",
    is_flag=True,
    help=localized("A column (or a table) per segment, and 合計."),
)
@click.option(
    "--unit",
    type=UnitChoice(),
    help=localized(
        "円, 千円 or 百万円, each figure rounded half-up on its own "
        "[default: the table's own, mostly 千円]."
    ),
)
@click.option(
    "--against",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help=localized(
        "A table comparing budgets: the budget ledger to compare with "
        '[default: the ledger\'s custom "yosan-comparison"].'
    ),
)
@report_format_options
@revision_option
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help=localized(
        "An actual journal: its statements and tables through this day "
        "[default: the year's last day, its closing period's where it has one]."
    ),
)
@click.option(
    "--by-month", is_flag=True, help=localized("An actual journal: a column per month, 4月 to 3月.")
)
@click.option(
    "--against-revision",
    callback=_revision_name,
    help=localized(
        "A table comparing budgets: this version of the same ledger (当初 or a revision)."
    ),
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
    name: str | None,
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
    """Print one statement, or all of them, or another table of the ledger (its kinds
    are ``yosan_ledger.reports.tables.kinds``'s registry)."""
    if segment and by_segment:
        raise click.UsageError(localized("--segment and --by-segment exclude each other"))
    if against is not None and against_revision is not None:
        raise click.UsageError(localized("--against and --against-revision exclude each other"))
    given = {
        option
        for option, value in (
            ("segment", segment),
            ("by_segment", by_segment),
            ("revision", revision),
            ("as_of", as_of),
            ("by_month", by_month),
            ("against", against),
            ("against_revision", against_revision),
            ("true_era", true_era),
        )
        if value
    }
    fmt = chosen_format(fmt, output, "text", formats.REPORT_FORMATS)
    replay.start(ctx, replayable=True)
    from yosan_ledger.reports.tables.kinds import Request, Results, kinds, needs

    kind = kinds().get(name) if name else None
    refuse_options(given, kind.options if kind else STATEMENT_OPTIONS, name)
    ledger = load(
        ledger_path, foreign_plugins, no_cache, needs=kind.needs if kind else {}, known=needs()
    )
    segment = chosen_segment(ledger.statements, segment)
    refuse_replacing_inputs(output, ledger)
    statements = ledger.statements
    if kind is None and name is not None and name not in statements.layouts.by_statement:
        raise click.BadParameter(
            localized(
                "{statement!r} is neither a statement nor a table of this ledger: {known}",
                statement=name,
                known=", ".join([*statements.layouts.by_statement, *kinds()]),
            ),
            param_hint="STATEMENT|TABLE",
        )
    request = Request(
        unit=UNITS[unit] if unit else None,
        segment=segment,
        by_segment=by_segment,
        organisation=ledger.options.get("title", ""),
        true_era=true_era,
        revision=revision,
        day=as_of.date() if as_of else None,
        by_month=by_month,
    )
    options = formats.Options(title=statements.budget.title, excel_compatible=excel_compatible)
    if kind is None:
        emit(lambda: statements_report(ledger, name, request, fmt, output, options))
        return
    if against is not None:
        compared = load(against, foreign_plugins, no_cache)
        refuse_replacing_inputs(output, compared)
        request = dataclasses.replace(
            request, against=(compared.statements, compared.statements.budget.title)
        )
    elif against_revision is not None:
        version = chosen_version(ledger, against_revision, "--against-revision")
        request = dataclasses.replace(
            request, against=(ledger.statements_as_of(version), version_title(version))
        )
    results = Results(ledger.results, lambda: ledger.entries, kind.needs)
    emit(lambda: drawn(kind, results, request, fmt, output, options))


def refuse_options(given: set[str], taken: frozenset[str], name: str | None) -> None:
    """A usage error for an option the table asked for does not take, naming those that
    do (from the registry)."""
    from yosan_ledger.reports.tables.kinds import kinds

    for option in sorted(given - taken):
        takers = [kind.name for kind in kinds().values() if option in kind.options]
        if option in STATEMENT_OPTIONS:
            takers.insert(0, localized("the statements"))
        raise click.UsageError(
            localized(
                "{option} is not for `yosan report {table}`; it is for: {takers}",
                option=OPTION_FLAGS[option],
                table=name or "",
                takers=", ".join(takers),
            )
        )


def drawn(
    kind: Kind,
    results: Results,
    request: Request,
    fmt: str,
    output: Path | None,
    options: formats.Options,
) -> str | None:
    """A kind of table in ``fmt``: its own rows as CSV where it has them."""
    from yosan_ledger.reports.tables.kinds import KindError

    try:
        if fmt == "csv" and kind.rows is not None:
            return formats.write_rows(kind.rows(results, request), output, options)
        return formats.write_report(kind.tables(results, request), fmt, output, options)
    except KindError as error:
        raise click.UsageError(said(error)) from None


def statements_report(
    ledger: LoadedLedger,
    name: str | None,
    request: Request,
    fmt: str,
    output: Path | None,
    options: formats.Options,
) -> str | None:
    """The statements (one, or every one shown): of the budget in force or of a version
    (--revision); of an actual journal, through a day (--as-of)."""
    from yosan_ledger.plugins.core import execution
    from yosan_ledger.reports.tables.statements import statement_table

    statements = ledger.statements
    version = None
    if statements.actual:
        budget = statements.budget
        day = request.day or budget.last_day
        if not budget.start <= day <= budget.last_day:
            raise click.BadParameter(
                localized(
                    "{day} lies outside the fiscal year of the journal, {start} to {end}",
                    day=day,
                    start=budget.start,
                    end=budget.last_day,
                ),
                param_hint="--as-of",
            )
        if request.revision is not None:
            raise click.UsageError(
                localized("--revision is for a budget, or for `yosan report execution`")
            )
        if day != budget.last_day:
            statements = execution.statements_through(ledger.entries, day)
    else:
        if request.day is not None:
            raise click.UsageError(localized("--as-of is for an actual journal"))
        statements = ledger.statements_as_of(chosen_version(ledger, request.revision, "--revision"))
        version = version_label(ledger, request.revision)
    shown = [layout.statement for layout in statements.layouts.shown()]
    tables = [
        statement_table(
            statements,
            statement,
            request.unit_or("thousand"),
            segment=request.segment,
            by_segment=request.by_segment,
            organisation=request.organisation,
            true_era=request.true_era,
            version=version,
        )
        for statement in ([name] if name else shown)
    ]
    return formats.write_report(tables, fmt, output, options)


def chosen_version(ledger: LoadedLedger, version: str | None, option: str) -> str | None:
    """The version asked for (None: the budget in force), or a refusal naming them."""
    if version is not None and version not in ledger.versions:
        raise click.BadParameter(
            visible(
                localized(
                    "{version!r} is no version of this budget: {known}",
                    version=version,
                    known=", ".join(ledger.versions),
                )
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


@main.command(help=EXPORT_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(formats.EXPORT_FORMATS),
    help=formats.format_help(formats.EXPORT_FORMATS, "csv"),
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
    from yosan_ledger.reports.tables.kinds import kinds, needs

    workbook = [kind.name for kind in kinds().values() if kind.workbook] if fmt == "xlsx" else []
    ledger = load(
        ledger_path,
        foreign_plugins,
        no_cache,
        needs=needs(*workbook) if workbook else {},
        known=needs(),
    )
    refuse_replacing_inputs(output, ledger)
    version = chosen_version(ledger, revision, "--revision")
    if version is not None:  # the figures of that version, in every format
        statements = ledger.statements_as_of(version)
        ledger = dataclasses.replace(ledger, results={**ledger.results, "statements": statements})
    options = formats.Options(
        title=ledger.statements.budget.title,
        excel_compatible=excel_compatible,
        version=version_label(ledger, version) or "",
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
    from yosan_ledger.reports.loading.ledger import shown_path
    from yosan_ledger.reports.tables.kinds import Results, layout_needs, layout_problems, needs

    ledger = load(ledger_path, foreign_plugins, no_cache, needs=layout_needs(), known=needs())
    broken = layout_problems(Results(ledger.results, lambda: ledger.entries, layout_needs()))
    if broken:  # the layouts of the tables the ledger declares, read through the registry
        shown = [f"{shown_path(p.source['filename'])}:{p.source['lineno']}: {said(p.message)}"
                 for p in broken]  # fmt: skip
        raise failure(shown, ledger_path)
    segments = len(ledger.statements.segments)
    said_clean = (
        localized("{ledger}: no errors (1 segment)", ledger=ledger_path)
        if segments == 1
        else localized("{ledger}: no errors ({count} segments)", ledger=ledger_path, count=segments)
    )
    click.echo(said_clean, err=True)


@main.command(help=localized("List the ledger's segments: key, name, business-plan areas."))
@ledger_option
@cache_option
@click.pass_context
def segments(ctx: click.Context, ledger_path: Path, no_cache: bool) -> None:
    """List the ledger's segments: key, name, business-plan areas."""
    replay.start(ctx, replayable=False)
    ledger = load(ledger_path, no_cache=no_cache)
    for segment in ledger.statements.segments:
        # A TAB or newline in a name cannot make a field or a line of its own.
        fields = (segment.key, segment.name, ",".join(segment.areas))
        printed("\t".join(inert(field) for field in fields) + "\n")


@main.command(
    "new",
    help=localized(
        "Write a small working ledger into FOLDER (new, or empty): main, accounts, "
        "segments, one segment file and layouts, with comments saying what to change."
    ),
)
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--year",
    type=click.IntRange(*named_fiscal_years()),
    help=localized(
        "The fiscal year, by the calendar year it starts in (2027 for 令和9年度) "
        "[default: the year after the current one]."
    ),
)
def new_ledger(folder: Path, year: int | None) -> None:
    """Write a small working ledger into FOLDER (new, or empty): main, accounts,
    segments, one segment file and layouts, with comments saying what to change."""
    from yosan_ledger.reports.ledgers.new import NewLedgerError, next_fiscal_year, write_new_ledger

    try:
        written = write_new_ledger(folder, year or next_fiscal_year())
    except (NewLedgerError, OSError) as error:
        raise click.ClickException(said(error)) from None
    for path in written:
        printed(f"{inert(str(folder / path))}\n")
    main_file = folder / "main.beancount"
    click.echo(
        localized(
            "Next: give the body's name, the budget's title and dates in {ledger}, then "
            "check it: yosan check --ledger {ledger}",
            ledger=main_file,
        ),
        err=True,
    )


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
        localized(
            "Next: edit the budget's title and date (the day it is adopted) in {ledger}, "
            "then check it: yosan check --ledger {ledger}",
            ledger=output / "main.beancount",
        ),
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

    from yosan_ledger.plugins.core.sources import not_regular
    from yosan_ledger.reports.fava_ext.load import refused

    if not ledger_path.exists():
        raise LedgerFailed(
            localized("{ledger}: no such ledger (give another with --ledger)", ledger=ledger_path)
        )
    problem = not_regular(ledger_path)
    if problem is not None:  # a FIFO, a device, a folder: never opened
        raise LedgerFailed(localized("{ledger}: {problem}", ledger=ledger_path, problem=problem))
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
    # Refused at start: what --no-foreign-plugins refuses, and a module named as it
    # was before 0.2; any other problem Fava shows as an error of the load (each
    # load passes the same gate, reloads included: fava_ext.load).
    problems = [
        p
        for p in refused(str(ledger_path), foreign_plugins=foreign_plugins)[0]
        if p.renamed or not foreign_plugins
    ]
    if problems:
        problems.sort(key=lambda p: (p.where.filename, p.where.lineno or 0))
        shown = [
            visible(f"{p.where}: {translated(p.message, locale_language())}") for p in problems
        ]
        raise failure(shown, ledger_path)
    # Beancount's pickle cache beside a ledger is unpickled, that is run, on load.
    os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
    from yosan_ledger.reports.fava_ext.load import serve_fava_from_yosans_load

    serve_fava_from_yosans_load(foreign_plugins=foreign_plugins)
    args = [os.path.abspath(ledger_path), "--host", host, "--port", str(port)]
    fava_main.main(args=args + (["--read-only"] if read_only else []), prog_name="yosan fava")


class ClosedOutput(io.TextIOBase):
    """Standard output the command was started without (``yosan report >&-``):
    writing to it fails as writing to a closed descriptor does, so the command says
    so in one line; a command that prints nothing there (``check``) is unaffected."""

    encoding = "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, localized("standard output is closed"))


def _closed_streams_held() -> None:
    """A standard stream closed at start: its descriptor taken by /dev/null, so that
    no file the command opens (a cache entry, an output) gets its number and
    receives what a child process writes there; ``sys.stdout`` then fails to write
    (``ClosedOutput``), ``sys.stderr`` writes nowhere."""
    for descriptor, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is not None:
            continue
        null = os.open(os.devnull, os.O_RDWR)
        if null != descriptor:
            os.dup2(null, descriptor)
            os.close(null)
    if sys.stdout is None:
        sys.stdout = ClosedOutput()
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process' life


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
@report_format_options
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
    refuse_replacing_consolidation_inputs(output, declared.inputs)  # before any ledger loads
    engine = engines.on_spark(cluster) if cluster else engines.on_processes(workers)
    try:
        result = consolidated(
            declared,
            engine,
            dataset=dataset,
            foreign_plugins=foreign_plugins,
            cache=not no_cache,
            before_writing=lambda inputs: refuse_replacing_consolidation_inputs(output, inputs),
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


for _command in (main, *main.commands.values()):
    _command.context_class = Context  # help wrapped by the columns a character takes


def run() -> None:
    """Entry point that turns an unexpected failure into a message, not a traceback;
    Ctrl-C ends the command with exit status 130 and one line."""
    global _kept_until_exit
    _kept_until_exit = []
    _closed_streams_held()
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
                error=str(error),
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
