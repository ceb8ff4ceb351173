"""Nothing lost: every posting lands on exactly one statement line, and `yosan check`
names every posting the statements would miss.

The engine's figures are compared with sums taken straight from the postings
(tests/trial_balance.py), and a trial balance ties the line figures of each
statement to the postings of its accounts, per segment.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ACCOUNTS, FY2016, SMALL, yosan
from tests.trial_balance import (
    differences,
    expected_statements,
    lines_of_accounts,
    sums_of,
    trial_balance,
)
from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.reports.loading.ledger import load_ledger


@pytest.fixture(scope="module", params=[FY2016, SMALL], ids=["fy2016", "small"])
def ledger(request):
    loaded = load_ledger(request.param)
    assert loaded.problems == []
    return loaded


def test_every_figure_agrees_with_the_postings(ledger):
    statements = ledger.statements
    sums = sums_of(ledger.entries, statements.budget.opening_date)
    line_of = lines_of_accounts(ledger.entries, statements.layouts)
    expected = expected_statements(sums, line_of, statements.layouts)
    assert differences(statements, expected) == []


def test_trial_balance(ledger):
    statements = ledger.statements
    sums = sums_of(ledger.entries, statements.budget.opening_date)
    line_of = lines_of_accounts(ledger.entries, statements.layouts)
    balance = trial_balance(statements, sums, line_of)
    for segment in [s.key for s in statements.segments] + [TOTAL]:
        bs_lines, bs_postings = balance[("bs", segment)]
        pl_lines, pl_postings = balance[("pl", segment)]
        assert bs_lines == bs_postings, segment
        assert pl_lines == pl_postings, segment
        assert bs_lines + pl_lines == 0, segment  # the postings of a segment balance


def test_every_posting_is_in_the_statements(ledger):
    """The engine leaves no posting of a clean ledger out."""
    transactions = [e for e in ledger.entries if type(e).__name__ == "Transaction"]
    assert ledger.statements.unplaced == ()
    assert sum(len(t.postings) for t in transactions) > 0


def test_check_names_each_posting_to_an_account_on_no_line(tmp_path: Path):
    """Take 未払金's line away: its Open is reported, and so is every posting to it,
    at the posting's own line."""
    account = "Liabilities:21-流動負債:211-未払金"
    chart = ACCOUNTS.read_text(encoding="utf-8").replace(
        f'{account}                            JPY\n  line: "未払金"\n',
        f"{account}                            JPY\n",
    )
    assert chart != ACCOUNTS.read_text(encoding="utf-8")
    (tmp_path / "accounts.beancount").write_text(chart, encoding="utf-8")
    shutil.copytree(SMALL.parent / "layouts", tmp_path / "layouts")
    main = tmp_path / "main.beancount"
    main.write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")

    result = yosan("check", "--ledger", main)
    assert result.exit_code == 1
    posting_lines = [
        number
        for number, line in enumerate(main.read_text(encoding="utf-8").splitlines(), start=1)
        if re.match(rf"\s+{re.escape(account)}\s", line)
    ]
    assert len(posting_lines) == 6
    reported = [
        int(m[1])
        for m in re.finditer(
            rf"^{re.escape(str(main))}:(\d+): Posting of [-\d,]+ yen to {re.escape(account)} "
            r"is left out of every statement: its Open \(accounts.beancount:\d+\) names no "
            "statement line$",
            result.stderr,
            re.MULTILINE,
        )
    ]
    assert reported == posting_lines
    assert f"Account {account} feeds no statement line" in result.stderr
