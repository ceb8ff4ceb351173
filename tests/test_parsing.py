"""load/parsing.py: which files the workers take, and a program whose main module
a worker cannot import again (an unguarded script) parses alone, quietly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from benchmarks import generate
from tests.conftest import ROOT
from yosan_ledger.load import parsing

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
        from yosan_ledger.load import parsing, steps
        parsing.PARALLEL_BYTES = 0
        parsing._WORKER_START = 0
        parsing.os.cpu_count = lambda: 2
        entries, errors, _ = steps.load({str(tmp_path / "ledger" / "main.beancount")!r})
        print(len(entries), len(errors), parsing.main_module_guarded())
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


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('import sys\nif __name__ == "__main__":\n    sys.exit(run())\n', True),
        ("if '__main__' == __name__:\n    main()\n", True),
        (
            '"""A tool."""\nX: int = 1\ndef main(): ...\nif __name__ == "__main__":\n    main()\n',
            True,
        ),
        ('# if __name__ == "__main__": a comment is no guard\nmain()\n', False),
        ('print("if __name__ == \\"__main__\\":")\n', False),
        ('main()\nif __name__ == "__main__":\n    main()\n', False),
        (
            'ledger = load("main.beancount")\nif __name__ == "__main__":\n    report(ledger)\n',
            False,
        ),
        ('if __name__ == "__main__":\n    main()\nelse:\n    main()\n', False),
        ("def main(): ...\n", False),
        ("if __name__ ==\n", False),
    ],
)
def test_the_guard_is_found_by_parsing_the_main_module(source, expected):
    assert parsing.guarded(source) is expected


def test_a_comment_naming_the_guard_does_not_make_a_worker_run_the_script_again(tmp_path):
    """Issue 24: the guard was a substring match: a script whose comment named it ran
    again in each worker (as ``__mp_main__``)."""
    generate.main(["400", str(tmp_path / "ledger")])
    runs = tmp_path / "runs.txt"
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            f"""
            # Not guarded: if __name__ == "__main__": would be.
            import sys
            from yosan_ledger.load import parsing, steps
            with open({str(runs)!r}, "a") as stream:
                stream.write(__name__ + "\\n")
            if __name__ != "__main__":
                sys.exit(1)  # run again in a worker: stop there
            parsing.PARALLEL_BYTES = 0
            parsing._WORKER_START = 0
            parsing.os.cpu_count = lambda: 2
            entries, errors, _ = steps.load({str(tmp_path / "ledger" / "main.beancount")!r})
            print(len(entries), len(errors))
            """
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert runs.read_text(encoding="utf-8").splitlines() == ["__main__"]


class _NoThread:
    """A thread that cannot start (``ulimit -u``, a memory limit)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def start(self) -> None:
        raise RuntimeError("can't start new thread")


def test_no_thread_to_start_the_workers_leaves_the_parse_here(tmp_path, monkeypatch, capfd):
    """Issue 24: under `ulimit -u 3` or a memory limit no thread could start, and the
    load failed with "RuntimeError('cannot join thread before it is started')"; it
    now parses alone, quietly."""
    from tests.test_pipeline import assert_same_load

    monkeypatch.setattr(parsing, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parsing, "_WORKER_START", 0)
    monkeypatch.setattr(parsing.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parsing.threading, "Thread", _NoThread)
    generate.main(["300", str(tmp_path)])
    assert_same_load(tmp_path / "main.beancount")
    assert capfd.readouterr().err == ""


def _descendants(pid: int) -> list[int]:
    """The processes started by ``pid``, however deep (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat_file.parent.name))
    found, pending = [], [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_the_workers_and_their_forkserver_end_when_the_command_is_killed(tmp_path):
    """Issue 24: after the command was killed, its forkserver and a worker stayed
    alive (the worker blocked handing back its parse, the forkserver kept by it)."""
    generate.main(["60000", str(tmp_path / "big")])
    program = (
        "import sys\n"
        "from yosan_ledger.load import parsing\n"
        "parsing.PARALLEL_BYTES = 0\n"
        "parsing._WORKER_START = 0\n"
        "parsing.os.cpu_count = lambda: 2\n"
        "from yosan_ledger.reports.command.cli import run\n"
        "sys.argv = ['yosan', 'check', '--no-cache', '--ledger', sys.argv[1]]\n"
        "run()\n"
    )
    command = subprocess.Popen(
        [sys.executable, "-c", program, str(tmp_path / "big" / "main.beancount")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        started: list[int] = []
        while command.poll() is None and time.monotonic() < deadline:
            started = _descendants(command.pid)
            if len(started) >= 3:  # the resource tracker, the forkserver and a worker
                break
            time.sleep(0.05)
        assert len(started) >= 3, "no worker started"
        command.kill()
        command.wait()
        deadline = time.monotonic() + 30
        while any(map(_running, started)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in started if _running(pid)]
    finally:
        if command.poll() is None:
            command.kill()
        for pid in started:  # what this test started, should it have outlived the command
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_forkserver_that_cannot_fork_prints_nothing(tmp_path, monkeypatch, capfd):
    """Issue 24: a forkserver that could not fork a worker printed multiprocessing's
    traceback on the command's standard error; its file is parsed here, quietly."""
    import multiprocessing.forkserver

    from tests.test_pipeline import assert_same_load

    context = parsing.multiprocessing.get_context("forkserver")
    preload = context.set_forkserver_preload
    monkeypatch.setattr(
        context, "set_forkserver_preload", lambda names: preload([*names, "tests.no_fork"])
    )
    monkeypatch.setattr(parsing, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parsing, "_WORKER_START", 0)
    monkeypatch.setattr(parsing.os, "cpu_count", lambda: 2)
    multiprocessing.forkserver._forkserver._stop()  # a forkserver of this process's own
    try:
        generate.main(["300", str(tmp_path)])
        assert_same_load(tmp_path / "main.beancount")
    finally:
        multiprocessing.forkserver._forkserver._stop()
    assert capfd.readouterr().err == ""
