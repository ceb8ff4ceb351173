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
