"""One gate for every file the tool reads (issue 24): each check, through each way a
file can be reached, refuses the file at its own path, with a cached entry of the
ledger in place (a run on the clean files comes first) and without one.

The ways: the ledger itself, a file it includes, the budget an actual journal
names (``yosan-actuals``) and a file that budget includes, the budget compared
with (``yosan-comparison``), the comparison of an actual journal's budget (two
directives deep), a ledger given to ``--against``, and a layout file of the
ledger, of the budget an actual journal names and of the comparison budget.  The
checks: a FIFO in the file's place, Shift_JIS, CR-only line endings, a line too
long, a file included twice through a symbolic link to its folder,
``plugin_processing_mode "raw"``, and under ``--no-foreign-plugins`` a plugin
evaluating its configuration and ``insert_pythonpath`` with a module beside
the ledger (neither may run).

Through the ledger itself and its includes, most checks held before; every other
way skipped them (the budget's CR-only segment file dropped its 予算現額, a
symlinked double include counted a segment twice, a FIFO hung the command or
`yosan fava`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, Result, yosan

KUMIAI = ROOT / "examples" / "kumiai"
MARKER = "ran-foreign-code"
HANG_SECONDS = 60


@dataclass(frozen=True)
class Way:
    """A way a file is reached: the command that reads it and the file."""

    command: tuple[str, ...]
    target: str  # relative to the books' folder
    ledger_file: bool = True  # a Beancount file (else a layout)
    root: bool = True  # the main file of a ledger (its options count)


WAYS = {
    "the ledger": Way(("check", "--ledger", "budget/main.beancount"), "budget/main.beancount"),
    "an include": Way(
        ("check", "--ledger", "budget/main.beancount"), "budget/segments/hall.beancount", root=False
    ),
    "the budget of an actual journal": Way(
        ("check", "--ledger", "budget/actuals/main.beancount"), "budget/main.beancount"
    ),
    "an include of the budget of an actual journal": Way(
        ("check", "--ledger", "budget/actuals/main.beancount"),
        "budget/segments/hall.beancount",
        root=False,
    ),
    "the comparison budget": Way(
        ("check", "--ledger", "budget/main.beancount"), "previous/main.beancount"
    ),
    "the comparison of the budget of an actual journal": Way(
        ("check", "--ledger", "budget/actuals/main.beancount"), "previous/main.beancount"
    ),
    "--against": Way(
        (
            "report",
            "overview",
            "--ledger",
            "budget/main.beancount",
            "--against",
            "other/main.beancount",
        ),
        "other/main.beancount",
    ),
    "a layout": Way(
        ("check", "--ledger", "budget/main.beancount"), "budget/layouts/pl.toml", False, False
    ),
    "a layout of the budget of an actual journal": Way(
        ("check", "--ledger", "budget/actuals/main.beancount"),
        "budget/layouts/pl.toml",
        False,
        False,
    ),
    "a layout of the comparison budget": Way(
        ("check", "--ledger", "budget/main.beancount"), "previous/layouts/pl.toml", False, False
    ),
}


def books(folder: Path) -> Path:
    """The example 組合's budget, comparing itself with a copy (previous/), its
    actual journal (budget/actuals/, with layouts of its own) and another copy
    (other/) to give --against."""
    ignore = shutil.ignore_patterns("actuals", "*.picklecache")
    for name in ("budget", "previous", "other"):
        shutil.copytree(KUMIAI, folder / name, ignore=ignore)
    shutil.copytree(KUMIAI / "actuals", folder / "budget" / "actuals")
    shutil.copytree(KUMIAI / "layouts", folder / "budget" / "actuals" / "layouts")
    journal = folder / "budget" / "actuals" / "main.beancount"
    text = journal.read_text(encoding="utf-8")
    assert 'custom "yosan-layouts" "../layouts"' in text
    journal.write_text(text.replace('"../layouts"', '"layouts"'), encoding="utf-8")
    budget = folder / "budget" / "main.beancount"
    text = budget.read_text(encoding="utf-8")
    budget.write_text(
        text.replace(
            'custom "yosan-layouts" "layouts"\n',
            'custom "yosan-layouts" "layouts"\n'
            '2027-02-20 custom "yosan-comparison" "前年度" "../previous/main.beancount"\n',
        ),
        encoding="utf-8",
    )
    return folder


def _append(path: Path, text: str) -> None:
    path.write_bytes(path.read_bytes() + text.encode("utf-8"))


def fifo(path: Path) -> str:
    path.unlink()
    os.mkfifo(path)
    return "FIFO"


def shift_jis(path: Path) -> str:
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp932"))
    return "it looks like Shift_JIS"


def cr_only(path: Path) -> str:
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    return "a carriage return (CR)"


def long_line(path: Path) -> str:
    comment = "#" if path.suffix == ".toml" else ";"
    _append(path, f"\n{comment} {'x' * 200_000}\n")
    return "a line of 200,002 characters"


def included_twice(path: Path) -> str:
    """A file the target includes, included again through a link to its folder."""
    (path.parent / "twice.beancount").write_text("; 二重に読む\n", encoding="utf-8")
    (path.parent / "link").symlink_to(".")
    _append(path, '\ninclude "twice.beancount"\ninclude "link/twice.beancount"\n')
    return "is already included as"


def raw_mode(path: Path) -> str:
    _append(path, '\noption "plugin_processing_mode" "raw"\n')
    return 'option "plugin_processing_mode" "raw"'


def evaluated_plugin(path: Path) -> str:
    code = f"__import__('pathlib').Path('{path.parent / MARKER}').touch()"
    _append(path, f'\nplugin "beancount.plugins.check_commodity" "{code}"\n')
    return "refused by --no-foreign-plugins"


def python_path(path: Path) -> str:
    (path.parent / "evilmod.py").write_text(
        f"import pathlib\npathlib.Path({str(path.parent / MARKER)!r}).touch()\n__plugins__ = ()\n",
        encoding="utf-8",
    )
    _append(path, '\noption "insert_pythonpath" "TRUE"\nplugin "evilmod"\n')
    return "refused by --no-foreign-plugins"


Check = Callable[[Path], str]
FILE_CHECKS: dict[str, Check] = {
    "a FIFO": fifo,
    "Shift_JIS": shift_jis,
    "CR-only line endings": cr_only,
    "a line too long": long_line,
}
LEDGER_CHECKS: dict[str, Check] = {"a file included twice through a symlink": included_twice}
ROOT_CHECKS: dict[str, Check] = {
    "plugin_processing_mode raw": raw_mode,
    "a plugin evaluating its configuration": evaluated_plugin,
}
FOREIGN = {"a plugin evaluating its configuration", "insert_pythonpath"}


def cells() -> list[tuple[str, str]]:
    found = []
    for way_name, way in WAYS.items():
        checks = [*FILE_CHECKS]
        if way.ledger_file:
            checks += [*LEDGER_CHECKS, "insert_pythonpath"]
        if way.root:
            checks += [*ROOT_CHECKS]
        found += [(check, way_name) for check in checks]
    return found


CHECKS: dict[str, Check] = {
    **FILE_CHECKS,
    **LEDGER_CHECKS,
    **ROOT_CHECKS,
    "insert_pythonpath": python_path,
}


def run(folder: Path, args: tuple[str, ...], *, fifo_path: Path | None = None) -> Result:
    """The command, in-process; one that waits on a FIFO for more than HANG_SECONDS
    is a failure (the FIFO is then fed an end of file, to free the command)."""
    found: list[Result] = []
    worker = threading.Thread(target=lambda: found.append(yosan(*args)), daemon=True)
    worker.start()
    worker.join(HANG_SECONDS)
    if worker.is_alive() and fifo_path is not None:
        os.close(os.open(fifo_path, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(HANG_SECONDS)
        pytest.fail(f"yosan {' '.join(args)} waited on the FIFO {fifo_path}")
    assert found, f"yosan {' '.join(args)} did not finish"
    return found[0]


@pytest.mark.parametrize(("check", "way"), cells(), ids=[f"{c} via {w}" for c, w in cells()])
def test_every_check_holds_through_every_way(check, way, tmp_path, monkeypatch):
    folder = books(tmp_path)
    monkeypatch.chdir(folder)
    reached = WAYS[way]
    foreign = check in FOREIGN
    command = (*reached.command, "--no-foreign-plugins") if foreign else reached.command
    clean = run(folder, command)
    assert clean.exit_code == (2 if "--against" in command else 0), clean.stderr
    target = Path(reached.target)
    said = CHECKS[check](target)
    for cached in (True, False):
        args = command if cached else (*command, "--no-cache")
        result = run(folder, args, fifo_path=target if check == "a FIFO" else None)
        assert result.exit_code == 1, (cached, result.stdout, result.stderr)
        assert result.exception is None and "Traceback" not in result.stderr
        lines = [line for line in result.stderr.splitlines() if said in line]
        assert lines, (cached, result.stderr)
        assert any(line.startswith(f"{target}") for line in lines), result.stderr
        if foreign:
            assert not (target.parent / MARKER).exists()


FAVA_WAYS = {
    "an include": "budget/segments/hall.beancount",
    "the budget of an actual journal": "budget/main.beancount",
    "a layout of the budget of an actual journal": "budget/layouts/pl.toml",
}
FAVA_CELLS = [
    *((check, way) for check in ("a FIFO", "CR-only line endings") for way in FAVA_WAYS),
    ("a plugin evaluating its configuration", "the budget of an actual journal"),
]


@pytest.mark.parametrize(("check", "way"), FAVA_CELLS, ids=[f"{c} via {w}" for c, w in FAVA_CELLS])
def test_yosan_fava_gates_every_reload(check, way, tmp_path, monkeypatch):
    """`yosan fava --no-foreign-plugins` on the actual journal: a file broken while
    it is served (a foreign plugin added to the budget included) is refused at the
    next load, as an error of the load at the file; nothing of it runs or hangs."""
    import fava.core

    from yosan_ledger.load import internals
    from yosan_ledger.reports.fava_ext import load

    folder = books(tmp_path)
    monkeypatch.chdir(folder)
    monkeypatch.setattr(*internals.fava_loader(), load.load_uncached)
    monkeypatch.setattr(load, "_refusing_foreign_plugins", True, raising=False)
    ledger = fava.core.FavaLedger(str(folder / "budget" / "actuals" / "main.beancount"))
    assert not ledger.load_errors
    target = folder / FAVA_WAYS[way]
    said = CHECKS[check](target)
    reloaded = threading.Thread(target=ledger.load_file, daemon=True)
    reloaded.start()
    reloaded.join(HANG_SECONDS)
    if reloaded.is_alive():
        os.close(os.open(target, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail(f"Fava's reload waited on the FIFO {target}")
    messages = [
        (e.source["filename"], str(e.message)) for e in ledger.load_errors if said in str(e.message)
    ]
    assert messages, [str(e.message) for e in ledger.load_errors]
    assert all(filename == str(target) for filename, _ in messages)
    assert not (target.parent / MARKER).exists()


# What a load that does not pass the gate first (bean-check, plain Fava) still hears
# of it: a main file Beancount cannot read names no rule, so the ledger's own file is
# checked here only for what leaves its directives readable.
AFTER_THE_PARSE = [
    ("CR-only line endings", "an include"),
    ("Shift_JIS", "an include"),
    ("Shift_JIS", "the ledger"),
    ("a file included twice through a symlink", "an include"),
    ("a file included twice through a symlink", "the ledger"),
]


@pytest.mark.parametrize(("check", "way"), AFTER_THE_PARSE)
def test_bean_check_and_plain_fava_report_what_the_gate_refuses(check, way, tmp_path, monkeypatch):
    """The gate held for ``yosan`` only: bean-check and plain Fava parse first, and a
    CR-only segment file was one long comment to them, its figures dropped without a
    word.  The rule ``plugins/sources.py`` reads the same files through the gate after
    the parse: the problem is an error at its file, once; ``yosan``, which refused the
    files before the parse, says it once too."""
    import fava.core

    folder = books(tmp_path)
    monkeypatch.chdir(folder)
    target = Path(WAYS[way].target)
    said = CHECKS[check](target)
    environment = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    checked = subprocess.run(
        [sys.executable, "-m", "beancount.scripts.check", "budget/main.beancount"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=HANG_SECONDS,
        check=False,
    )
    printed = checked.stdout + checked.stderr
    assert checked.returncode == 1, printed
    lines = [line for line in printed.splitlines() if said in line]
    assert len(lines) == 1, printed
    assert lines[0].startswith(f"{folder / target}:"), printed

    favas = fava.core.FavaLedger(str(folder / "budget" / "main.beancount"))
    at_target = [e for e in favas.load_errors if e.source["filename"] == str(folder / target)]
    assert [type(e).__name__ for e in at_target].count("SourceError") == 1, favas.load_errors

    result = run(folder, ("check", "--ledger", "budget/main.beancount", "--no-cache"))
    assert result.exit_code == 1
    assert sum(said in line for line in result.stderr.splitlines()) == 1, result.stderr
