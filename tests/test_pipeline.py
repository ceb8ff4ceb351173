"""The parity tests: yosan_ledger.load.steps loads exactly what Beancount's loader loads: the
same entries, errors and options, on every ledger of the tests and on ledgers that make
each step it may leave out do real work.  They watch every use of Beancount's private
API (yosan_ledger.load.internals); .ci/beancount-parity runs them on the newest
Beancount 3 release."""

from __future__ import annotations

from pathlib import Path

import pytest
from beancount.core import data

from benchmarks import generate
from tests.conftest import CAPITAL, CASH, FY2016, HEADER, ROOT, SMALL
from yosan_ledger.load import internals
from yosan_ledger.load import steps as pipeline
from yosan_ledger.plugins.all import RULES
from yosan_ledger.plugins.core.sources import FileProblem, read_sources

CORPUS = sorted(p / "main.beancount" for p in (ROOT / "tests" / "corpus").iterdir() if p.is_dir())
# Every ledger of the repository: the budget, the year before, the examples and the
# actual journal among them.
LEDGERS = sorted(
    {*(ROOT / "ledger").rglob("main.beancount"), *(ROOT / "examples").rglob("main.beancount")}
)
SKIPPABLE_STEPS = ("beancount.ops.pad", "beancount.ops.balance", "beancount.ops.documents")

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

# Ledgers whose transactions Beancount books or checks otherwise than by adding up
# whole numbers in one currency: each takes another way through load/booking.py.
BOOKED_OTHERWISE = {
    "amount left out": f"""{OPENING}
2016-04-02 * "補填"
  {CASH}  -300 JPY
  {CAPITAL}
""",
    "two amounts left out": f"""{OPENING}
2016-04-02 * "不足"
  {CASH}
  {CAPITAL}
""",
    "currency left out": f"""{OPENING}
2016-04-02 * "通貨なし"
  {CASH}  300
  {CAPITAL}  -300 JPY
""",
    "two currencies": f"""{OPENING}
2016-04-02 * "外貨"
  {CASH}  300 JPY
  {CASH}  3 USD
  {CAPITAL}  -300 JPY
  {CAPITAL}  -3 USD
""",
    "fractions": f"""{OPENING}
2016-04-02 * "端数"
  {CASH}  100.25 JPY
  {CAPITAL}  -100.25 JPY
2016-04-03 * "許容差の内"
  {CASH}  100.0004 JPY
  {CAPITAL}  -100.000 JPY
2016-04-04 * "integral, written with a point"
  {CASH}  100.0 JPY
  {CAPITAL}  -100.0 JPY
""",
    "unbalanced": f"""{OPENING}
2016-04-02 * "不一致"
  {CASH}  300 JPY
  {CAPITAL}  -299 JPY
""",
    "price": f"""{OPENING}
2016-04-02 * "価格"
  {CASH}  3 USD @ 100 JPY
  {CAPITAL}  -300 JPY
""",
    "cost": f"""{OPENING}
2016-04-02 * "取得"
  {CASH}  3 XYZ {{100 JPY}}
  {CAPITAL}  -300 JPY
2016-05-02 * "売却"
  {CASH}  -1 XYZ {{}}
  {CAPITAL}  100 JPY
""",
}


# Ledgers on which the faster builder (load/internals.py) must do as Beancount's does.
PARSED_OTHERWISE = {
    "account types renamed midway": f"""{OPENING}
option "name_assets" "Shisan"
2016-04-02 * "改名後"
  {CASH}  300 JPY
  {CAPITAL}  -300 JPY
""",
    "the same invalid account twice": f"""{OPENING}
2016-04-02 * "一"
  Assets:bad  300 JPY
  {CAPITAL}  -300 JPY
2016-04-03 * "二"
  Assets:bad  300 JPY
  {CAPITAL}  -300 JPY
""",
    "numbers of every shape": f"""{OPENING}
2016-04-02 * "形"
  {CASH}  -0 JPY
  {CASH}  0 JPY
  {CASH}  1.50 JPY
  {CASH}  -12345678901 JPY
  {CASH}  0.00 USD
  {CAPITAL}  12345678899.50 JPY
2016-04-03 price USD 110.5 JPY
""",
}


def comparable_error(error: object) -> tuple:
    """An error without the traceback lines a plugin failure quotes (their frames
    name the loader that ran the plugin)."""
    lines = str(getattr(error, "message", error)).splitlines()
    return type(error).__name__, getattr(error, "source", None), lines[0], lines[-1]


def _skipped_step_crashed(error: object) -> bool:
    """Whether a built-in step the pipeline may leave out failed."""
    failure = internals.plugin_failure(str(getattr(error, "message", error)))
    return failure is not None and failure[1] and failure[0] in SKIPPABLE_STEPS


def assert_same_load(path: Path) -> None:
    filename = str(path.resolve())
    try:
        expected = internals.beancounts_load(filename)
    except OSError:  # a folder as a file: the gate refuses it, and the pipeline never opens it
        with pytest.raises(FileProblem):
            pipeline.load(filename, rules=False)
        assert read_sources(path).problems
        return
    except Exception as error:  # noqa: BLE001 - then the pipeline must fail alike
        with pytest.raises(type(error)):
            pipeline.load(filename, rules=False)
        return
    # For a ledger naming none of the rules the pipeline adds them (below, a test
    # of its own); here it must run what Beancount runs.
    entries, errors, options = pipeline.load(filename, rules=False)
    expected_entries, expected_errors, expected_options = expected
    crashed = [e for e in expected_errors if _skipped_step_crashed(e)]
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
    [*LEDGERS, SMALL, *CORPUS],
    ids=lambda p: str(p.parent.relative_to(ROOT)),
)
def test_the_pipeline_loads_what_beancount_loads(path):
    assert_same_load(path)


def test_it_loads_a_generated_ledger_as_beancount_does(tmp_path):
    generate.main(["300", str(tmp_path)])
    assert_same_load(tmp_path / "main.beancount")


def test_it_loads_a_synthetic_actual_journal_as_beancount_does(tmp_path):
    """The benchmark's journal: withholdings, provisions, depreciation, by segment."""
    from benchmarks import actuals

    actuals.main(["600", str(tmp_path)])
    assert_same_load(tmp_path / "main.beancount")


@pytest.mark.parametrize("case", sorted(BUSY))
def test_it_runs_every_step_that_has_work(case, make_ledger):
    assert_same_load(make_ledger(BUSY[case]))


@pytest.mark.parametrize("case", sorted(PARSED_OTHERWISE))
def test_it_parses_as_beancount_parses(case, make_ledger):
    assert_same_load(make_ledger(PARSED_OTHERWISE[case]))


def test_the_display_context_is_beancounts(make_ledger):
    """What the builder updates by hand: sign, integer digits, fractions, per currency."""
    from beancount.parser import parser

    from yosan_ledger.load import parsing

    path = make_ledger(PARSED_OTHERWISE["numbers of every shape"])
    raw = path.read_bytes()
    ours = parsing.parse_bytes(raw, str(path))[2]["dcontext"]
    theirs = parser.parse_file(str(path))[2]["dcontext"]
    figures = internals.display_context_figures(theirs)
    assert {"JPY", "USD"} <= figures.keys()
    assert internals.display_context_figures(ours) == figures


@pytest.mark.parametrize("case", sorted(BOOKED_OTHERWISE))
def test_it_books_and_checks_every_kind_of_transaction_as_beancount_does(case, make_ledger):
    assert_same_load(make_ledger(BOOKED_OTHERWISE[case]))


def test_the_transactions_booked_otherwise_do_take_other_ways(make_ledger):
    """Each case above has a transaction that is not whole numbers in one currency
    without cost or price: one the fast way hands on, or that makes the ledger's."""
    from yosan_ledger.load import booking

    for case, text in BOOKED_OTHERWISE.items():
        parsed, _, _ = pipeline.parse(str(make_ledger(text).resolve()))
        transactions = [e for e in parsed if type(e) is data.Transaction]
        others = [t for t in transactions if booking._one_currency(t.postings) != ("JPY", True)]
        assert others, case


@pytest.mark.parametrize("path", [FY2016, SMALL, *CORPUS[:20]], ids=lambda p: p.parent.name)
def test_the_chain_plugins_hand_back_the_entries_untouched(path):
    """The ground for not sorting after them: the same list, the same entries."""
    filename = str(path.resolve())
    try:
        entries, _, options = internals.beancounts_load(filename)
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
    _, beancount_errors, _ = internals.beancounts_load(bare)
    assert [comparable_error(e) for e in unchecked] == [
        comparable_error(e) for e in beancount_errors
    ]


def test_files_parsed_ahead_by_workers_load_as_beancount_loads(tmp_path, monkeypatch):
    """The parses done by worker processes (here for any size) are the parses."""
    from yosan_ledger.load import parsing

    monkeypatch.setattr(parsing, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parsing, "_WORKER_START", 0)
    monkeypatch.setattr(parsing.os, "cpu_count", lambda: 2)
    generate.main(["300", str(tmp_path)])
    started = []
    submit = parsing.ProcessPoolExecutor.submit

    def counted(self, *args, **kwargs):
        started.append(args[1])
        return submit(self, *args, **kwargs)

    monkeypatch.setattr(parsing.ProcessPoolExecutor, "submit", counted)
    assert_same_load(tmp_path / "main.beancount")
    assert started, "no file was parsed by a worker"


class Kept:
    """A store of parses in memory, counting what it hands back."""

    def __init__(self) -> None:
        self.payloads: dict[tuple[str, str], bytes] = {}
        self.hits = 0

    def get(self, filename: str, digest: str) -> bytes | None:
        found = self.payloads.get((filename, digest))
        self.hits += found is not None
        return found

    def put(self, filename: str, digest: str, payload: bytes) -> None:
        self.payloads[filename, digest] = payload


def test_kept_parses_load_as_beancount_loads_and_an_edit_is_parsed_again(tmp_path):
    generate.main(["300", str(tmp_path)])
    main = str((tmp_path / "main.beancount").resolve())
    kept = Kept()
    first = pipeline.load(main, rules=False, parsed=kept)
    assert kept.payloads and kept.hits == 0
    again = pipeline.load(main, rules=False, parsed=kept)
    assert kept.hits == len(kept.payloads)
    assert again[0] == first[0] and again[1] == first[1]
    expected = internals.beancounts_load(main)
    assert again[0] == expected[0]
    # One file edited: parsed again, the others taken back.
    edited = sorted(tmp_path.rglob("*.beancount"), key=lambda p: p.stat().st_size)[-1]
    edited.write_text(edited.read_text(encoding="utf-8").replace(" 1", " 2", 1), encoding="utf-8")
    kept.hits, files = 0, len(kept.payloads)
    third = pipeline.load(main, rules=False, parsed=kept)
    assert kept.hits == files - 1
    assert third[0] == internals.beancounts_load(main)[0]
