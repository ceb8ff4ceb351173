"""The one load (yosan_ledger.load.ledger): the command, `yosan fava` and the ledgers a
directive names all pass its gate before Beancount's steps run, and a file replaced
between the two is refused at that file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import FY2016, ROOT, copy_ledger, yosan
from yosan_ledger.load import internals, steps
from yosan_ledger.load import ledger as the_load

FY2015 = FY2016.parent / "fy2015" / "main.beancount"
TOWN = ROOT / "examples" / "town"


@pytest.fixture
def loads(monkeypatch) -> tuple[list[str], list[str]]:
    """The files the one load's gate checked, and those Beancount's steps loaded."""
    gated: list[str] = []
    loaded: list[str] = []
    gate, load = the_load.gate, steps.load

    def gate_spy(path: Path | str, **kwargs: object) -> object:
        gated.append(os.path.abspath(path))
        return gate(path, **kwargs)

    def load_spy(filename: str, *args: object, **kwargs: object) -> object:
        loaded.append(filename)
        return load(filename, *args, **kwargs)

    monkeypatch.setattr(the_load, "gate", gate_spy)
    monkeypatch.setattr(steps, "load", load_spy)
    return gated, loaded


def test_the_command_and_a_comparison_load_through_the_one_load(loads):
    gated, loaded = loads
    assert yosan("check", "--no-cache", "--ledger", FY2016).exit_code == 0
    assert loaded == gated == [str(FY2016), str(FY2015)]


def test_an_actual_journal_loads_its_budget_through_the_one_load(loads):
    gated, loaded = loads
    journal = TOWN / "actuals" / "main.beancount"
    assert yosan("check", "--no-cache", "--ledger", journal).exit_code == 0
    assert loaded == gated == [str(journal), str(TOWN / "main.beancount")]


def test_yosan_fava_loads_through_the_one_load(loads, monkeypatch):
    import fava.core

    from yosan_ledger.reports.fava_ext import load

    gated, loaded = loads
    monkeypatch.setattr(*internals.fava_loader(), load.load_uncached)
    ledger = fava.core.FavaLedger(str(FY2016))
    assert not ledger.load_errors
    assert loaded == gated == [str(FY2016), str(FY2015)]


@pytest.fixture
def replaced_after_the_gate(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A copy of the budget whose segment file becomes a FIFO once the gate has
    passed it, before Beancount parses it."""
    main = copy_ledger(tmp_path / "ledger")
    segment = main.parent / "segments" / "jpki.beancount"
    read_sources = the_load.read_sources

    def read_then_replace(path: Path | str, **kwargs: object) -> object:
        found = read_sources(path, **kwargs)
        if segment.is_file():
            segment.unlink()
            os.mkfifo(segment)
        return found

    monkeypatch.setattr(the_load, "read_sources", read_then_replace)
    return main, segment


def test_a_file_replaced_after_the_gate_is_refused_at_that_file(replaced_after_the_gate):
    main, segment = replaced_after_the_gate
    loaded = the_load.load(main)
    assert loaded.entries == []
    assert [(p.where.filename, p.message) for p in loaded.refused] == [
        (str(segment), "a FIFO, not a regular file: yosan reads only regular files")
    ]


def test_the_command_names_a_file_replaced_after_the_gate(replaced_after_the_gate, monkeypatch):
    main, segment = replaced_after_the_gate
    monkeypatch.chdir(main.parent)
    result = yosan("check", "--no-cache")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "segments/jpki.beancount: a FIFO, not a regular file: yosan reads only regular files"
    ), result.stderr
