"""Bad input fails with a message naming file and line, a non-zero exit, no traceback
and no output file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BONUS_PROVISION, CAPITAL, CASH, HEADER, REVENUE, yosan

OPENING = f"""
2016-03-31 * "前期末残高" #alpha
  {CASH}  1000 JPY
  {CAPITAL}
"""

# (name, body, the line that is wrong (marked «here»), what the message says)
CASES = [
    (
        "syntax error",
        '2016-05-01 * "収益" #alpha\n  {CASH} 1000 JPY JPY  ; «here»\n  {REVENUE}\n',
        "syntax error",
    ),
    (
        "unbalanced transaction",
        '2016-05-01 * "収益" #alpha  ; «here»\n  {CASH} 1000 JPY\n  {REVENUE} -900 JPY\n',
        "does not balance",
    ),
    (
        "no segment tag",
        '2016-05-01 * "収益"  ; «here»\n  {CASH} 1000 JPY\n  {REVENUE}\n',
        "Transaction has no segment tag; tag it with one of #alpha, #beta",
    ),
    (
        "two segment tags",
        '2016-05-01 * "収益" #alpha #beta  ; «here»\n  {CASH} 1000 JPY\n  {REVENUE}\n',
        "Transaction has 2 segment tags (#alpha, #beta)",
    ),
    (
        "unknown segment",
        '2016-05-01 * "収益" #gamma  ; «here»\n  {CASH} 1000 JPY\n  {REVENUE}\n',
        "Unknown segment tag #gamma",
    ),
    (
        "account with no line",
        "2016-03-31 open Assets:19-その他  ; «here»\n",
        "Account Assets:19-その他 feeds no statement line",
    ),
    (
        "account feeding two lines",
        '2016-03-31 open Assets:19-その他  ; «here»\n  line: "建物, 備品"\n',
        "Account Assets:19-その他 feeds 2 statement lines (建物, 備品)",
    ),
    (
        "account naming an unknown line",
        '2016-03-31 open Assets:19-その他  ; «here»\n  line: "金塊"\n',
        "names line '金塊', but 予定貸借対照表 has no line of that name",
    ),
    (
        "published figure that no longer matches",
        '2017-03-31 custom "yosan-published" "bs" "現金及び預金" "alpha" 2 "千円"  ; «here»\n',
        "予定貸借対照表 流動資産/現金及び預金 (甲事業): published 2 千円, the ledger gives 1 千円",
    ),
    (
        "published figure of an unknown line",
        '2017-03-31 custom "yosan-published" "bs" "金塊" "alpha" 2 "千円"  ; «here»\n',
        "予定貸借対照表 has no row '金塊'",
    ),
    (
        "published figure of an unknown segment",
        '2017-03-31 custom "yosan-published" "bs" "現金及び預金" "gamma" 1 "千円"  ; «here»\n',
        "Unknown segment 'gamma'",
    ),
    (
        "cash moved through an account the plan does not take",
        '2016-05-01 * "賞与の支払" #alpha  ; «here»\n  {BONUS_PROVISION} 100 JPY\n  {CASH}\n',
        "Transaction moves cash through Liabilities:21-流動負債:216-賞与引当金, which no row of "
        "資金計画 takes",
    ),
    (
        "transaction outside the fiscal year",
        '2017-04-01 * "収益" #alpha  ; «here»\n  {CASH} 1000 JPY\n  {REVENUE}\n',
        "Transaction dated 2017-04-01 lies outside the fiscal year 2016-04-01 .. 2017-03-31",
    ),
    (
        "income in an opening balance",
        '2016-03-31 * "前期末" #beta  ; «here»\n  {CASH} 1000 JPY\n  {REVENUE}\n',
        "An opening balance (2016-03-31) may post to balance-sheet accounts only",
    ),
    (
        "fractional yen",
        '2016-05-01 * "収益" #alpha\n  {CASH} 1000.5 JPY  ; «here»\n  {REVENUE}\n',
        "Fractional yen 1000.5",
    ),
    (
        "another currency",
        '2016-05-01 * "収益" #alpha\n  {CASH} 10 USD  ; «here»\n  {REVENUE}\n',
        "Amount in USD",
    ),
]


def marked_line(path: Path) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if "«here»" in line:
            return number
    raise AssertionError("no «here» marker")


@pytest.mark.parametrize(("name", "body", "message"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", ["check", "report", "export"])
def test_bad_input_is_reported_at_its_line(make_ledger, tmp_path, name, body, message, command):
    body = body.format(CASH=CASH, REVENUE=REVENUE, BONUS_PROVISION=BONUS_PROVISION)
    ledger = make_ledger(OPENING + body)
    output = tmp_path / "out.csv"
    args = [command, "--ledger", ledger]
    if command != "check":
        args += ["--output", output]
    result = yosan(*args)
    assert result.exit_code == 1
    assert result.exception is None
    assert "Traceback" not in result.stderr
    expected = f"{ledger}:{marked_line(ledger)}: "
    lines = [line for line in result.stderr.splitlines() if line.startswith(expected)]
    assert any(message in line for line in lines), result.stderr
    assert not output.exists()
    assert list(tmp_path.glob(".out.csv*")) == []


def test_missing_ledger(tmp_path):
    result = yosan("report", "--ledger", tmp_path / "nothing.beancount")
    assert result.exit_code == 1
    assert "nothing.beancount: no such ledger" in result.stderr


def test_a_failed_run_keeps_the_old_output(make_ledger, tmp_path):
    output = tmp_path / "statements.txt"
    output.write_text("yesterday's statements", encoding="utf-8")
    ledger = make_ledger(OPENING + '2016-05-01 * "収益"\n  {CASH} 1 JPY\n  {REVENUE}\n')
    assert yosan("report", "--ledger", ledger, "--output", output).exit_code == 1
    assert output.read_text(encoding="utf-8") == "yesterday's statements"


def test_unknown_segment_option(make_ledger):
    result = yosan("report", "bs", "--segment", "gamma", "--ledger", make_ledger(OPENING))
    assert result.exit_code == 2
    assert "'gamma' is not a segment of this ledger: alpha, beta" in result.stderr


def test_a_clean_ledger_passes(make_ledger):
    result = yosan("check", "--ledger", make_ledger(OPENING))
    assert result.exit_code == 0, result.stderr


def test_every_rule_holds_for_a_ledger_that_names_only_some_plugins(make_ledger):
    # Bean-check and Fava run only the plugins a ledger names; `yosan` runs the rest.
    header = HEADER.replace('plugin "plugins.yen"\n', "").replace('plugin "plugins.segments"\n', "")
    body = OPENING + f'2016-05-01 * "収益"  ; «here»\n  {CASH} 1000.5 JPY\n  {REVENUE}\n'
    ledger = make_ledger(body, header=header)
    result = yosan("check", "--ledger", ledger)
    assert result.exit_code == 1
    assert f"{ledger}:{marked_line(ledger)}: Transaction has no segment tag" in result.stderr
    assert f"{ledger}:{marked_line(ledger) + 1}: Fractional yen 1000.5" in result.stderr
