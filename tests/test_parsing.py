"""core/parsing.py: which files the workers take, and a program whose main module
a worker cannot import again (an unguarded script) parses alone, quietly."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from benchmarks import generate
from tests.conftest import ROOT
from yosan_ledger.plugins.core import parsing

MB = 1_000_000


def test_the_workers_take_the_last_files_in_include_order():
    waiting = [(MB, "a", False), (3 * MB, "b", False), (MB, "c", False), (MB, "d", False)]
    waiting.append((2 * MB, "e", False))
    chosen = parsing._for_workers(waiting, 1)
    names = [name for _, name, _ in waiting]
    assert chosen and chosen == names[len(names) - len(chosen) :]  # a suffix, in order
    assert parsing._for_workers([(MB, "only", False)], 1) == []


def test_after_an_edit_a_worker_parses_the_file_edited_while_the_rest_is_unpickled():
    months = [(18 * MB, f"2016-{m:02}", True) for m in range(4, 13)]
    assert parsing._for_workers([*months, (18 * MB, "2017-01", False)], 1) == ["2017-01"]
    # The first file: this process would only wait for it.
    assert parsing._for_workers([(18 * MB, "2016-03", False), *months], 1) == []


def test_the_split_is_the_soonest_finish():
    files = [(MB * (1 + i % 3), f"f{i}", i % 4 == 0) for i in range(9)]
    chosen = parsing._for_workers(files, 1)
    alone = parsing._finish(files, set(), 1)
    assert parsing._finish(files, set(chosen), 1) <= alone
    for start in range(len(files)):
        other = {n for _, n, kept in files[start:] if not kept}
        assert parsing._finish(files, set(chosen), 1) <= parsing._finish(files, other, 1)


def run_script(tmp_path, guarded: bool) -> subprocess.CompletedProcess:
    generate.main(["400", str(tmp_path / "ledger")])
    body = f"""
        from yosan_ledger.plugins.core import loading, parsing
        parsing.PARALLEL_BYTES = 0
        parsing._WORKER_START = 0
        parsing.os.cpu_count = lambda: 2
        entries, errors, _ = loading.load({str(tmp_path / "ledger" / "main.beancount")!r})
        print(len(entries), len(errors), parsing._main_module_guarded())
    """
    body = textwrap.dedent(body)
    if guarded:
        body = 'if __name__ == "__main__":\n' + textwrap.indent(body, "    ")
    script = tmp_path / "script.py"
    script.write_text(body, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("guarded", [False, True], ids=["unguarded", "guarded"])
def test_a_script_parses_alone_unless_guarded_and_quietly_either_way(tmp_path, guarded):
    """An unguarded script would run again in each worker: it parses alone."""
    done = run_script(tmp_path, guarded=guarded)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    entries, errors, workers = done.stdout.split()
    assert int(entries) > 400 and int(errors) == 0 and workers == str(guarded)


def test_workers_that_cannot_start_leave_the_parse_to_this_process(tmp_path, monkeypatch):
    """No worker process can start (a sandbox, no /dev/shm): the load goes on alone."""
    from tests.test_pipeline import assert_same_load

    def refuse(*args, **kwargs):
        raise OSError("no process can start here")

    monkeypatch.setattr(parsing, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parsing, "_WORKER_START", 0)
    monkeypatch.setattr(parsing.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parsing, "ProcessPoolExecutor", refuse)
    generate.main(["300", str(tmp_path)])
    assert_same_load(tmp_path / "main.beancount")
