"""The ledger's source files, read and checked before Beancount loads them.

Beancount reads what it is given and makes the best of it: a binary file or one
in Shift_JIS becomes a screen of "Invalid token" errors; a missing include or an
include cycle an error with no line; a line of a few million characters keeps
its lexer busy for minutes; and a ``plugin`` directive runs any Python module it
names.  Before the loader runs, this module follows the includes from the main
file and checks each file: that it exists, is plain UTF-8 text, is not empty,
has no line too long to be a ledger line, and is included once.  It records
where each ``plugin`` directive stands, so a plugin's error can be reported at
its line and, on request, a plugin from outside this project and Beancount is
refused before any plugin code runs.
"""

from __future__ import annotations

import ast
import glob
import importlib.util
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import beancount
import numpy as np
from beancount.utils import encryption

import yosan_ledger.plugins
from yosan_ledger.plugins import RENAMED_PACKAGES, RULES_PLUGIN
from yosan_ledger.plugins.core.messages import _

MAX_BYTES = 4 * 2**30  # a ledger file of a million transactions is about 150 MB
MAX_LINE = 10_000  # characters; Beancount's lexer slows quadratically on longer lines
MAX_DEPTH = 100  # includes within includes
TRUSTED_PACKAGES = (yosan_ledger.plugins, beancount)
MODULE_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\Z")
# Beancount plugins that pass their configuration string to eval(): only a plain
# Python literal is safe there.
EVALUATED_CONFIG = frozenset(
    {
        "beancount.plugins.check_average_cost",
        "beancount.plugins.check_commodity",
        "beancount.plugins.commodity_attr",
    }
)
# Fava imports the modules `custom "fava-extension"` names, with the ledger's folder
# first on the module path: the project's own packages and Fava's are trusted.
EXTENSION_PACKAGES = ("yosan_ledger.reports", "fava")
# yosan_ledger.plugins.overview loads the ledger this directive names, with its own plugins.
COMPARISON = "yosan-comparison"


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
    """The files of a ledger, its ``plugin`` directives, and what is wrong with them."""

    files: list[Path] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)  # the main file, and compared ledgers'
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
    raw_mode_lines: list[int] = field(default_factory=list)
    pushed: list[tuple[str, int]] = field(default_factory=list)  # pushed, never popped
    extensions: list[tuple[int, str]] = field(default_factory=list)
    import_config_lines: list[int] = field(default_factory=list)
    empty_customs: list[tuple[int, str]] = field(default_factory=list)  # Beancount fails on these
    comparisons: list[tuple[int, str]] = field(default_factory=list)  # another ledger, loaded too


# Directives stand at the start of a line; the scan looks at line starts only (the
# pattern begins with the newline before them), so it costs little next to a parse.
_DIRECTIVE = re.compile(
    rb"\n(?:(include|plugin|option|pushtag|poptag)[ \t]+([^\n]*)"
    rb"|\d{4}-\d{2}-\d{2}[ \t]+(custom)[ \t]+([^\n]*))"
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
                found.raw_mode_lines.append(line)
        elif keyword == "custom" and strings:
            kind, values = strings[0], tokens[1:]
            if not values:
                found.empty_customs.append((line, kind))
            elif kind == "fava-extension" and values[0] is not None:
                found.extensions.append((line, values[0]))
            elif kind == "fava-option" and values[0] == "import-config":
                found.import_config_lines.append(line)
            elif kind == COMPARISON and len(values) > 1 and values[1] is not None:
                found.comparisons.append((line, values[1]))
    return found


_BARE_RETURN = re.compile(rb"\r(?!\n)")


def _line_of(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and column in characters (both from 1) of a byte offset in UTF-8 text."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", "replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def _longest_line(raw: bytes) -> int:
    """The bytes of the longest line, newline left out (a scan in C, not a split
    into millions of lines)."""
    ends = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == ord("\n"))
    return int(np.diff(ends, prepend=-1, append=len(raw)).max()) - 1


def text_problem(raw: bytes) -> tuple[int, str] | None:
    """Why these bytes are not a ledger file Beancount can read, and at which line."""
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
        return line, _(
            "a carriage return (CR) without a newline after it, at column {column}: Beancount "
            "ends a line at a newline (LF) only and would read what follows as part of this "
            "line; save the file with LF or CRLF line endings",
            column=column,
        )
    if _longest_line(raw) <= MAX_LINE:
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


def _shown(path: Path | str) -> str:
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


def read_sources(main: Path) -> Sources:
    """Follow the includes from ``main`` and check every file on the way; and so for
    each ledger a ``custom "yosan-comparison"`` names (it is loaded too)."""
    sources = Sources()
    main = Path(os.path.normpath(Path(main).absolute()))
    pending = [main]
    while pending:
        root = pending.pop(0)
        if root not in sources.roots:
            sources.roots.append(root)
            pending += _read_tree(root, sources)
    return sources


def _read_tree(main: Path, sources: Sources) -> list[Path]:
    """Check the files of one ledger into ``sources``; the ledgers it compares with."""
    # By the file itself (device and inode), not its path: a folder reached through
    # a symbolic link, or a hard link, names the same file by another path.
    seen: dict[tuple[int, int] | Path, tuple[Path, Location | None]] = {}
    compared: list[Path] = []

    def identity(path: Path) -> tuple[int, int] | Path:
        try:
            status = path.stat()
        except OSError:
            return path
        return (status.st_dev, status.st_ino)

    def visit(path: Path, included_at: Location | None, chain: tuple[Path, ...]) -> None:
        seen[identity(path)] = (path, included_at)
        sources.files.append(path)
        shown = _shown(path)

        def fail(lineno: int | None, message: str) -> None:
            if included_at:
                message = _("{problem} (included at {where})", problem=message, where=included_at)
            sources.problems.append(SourceProblem(Location(shown, lineno), message))

        if encryption.is_encrypted_file(str(path)):
            fail(None, _("an encrypted file; yosan reads plain UTF-8 text only"))
            return
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                fail(
                    None,
                    _(
                        "a file of {size:,} bytes; a ledger file has at most {largest:,} "
                        "(is this the right file?)",
                        size=size,
                        largest=MAX_BYTES,
                    ),
                )
                return
            raw = path.read_bytes()
        except OSError as error:
            fail(None, _("cannot be read: {error}", error=error.strerror or error))
            return
        except MemoryError:
            fail(None, _("too large to be read into memory (is this the right file?)"))
            return
        found = text_problem(raw)
        if found is not None:
            fail(*found)
            return
        recorder = _scan(raw)
        for lineno, name, config in recorder.plugin_lines:
            sources.plugins.append(PluginDirective(name, Location(shown, lineno), config))
            if not MODULE_NAME.match(name):
                sources.problems.append(
                    SourceProblem(
                        Location(shown, lineno),
                        _('plugin "{name}" is not a Python module name', name=name),
                    )
                )
        for lineno, kind in recorder.empty_customs:
            sources.problems.append(
                SourceProblem(
                    Location(shown, lineno),
                    _(
                        'custom "{kind}" with no values after it (Beancount cannot process it)',
                        kind=kind,
                    ),
                )
            )
        sources.python_path_options += [Location(shown, n) for n in recorder.python_path_lines]
        sources.processing_mode_options += [Location(shown, n) for n in recorder.raw_mode_lines]
        sources.fava_extensions += [
            PluginDirective(name, Location(shown, n)) for n, name in recorder.extensions
        ]
        sources.import_configs += [Location(shown, n) for n in recorder.import_config_lines]
        for tag, lineno in recorder.pushed:
            sources.unpopped_tags.setdefault((shown, tag), Location(shown, lineno))
        for lineno, name in [
            *((n, name) for n, name, _config in recorder.plugin_lines),
            *recorder.extensions,
        ]:
            renamed = renamed_module(name)
            if renamed is not None:
                sources.problems.append(
                    SourceProblem(Location(shown, lineno), renamed, renamed=True)
                )
        for lineno, pattern in recorder.includes:
            here = Location(shown, lineno)
            if not pattern.strip():
                sources.problems.append(SourceProblem(here, _('include "" names no file')))
                continue
            matches = _included_files(pattern, path.parent)
            if not matches:
                what = _("no file matches") if glob.has_magic(pattern) else _("no such file")
                blocked = _blocked_folder(pattern, path.parent)
                if blocked is not None:
                    what = _(
                        "the folder {folder} cannot be searched (permission denied)",
                        folder=_shown(blocked),
                    )
                message = _('include "{pattern}": {what}', pattern=pattern, what=what)
                sources.problems.append(SourceProblem(here, message))
            for match in matches:
                same = identity(match)
                ancestors = [identity(p) for p in chain]
                if same in ancestors:
                    cycle = chain[ancestors.index(same) :] + (match,)
                    loop = " → ".join(_shown(p) for p in cycle)
                    sources.problems.append(
                        SourceProblem(
                            here,
                            _("include cycle: {loop}; a file cannot include itself", loop=loop),
                        )
                    )
                elif same in seen:
                    earlier, first = seen[same]
                    at = first or _("as the main file")
                    message = (
                        _(
                            "{file} is already included as {other} ({at}); include each file once",
                            file=_shown(match),
                            other=_shown(earlier),
                            at=at,
                        )
                        if earlier != match
                        else _(
                            "{file} is already included ({at}); include each file once",
                            file=_shown(match),
                            at=at,
                        )
                    )
                    sources.problems.append(SourceProblem(here, message))
                elif len(chain) >= MAX_DEPTH:
                    sources.problems.append(
                        SourceProblem(
                            here, _("includes nested more than {depth} deep", depth=MAX_DEPTH)
                        )
                    )
                elif not match.is_file():
                    sources.problems.append(
                        SourceProblem(
                            here,
                            _(
                                'include "{pattern}": {file} is not a file',
                                pattern=pattern,
                                file=_shown(match),
                            ),
                        )
                    )
                else:
                    visit(match, here, (*chain, match))
        for _line, relative in recorder.comparisons:
            other = Path(os.path.normpath(path.parent / relative))
            if other.is_file():  # a missing one is yosan_ledger.plugins.overview's error
                compared.append(other)

    visit(main, None, (main,))
    return compared


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


def _inside(origin: str | None, package: object) -> bool:
    if origin is None:
        return False
    folder = Path(package.__file__).resolve().parent  # type: ignore[attr-defined]
    return Path(origin).resolve().is_relative_to(folder)


def is_trusted_plugin(name: str, packages: tuple[object, ...] = TRUSTED_PACKAGES) -> bool:
    """A module of yosan-ledger's ``plugins`` package or of Beancount, found where
    those packages are installed (the lookup imports parent packages only, and only
    within them)."""
    if not MODULE_NAME.match(name):
        return False
    for package in packages:
        top = package.__name__
        if name == top:
            return True
        if name.startswith(top + "."):
            try:
                spec = importlib.util.find_spec(name)
            except ImportError:
                return True  # not there at all: the loader reports it at the directive
            return spec is None or _inside(spec.origin, package)
    return False


def _is_literal(text: str | None) -> bool:
    if text is None or not text.strip():
        return True
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def foreign_plugin_problems(sources: Sources) -> list[SourceProblem]:
    """The directives that would run Python code from outside this project and Beancount."""
    problems = [
        SourceProblem(
            directive.where,
            _(
                'plugin "{name}" is neither one of yosan-ledger\'s '
                "(yosan_ledger.plugins.…) nor one of Beancount's (beancount.…); refused by "
                "--no-foreign-plugins, as it would run Python code from elsewhere",
                name=directive.name,
            ),
        )
        for directive in sources.plugins
        if not is_trusted_plugin(directive.name)
    ]
    problems += [
        SourceProblem(
            directive.where,
            _(
                'plugin "{name}" evaluates its configuration as Python, and this one is '
                "not a plain literal; refused by --no-foreign-plugins",
                name=directive.name,
            ),
        )
        for directive in sources.plugins
        if directive.name in EVALUATED_CONFIG and not _is_literal(directive.config)
    ]
    problems += [
        SourceProblem(
            where,
            _(
                'option "insert_pythonpath" lets the ledger\'s folder shadow Python modules; '
                "refused by --no-foreign-plugins"
            ),
        )
        for where in sources.python_path_options
    ]
    extension_packages = tuple(importlib.import_module(n) for n in EXTENSION_PACKAGES)
    problems += [
        SourceProblem(
            extension.where,
            _(
                "Fava extension \"{name}\" is not one of yosan-ledger's or Fava's; "
                "refused by --no-foreign-plugins, as Fava would run it",
                name=extension.name,
            ),
        )
        for extension in sources.fava_extensions
        if not is_trusted_plugin(extension.name, extension_packages)
    ]
    problems += [
        SourceProblem(
            where,
            _(
                'fava-option "import-config" names a Python file Fava would run; refused by '
                "--no-foreign-plugins"
            ),
        )
        for where in sources.import_configs
    ]
    for root in sources.roots:
        cache = root.parent / f".{root.name}.picklecache"
        if cache.exists():
            problems.append(
                SourceProblem(
                    Location(_shown(cache)),
                    _(
                        "a Beancount cache beside the ledger: bean-check and Fava would unpickle "
                        "it, which runs code (yosan never reads it); delete it; refused by "
                        "--no-foreign-plugins"
                    ),
                )
            )
    if sources.roots:
        folder = sources.roots[0].parent
        for name in sorted({p.partition(".")[0] for p in EXTENSION_PACKAGES} | {"beancount"}):
            for shadow in (folder / name, folder / f"{name}.py"):
                if shadow.exists():
                    problems.append(
                        SourceProblem(
                            Location(_shown(shadow)),
                            _(
                                "the ledger's folder holds {file}, which could stand in "
                                "for the {package} package when Fava imports from that folder; "
                                "refused by --no-foreign-plugins",
                                file=shadow.name,
                                package=name,
                            ),
                        )
                    )
    return problems


def parsed_sources(main: Path, scanned: Sources) -> Sources:
    """What Beancount itself parsed of the ledger and of every ledger it compares
    with (``yosan-comparison``), as the ``Sources`` that ``foreign_plugin_problems``
    judges: its plugins with their whole configuration, ``insert_pythonpath``,
    the Fava extensions and import-config.  Parsing runs no plugin code.  Lines
    come from the directives themselves (customs) or from the line scan of
    ``scanned``, else the first line of the files that names them."""
    from beancount.core import data

    from yosan_ledger.plugins.core import loading

    found = Sources(roots=list(scanned.roots))
    pending, done = [Path(os.path.normpath(Path(main).absolute()))], set()
    while pending:
        root = pending.pop(0)
        if root in done:
            continue
        done.add(root)
        if root not in found.roots:
            found.roots.append(root)
        entries, _, options = loading.parse(str(root))
        files = [Path(f) for f in options.get("include") or [root]]
        for name, config in options.get("plugin", ()):
            where = _located(scanned, files, "plugin", name)
            found.plugins.append(PluginDirective(name, where, config))
        if options.get("insert_pythonpath"):
            found.python_path_options.append(
                _located(scanned, files, "option", "insert_pythonpath")
            )
        for entry in entries:
            if not isinstance(entry, data.Custom) or not entry.values:
                continue
            where = Location(_shown(entry.meta["filename"]), entry.meta.get("lineno"))
            first = entry.values[0].value
            if entry.type == "fava-extension" and isinstance(first, str):
                found.fava_extensions.append(PluginDirective(first, where))
            elif entry.type == "fava-option" and first == "import-config":
                found.import_configs.append(where)
            elif entry.type == COMPARISON and len(entry.values) > 1:
                other = entry.values[1].value
                if isinstance(other, str):
                    folder = Path(entry.meta["filename"]).parent
                    path = Path(os.path.normpath(folder / other))
                    if path.is_file():
                        pending.append(path)
    return found


def _located(scanned: Sources, files: list[Path], keyword: str, name: str) -> Location:
    """Where a ``plugin`` or ``option`` directive parsed by Beancount stands."""
    if keyword == "plugin":
        where = scanned.plugin_location(name)
        if where is not None:
            return where
    pattern = re.compile(rf'^\s*{keyword}\s+"{re.escape(name)}"', re.MULTILINE)
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        match = pattern.search(text)
        if match is not None:
            return Location(_shown(path), text.count("\n", 0, match.start()) + 1)
    return Location(_shown(files[0]) if files else "")
