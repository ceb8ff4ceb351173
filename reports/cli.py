"""The ``yosan`` command: statements of a budget ledger, on the terminal or as files.

yosan report                       all three statements of the whole body
yosan report bs --by-segment       one statement, a column per segment
yosan export --format csv          every figure as tidy rows
yosan check                        every plugin's errors, as file:line: message
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from plugins.engine import tidy
from plugins.layout import STATEMENTS
from plugins.units import UNITS
from reports.csv_export import table_csv, tidy_csv
from reports.ledger import DEFAULT_LEDGER, LedgerError, LoadedLedger, load_ledger
from reports.output import write_atomically
from reports.text import render
from reports.view import statement_table


class LedgerFailed(click.ClickException):
    """The ledger has errors: they are printed, and the command exits 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


def ledger_option(command: Callable) -> Callable:
    return click.option(
        "--ledger",
        "-l",
        "ledger_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=DEFAULT_LEDGER,
        envvar="YOSAN_LEDGER",
        show_default=True,
        help="The ledger's main file.",
    )(command)


def cache_option(command: Callable) -> Callable:
    return click.option(
        "--no-cache",
        "no_cache",
        is_flag=True,
        help="Load the ledger in full, not from the statement cache (see README).",
    )(command)


def unit_option(command: Callable) -> Callable:
    return click.option(
        "--unit",
        type=click.Choice(list(UNITS)),
        default="thousand",
        show_default=True,
        help="円, 千円 or 百万円; each figure rounded half-up on its own.",
    )(command)


def output_option(command: Callable) -> Callable:
    return click.option(
        "--output",
        "-o",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Write to this file (whole, or not at all) instead of standard output.",
    )(command)


def load(ledger_path: Path, no_cache: bool = False) -> LoadedLedger:
    """The loaded ledger, or the command fails with every error it has."""
    try:
        ledger = load_ledger(ledger_path, cache=not no_cache)
    except LedgerError as error:
        raise LedgerFailed(str(error)) from None
    if ledger.problems:
        lines = [str(p) for p in ledger.problems]
        count = len(lines)
        lines.append(f"{count} error{'s' if count != 1 else ''} in {ledger_path}")
        raise LedgerFailed("\n".join(lines))
    if ledger.statements is None:
        raise LedgerFailed(f"{ledger_path}: the ledger declares no budget")
    return ledger


def emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, lambda stream: stream.write(text.encode("utf-8")))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="yosan-ledger")
def main() -> None:
    """Statements of a Beancount budget ledger (予定貸借対照表, 予定損益計算書, 資金計画)."""


@main.command()
@click.argument("statement", required=False, type=click.Choice(STATEMENTS))
@click.option("--segment", help="One segment's statement, by key (see `yosan segments`).")
@click.option("--by-segment", is_flag=True, help="A column per segment, and 合計.")
@unit_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True
)
@click.option("--excel-compatible", is_flag=True, help="CSV with a BOM, for Excel.")
@click.option(
    "--true-era",
    is_flag=True,
    help="Dates in the era of the day (令和), not the era the budget was adopted in.",
)
@output_option
@ledger_option
@cache_option
def report(
    statement: str | None,
    segment: str | None,
    by_segment: bool,
    unit: str,
    fmt: str,
    excel_compatible: bool,
    true_era: bool,
    output: Path | None,
    ledger_path: Path,
    no_cache: bool,
) -> None:
    """Print one statement (bs, pl, cf), or all three."""
    if segment and by_segment:
        raise click.UsageError("--segment and --by-segment exclude each other")
    ledger = load(ledger_path, no_cache)
    statements = ledger.statements
    keys = [s.key for s in statements.segments]
    if segment is not None and segment not in keys:
        raise click.BadParameter(
            f"{segment!r} is not a segment of this ledger: {', '.join(keys)}",
            param_hint="--segment",
        )
    tables = [
        statement_table(
            statements,
            name,
            UNITS[unit],
            segment=segment,
            by_segment=by_segment,
            organisation=ledger.options.get("title", ""),
            true_era=true_era,
        )
        for name in ([statement] if statement else STATEMENTS)
    ]
    if fmt == "csv":
        text = "".join(table_csv(t, excel_compatible=excel_compatible) for t in tables)
    else:
        text = "\n".join(render(t) for t in tables)
    emit(text, output)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@unit_option
@click.option("--excel-compatible", is_flag=True, help="UTF-8 with a BOM, for Excel.")
@output_option
@ledger_option
@cache_option
def export(
    fmt: str,
    unit: str,
    excel_compatible: bool,
    output: Path | None,
    ledger_path: Path,
    no_cache: bool,
) -> None:
    """Every figure of every statement and segment: statement,section,line,segment,amount."""
    ledger = load(ledger_path, no_cache)
    frame = tidy(ledger.statements, UNITS[unit])
    emit(tidy_csv(frame, excel_compatible=excel_compatible), output)


@main.command()
@ledger_option
@cache_option
def check(ledger_path: Path, no_cache: bool) -> None:
    """Load the ledger, run every plugin, and list each error as file:line: message."""
    ledger = load(ledger_path, no_cache)
    segments = len(ledger.statements.segments)
    click.echo(f"{ledger_path}: no errors ({segments} segments)", err=True)


@main.command()
@ledger_option
@cache_option
def segments(ledger_path: Path, no_cache: bool) -> None:
    """List the ledger's segments: key, name, business-plan areas."""
    ledger = load(ledger_path, no_cache)
    for segment in ledger.statements.segments:
        click.echo(f"{segment.key}\t{segment.name}\t{','.join(segment.areas)}")


def run() -> None:
    """Entry point that turns an unexpected failure into a message, not a traceback."""
    try:
        main(standalone_mode=True)
    except SystemExit as done:
        leave(done.code)
    except Exception as error:  # noqa: BLE001
        if os.environ.get("YOSAN_DEBUG"):
            raise
        click.echo(
            f"yosan: internal error: {type(error).__name__}: {error} "
            "(set YOSAN_DEBUG=1 for the traceback)",
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
