"""A ledger known only in totals: accounts that feed a total directly (`total:`)."""

from __future__ import annotations

from tests.conftest import CAPITAL, CASH, HEADER, REVENUE, yosan

BUDGET = '2016-02-01 custom "yosan-budget" "テスト予算" 2016-04-01 2017-03-31\n'
SUMMARY_HEADER = HEADER.replace(BUDGET, BUDGET + '  level: "summary"\n')

BODY = f"""
2016-03-31 open Assets:19-内訳非公表の資産
  total: "資産合計"
2016-03-31 open Liabilities:29-内訳非公表の負債
  total: "負債合計"

2016-03-31 * "前期末残高" #alpha
  {CASH}                              1000000 JPY
  Assets:19-内訳非公表の資産          5000000 JPY
  Liabilities:29-内訳非公表の負債    -4000000 JPY
  {CAPITAL}                          -2000000 JPY

2016-05-01 * "収益" #alpha
  {CASH}  300000 JPY
  {REVENUE}
"""


def figures(ledger):
    result = yosan("export", "--unit", "yen", "--ledger", ledger)
    assert result.exit_code == 0, result.stderr
    return {
        (r["statement"], r["line"]): int(r["amount"])
        for r in result.rows()
        if r["segment"] == "total"
    }


def test_a_total_takes_the_accounts_that_feed_it_directly(make_ledger):
    got = figures(make_ledger(BODY, header=SUMMARY_HEADER))
    assert got[("bs", "流動資産合計")] == 1_300_000
    assert got[("bs", "固定資産合計")] == 0
    assert got[("bs", "資産合計")] == 6_300_000  # 1,300,000 + 5,000,000 fed directly
    assert got[("bs", "負債合計")] == 4_000_000
    assert got[("bs", "純資産合計")] == 2_300_000  # 出資金 2,000,000 + 当期純利益 300,000
    assert got[("bs", "負債純資産合計")] == got[("bs", "資産合計")]
    assert got[("cf", "当期末現金及び預金")] == 1_300_000


def test_an_account_names_a_line_or_a_total_not_both(make_ledger):
    ledger = make_ledger(
        '2016-03-31 open Assets:19-その他\n  line: "建物"\n  total: "資産合計"\n'
        '2016-03-31 open Assets:18-その他\n  total: "建物"\n'
    )
    result = yosan("check", "--ledger", ledger)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    text = ledger.read_text(encoding="utf-8").splitlines()
    both, total = (text.index(f"2016-03-31 open Assets:{n}-その他") + 1 for n in (19, 18))
    assert lines[0] == (
        f"{ledger}:{both}: Account Assets:19-その他 names both a line (建物) and a total "
        "(資産合計); an account feeds one row"
    )
    assert lines[1] == (
        f"{ledger}:{total}: Account Assets:18-その他 names total '建物', but 予定貸借対照表 has no "
        "total of that name"
    )


def test_a_detailed_ledger_refuses_an_account_feeding_a_total(make_ledger):
    """Issue 16, defect 8: in a ledger not declared summary-level, 資産合計 fed directly
    would differ from 流動資産合計 + 固定資産合計 with no word."""
    assert BUDGET in HEADER
    ledger = make_ledger(BODY)
    result = yosan("report", "bs", "--ledger", ledger)
    assert result.exit_code == 1
    text = ledger.read_text(encoding="utf-8").splitlines()
    lines = [
        text.index(f"2016-03-31 open {a}") + 1
        for a in ("Assets:19-内訳非公表の資産", "Liabilities:29-内訳非公表の負債")
    ]
    assert result.stderr.splitlines()[:2] == [
        f"{ledger}:{lines[0]}: Account Assets:19-内訳非公表の資産 feeds the total 資産合計 "
        "directly, so 資産合計 would no longer be the sum of 流動資産合計, 固定資産合計; name the "
        'line it belongs to, or declare a ledger known only in totals with `level: "summary"` '
        "on its yosan-budget directive",
        f"{ledger}:{lines[1]}: Account Liabilities:29-内訳非公表の負債 feeds the total 負債合計 "
        "directly, so 負債合計 would no longer be the sum of 流動負債合計, 固定負債合計; name the "
        'line it belongs to, or declare a ledger known only in totals with `level: "summary"` '
        "on its yosan-budget directive",
    ]
