"""What a ledger from an untrusted source can make the tools do.

A Beancount ``plugin`` directive imports and runs a Python module: that is how the
project's own rules run, and how a foreign ledger could run anything.  ``yosan
--no-foreign-plugins`` refuses such a ledger before any plugin runs; the loader
never reads Beancount's pickle cache (a pickle is code); Fava listens on
localhost unless told otherwise.
"""

from __future__ import annotations

import contextlib
import pickle
import shutil
import sys
import uuid
from pathlib import Path

import pytest
from beancount import loader

from tests.conftest import FY2016, HEADER, SMALL, copy_ledger, yosan
from yosan_ledger.load.foreign import is_trusted_plugin

OPENING = """
2016-03-31 * "前期末残高" #alpha
  Assets:11-流動資産:111-現金及び預金  1000 JPY
  Equity:31-地方公共団体出資金
"""


@pytest.fixture
def foreign_ledger(tmp_path: Path):
    """A ledger whose folder holds a module that leaves a mark when imported, and
    which names it as a plugin; returns (ledger, mark, module name)."""
    name = f"foreign_{uuid.uuid4().hex}"
    mark = tmp_path / "plugin-ran"
    (tmp_path / f"{name}.py").write_text(
        f"from pathlib import Path\nPath({str(mark)!r}).touch()\n__plugins__ = ()\n",
        encoding="utf-8",
    )
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        'option "insert_pythonpath" "TRUE"\n' + HEADER + f'plugin "{name}"\n' + OPENING,
        encoding="utf-8",
    )
    yield ledger, mark, name
    sys.modules.pop(name, None)


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


@pytest.mark.parametrize("command", ["check", "report", "export", "fava"])
def test_no_foreign_plugins_refuses_before_any_plugin_runs(foreign_ledger, command, tmp_path):
    ledger, mark, name = foreign_ledger
    result = yosan(command, "--no-foreign-plugins", "--ledger", ledger)
    assert result.exit_code == 1
    assert not mark.exists()
    lines = result.stderr.splitlines()
    plugin_line = line_of(ledger, f'plugin "{name}"')
    assert lines[0] == (
        f'{ledger}:1: option "insert_pythonpath" lets the ledger\'s folder shadow Python '
        "modules; refused by --no-foreign-plugins"
    )
    assert lines[1] == (
        f'{ledger}:{plugin_line}: plugin "{name}" is neither one of yosan-ledger\'s '
        "(yosan_ledger.plugins.…) nor one of Beancount's (beancount.…); refused by "
        "--no-foreign-plugins, as it would run Python code from elsewhere"
    )
    assert lines[2] == f"2 errors in {ledger}"


def test_without_the_option_a_ledger_runs_the_plugins_it_names(foreign_ledger):
    """What the option guards against: loading the ledger runs the module."""
    ledger, mark, _ = foreign_ledger
    assert yosan("check", "--ledger", ledger).exit_code == 0
    assert mark.exists()


def test_the_project_ledgers_pass_with_no_foreign_plugins():
    for ledger in (FY2016, SMALL):
        result = yosan("check", "--no-foreign-plugins", "--ledger", ledger)
        assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "trusted"),
    [
        ("yosan_ledger.plugins.segments", True),
        ("yosan_ledger.plugins.statements", True),
        ("beancount.plugins.auto_accounts", True),
        ("beancount.ops.balance", True),
        # runs nothing: the loader reports it at its line
        ("yosan_ledger.plugins.no_such_rule", True),
        ("os", False),
        ("plugins_extra.segments", False),
        ("beancountx.plugins", False),
        ("fava.plugins", False),
        ("plugins/../evil", False),
        ("", False),
    ],
)
def test_trusted_plugins(name, trusted):
    assert is_trusted_plugin(name) is trusted


class _Mark:
    """Unpickling this touches a file: what a planted pickle cache could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_the_pickle_cache_beside_a_ledger_is_never_read(tmp_path, monkeypatch):
    monkeypatch.delenv("BEANCOUNT_DISABLE_LOAD_CACHE")  # Beancount's own loader reads it
    ledger = tmp_path / "main.beancount"
    ledger.write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "accounts.beancount").write_text(
        (SMALL.parent / "accounts.beancount").read_text(encoding="utf-8"), encoding="utf-8"
    )
    shutil.copytree(SMALL.parent / "layouts", tmp_path / "layouts")
    mark = tmp_path / "unpickled"
    cache = tmp_path / ".main.beancount.picklecache"
    cache.write_bytes(pickle.dumps(_Mark(mark)))

    assert yosan("check", "--ledger", ledger).exit_code == 0
    assert not mark.exists()
    assert cache.exists()  # neither read nor rewritten
    result = yosan("check", "--no-foreign-plugins", "--ledger", ledger)
    assert result.stderr.splitlines() == [
        f"{cache}: a Beancount cache beside the ledger: bean-check and Fava would unpickle it, "
        "which runs code (yosan never reads it); delete it; refused by --no-foreign-plugins",
        f"1 error in {ledger}",
    ]
    assert not mark.exists()

    # Beancount's own loader does unpickle it: the test above can fail.
    with contextlib.suppress(Exception):
        loader.load_file(str(ledger))
    assert mark.exists()


def test_fava_listens_on_localhost_by_default():
    from fava.cli import main as fava_main

    host = next(p for p in fava_main.params if p.name == "host")
    assert host.default in ("localhost", "127.0.0.1", "::1")


def test_no_foreign_plugins_refuses_what_fava_would_run(tmp_path):
    """Fava imports `fava-extension` modules (from the ledger's folder first) and runs
    an import config: a ledger checked with the option opens safely in Fava."""
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        HEADER
        + '2016-04-01 custom "fava-extension" "plugins_shadow.ext"\n'
        + '2016-04-01 custom "fava-extension" "fava.ext.portfolio_list"\n'
        + '2016-04-01 custom "fava-option" "import-config" "importers.py"\n'
        + OPENING,
        encoding="utf-8",
    )
    (tmp_path / "yosan_ledger").mkdir()
    result = yosan("check", "--no-foreign-plugins", "--ledger", ledger)
    assert result.exit_code == 1
    extension = line_of(ledger, "plugins_shadow.ext")
    config = line_of(ledger, "import-config")
    assert result.stderr.splitlines() == [
        f'{ledger}:{extension}: Fava extension "plugins_shadow.ext" is not one of '
        "yosan-ledger's or Fava's; refused by --no-foreign-plugins, as Fava would run it",
        f'{ledger}:{config}: fava-option "import-config" names a Python file Fava would run; '
        "refused by --no-foreign-plugins",
        f"{tmp_path / 'yosan_ledger'}: the ledger's folder holds yosan_ledger, which could stand "
        "in for the yosan_ledger package when Fava imports from that folder; refused by "
        "--no-foreign-plugins",
        f"3 errors in {ledger}",
    ]


def test_no_foreign_plugins_refuses_code_in_a_configuration_beancount_evaluates(tmp_path):
    mark = tmp_path / "evaluated"
    ledger = tmp_path / "main.beancount"
    code = f"__import__('pathlib').Path({str(mark)!r}).touch() or 0.1"
    ledger.write_text(
        HEADER
        + f'plugin "beancount.plugins.check_average_cost" "{code}"\n'
        + 'plugin "beancount.plugins.check_commodity" "{}"\n'
        + OPENING,
        encoding="utf-8",
    )
    result = yosan("check", "--no-foreign-plugins", "--ledger", ledger)
    assert result.exit_code == 1
    assert not mark.exists()
    assert result.stderr.splitlines() == [
        f"{ledger}:{line_of(ledger, 'check_average_cost')}: plugin "
        '"beancount.plugins.check_average_cost" evaluates its configuration as Python, and '
        "this one is not a plain literal; refused by --no-foreign-plugins",
        f"1 error in {ledger}",
    ]
    yosan("check", "--ledger", ledger)  # without the option Beancount evaluates it
    assert mark.exists()


def test_the_compared_ledger_is_held_to_the_same_rules(tmp_path, monkeypatch):
    """The ledger a `yosan-comparison` names is loaded too: its pickle cache is never
    read, and --no-foreign-plugins refuses its foreign plugins and its cache."""
    monkeypatch.chdir(tmp_path)
    ledger = copy_ledger(tmp_path / "books")
    other = ledger.parent / "fy2015" / "main.beancount"
    mark = tmp_path / "unpickled"
    cache = other.parent / ".main.beancount.picklecache"
    cache.write_bytes(pickle.dumps(_Mark(mark)))

    assert yosan("check", "--ledger", ledger, "--no-cache").exit_code == 0
    assert not mark.exists()

    text = other.read_text(encoding="utf-8")
    other.write_text(text + 'plugin "evil_elsewhere"\n', encoding="utf-8")
    plugin_line = len(text.splitlines()) + 1
    result = yosan("check", "--no-foreign-plugins", "--ledger", ledger)
    assert result.exit_code == 1
    shown = "books/fy2015/main.beancount"
    assert f'{shown}:{plugin_line}: plugin "evil_elsewhere" is neither' in result.stderr
    assert "books/fy2015/.main.beancount.picklecache: a Beancount cache" in result.stderr
    assert not mark.exists()


@pytest.fixture
def planted(tmp_path: Path, monkeypatch):
    """A module on the path that leaves a mark when imported: (name, mark)."""
    name = f"planted_{uuid.uuid4().hex}"
    mark = tmp_path / "planted-ran"
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / f"{name}.py").write_text(
        f"from pathlib import Path\nPath({str(mark)!r}).touch()\n__plugins__ = ()\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(modules))
    yield name, mark
    sys.modules.pop(name, None)


def _bypasses(name: str, mark: Path) -> dict[str, tuple[str, dict[str, str]]]:
    """Issue 16, defect 12: directives the old line scan did not see, by name:
    (main file's extra text, other files)."""
    evaluated = f"{{'x': __import__('pathlib').Path({str(mark)!r}).touch()}}"
    comparison = HEADER.replace("テスト予算", "比較予算") + f'plugin "{name}"\n' + OPENING
    return {
        "indented plugin": (f'  plugin "{name}"\n', {}),
        "multi-line evaluated config": (
            f'plugin "beancount.plugins.check_commodity" "\n{evaluated}"\n',
            {},
        ),
        "comparison dated with slashes": (
            '2016/02/25 custom "yosan-comparison" "比較" "other/main.beancount"\n',
            {"other/main.beancount": comparison},
        ),
        "comparison dated without zeros": (
            '2016-2-5 custom "yosan-comparison" "比較" "other/main.beancount"\n',
            {"other/main.beancount": comparison},
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "indented plugin",
        "multi-line evaluated config",
        "comparison dated with slashes",
        "comparison dated without zeros",
    ],
)
def test_no_foreign_plugins_reads_what_beancount_parses(case, planted, tmp_path):
    name, mark = planted
    extra, others = _bypasses(name, mark)[case]
    for relative, text in others.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    ledger = tmp_path / "main.beancount"
    ledger.write_text(HEADER + OPENING + extra, encoding="utf-8")
    result = yosan("check", "--no-foreign-plugins", "--ledger", ledger)
    assert result.exit_code == 1, result.stderr
    assert "refused by --no-foreign-plugins" in result.stderr
    assert "Traceback" not in result.stderr
    assert not mark.exists()


def test_no_foreign_plugins_checks_the_ledger_given_with_against(planted, tmp_path):
    name, mark = planted
    other = tmp_path / "other.beancount"
    other.write_text(HEADER + f'plugin "{name}"\n' + OPENING, encoding="utf-8")
    result = yosan(
        "report", "overview", "--no-foreign-plugins", "--ledger", SMALL, "--against", other
    )
    assert result.exit_code == 1
    assert f'plugin "{name}" is neither' in result.stderr
    assert not mark.exists()


def test_yosan_fava_refuses_an_extension_dated_unusually(tmp_path):
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        HEADER + OPENING + '2016-4-1 custom "fava-extension" "elsewhere.extension"\n',
        encoding="utf-8",
    )
    result = yosan("fava", "--no-foreign-plugins", "--ledger", ledger)
    assert result.exit_code == 1
    where = line_of(ledger, "fava-extension")
    assert f'{ledger.name}:{where}: Fava extension "elsewhere.extension"' in result.stderr
