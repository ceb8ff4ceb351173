"""Whether a ledger would run code from elsewhere: ``--no-foreign-plugins``.

The files themselves are checked by the gate (``yosan_ledger.plugins.core.sources``:
every file a load reads, however it is reached).  This module judges what those
files ask to run: a ``plugin`` from outside this project and Beancount, a
configuration Beancount's plugins would evaluate, ``insert_pythonpath``, a Fava
extension or import-config, a Beancount cache beside the ledger.  It judges what
Beancount itself parsed (``parsed_sources``), since parsing runs no plugin code;
the load (``yosan_ledger.load.ledger``) refuses before any plugin runs, for the
command and for ``yosan fava`` alike.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import re
from pathlib import Path

import beancount

import yosan_ledger.plugins
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.sources import (
    ACTUALS,
    COMPARISON,
    MODULE_NAME,
    FileProblem,
    Location,
    PluginDirective,
    SourceProblem,
    Sources,
    read_regular,
    read_sources,
    shown,
)

TRUSTED_PACKAGES = (yosan_ledger.plugins, beancount)
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
                    Location(shown(cache)),
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
                            Location(shown(shadow)),
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
    """What Beancount itself parsed of the ledger and of every ledger it names
    (``yosan-comparison``, ``yosan-actuals``, and theirs in turn), as the ``Sources``
    that ``foreign_plugin_problems`` judges: its plugins with their whole
    configuration, ``insert_pythonpath``, the Fava extensions and import-config.
    Parsing runs no plugin code.  A ledger named in a way the line scan of
    ``scanned`` did not see passes the gate first (its problems are the result's).
    Lines come from the directives themselves (customs) or from the line scan,
    else the first line of the files that names them."""
    from beancount.core import data

    from yosan_ledger.load import steps

    found = Sources(roots=list(scanned.roots))
    pending, done = [Path(os.path.normpath(Path(main).absolute()))], set()
    while pending:
        root = pending.pop(0)
        if root in done:
            continue
        done.add(root)
        if root not in found.roots:
            found.roots.append(root)
        if root not in scanned.roots:
            gate = read_sources(root, named=False)
            if gate.problems:
                found.problems += gate.problems
                continue
        try:
            entries, _, options = steps.parse(str(root))
        except FileProblem as problem:  # replaced since the gate passed it
            found.problems.append(SourceProblem(Location(shown(root)), problem.message))
            continue
        files = [Path(f) for f in options.get("include") or [root]]
        for name, config in options.get("plugin", ()):
            where = _located(scanned, files, "plugin", name)
            found.plugins.append(PluginDirective(name, where, config))
        # Beancount takes this option from included files too (``pythonpath``).
        if options.get("insert_pythonpath") or options.get("pythonpath"):
            found.python_path_options.append(
                _located(scanned, files, "option", "insert_pythonpath")
            )
        for entry in entries:
            if not isinstance(entry, data.Custom) or not entry.values:
                continue
            where = Location(shown(entry.meta["filename"]), entry.meta.get("lineno"))
            first = entry.values[0].value
            if entry.type == "fava-extension" and isinstance(first, str):
                found.fava_extensions.append(PluginDirective(first, where))
            elif entry.type == "fava-option" and first == "import-config":
                found.import_configs.append(where)
            elif entry.type in (COMPARISON, ACTUALS):
                named = entry.values[1 if entry.type == COMPARISON else 0 :]
                other = named[0].value if named else None
                if isinstance(other, str):
                    folder = Path(entry.meta["filename"]).parent
                    path = Path(os.path.normpath(folder / other))
                    if path.exists():
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
            text = read_regular(path).decode("utf-8", "replace")
        except FileProblem:
            continue
        match = pattern.search(text)
        if match is not None:
            return Location(shown(path), text.count("\n", 0, match.start()) + 1)
    return Location(shown(files[0]) if files else "")
