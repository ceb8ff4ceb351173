"""A long load shows its phase and elapsed time on a terminal, and nothing when piped."""

from __future__ import annotations

import io
import time

from beancount.utils.misc_utils import log_time

from tests.conftest import SMALL
from yosan_ledger.reports.loading.ledger import load_ledger
from yosan_ledger.reports.loading.progress import Progress


def ended(status: Progress, operation: str) -> None:
    """Beancount's loader timing ``operation`` to the status, in its own words."""
    with log_time(operation, status.log_timings, indent=1):
        pass


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_phases_speak_the_locales_language(monkeypatch):
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    from yosan_ledger.plugins.core.messages import _

    terminal, clock = Terminal(), Clock()
    label = _("loading {ledger}", ledger="main.beancount")
    with Progress(label, terminal, clock=clock, interval=60) as status:
        clock.now += 1.5
        ended(status, "parse")
        assert terminal.getvalue().endswith(
            "yosan: main.beancount を読み込み中: 記帳処理中 … 1.5 s"
        )
        ended(status, "booking")
        ended(status, "yosan_ledger.plugins.segments")
        assert terminal.getvalue().endswith(
            "プラグイン実行中（yosan_ledger.plugins.segments 完了） … 1.5 s"
        )


def test_nothing_shows_in_the_first_second():
    terminal, clock = Terminal(), Clock()
    with Progress("loading main.beancount", terminal, clock=clock, interval=60) as status:
        clock.now += 0.9
        status.phase("parsing")
    assert terminal.getvalue() == ""


def test_after_a_second_the_phase_and_time_show_and_are_erased_at_the_end():
    terminal, clock = Terminal(), Clock()
    with Progress("loading main.beancount", terminal, clock=clock, interval=60) as status:
        clock.now += 1.5
        status.phase("parsing")
        shown = terminal.getvalue()
        assert shown.endswith("yosan: loading main.beancount: parsing … 1.5 s")
        clock.now += 2.0
        ended(status, "parse")
        assert terminal.getvalue().endswith("loading main.beancount: booking … 3.5 s")
        ended(status, "booking")
        ended(status, "yosan_ledger.plugins.segments")
        assert terminal.getvalue().endswith(
            "running the plugins (yosan_ledger.plugins.segments done) … 3.5 s"
        )
        ended(status, "run_transformations")
        assert terminal.getvalue().endswith("validating … 3.5 s")
    assert terminal.getvalue().endswith("\r\033[K")  # the status line is erased


def test_the_elapsed_time_is_refreshed_while_a_phase_lasts():
    terminal = Terminal()
    with Progress("loading", terminal, delay=0.0, interval=0.01) as status:
        status.phase("parsing")
        for _ in range(200):
            if terminal.getvalue().count("parsing") >= 3:
                break
            time.sleep(0.01)
    assert terminal.getvalue().count("yosan: loading: parsing …") >= 3


def test_nothing_is_written_when_stderr_is_not_a_terminal():
    piped, clock = io.StringIO(), Clock()
    with Progress("loading", piped, clock=clock, delay=0.0, interval=0.001) as status:
        clock.now += 5
        status.phase("parsing")
    assert piped.getvalue() == ""


def test_a_load_reports_its_phases_on_a_terminal():
    terminal = Terminal()
    ledger = load_ledger(SMALL, cache=False, progress=terminal)
    assert ledger.problems == []
    assert terminal.getvalue() == ""  # a small ledger loads within the second


def test_a_load_follows_beancounts_phases(monkeypatch, tmp_path):
    monkeypatch.setenv("YOSAN_CACHE_DIR", str(tmp_path))  # an empty statement cache
    terminal = Terminal()
    original = Progress.__init__

    def immediate(self, label, stream=None, **kwargs):
        original(self, label, stream, delay=0.0, interval=60)  # show from the start

    monkeypatch.setattr(Progress, "__init__", immediate)
    load_ledger(SMALL, progress=terminal)
    shown = terminal.getvalue()
    phases = ("checking the statement cache", "parsing", "booking", "running the plugins")
    for phase in (*phases, "validating", "writing the statement cache"):
        assert f": {phase}" in shown
    assert shown.endswith("\r\033[K")
