"""A ledger as the ``yosan`` command has it: entries, problems and statements.

``load_ledger`` is the one way the command loads a ledger.

- A verified entry of the statement cache (``loading.cache``) answers when every
  file of the ledger is unchanged (with ``--no-foreign-plugins``, once its files
  pass the gate and the refusal of foreign code again: the entry does not record
  them).
- Otherwise the ledger is loaded (``yosan_ledger.load.ledger``, the load the
  command, ``yosan fava`` and the directives share: the gate, the refusal of
  foreign code, Beancount's steps with the project's rules whether the ledger
  names them or not), its parses kept in the cache folder; what that load built
  is then frozen (``gc.freeze``), since it lives as long as the command.
- What the reports print comes from ``yosan_ledger.plugins.core.results``: the
  same computation the rules made during the load.
- Every error is a ``Problem`` as printed: at its file and line, in the locale's
  language, the causes first (``error_rank``).

On a terminal, a load over a second shows its phase (``yosan_ledger.reports.loading.progress``).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from yosan_ledger.load.ledger import collector_paused, gate, load
from yosan_ledger.plugins.core.messages import (
    _,
    locale_language,
    localized,
    translated,
    visible,
)
from yosan_ledger.plugins.core.sources import RAW_MODE, SourceProblem, Sources, not_regular
from yosan_ledger.reports.interruption import raise_if_interrupted
from yosan_ledger.reports.loading import cache as statement_cache
from yosan_ledger.reports.loading.cache import ledger_filename
from yosan_ledger.reports.loading.progress import Progress

if TYPE_CHECKING:
    from beancount.core import data

    from yosan_ledger.plugins.core.engine import Statements

MAX_MESSAGE = 400  # characters: a message quoting a huge token is cut short


class LedgerError(Exception):
    """A ledger that cannot be read at all (missing, not a file)."""


# What an error is, in the order they are printed: the cause first.  Beancount's
# own errors (a syntax error, an unbalanced transaction) leave entries out or
# wrong, and the budget's rules then report what follows from that downstream
# (a segment that does not balance, a published figure the ledger no longer gives).
SOURCE, SYNTAX, BEANCOUNT, RULE, CHECK = range(5)


def error_rank(error: object) -> int:
    """SYNTAX for Beancount's parser, BEANCOUNT for its other steps (booking,
    validation, loading plugins), RULE for this project's plugins, CHECK for their
    checks of totals (``problem.Consequence``), which follow from the errors before."""
    from yosan_ledger.load import internals

    if internals.raised_by_parser(error):
        return SYNTAX
    if internals.raised_by_beancount(error):
        return BEANCOUNT
    return CHECK if getattr(error, "follows", False) else RULE


@dataclass(frozen=True)
class Problem:
    """One error as an accountant reads it: where, and what."""

    filename: str | None
    lineno: int | None
    message: str
    rank: int = RULE  # SOURCE, SYNTAX, BEANCOUNT, RULE or CHECK: what may follow from what

    def __str__(self) -> str:
        if self.filename and self.lineno:
            return f"{self.filename}:{self.lineno}: {self.message}"
        if self.filename:
            return f"{self.filename}: {self.message}"
        return self.message


@dataclass(frozen=True)
class LoadedLedger:
    """A ledger as the reports use it: its options, problems and results.
    Answered from the statement cache, it holds no entries until something asks
    for them (then it loads in full)."""

    path: Path
    options: dict
    problems: list[Problem]
    results: dict[str, Any]  # statements, and each schedule's result by its name
    from_cache: bool = False
    inputs: tuple[str, ...] = ()  # every file the load read (absolute), layouts included
    _entries: list[data.Directive] | None = field(default=None, repr=False, compare=False)

    @property
    def statements(self) -> Statements | None:
        """The budget in force: the last version."""
        return self.results.get("statements")

    @property
    def versions(self) -> list[str]:
        """当初, then each revision (補正予算), oldest first."""
        return list(self.results.get("versions") or {})

    def statements_as_of(self, version: str | None) -> Statements | None:
        """One version's statements (None: the budget in force)."""
        return self.statements if version is None else self.results["versions"][version]

    @property
    def entries(self) -> list[data.Directive]:
        if self._entries is None:
            object.__setattr__(self, "_entries", load_ledger(self.path, cache=False)._entries)
        return self._entries  # type: ignore[return-value]


def shown_path(filename: str) -> str:
    try:
        relative = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if relative.startswith("..") else relative


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _message(text: str) -> str:
    """``one_line`` in the locale's language."""
    return one_line(text, locale_language())


def one_line(text: str, language: str | None) -> str:
    """The first line of a message, and the exception for a plugin's traceback, in
    ``language`` (the command's locale, Fava's option)."""
    from yosan_ledger.load import internals

    text = str(text)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return "error"
    failure = internals.plugin_failure(lines[0])
    if failure:
        name, failed = failure
        if failed:
            said = _('plugin "{name}" failed: {error}', name=name, error=lines[-1])
        else:
            said = _('plugin "{name}" cannot be imported: {error}', name=name, error=lines[-1])
        return _shorten(translated(said, language))
    if "Traceback" in text:
        return _shorten(f"{lines[0].split('Traceback')[0].rstrip(': ')}: {lines[-1]}")
    if internals.invalid_token(lines[0]) and any(sign in lines[0] for sign in MINUS_SIGNS):
        said = _(
            "{error}: write a negative figure with an ASCII '-' (e.g. -2000), not {signs}",
            error=lines[0],
            signs=", ".join(MINUS_SIGNS),
        )
        return _shorten(translated(said, language))
    return _shorten(" ".join(lines) if len(lines) <= 3 else lines[0])


# Signs of a negative figure in Japanese tables, which Beancount does not read.
MINUS_SIGNS = ("▲", "△", "−", "－")


# A problem as stored in the cache: (absolute file, line, message, rank).
RawProblem = tuple[str | None, int | None, str, int]


def raw_problem(error: object, ledger: Path, sources: Sources | None = None) -> RawProblem:
    """Where and what, with the file absolute so that it is shown right from any
    working directory (a cached problem is printed again later)."""
    source = getattr(error, "source", None) or {}
    filename = source.get("filename") if isinstance(source, dict) else None
    lineno = source.get("lineno") if isinstance(source, dict) else None
    from yosan_ledger.load import internals

    message = translated(getattr(error, "message", error), locale_language())
    rank = error_rank(error)
    tag = internals.unpopped_tag(message)
    if tag and filename and sources and not lineno:
        where = sources.unpopped_tags.get((shown_path(filename), tag))
        if where is not None:
            return (
                os.path.abspath(where.filename),
                where.lineno,
                localized("pushtag #{tag} is never popped", tag=tag),
                SYNTAX,
            )
    if not filename or filename.startswith("<"):
        failure = internals.plugin_failure(message)
        where = sources.plugin_location(failure[0]) if failure and sources else None
        if where is not None:
            return os.path.abspath(where.filename), where.lineno, _message(message), rank
        filename, lineno = str(ledger), None
    return os.path.abspath(filename), lineno or None, _message(message), rank


def shown_problems(raw: list[RawProblem], ledger: Path) -> list[Problem]:
    """Problems as printed: paths relative to the working directory, each once, the
    causes first (``error_rank``), each kind in file and line order."""
    problems = {
        Problem(visible(shown_path(filename or str(ledger))), lineno, visible(message), rank)
        for filename, lineno, message, rank in raw
    }
    return sorted(problems, key=lambda p: (p.rank, p.filename or "", p.lineno or 0, p.message))


Computations = Mapping[str, Callable[[list["data.Directive"]], Any]]


def _results(entries: list[data.Directive], needs: Computations) -> dict[str, Any]:
    """What the statement cache keeps: the statements of every version of the budget,
    and the results the reports asked for are drawn from (``needs``: functions of the
    entries by name; most were computed by the rules during the load)."""
    from yosan_ledger.plugins.core import results, revisions

    versions = {v: revisions.statements_as_of(entries, v) for v in revisions.names(entries)}
    kept = {"statements": results.statements(entries), "versions": versions}
    return {**kept, **{name: compute(entries) for name, compute in needs.items()}}


def _refusal(path: Path, refused: list[SourceProblem]) -> LoadedLedger:
    """A ledger refused before any plugin ran: its problems, no entries."""
    raw = [
        (
            os.path.abspath(p.where.filename),
            p.where.lineno,
            _shorten(translated(p.message, locale_language())),
            SOURCE,
        )
        for p in refused
    ]
    return LoadedLedger(path, {}, shown_problems(raw, path), {}, _entries=[])


def load_ledger(
    path: Path | str,
    *,
    needs: Computations | None = None,
    known: Computations | None = None,
    foreign_plugins: bool = True,
    cache: bool = True,
    pause_collector: bool = True,
    progress: TextIO | None = None,
) -> LoadedLedger:
    """Load and check a ledger.  With ``foreign_plugins=False`` a ledger naming a plugin
    from outside this project and Beancount is refused before any plugin runs.  The
    statement cache answers when it is verified (``cache``); a full load runs with the
    collector paused (``pause_collector``).  A terminal given as ``progress`` (stderr
    by default) shows the phase of a load over a second.

    Besides the statements, the results ``needs`` names are computed (functions of the
    entries) and kept in the cache; a cache entry without one of them is a miss, and the
    full load then computes them with every result the entry held that ``known``
    (every computation the reports know by name) can compute again."""
    needs = dict(needs or {})
    path = Path(path)
    if not path.exists():
        raise LedgerError(_("{ledger}: no such ledger (give another with --ledger)", ledger=path))
    problem = not_regular(path)
    if problem is not None:  # a FIFO, a device, a folder: never opened
        raise LedgerError(_("{ledger}: {problem}", ledger=path, problem=problem))
    filename = ledger_filename(path)
    with Progress(_("loading {ledger}", ledger=path), progress) as status:
        # A cache entry is only ever written for files that passed the source checks,
        # and is only used while every file is unchanged: a hit needs no new check,
        # but for --no-foreign-plugins, which the entry does not record.
        hit = None
        unsafe = statement_cache.unsafe_reason() if cache else None
        if unsafe is not None:
            sys.stderr.write(
                localized("yosan: the statement cache is not used: {why}", why=unsafe) + "\n"
            )
        if cache:
            status.phase(_("checking the statement cache"))
            hit = statement_cache.read(filename)
            if hit is not None and not set(needs) <= set(hit["results"]):
                held = {n: c for n, c in (known or {}).items() if n in hit["results"]}
                needs = {**held, **needs}  # kept again, with what is asked now
                hit = None
        if hit is not None:
            if not foreign_plugins:
                status.phase(_("checking the files"))
                refused = gate(filename, foreign_plugins=False)[1]
                if refused:
                    return _refusal(path, refused)
            return LoadedLedger(
                path,
                hit["options"],
                shown_problems(hit["problems"], path),
                hit["results"],
                from_cache=True,
                inputs=tuple(hit["inputs"]),
            )
        started = time.time_ns()
        read: dict[str, str] = {}
        try:
            with collector_paused(pause_collector, freeze=True):
                loaded = load(
                    filename,
                    foreign_plugins=foreign_plugins,
                    read=read,
                    parsed=statement_cache.ParsedFileCache() if cache else None,
                    log_timings=status.log_timings,
                    phase=status.phase,
                    pause_collector=pause_collector,
                )
                if loaded.refused:
                    return _refusal(path, loaded.refused)
                raise_if_interrupted()
                results = _results(loaded.entries, needs)
        except MemoryError:
            raise  # said as such, in one line, by the command
        except Exception as error:  # noqa: BLE001 - Beancount's loader failed: say so, plainly
            if os.environ.get("YOSAN_DEBUG"):
                raise
            failure = (
                filename,
                None,
                _shorten(localized("Beancount cannot load the ledger: {error!r}", error=error)),
                BEANCOUNT,
            )
            return LoadedLedger(path, {}, shown_problems([failure], path), {}, _entries=[])
        options, sources = loaded.options, loaded.sources
        raw = [raw_problem(e, path, sources) for e in loaded.errors]
        if options.get("plugin_processing_mode") == "raw":
            where = next(iter(sources.processing_mode_options), None)
            raw.append(
                (
                    os.path.abspath(where.filename) if where else filename,
                    where.lineno if where else None,
                    translated(RAW_MODE, locale_language()),
                    SOURCE,
                )
            )
        inputs = tuple(dict.fromkeys([*options.get("include", ()), *map(str, sources.files)]))
        if cache:
            status.phase(_("writing the statement cache"))
            statement_cache.write(
                filename,
                options,
                {"options": options, "results": results, "problems": raw, "inputs": inputs},
                unchanged_since=started,
                read=read,
                inputs=inputs,
            )
    return LoadedLedger(
        path, options, shown_problems(raw, path), results, inputs=inputs, _entries=loaded.entries
    )
