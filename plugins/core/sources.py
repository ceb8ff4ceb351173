"""The gate: every file the tool reads, checked before anything parses it.

Beancount reads what it is given and makes the best of it: a binary file or one
in Shift_JIS becomes a screen of "Invalid token" errors; a file with CR-only line
endings one long comment; a FIFO a load that never ends; a file included twice
under two paths (a symbolic link to its folder) figures counted twice; a line of
a few million characters keeps its lexer busy for minutes.  Every file a load
reads passes the same checks here first, however it is reached:

- the ledger's main file and every file it includes, however deep;
- every ledger a directive names — the budget an actual journal executes
  (``yosan-actuals``), the budget compared with (``yosan-comparison``) — and
  theirs in turn;
- the statement layouts of each (the ``*.toml`` files of the folder its
  ``yosan-layouts`` names).

A file must be a regular file (anything else is never opened: a FIFO would
block, a device never end), within ``MAX_BYTES``, plain UTF-8 text with LF or
CRLF line endings and no line over ``MAX_LINE``, and, within one ledger,
included once.  ``option "plugin_processing_mode" "raw"`` is refused at its
line.  The walk records where each ``plugin`` directive stands, so that a
plugin's error is reported at its line and, on request, a plugin from outside
this project and Beancount is refused before any plugin code runs
(``yosan_ledger.load.foreign``).

``read_regular`` and ``read_text`` are the one way the library opens a file of
a ledger (the parse, the layouts, the statement cache's hashes): never anything
but a regular file, whoever asks.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import os
import re
import stat
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from yosan_ledger.plugins import RENAMED_PACKAGES, RULES_PLUGIN
from yosan_ledger.plugins.core.messages import _

MAX_BYTES = 4 * 2**30  # a ledger file of a million transactions is about 150 MB
MAX_LINE = 10_000  # characters; Beancount's lexer slows quadratically on longer lines
MAX_DEPTH = 100  # includes within includes
MODULE_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\Z")
# Directives naming another ledger, which is loaded too (its first or second value).
COMPARISON = "yosan-comparison"
ACTUALS = "yosan-actuals"
LAYOUTS = "yosan-layouts"
LAYOUT_FILES = "*.toml"
LAYOUT_INDEX = "statements.toml"


class FileProblem(Exception):
    """A file that is not one to read, and where in it (a line, or None); the file,
    where the one who read it says which."""

    def __init__(
        self, message: str, lineno: int | None = None, filename: str | None = None
    ) -> None:
        super().__init__(message)
        self.message, self.lineno, self.filename = message, lineno, filename


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a FIFO")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("a special file")


def _regular(status: os.stat_result) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise FileProblem(
            _(
                "{kind}, not a regular file: yosan reads only regular files",
                kind=_kind(status.st_mode),
            )
        )
    if status.st_size > MAX_BYTES:
        raise FileProblem(
            _(
                "a file of {size:,} bytes; a ledger file has at most {largest:,} "
                "(is this the right file?)",
                size=status.st_size,
                largest=MAX_BYTES,
            )
        )


def not_regular(path: str | os.PathLike[str]) -> str | None:
    """Why the file at ``path`` is not one to read (not a regular file, too large,
    not there), without opening it; None for a regular file."""
    try:
        _regular(os.stat(path))
    except OSError as error:
        return _("cannot be read: {error}", error=error.strerror or error)
    except FileProblem as problem:
        return problem.message
    return None


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """The file opened for reading, if it is a regular file within ``MAX_BYTES``;
    raises ``FileProblem`` otherwise.  Anything else is never opened (a FIFO would
    block the open, a device never end), and what was opened is checked again:
    the name may have been pointed elsewhere in between."""
    try:
        _regular(os.stat(path))
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as error:
        raise FileProblem(_("cannot be read: {error}", error=error.strerror or error)) from None
    try:
        _regular(os.fstat(handle))
        os.set_blocking(handle, True)
        return os.fdopen(handle, "rb")
    except BaseException:
        os.close(handle)
        raise


def read_regular(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a regular file (``open_regular``); raises ``FileProblem``."""
    with open_regular(path) as stream:
        try:
            return stream.read()
        except OSError as error:
            message = _("cannot be read: {error}", error=error.strerror or error)
            raise FileProblem(message) from None
        except MemoryError:
            message = _("too large to be read into memory (is this the right file?)")
            raise FileProblem(message) from None


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of a layout file: a regular file that passes ``text_problem``;
    raises ``FileProblem``."""
    raw = read_regular(path)
    found = text_problem(raw, ledger=False)
    if found is not None:
        raise FileProblem(found[1], found[0])
    return raw.decode("utf-8")


@dataclass(frozen=True)
class Location:
    filename: str
    lineno: int | None = None

    def __str__(self) -> str:
        return f"{self.filename}:{self.lineno}" if self.lineno else self.filename


@dataclass(frozen=True)
class SourceProblem:
    """A source file Beancount should not be given: where, and what."""

    where: Location
    message: str
    renamed: bool = False  # a module of yosan-ledger named as it was before 0.2


@dataclass(frozen=True)
class PluginDirective:
    name: str
    where: Location
    config: str | None = None


@dataclass
class Sources:
    """The files of a ledger and of the ledgers it names, its ``plugin``
    directives, and what is wrong with them."""

    files: list[Path] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)  # the main file, and named ledgers'
    plugins: list[PluginDirective] = field(default_factory=list)
    python_path_options: list[Location] = field(default_factory=list)
    processing_mode_options: list[Location] = field(default_factory=list)
    fava_extensions: list[PluginDirective] = field(default_factory=list)
    import_configs: list[Location] = field(default_factory=list)  # Fava runs this Python file
    unpopped_tags: dict[tuple[str, str], Location] = field(default_factory=dict)  # (file, tag)
    problems: list[SourceProblem] = field(default_factory=list)

    def plugin_location(self, name: str) -> Location | None:
        return next((p.where for p in self.plugins if p.name == name), None)


@dataclass
class _Directives:
    """The directives of one file that say where its text comes from and what code
    it runs: includes, plugins, options, tag stacks and some ``custom`` lines."""

    includes: list[tuple[int, str]] = field(default_factory=list)
    plugin_lines: list[tuple[int, str, str | None]] = field(default_factory=list)
    python_path_lines: list[int] = field(default_factory=list)
    processing_modes: list[tuple[int, str]] = field(default_factory=list)
    pushed: list[tuple[str, int]] = field(default_factory=list)  # pushed, never popped
    extensions: list[tuple[int, str]] = field(default_factory=list)
    import_config_lines: list[int] = field(default_factory=list)
    empty_customs: list[tuple[int, str]] = field(default_factory=list)  # Beancount fails on these
    named_ledgers: list[tuple[int, str]] = field(default_factory=list)  # loaded too
    layout_folders: list[tuple[int, str]] = field(default_factory=list)


# Directives stand at the start of a line; the scan looks at line starts only (the
# pattern begins with the newline before them), so it costs little next to a parse.
# A date is as Beancount's lexer reads one (2016-04-01, 2016/4/1).
_DIRECTIVE = re.compile(
    rb"\n(?:(include|plugin|option|pushtag|poptag)[ \t]+([^\n]*)"
    rb"|\d{4,}[-/]\d+[-/]\d+[ \t]+(custom)[ \t]+([^\n]*))"
)
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(;)|(\S+)')


def _tokens(rest: str) -> list[str | None]:
    """The strings of a directive's line up to its comment; None for a bare token."""
    found: list[str | None] = []
    for match in _TOKEN.finditer(rest):
        if match[2]:
            break
        text = match[1]
        found.append(None if text is None else text.replace('\\"', '"').replace("\\\\", "\\"))
    return found


def _scan(raw: bytes) -> _Directives:
    """The file's include, plugin, option, pushtag/poptag and custom lines."""
    found = _Directives()
    data = b"\n" + raw
    line, counted = 1, 0
    for match in _DIRECTIVE.finditer(data):
        line += data.count(b"\n", counted, match.start())
        counted = match.start()
        keyword = (match[1] or match[3]).decode("ascii")
        rest = (match[2] if match[1] else match[4]).decode("utf-8", "replace")
        if keyword in ("pushtag", "poptag"):
            tag = rest.split(";", 1)[0].strip().lstrip("#")
            if keyword == "pushtag":
                found.pushed.append((tag, line))
            else:
                for i in range(len(found.pushed) - 1, -1, -1):
                    if found.pushed[i][0] == tag:
                        del found.pushed[i]
                        break
            continue
        tokens = _tokens(rest)
        strings = [t for t in tokens if t is not None]
        if keyword == "include" and strings:
            found.includes.append((line, strings[0]))
        elif keyword == "plugin" and strings:
            found.plugin_lines.append((line, strings[0], strings[1] if len(strings) > 1 else None))
        elif keyword == "option" and len(strings) > 1:
            if strings[0] == "insert_pythonpath" and strings[1].strip().upper() in ("TRUE", "1"):
                found.python_path_lines.append(line)
            elif strings[0] == "plugin_processing_mode":
                found.processing_modes.append((line, strings[1]))
        elif keyword == "custom" and strings:
            kind, values = strings[0], tokens[1:]
            if not values:
                found.empty_customs.append((line, kind))
            elif kind == "fava-extension" and values[0] is not None:
                found.extensions.append((line, values[0]))
            elif kind == "fava-option" and values[0] == "import-config":
                found.import_config_lines.append(line)
            elif kind == COMPARISON and len(values) > 1 and values[1] is not None:
                found.named_ledgers.append((line, values[1]))
            elif kind == ACTUALS and values[0] is not None:
                found.named_ledgers.append((line, values[0]))
            elif kind == LAYOUTS and values[0] is not None:
                found.layout_folders.append((line, values[0]))
    return found


_BARE_RETURN = re.compile(rb"\r(?!\n)")


def _line_of(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column in characters (both from 1) of a byte offset in UTF-8 text."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", "replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def longest_line(raw: bytes) -> int:
    """The bytes of the longest line, newline left out (a scan in C, not a split
    into millions of lines)."""
    ends = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == ord("\n"))
    return int(np.diff(ends, prepend=-1, append=len(raw)).max()) - 1


def text_problem(raw: bytes, *, ledger: bool = True) -> tuple[int, str] | None:
    """Why these bytes are not a ledger file Beancount can read (``ledger``), or a
    layout file, and at which line."""
    if not raw.strip():
        return 1, _("the file is empty")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return 1, _("the file is UTF-16 text; save it as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = _line_of(raw, nul)[0]
        return line, _("the file is binary (it holds NUL bytes), not Beancount text")
    if raw.startswith(b"\xef\xbb\xbf"):
        return 1, _("the file begins with a byte-order mark (BOM); save it as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_of(raw, error.start)
        where = dict(byte=f"0x{raw[error.start]:02x}", column=column)
        try:
            raw.decode("cp932")
        except UnicodeDecodeError:
            return line, _(
                "the file is not UTF-8: byte {byte} at column {column} cannot be read; "
                "save the file as UTF-8",
                **where,
            )
        return line, _(
            "the file is not UTF-8 (it looks like Shift_JIS): byte {byte} at column {column} "
            "cannot be read; save the file as UTF-8",
            **where,
        )
    bare_return = _BARE_RETURN.search(raw)
    if bare_return is not None:
        line, column = _line_of(raw, bare_return.start())
        if not ledger:
            return line, _(
                "a carriage return (CR) without a newline after it, at column {column}; "
                "save the file with LF or CRLF line endings",
                column=column,
            )
        return line, _(
            "a carriage return (CR) without a newline after it, at column {column}: Beancount "
            "ends a line at a newline (LF) only and would read what follows as part of this "
            "line; save the file with LF or CRLF line endings",
            column=column,
        )
    if longest_line(raw) <= MAX_LINE:
        return None  # no line has more bytes, so none has more characters
    # Split where Beancount ends a line: at LF only (str.splitlines also splits at
    # CR, form feed, U+2028 and others).
    for number, line_text in enumerate(text.split("\n"), start=1):
        if len(line_text) > MAX_LINE:
            return number, _(
                "a line of {length:,} characters; a ledger line has at most "
                "{largest:,} (is this the right file?)",
                length=len(line_text),
                largest=MAX_LINE,
            )
    return None


def is_encrypted(path: Path, raw: bytes) -> bool:
    """Whether Beancount takes the file for an encrypted one (``encryption.is_encrypted_file``,
    judged on the bytes read)."""
    if path.suffix == ".gpg":
        return True
    return path.suffix == ".asc" and b"--BEGIN PGP MESSAGE--" in raw[:1024]


def shown(path: Path | str) -> str:
    """A path as messages show it: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _included_files(pattern: str, folder: Path) -> list[Path]:
    """The files an include names, as Beancount finds them (a glob from the including
    file's folder)."""
    search = pattern if os.path.isabs(pattern) else os.path.join(folder, pattern)
    return [Path(os.path.normpath(match)) for match in sorted(glob.glob(search, recursive=True))]


def _blocked_folder(pattern: str, folder: Path) -> Path | None:
    """The first folder on the way to an included file that the user may not search
    (no execute permission), where "no such file" would hide the cause."""
    target = Path(pattern if os.path.isabs(pattern) else os.path.join(folder, pattern))
    for parent in reversed(target.parents):
        if parent.is_dir() and not os.access(parent, os.X_OK):
            return parent
    return None


def layout_files(folder: Path) -> list[Path]:
    """The files of a layout folder, each an input of the ledger: its index and
    every TOML file beside it (a schedule's layout is one of them)."""
    found = {Path(os.path.normpath(p)) for p in glob.glob(os.path.join(folder, LAYOUT_FILES))}
    return sorted(found | {Path(os.path.normpath(folder / LAYOUT_INDEX))})


def read_sources(main: Path | str, *, named: bool = True, layouts: bool = True) -> Sources:
    """Follow the includes from ``main`` and check every file on the way, and (with
    ``layouts``) its layouts; with ``named``, so for each ledger a ``yosan-comparison``
    or ``yosan-actuals`` names (they are loaded too), and for theirs in turn."""
    sources = Sources()
    main = Path(os.path.normpath(Path(main).absolute()))
    pending: list[tuple[Path, Location | None]] = [(main, None)]
    while pending:
        root, named_at = pending.pop(0)
        if root not in sources.roots:
            sources.roots.append(root)
            found = _Ledger(sources, named_at, layouts=layouts).read(root)
            if named:
                pending += found
    return sources


# The main files of the loads in progress that passed the gate before Beancount
# parsed them (``yosan_ledger.load.ledger``): the rule ``yosan_ledger.plugins.sources``,
# which checks the files of a load that did not (bean-check, plain Fava), leaves them be.
_gated: ContextVar[frozenset[str]] = ContextVar("yosan_gated", default=frozenset())


@contextlib.contextmanager
def gated(main: str) -> Iterator[None]:
    """Within the block, the load of ``main`` has passed the gate."""
    token = _gated.set(_gated.get() | {os.path.normpath(os.path.abspath(main))})
    try:
        yield
    finally:
        _gated.reset(token)


def passed_the_gate(main: str) -> bool:
    """Whether the load of ``main`` in progress passed the gate before its parse."""
    return os.path.normpath(os.path.abspath(main)) in _gated.get()


def _identity(path: Path) -> tuple[int, int] | Path:
    """The file itself (device and inode), not its path: a folder reached through a
    symbolic link, or a hard link, names the same file by another path."""
    try:
        status = path.stat()
    except OSError:
        return path
    return (status.st_dev, status.st_ino)


class _Ledger:
    """The walk through one ledger's files, into ``sources``."""

    def __init__(self, sources: Sources, named_at: Location | None, *, layouts: bool) -> None:
        self.sources = sources
        self.named_at = named_at  # the directive naming this ledger; None for the main one
        self.layouts = layouts  # whether to check its layouts too
        self.seen: dict[tuple[int, int] | Path, tuple[Path, Location | None]] = {}
        self.named: list[tuple[Path, Location]] = []  # the ledgers it names
        self.layout_folders: list[tuple[Path, Location]] = []

    def problem(self, where: Location, message: str, *, renamed: bool = False) -> None:
        self.sources.problems.append(SourceProblem(where, message, renamed))

    def read(self, main: Path) -> list[tuple[Path, Location]]:
        """Check the ledger's files and its layouts; the ledgers it names."""
        self.visit(main, None, (main,))
        # A second folder is the rule's error.
        for folder, where in self.layout_folders[: 1 if self.layouts else 0]:
            if folder.is_dir():  # a missing one is the rule's error
                for path in layout_files(folder):
                    if path.exists() or path.is_symlink():
                        self.check(path, where, "layout")
        return self.named

    def check(self, path: Path, reached_at: Location | None, how: str) -> bytes | None:
        """The file's bytes, or None with its problem recorded (``how``: "included",
        "named" or "layout", said with ``reached_at``)."""
        self.sources.files.append(path)
        try:
            raw = read_regular(path)
            if is_encrypted(path, raw):  # Beancount would run gpg on it
                raise FileProblem(_("an encrypted file; yosan reads plain UTF-8 text only"))
            found = text_problem(raw, ledger=how != "layout")
            if found is not None:
                raise FileProblem(found[1], found[0])
        except FileProblem as problem:
            where = Location(shown(path), problem.lineno)
            self.problem(where, _reached(problem.message, how, reached_at))
            return None
        return raw

    def visit(self, path: Path, included_at: Location | None, chain: tuple[Path, ...]) -> None:
        self.seen[_identity(path)] = (path, included_at)
        if included_at is None:
            raw = self.check(path, self.named_at, "named")
        else:
            raw = self.check(path, included_at, "included")
        if raw is None:
            return
        here = shown(path)
        found = _scan(raw)
        self.record(here, found, root=included_at is None)
        for lineno, pattern in found.includes:
            self.include(path, Location(here, lineno), pattern, chain)
        for lineno, relative in found.named_ledgers:
            other = Path(os.path.normpath(path.parent / relative))
            if other.exists():  # a missing one is the directive's rule's error
                self.named.append((other, Location(here, lineno)))
        for lineno, relative in found.layout_folders:
            folder = Path(os.path.normpath(path.parent / relative))
            self.layout_folders.append((folder, Location(here, lineno)))

    def record(self, here: str, found: _Directives, *, root: bool) -> None:
        """What a file's directives ask to run, and where they stand (Beancount takes
        the options of a ledger's ``root`` file only)."""
        sources = self.sources
        for lineno, name, config in found.plugin_lines:
            sources.plugins.append(PluginDirective(name, Location(here, lineno), config))
            if not MODULE_NAME.match(name):
                message = _('plugin "{name}" is not a Python module name', name=name)
                self.problem(Location(here, lineno), message)
        for lineno, kind in found.empty_customs:
            message = _(
                'custom "{kind}" with no values after it (Beancount cannot process it)',
                kind=kind,
            )
            self.problem(Location(here, lineno), message)
        for lineno, mode in found.processing_modes:
            sources.processing_mode_options.append(Location(here, lineno))
            if root and mode.strip() == "raw":
                self.problem(Location(here, lineno), RAW_MODE)
        sources.python_path_options += [Location(here, n) for n in found.python_path_lines]
        sources.fava_extensions += [
            PluginDirective(name, Location(here, n)) for n, name in found.extensions
        ]
        sources.import_configs += [Location(here, n) for n in found.import_config_lines]
        for tag, lineno in found.pushed:
            sources.unpopped_tags.setdefault((here, tag), Location(here, lineno))
        modules = [*((n, name) for n, name, _config in found.plugin_lines), *found.extensions]
        for lineno, name in modules:
            renamed = renamed_module(name)
            if renamed is not None:
                self.problem(Location(here, lineno), renamed, renamed=True)

    def include(self, path: Path, here: Location, pattern: str, chain: tuple[Path, ...]) -> None:
        if not pattern.strip():
            self.problem(here, _('include "" names no file'))
            return
        matches = _included_files(pattern, path.parent)
        if not matches:
            what = _("no file matches") if glob.has_magic(pattern) else _("no such file")
            blocked = _blocked_folder(pattern, path.parent)
            if blocked is not None:
                what = _(
                    "the folder {folder} cannot be searched (permission denied)",
                    folder=shown(blocked),
                )
            self.problem(here, _('include "{pattern}": {what}', pattern=pattern, what=what))
        for match in matches:
            same = _identity(match)
            ancestors = [_identity(p) for p in chain]
            if same in ancestors:
                loop = " → ".join(shown(p) for p in (*chain[ancestors.index(same) :], match))
                self.problem(
                    here, _("include cycle: {loop}; a file cannot include itself", loop=loop)
                )
            elif same in self.seen:
                self.problem(here, self.twice(match))
            elif len(chain) >= MAX_DEPTH:
                self.problem(here, _("includes nested more than {depth} deep", depth=MAX_DEPTH))
            elif match.is_dir():
                message = _(
                    'include "{pattern}": {file} is not a file', pattern=pattern, file=shown(match)
                )
                self.problem(here, message)
            else:
                self.visit(match, here, (*chain, match))

    def twice(self, match: Path) -> str:
        """A file included a second time, by this path or another."""
        earlier, first = self.seen[_identity(match)]
        at = first or _("as the main file")
        if earlier != match:
            return _(
                "{file} is already included as {other} ({at}); include each file once",
                file=shown(match),
                other=shown(earlier),
                at=at,
            )
        return _(
            "{file} is already included ({at}); include each file once", file=shown(match), at=at
        )


def _reached(problem: str, how: str, where: Location | None) -> str:
    """A file's problem, saying how the file was reached (where it is not the
    main file)."""
    if where is None:
        return problem
    if how == "included":
        return _("{problem} (included at {where})", problem=problem, where=where)
    if how == "layout":
        return _(
            "{problem} (a layout of the folder named at {where})", problem=problem, where=where
        )
    return _("{problem} (a ledger named at {where})", problem=problem, where=where)


RAW_MODE = _(
    'option "plugin_processing_mode" "raw" turns off Beancount\'s own checks '
    "(its balance assertions, pad and documents steps); "
    "a budget ledger is always checked in full: remove the option"
)


def renamed_module(name: str) -> str | None:
    """What replaced a module of yosan-ledger's earlier, unnamespaced packages
    (``plugins.segments``, ``reports.fava_ext``); None for any other name."""
    top, _dot, rest = name.partition(".")
    new = RENAMED_PACKAGES.get(top)
    if new is None or not rest:
        return None
    try:
        spec = importlib.util.find_spec(f"{new}.{rest}")
    except ImportError:
        spec = None
    if spec is None:
        return None  # no module of ours by that name: someone else's package
    if top == "plugins":
        return _(
            '"{name}" is now "{new}"; name every rule in one line: plugin "{rules}"',
            name=name,
            new=f"{new}.{rest}",
            rules=RULES_PLUGIN,
        )
    return _(
        '"{name}" is now "{new}": write custom "fava-extension" "{new}"',
        name=name,
        new=f"{new}.{rest}",
    )
