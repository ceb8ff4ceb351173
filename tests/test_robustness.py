"""Any edit to a ledger gives an error or right statements: never a crash, never a
silently wrong figure.

Hypothesis edits the small test ledger at random (lines deleted, repeated, swapped,
characters changed, lines from a list of likely and unlikely directives inserted).
`yosan check` must exit 0 or 1 with no exception and no traceback; when it passes,
every figure of the three statements must equal the one worked out straight from
the postings (tests/trial_balance.py).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import ACCOUNTS, SMALL, yosan
from tests.trial_balance import differences, expected_statements, lines_of_accounts, sums_of
from yosan_ledger.plugins.core.sources import longest_line as _longest_line
from yosan_ledger.reports.loading.ledger import load_ledger

LINES = SMALL.read_text(encoding="utf-8").splitlines()
CASH = "Assets:11-流動資産:111-現金及び預金"

SNIPPETS = [
    "",
    "pushtag #beta",
    "poptag #alpha",
    "pushtag #gamma",
    'include "main.beancount"',
    'include "accounts.beancount"',
    'include "nowhere/*.beancount"',
    'plugin "yosan_ledger.plugins.statements"',
    'plugin "plugins.nonexistent"',
    'plugin ""',
    'option "operating_currency" "USD"',
    'option "insert_pythonpath" "TRUE"',
    'option "plugin_processing_mode" "raw"',
    '2016-02-01 custom "yosan-budget" "補正" 2016-04-01 2017-03-31',
    '2016-02-01 custom "yosan-budget" "x" 2017-04-01',
    '2016-04-01 custom "yosan-segment" "gamma" "丙事業" "4"',
    '2016-04-01 custom "yosan-segment" "alpha" "甲事業" "1"',
    '2016-04-01 custom "yosan-segment"',
    '2017-03-31 custom "yosan-published" "cf" "当期末現金及び預金" "total" 1605 "千円"',
    '2017-03-31 custom "yosan-published" "bs" "リース資産" "alpha" 210 "千円"',
    '2017-03-31 custom "yosan-published" "pl" "当期純利益" "total" "x" "百万円"',
    '2017-03-31 custom "yosan-published"',
    f"2016-03-31 open {CASH}  JPY",
    "2016-03-31 open Assets:11-流動資産:119-仮払金  JPY",
    '  line: "建物, 備品"',
    '  line: "現金及び預金"',
    f"2016-09-30 close {CASH}",
    f"2016-04-01 pad {CASH} Equity:31-地方公共団体出資金",
    f"2016-04-02 balance {CASH}  1000000 JPY",
    '2016-05-01 * "収益" #alpha',
    '2016-05-01 * "収益" #alpha #beta',
    '2016-05-01 * "収益"',
    '2017-04-01 * "翌年度" #beta',
    f"  {CASH}  1000 JPY",
    f"  {CASH}  -1000 JPY",
    f"  {CASH}  1000.5 JPY",
    f"  {CASH}  10 USD",
    f"  {CASH}  1 JPY @ 100 JPY",
    f"  {CASH}  9999999999999999999 JPY",
    "  Income:41-営業収益:415-事業収入",
    "  Liabilities:21-流動負債:216-賞与引当金  500 JPY",
    "  Expenses:81-特別損失:811-固定資産除却損  500 JPY",
    "  Assets:11-流動資産:119-仮払金  500 JPY",
    '  memo: "メモ"',
    "\x00",
    "あ" * 20,
    '"',
]

EDITS = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("repeat"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("swap"), st.integers(0, len(LINES) - 1), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("insert"), st.integers(0, len(LINES)), st.sampled_from(SNIPPETS)),
    st.tuples(
        st.just("change"),
        st.integers(0, len(LINES) - 1),
        st.integers(0, 80),
        st.sampled_from(list('0123456789-.:"# \t;@{}*あ\n')),
    ),
)


def edited(edits: list[tuple]) -> str:
    lines = list(LINES)
    for edit in edits:
        kind, where = edit[0], min(edit[1], len(lines) - 1) if lines else 0
        if not lines and kind != "insert":
            continue
        if kind == "delete":
            del lines[where]
        elif kind == "repeat":
            lines.insert(where, lines[where])
        elif kind == "swap":
            other = min(edit[2], len(lines) - 1)
            lines[where], lines[other] = lines[other], lines[where]
        elif kind == "insert":
            lines.insert(min(edit[1], len(lines)), edit[2])
        else:
            line = lines[where]
            at = min(edit[2], len(line))
            lines[where] = line[:at] + edit[3] + line[at + 1 :]
    return "\n".join(lines) + "\n"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDITS, min_size=1, max_size=4))
def test_an_edit_gives_errors_or_right_statements(edits):
    with tempfile.TemporaryDirectory() as folder:
        main = Path(folder) / "main.beancount"
        main.write_text(edited(edits), encoding="utf-8")
        shutil.copy(ACCOUNTS, Path(folder) / "accounts.beancount")
        result = yosan("check", "--ledger", main)
        assert result.exception is None, result.exception
        assert result.exit_code in (0, 1), result.stderr
        assert "Traceback" not in result.stderr
        assert "internal error" not in result.stderr
        if result.exit_code == 1:
            assert result.stderr.strip(), "an error with no message"
            event("reported errors")
            return
        ledger = load_ledger(main, cache=False)
    assert ledger.problems == []
    statements = ledger.statements
    line_of = lines_of_accounts(ledger.entries, statements.layouts)
    original = lines_of_accounts(load_ledger(SMALL).entries, statements.layouts)
    if line_of != original:
        event("clean, accounts re-mapped")
        return  # an edit re-mapped an account: the hand-written totals no longer apply
    event("clean, figures compared")
    sums = sums_of(ledger.entries, statements.budget.opening_date)
    assert differences(statements, expected_statements(sums, line_of, statements.layouts)) == []


@given(st.binary(max_size=200).map(lambda b: b.replace(b"\r", b"\n")))
def test_the_longest_line_is_measured_as_a_split_would(raw):
    """The source check measures lines with numpy, not by splitting the file."""
    assert _longest_line(raw) == max(map(len, raw.split(b"\n")))
