"""The example ledgers (examples/): each a body of its own with its own statements,
figures made up, every figure worked out by hand below from the transactions."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, passes_bean_check_and_fava, yosan

KUMIAI = ROOT / "examples" / "kumiai" / "main.beancount"
CITY = ROOT / "examples" / "city" / "main.beancount"

# みどり広域施設組合（例）, in yen, per segment (hall, water, common) and total.
# hall:  使用料 12,000,000 cash + 500,000 billed in March; 負担金 8,000,000; 人件費
#        9,000,000 paid + 1,200,000 provision; 物件費 4,000,000 paid + 300,000 unpaid;
#        減価償却 2,000,000; 利息 200,000.
# water: 使用料 6,000,000; 負担金 3,000,000; 人件費 4,000,000; 物件費 2,500,000;
#        減価償却 1,500,000; 利息 150,000.
# common: 負担金 2,000,000; 人件費 1,500,000 paid + 300,000 provision; 物件費 400,000.
KUMIAI_PL = {
    "使用料収入": (12_500_000, 6_000_000, 0, 18_500_000),
    "負担金収入": (8_000_000, 3_000_000, 2_000_000, 13_000_000),
    "収益合計": (20_500_000, 9_000_000, 2_000_000, 31_500_000),
    "人件費": (10_200_000, 4_000_000, 1_800_000, 16_000_000),
    "物件費": (4_300_000, 2_500_000, 400_000, 7_200_000),
    "減価償却費": (2_000_000, 1_500_000, 0, 3_500_000),
    "支払利息": (200_000, 150_000, 0, 350_000),
    "費用合計": (16_700_000, 8_150_000, 2_200_000, 27_050_000),
    "当期純利益": (3_800_000, 850_000, -200_000, 4_450_000),
}
# hall cash: 5,000,000 + 8,000,000 − 200,000 + 300,000 + 12,000,000 − 9,000,000
#   − 1,000,000 − 4,000,000 − 1,500,000 − 200,000 − 3,000,000 = 6,400,000
# water cash: 2,000,000 + 3,000,000 + 6,000,000 − 4,000,000 − 2,500,000 − 1,000,000
#   − 150,000 − 1,000,000 = 2,350,000;  common cash: 1,000,000 + 2,000,000 − 1,500,000
#   − 400,000 = 1,100,000.  剰余金 = opening + the year's result.
KUMIAI_BS = {
    "現金預金": (6_400_000, 2_350_000, 1_100_000, 9_850_000),
    "未収金": (500_000, 0, 0, 500_000),
    "流動資産合計": (6_900_000, 2_350_000, 1_100_000, 10_350_000),
    "施設": (41_000_000, 29_500_000, 0, 70_500_000),
    "固定資産合計": (41_000_000, 29_500_000, 0, 70_500_000),
    "資産合計": (47_900_000, 31_850_000, 1_100_000, 80_850_000),
    "未払金": (300_000, 0, 0, 300_000),
    "賞与引当金": (1_200_000, 0, 300_000, 1_500_000),
    "流動負債合計": (1_500_000, 0, 300_000, 1_800_000),
    "組合債": (18_500_000, 14_000_000, 0, 32_500_000),
    "固定負債合計": (18_500_000, 14_000_000, 0, 32_500_000),
    "負債合計": (20_000_000, 14_000_000, 300_000, 34_300_000),
    "出資金": (20_000_000, 10_000_000, 1_000_000, 31_000_000),
    "剰余金": (7_900_000, 7_850_000, -200_000, 15_550_000),
    "純資産合計": (27_900_000, 17_850_000, 800_000, 46_550_000),
    "負債純資産合計": (47_900_000, 31_850_000, 1_100_000, 80_850_000),
}
# Cash plan: only what moves against cash or working capital.  hall's 人件費支出 is
# 9,000,000 salaries + 1,000,000 bonus paid out of 賞与引当金 (the provision's accrual
# moves no cash); depreciation is in no row.
KUMIAI_CF = {
    "業務収入": (20_500_000, 9_000_000, 2_000_000, 31_500_000),
    "前期末未収金": (300_000, 0, 0, 300_000),
    "当期末未収金": (-500_000, 0, 0, -500_000),
    "資金収入合計": (20_300_000, 9_000_000, 2_000_000, 31_300_000),
    "人件費支出": (10_000_000, 4_000_000, 1_500_000, 15_500_000),
    "物件費支出": (4_300_000, 2_500_000, 400_000, 7_200_000),
    "施設整備費支出": (3_000_000, 1_000_000, 0, 4_000_000),
    "組合債償還金": (1_500_000, 1_000_000, 0, 2_500_000),
    "組合債利息支出": (200_000, 150_000, 0, 350_000),
    "前期末未払金": (200_000, 0, 0, 200_000),
    "当期末未払金": (-300_000, 0, 0, -300_000),
    "資金支出合計": (18_900_000, 8_650_000, 1_900_000, 29_450_000),
    "資金収支差額": (1_400_000, 350_000, 100_000, 1_850_000),
    "前期末現金預金": (5_000_000, 2_000_000, 1_000_000, 8_000_000),
    "当期末現金預金": (6_400_000, 2_350_000, 1_100_000, 9_850_000),
}

# みなと市（例）, per account (ippan, kokuho) and total.
CITY_BUDGET = {
    "市民税": (5_000_000_000, 0, 5_000_000_000),
    "固定資産税": (3_000_000_000, 0, 3_000_000_000),
    "市税計": (8_000_000_000, 0, 8_000_000_000),
    "国民健康保険税": (0, 900_000_000, 900_000_000),
    "地方交付税": (2_000_000_000, 0, 2_000_000_000),
    "国庫負担金": (1_500_000_000, 1_000_000_000, 2_500_000_000),
    "国庫補助金": (500_000_000, 0, 500_000_000),
    "国庫支出金計": (2_000_000_000, 1_000_000_000, 3_000_000_000),
    "市債": (800_000_000, 0, 800_000_000),
    "歳入合計": (12_800_000_000, 1_900_000_000, 14_700_000_000),
    "総務管理費": (2_000_000_000, 70_000_000, 2_070_000_000),
    "徴税費": (300_000_000, 0, 300_000_000),
    "総務費計": (2_300_000_000, 70_000_000, 2_370_000_000),
    "社会福祉費": (4_000_000_000, 0, 4_000_000_000),
    "児童福祉費": (3_500_000_000, 0, 3_500_000_000),
    "民生費計": (7_500_000_000, 0, 7_500_000_000),
    "療養諸費": (0, 1_850_000_000, 1_850_000_000),
    "公債費": (2_900_000_000, 0, 2_900_000_000),
    "歳出合計": (12_700_000_000, 1_920_000_000, 14_620_000_000),
    "歳入歳出差引": (100_000_000, -20_000_000, 80_000_000),
}
CITY_CASH = {
    "歳計現金": (400_000_000, 30_000_000, 430_000_000),
    "前年度繰越金": (300_000_000, 50_000_000, 350_000_000),
    "歳入歳出差引額": (100_000_000, -20_000_000, 80_000_000),
    "財源合計": (400_000_000, 30_000_000, 430_000_000),
}


def figures(ledger, statement: str) -> dict[str, tuple[int, ...]]:
    """line → its figures in yen, in segment order then total, from `yosan export`."""
    result = yosan("export", "--unit", "yen", "--ledger", ledger, "--no-cache")
    assert result.exit_code == 0, result.stderr
    found: dict[str, list[int]] = {}
    for row in result.rows():
        if row["statement"] == statement:
            found.setdefault(row["line"], []).append(int(row["amount"]))
    return {line: tuple(values) for line, values in found.items()}


@pytest.mark.parametrize(
    ("ledger", "statement", "expected"),
    [
        (KUMIAI, "pl", KUMIAI_PL),
        (KUMIAI, "bs", KUMIAI_BS),
        (KUMIAI, "cf", KUMIAI_CF),
        (CITY, "budget", CITY_BUDGET),
        (CITY, "cash", CITY_CASH),
    ],
    ids=["kumiai-pl", "kumiai-bs", "kumiai-cf", "city-budget", "city-cash"],
)
def test_the_statements_are_the_figures_worked_out_by_hand(ledger, statement, expected):
    got = figures(ledger, statement)
    for line, values in expected.items():
        assert got[line] == values, line
    shown = {line for line, values in got.items() if any(values)}
    assert shown <= set(expected)  # no figure the hand-worked table lacks


@pytest.mark.parametrize("ledger", [KUMIAI, CITY], ids=["kumiai", "city"])
def test_the_examples_pass_yosan_bean_check_and_fava(ledger):
    result = yosan("check", "--ledger", ledger, "--no-cache")
    assert result.exit_code == 0, result.stderr
    text = passes_bean_check_and_fava(ledger, "YosanStatements/?by_segment=1")
    assert 'class="yosan-errors"' not in text
    for key in ("hall", "water") if ledger == KUMIAI else ("ippan", "kokuho"):
        assert f'data-column="{key}"' in text


def test_the_examples_say_their_figures_are_made_up():
    for ledger in (KUMIAI, CITY):
        assert "MADE-UP FIGURES" in ledger.read_text(encoding="utf-8").splitlines()[0]


def test_the_city_prints_its_own_statements_and_no_corporate_ones():
    result = yosan("report", "--ledger", CITY, "--unit", "yen", "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert "歳入歳出予算" in result.stdout and "歳計現金の状況" in result.stdout
    assert "貸借対照表" not in result.stdout and "資金計画" not in result.stdout
    assert "（令和9年4月1日から令和10年3月31日まで）" in result.stdout
    for name in ("advances", "overview", "commitments"):  # declares none of them
        refused = yosan("report", name, "--ledger", CITY)
        assert refused.exit_code == 2
        assert f"declare no {name} table" in refused.stderr


def test_a_line_hidden_when_zero_is_not_printed():
    result = yosan("report", "bs", "--by-segment", "--ledger", KUMIAI, "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert "リース債務" not in result.stdout and "組合債" in result.stdout


def test_the_commitments_wording_is_the_ledgers():
    result = yosan("report", "commitments", "--ledger", KUMIAI, "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert "組合の負担となる年度" in result.stdout and "機構" not in result.stdout
    assert "会館清掃業務委託" in result.stdout and "6,000" in result.stdout
