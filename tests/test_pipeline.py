"""yosan_ledger.plugins.core.loading loads exactly what Beancount's loader loads: the same entries,
errors and options, on every ledger of the tests and on ledgers that make each
step it may leave out do real work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data

from benchmarks import generate
from tests.conftest import CAPITAL, CASH, FY2016, HEADER, ROOT, SMALL
from yosan_ledger.plugins.all import RULES
from yosan_ledger.plugins.core import loading as pipeline
from yosan_ledger.reports.loading.sources import read_sources

CORPUS = sorted(p / "main.beancount" for p in (ROOT / "tests" / "corpus").iterdir() if p.is_dir())
SKIPPED_STEP_CRASH = re.compile(r'Error applying plugin "beancount\.ops\.(pad|balance|documents)"')

OPENING = f"""
2016-03-31 * "前期末残高" #alpha
  {CASH}  1000 JPY
  {CAPITAL}
"""

# Ledgers on which a step the pipeline may leave out has work to do, or a plugin
# from outside the chain changes the entries.
BUSY = {
    "pad": f"""
2016-03-31 pad {CASH} {CAPITAL}
2016-04-02 balance {CASH} 5000 JPY
""",
    "balance": f"""{OPENING}
2016-04-02 balance {CASH} 1000 JPY
2016-04-03 balance {CASH} 999 JPY
""",
    "document": f"""{OPENING}
2016-04-02 document {CASH} "no-such-receipt.pdf"
""",
    "documents option": f"""{OPENING}
option "documents" "receipts"
""",
    "foreign plugin adding entries": f"""
plugin "beancount.plugins.auto_accounts"
2016-03-31 * "前期末残高" #alpha
  Assets:11-流動資産:119-新しい口座  1000 JPY
  {CAPITAL}
""",
    "plugin that cannot be imported": f"""{OPENING}
plugin "no.such.plugin"
""",
    "chain plugin given a configuration": f"""{OPENING}
plugin "yosan_ledger.plugins.yen" "with a configuration"
""",
    "raw plugin mode": f"""{OPENING}
option "plugin_processing_mode" "raw"
""",
}


def comparable_error(error: object) -> tuple:
    """An error without the traceback lines a plugin failure quotes (their frames
    name the loader that ran the plugin)."""
    lines = str(getattr(error, "message", error)).splitlines()
    return type(error).__name__, getattr(error, "source", None), lines[0], lines[-1]


def assert_same_load(path: Path) -> None:
    filename = str(path.resolve())
    try:
        expected = loader._load([(filename, True)], None, None, None)
    except Exception as error:  # noqa: BLE001 - then the pipeline must fail alike
        with pytest.raises(type(error)):
            pipeline.load(filename, rules=False)
        return
    # For a ledger naming none of the rules the pipeline adds them (below, a test
    # of its own); here it must run what Beancount runs.
    entries, errors, options = pipeline.load(filename, rules=False)
    expected_entries, expected_errors, expected_options = expected
    crashed = [e for e in expected_errors if SKIPPED_STEP_CRASH.match(str(e.message))]
    if crashed:
        # A step left out cannot crash; yosan refuses such a ledger before any load.
        assert read_sources(path).problems
        expected_errors = [e for e in expected_errors if e not in crashed]
    assert entries == expected_entries
    assert [comparable_error(e) for e in errors] == [comparable_error(e) for e in expected_errors]
    assert options.keys() == expected_options.keys()
    for key, value in expected_options.items():
        if key == "dcontext":
            assert str(options[key]) == str(value)
        else:
            assert options[key] == value, key


@pytest.mark.parametrize(
    "path",
    [FY2016, SMALL, *CORPUS],
    ids=lambda p: p.parent.name,
)
def test_the_pipeline_loads_what_beancount_loads(path):
    assert_same_load(path)


def test_it_loads_a_generated_ledger_as_beancount_does(tmp_path):
    generate.main(["300", str(tmp_path)])
    assert_same_load(tmp_path / "main.beancount")


@pytest.mark.parametrize("case", sorted(BUSY))
def test_it_runs_every_step_that_has_work(case, make_ledger):
    assert_same_load(make_ledger(BUSY[case]))


def test_the_busy_ledgers_are_busy(make_ledger):
    """Each busy ledger makes Beancount's step do something: an error or a new entry."""
    for case in ("pad", "balance", "document", "foreign plugin adding entries"):
        path = str(make_ledger(BUSY[case]).resolve())
        entries, errors, _ = loader._load([(path, True)], None, None, None)
        busy = (
            any(type(e) in (data.Open,) and "119" in e.account for e in entries)
            or any(
                type(e).__name__ in ("BalanceError", "DocumentError", "PadError") for e in errors
            )
            or any(e.flag == "P" for e in entries if type(e) is data.Transaction)
        )
        assert busy, case


@pytest.mark.parametrize("path", [FY2016, SMALL, *CORPUS[:20]], ids=lambda p: p.parent.name)
def test_the_chain_plugins_hand_back_the_entries_untouched(path):
    """The ground for not sorting after them: the same list, the same entries."""
    filename = str(path.resolve())
    try:
        entries, _, options = loader._load([(filename, True)], None, None, None)
    except Exception:  # noqa: BLE001 - a file Beancount cannot read has no entries
        pytest.skip("Beancount cannot load it")
    for module in RULES:
        name = module.__name__
        for function in module.__plugins__:
            before = list(map(id, entries))
            returned, _ = getattr(module, function)(entries, options)
            assert returned is entries, name
            assert list(map(id, returned)) == before, name


def test_a_ledger_naming_no_rule_gets_them_all(make_ledger):
    """The pipeline runs yosan_ledger.plugins.all after the ledger's own plugins
    when the ledger names none of the rules, and only then."""
    header = HEADER.replace('plugin "yosan_ledger.plugins.all"\n', "")
    bare = str(
        make_ledger(
            OPENING + '2016-05-01 * "収益"\n  ' + CASH + " 1000.5 JPY\n  " + CAPITAL + "\n",
            header=header,
        ).resolve()
    )
    _, errors, _ = pipeline.load(bare)
    _, unchecked, _ = pipeline.load(bare, rules=False)
    assert any("Fractional yen" in str(e.message) for e in errors)
    assert not any("Fractional yen" in str(e.message) for e in unchecked)
    _, beancount_errors, _ = loader._load([(bare, True)], None, None, None)
    assert [comparable_error(e) for e in unchecked] == [
        comparable_error(e) for e in beancount_errors
    ]
