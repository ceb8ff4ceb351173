"""The benchmark's ledger generator: a clean ledger in the project's conventions,
the same every time, and the same data in its hledger journal."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from benchmarks import generate
from tests.conftest import FY2016_LAYOUTS, yosan
from yosan_ledger.reports.loading.ledger import load_ledger

COUNT = 200


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    assert generate.main([str(COUNT), str(folder)]) == 0
    return folder


def test_the_generated_ledger_checks_clean(generated):
    result = yosan("check", "--ledger", generated / "main.beancount", "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert "no errors (7 segments)" in result.stderr


def test_every_command_loads_it(generated):
    for args in (["report"], ["report", "bs", "--by-segment"], ["export"], ["segments"]):
        result = yosan(*args, "--ledger", generated / "main.beancount")
        assert result.exit_code == 0, (args, result.stderr)


def test_it_has_the_transactions_asked_for_over_the_fiscal_year(generated):
    ledger = load_ledger(generated / "main.beancount", cache=False)
    dates = [e.date.isoformat() for e in ledger.entries if type(e).__name__ == "Transaction"]
    assert len(dates) == COUNT + 7  # and one opening balance per segment
    assert dates.count("2016-03-31") == 7
    in_year = [d for d in dates if d != "2016-03-31"]
    assert min(in_year) == "2016-04-01" and max(in_year) >= "2017-03-01"


def test_every_row_of_every_statement_gets_a_figure(generated):
    statements = load_ledger(generated / "main.beancount", cache=False).statements
    for layout in FY2016_LAYOUTS:
        frame = statements.figures[layout.statement]
        for row in layout.value_rows():
            if not row.hide_zero:  # a line a year may well not have (預り金の増減)
                assert frame.at[row.key, "total"] != 0, (layout.statement, row.key)
    # Cash-relevant and non-cash transactions both: depreciation is in 事業費 of the
    # income statement but not in the cash-flow plan's.
    assert statements.figure("pl:事業費") > statements.figure("cf:事業費")


def test_it_is_the_same_every_time(generated, tmp_path):
    generate.main([str(COUNT), str(tmp_path)])
    files = sorted(p.relative_to(generated) for p in generated.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    for name in files:
        assert (generated / name).read_bytes() == (tmp_path / name).read_bytes(), name


def journal_balances(journal: Path) -> dict[tuple[str, str], int]:
    """(segment, top-level account) → sum of postings, read from the journal text."""
    sums: dict[tuple[str, str], int] = defaultdict(int)
    segment = None
    for line in journal.read_text(encoding="utf-8").splitlines():
        header = re.match(r"\d{4}-\d\d-\d\d \* .*; segment:(\w+)$", line)
        if header:
            segment = header.group(1)
            continue
        posting = re.match(r"  (\S+)  (-?\d+) JPY$", line)
        if posting:
            sums[(segment, posting.group(1).split(":")[0])] += int(posting.group(2))
    return sums


def test_the_journal_holds_the_same_data(generated):
    sums = journal_balances(generated / "main.journal")
    statements = load_ledger(generated / "main.beancount", cache=False).statements
    for segment in generate.SEGMENTS:
        assert sums[(segment, "Assets")] == statements.figure("bs:資産合計", segment)
        assert -sums[(segment, "Liabilities")] == statements.figure("bs:負債合計", segment)
        income = -sums[(segment, "Income")] - sums[(segment, "Expenses")]
        assert income == statements.figure("pl:当期純利益", segment)
    text = (generated / "main.journal").read_text(encoding="utf-8")
    assert text.count("; segment:") == COUNT + 7


@pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger is not installed")
def test_hledger_reads_the_journal_by_segment(generated):
    output = subprocess.run(
        ["hledger", "-f", str(generated / "main.journal"), "bs", "--pivot", "segment", "-O", "csv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    statements = load_ledger(generated / "main.beancount", cache=False).statements
    for segment in generate.SEGMENTS:
        row = next(line for line in output.splitlines() if line.startswith(f'"{segment}"'))
        assets = int(re.search(r"(-?\d+) JPY", row).group(1))
        assert assets == statements.figure("bs:資産合計", segment)


def test_the_benchmark_edit_is_balanced_new_each_time_and_undone(tmp_path):
    """bench.MonthEdit, the benchmark's saved edit: each call appends to one monthly
    file of the actual journal one balanced transaction never written before, which
    the ledger takes without an error and which moves 未収金 by its amount; leaving
    restores the file byte for byte."""
    from benchmarks import actuals, bench

    actuals.main(["300", str(tmp_path)])
    main = tmp_path / "main.beancount"
    month = tmp_path / "journal" / f"{bench.EDITED_MONTH}.beancount"
    original = month.read_bytes()
    before = load_ledger(main, cache=False).statements.figure("bs:未収金", "general")
    with bench.MonthEdit(tmp_path) as edit:
        assert (tmp_path / bench.EDITING).exists()
        edit()
        once = month.read_text("utf-8")
        edit()
        twice = month.read_text("utf-8")
        added = twice[len(original.decode("utf-8")) :]
        assert once.encode("utf-8").startswith(original) and twice.startswith(once)
        transactions = added.strip().split("\n\n")
        assert len(transactions) == 2 and transactions[0] != transactions[1]
        amounts = [int(n) for n in re.findall(r"415-事業収入  -(\d+) JPY", added)]
        assert len(amounts) == 2 and all(a >= 10_000_000 for a in amounts)
        assert yosan("check", "--ledger", main, "--no-cache").exit_code == 0
        after = load_ledger(main, cache=False).statements.figure("bs:未収金", "general")
        assert after - before == sum(amounts)
    assert month.read_bytes() == original and not (tmp_path / bench.EDITING).exists()


def test_the_benchmark_table_gives_ratios_to_bean_check_and_judges_the_goals():
    from benchmarks.bench import Goal, Row, Timing, table

    reference = Row("`bean-check` (cold)", Timing([10.0, 12.0, 11.0], [8.0] * 3, [102400]))
    goals = (Goal(0.35, at=(100_000,)), Goal(0.8, "peak"))
    cold = Row("`yosan export --no-cache`", Timing([3.0], [2.0], [92160]), goals)
    plain = Row("`fava`: page", Timing([4.0], [3.0]))
    served = Row("`yosan fava`: page", Timing([2.0], [1.0]), (Goal(0.25, against=plain.name),))
    lines = table([reference, cold, plain, served], 100_000).splitlines()
    assert lines[2].startswith("| `bean-check` (cold) | 11.00 | 1.00 | 8.00 | 1.00 | 100 | 1.00 |")
    assert lines[3] == (
        "| `yosan export --no-cache` | 3.00 | 0.27 | 2.00 | 0.25 | 90 | 0.90 "
        "| wall ≤ 0.35: met; peak ≤ 0.80: **not met** |"
    )
    assert lines[5].endswith("| — | — | wall ≤ 0.25: **not met** |")  # 2 s against 4 s
    assert "wall ≤ 0.35: met (stated at 100k)" in table([reference, cold], 10_000)


def test_the_synthetic_journal_never_spends_a_line_beyond_its_budget_and_back():
    """benchmarks/actuals.py splits each budget amount into many parts: each part keeps
    the amount's sign (a 1,000-yen line in 1,200 parts is 0s and 1s, never 1s and a
    −111 at the end), so the journal passes the control of commitments at any size."""
    import random

    from benchmarks.actuals import _split

    weights = [random.Random(7).uniform(0.5, 1.5) for _ in range(1200)]
    total = sum(weights)
    for amounts in ([1000, 234, -1234], [1000, -7, -993]):
        parts = _split(amounts, [w / total for w in weights])
        assert [sum(column) for column in zip(*parts, strict=True)] == amounts
        assert all(sum(p) == 0 for p in parts)
        # Every posting but the last, which balances the part, keeps its sign.
        assert all(p[0] >= 0 and p[1] * amounts[1] >= 0 for p in parts)
