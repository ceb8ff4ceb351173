"""The shape of the package: one import name, rules apart from their library, the
load apart from both, Beancount's private API in one module, no import cycle, no
result travelling in ``options_map``."""

from __future__ import annotations

import ast
import glob
import importlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FY2016, ROOT, SMALL
from yosan_ledger.load import internals
from yosan_ledger.plugins import all as every_rule
from yosan_ledger.reports.loading.ledger import load_ledger

FOLDERS = {
    "load": "yosan_ledger.load",
    "plugins": "yosan_ledger.plugins",
    "reports": "yosan_ledger.reports",
}
LOAD = "yosan_ledger.load"


def modules() -> dict[str, Path]:
    """Every module of the package, by its import name."""
    found = {}
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


def imports_of(name: str, path: Path) -> set[str]:
    """The modules a module imports, anywhere in it (a function's imports too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {i for i in imports_of(name, path) if i in known and i != name}
        for name, path in known.items()
    }


def test_the_package_imports_itself_only_as_yosan_ledger():
    for name, path in modules().items():
        tops = {i.partition(".")[0] for i in imports_of(name, path)}
        assert not tops & set(FOLDERS), name


def test_the_import_graph_has_no_cycle():
    edges = graph()
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for other in sorted(edges[node]):
            if state.get(other) == 1:
                cycle = path[path.index(other) :] + [other]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if other not in state:
                visit(other, [*path, other])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])


def test_the_library_depends_on_no_rule_and_no_report():
    for name, imported in graph().items():
        if name.startswith("yosan_ledger.plugins.core"):
            outside = {
                i
                for i in imported
                if i != "yosan_ledger.plugins"
                and not i.startswith(("yosan_ledger.plugins.core", LOAD))
            }
            assert not outside, (name, outside)


# The one door from the library to the load: a ledger a directive names.
NAMED_LEDGER = f"{LOAD}.ledger.load_named"


def test_the_library_holds_no_loader():
    """plugins/core is functions of entries: no parser, no worker, no module of the
    load; it asks the load only for a ledger a directive names."""
    for name, path in modules().items():
        if not name.startswith("yosan_ledger.plugins.core"):
            continue
        imported = imports_of(name, path)
        of_the_load = {i for i in imported if i.startswith(LOAD)}
        assert of_the_load <= {f"{LOAD}.ledger", NAMED_LEDGER}, (name, of_the_load)
        loaders = {
            i
            for i in imported
            if i.startswith(("beancount.loader", "beancount.parser", "multiprocessing"))
            or i in ("beancount", "concurrent.futures")
        }
        assert not loaders, (name, loaders)


def test_the_rules_and_the_load_import_no_report():
    """The rules load a ledger a directive names without yosan_ledger.reports; the
    load runs the rules by name and imports no rule, table or renderer."""
    for name, imported in graph().items():
        if name.startswith(("yosan_ledger.plugins", LOAD)):
            reports = {i for i in imported if i.startswith("yosan_ledger.reports")}
            assert not reports, (name, reports)
        if name.startswith(LOAD):
            rules = {
                i
                for i in imported
                if i.startswith("yosan_ledger.plugins.")
                and not i.startswith("yosan_ledger.plugins.core")
            }
            assert not rules, (name, rules)


def _bound_names(tree: ast.AST) -> dict[str, str]:
    """Each name an import binds, with the module or object it stands for."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    top = alias.name.partition(".")[0]
                    bound[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _private_name(dotted: str) -> str | None:
    """The name that makes a dotted name of Beancount's or Fava's private (its first
    part with a leading underscore, or the entry of ``internals.WATCHED`` it is
    within); None for a public one."""
    parts = dotted.split(".")
    if parts[0] not in ("beancount", "fava"):
        return None
    underscored = [p for p in parts if p.startswith("_") and not p.endswith("__")]
    if underscored:
        return underscored[0]
    for watched in internals.WATCHED:
        if dotted == watched or dotted.startswith(watched + "."):
            return watched.rpartition(".")[2]
    return None


def private_uses(path: Path) -> set[str]:
    """What a file uses of Beancount's (or Fava's) private API: a name with a leading
    underscore or one ``internals.WATCHED`` lists, imported or reached through an
    imported name; an attribute ``internals.WATCHED_ATTRIBUTES`` lists; a string,
    other than a docstring, with the words of a message ``internals.WORDING``
    lists."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bound = _bound_names(tree)
    used = set(bound.values())
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            used.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Attribute):
            chain, root = [node.attr], node.value
            while isinstance(root, ast.Attribute):
                chain.append(root.attr)
                root = root.value
            if isinstance(root, ast.Name) and root.id in bound:
                used.add(".".join([bound[root.id], *reversed(chain)]))
            if node.attr in internals.WATCHED_ATTRIBUTES:
                found.add(node.attr)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            found.update(w for w in internals.WORDING if w in node.value)
    return found | {n for n in map(_private_name, used) if n}


# Every Python file of the repository: the package, its tests, the benchmarks, the docs' scripts.
PYTHON_FILES = sorted(
    p for folder in (*FOLDERS, "tests", "benchmarks", "docs") for p in (ROOT / folder).rglob("*.py")
)


@pytest.mark.parametrize("path", PYTHON_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_load_internals_use_beancounts_private_api(path):
    if path == Path(internals.__file__):
        return
    assert not private_uses(path), "go through yosan_ledger.load.internals"


def test_the_internals_list_every_private_use_they_make():
    """The docstring table of load/internals.py names each private name it uses."""
    listed = internals.__doc__ or ""
    found = private_uses(Path(internals.__file__))
    assert found, "the detector finds nothing: it is broken"
    for name in found:
        assert name in listed, name


def test_each_rule_is_a_plugin_over_the_library():
    """plugins/*.py are Beancount plugins importing the library only; the chain
    of all of them is plugins.all, in one place."""
    rules = [
        n
        for n in modules()
        if n.count(".") == 2
        and n.startswith("yosan_ledger.plugins.")
        and not n.endswith((".all", ".core"))
    ]
    assert len(rules) == len(every_rule.RULES)
    assert {m.__name__ for m in every_rule.RULES} == set(rules)
    for name in rules:
        module = importlib.import_module(name)
        assert module.__plugins__ and module.__doc__, name
        assert not {i for i in graph()[name] if not i.startswith("yosan_ledger.plugins.core")}
    chain = [f for m in every_rule.RULES for f in (getattr(m, n) for n in m.__plugins__)]
    assert every_rule.__plugins__ == chain


@pytest.mark.parametrize("path", [FY2016, SMALL], ids=["fy2016", "small"])
def test_no_result_travels_in_the_options(path):
    ledger = load_ledger(path, cache=False)
    assert not ledger.problems
    assert not [k for k in ledger.options if k.startswith("yosan")]
    assert ledger.statements is not None


def test_yosan_works_beside_other_packages_named_as_its_folders(tmp_path):
    """PyPI's `reports` and a user's own `plugins` or `load` folder install top-level
    packages of those names; yosan and bean-check do not import them."""
    for name in FOLDERS:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(
            f"raise ImportError('the {name} of someone else')\n", encoding="utf-8"
        )
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "YOSAN_CACHE_DIR": str(tmp_path / "c")}
    for command in (
        [sys.executable, "-m", "yosan_ledger.reports", "check", "--ledger", str(FY2016)],
        [sys.executable, "-m", "beancount.scripts.check", str(FY2016)],
    ):
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr


def test_a_ledger_naming_the_old_modules_is_told_their_new_names(make_ledger):
    from tests.conftest import HEADER, yosan

    header = HEADER.replace(
        'plugin "yosan_ledger.plugins.all"\n',
        'plugin "plugins.segments"\n2016-04-01 custom "fava-extension" "reports.fava_ext"\n',
    )
    ledger = make_ledger("", header=header)
    result = yosan("check", "--ledger", ledger)
    assert result.exit_code == 1
    assert (
        f'{ledger}:5: "plugins.segments" is now "yosan_ledger.plugins.segments"; name every '
        'rule in one line: plugin "yosan_ledger.plugins.all"'
    ) in result.stderr
    assert (
        f'{ledger}:6: "reports.fava_ext" is now "yosan_ledger.reports.fava_ext": write '
        'custom "fava-extension" "yosan_ledger.reports.fava_ext"'
    ) in result.stderr
    assert "Traceback" not in result.stderr
    assert yosan("fava", "--ledger", ledger).exit_code == 1  # refused before Fava starts


@pytest.mark.skipif(not os.environ.get("CI"), reason="builds a wheel (about 10 s)")
def test_the_distribution_installs_one_import_package(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    (wheel,) = glob.glob(str(tmp_path / "*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"yosan_ledger", "yosan_ledger-0.2.0.dist-info"}
    for data in (
        "reports/ledgers/starter/layouts/bs.toml",
        "reports/ledgers/starter/main.beancount",
        "reports/rendering/templates/statements.html",
    ):
        assert f"yosan_ledger/{data}" in names


def test_the_readme_map_names_every_module():
    """The README's map (How it fits together) names every module of the package, in the
    row of its folder: the map is the territory.  A module that declares a member of a
    registry (a kind of table's ``KIND``, a renderer's ``FORMAT``) is listed by the
    registry itself (`yosan report --help`), so the map may leave a new one out."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| Path | What it is |", 1)[1].split("\n\n", 1)[0]
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in table.splitlines()
        if line.startswith("| `")
    }
    missing = []
    for folder in ("load", "plugins", "reports"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "__init__.py" and path.parent.name != "fava_ext":
                continue
            relative = path.relative_to(ROOT)
            parent = f"{relative.parent}/"
            row = rows.get(parent) or next(
                (line for key, line in rows.items() if parent.startswith(key.split("*")[0])), ""
            )
            registered = re.search(r"^(KINDS?|FORMATS?) = ", path.read_text("utf-8"), re.M)
            if f"`{path.name}`" not in row and f"`{relative}`" not in table and not registered:
                missing.append(str(relative))
    assert missing == []
