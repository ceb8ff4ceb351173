"""The shape of the package: one import name, rules apart from their library, no
import cycle, no result travelling in ``options_map``."""

from __future__ import annotations

import ast
import glob
import importlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FY2016, ROOT, SMALL
from yosan_ledger.plugins import all as every_rule
from yosan_ledger.reports.loading.ledger import load_ledger

FOLDERS = {"plugins": "yosan_ledger.plugins", "reports": "yosan_ledger.reports"}


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
        assert not tops & {"plugins", "reports"}, name


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
                if i != "yosan_ledger.plugins" and not i.startswith("yosan_ledger.plugins.core")
            }
            assert not outside, (name, outside)


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


def test_yosan_works_beside_other_packages_named_plugins_and_reports(tmp_path):
    """PyPI's `reports` and a user's own `plugins` folder install top-level packages
    of those names; yosan and bean-check do not import them."""
    for name in ("plugins", "reports"):
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
