"""The example ledgers (examples/): each a body of its own with its own statements,
figures made up, every figure worked out by hand below from the transactions."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, copy_ledger, passes_bean_check_and_fava, yosan
from yosan_ledger.reports.loading.ledger import load_ledger

KUMIAI = ROOT / "examples" / "kumiai" / "main.beancount"
TOWN = ROOT / "examples" / "town" / "main.beancount"
UNIVERSITY = ROOT / "examples" / "university" / "main.beancount"

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

# さくら町（例）'s 歳入歳出予算 as revised by its 12月補正, per 会計 (ippan, kokuho) and total
# (examples/town/budget.beancount and revision.beancount; tests/test_town.py checks its
# settlement).  一般会計: 町民税 300M + 5M + 40M; 固定資産税 250M + 6M; 国庫補助金 40M + 20M
# (補正); 繰越金 50M + 30M (補正); 町債 30M + 10M (補正); 総務管理費 200M + 120M + 40M + 10M;
# 社会福祉費 400M + 10M (補正) + 150M; 清掃費 60M (the 衛生組合's 負担金), funded by 地方交付税
# 960M; 道路橋りょう費 100M + 50M (補正).
TOWN_BUDGET = {
    "町民税": (345_000_000, 0, 345_000_000),
    "固定資産税": (256_000_000, 0, 256_000_000),
    "町税計": (601_000_000, 0, 601_000_000),
    "国民健康保険税": (0, 180_000_000, 180_000_000),
    "地方交付税": (960_000_000, 0, 960_000_000),
    "国庫補助金": (60_000_000, 0, 60_000_000),
    "県補助金": (0, 500_000_000, 500_000_000),
    "他会計繰入金": (0, 150_000_000, 150_000_000),
    "繰越金": (80_000_000, 20_000_000, 100_000_000),
    "雑入": (9_000_000, 0, 9_000_000),
    "町債": (40_000_000, 0, 40_000_000),
    "歳入合計": (1_750_000_000, 850_000_000, 2_600_000_000),
    "議会費": (60_000_000, 0, 60_000_000),
    "総務管理費": (370_000_000, 15_000_000, 385_000_000),
    "徴税費": (50_000_000, 0, 50_000_000),
    "総務費計": (420_000_000, 15_000_000, 435_000_000),
    "社会福祉費": (560_000_000, 0, 560_000_000),
    "清掃費": (60_000_000, 0, 60_000_000),
    "療養諸費": (0, 825_000_000, 825_000_000),
    "道路橋りょう費": (150_000_000, 0, 150_000_000),
    "公債費": (480_000_000, 0, 480_000_000),
    "予備費": (20_000_000, 10_000_000, 30_000_000),
    "歳出合計": (1_750_000_000, 850_000_000, 2_600_000_000),
    "歳入歳出差引": (0, 0, 0),
}
# The budget is booked against 歳計現金, which it leaves as it found it: empty.
TOWN_FUNDS = {
    "歳入": (1_750_000_000, 850_000_000, 2_600_000_000),
    "歳出": (1_750_000_000, 850_000_000, 2_600_000_000),
    "歳入歳出差引額": (0, 0, 0),
    "前年度末歳計現金": (0, 0, 0),
    "年度末歳計現金": (0, 0, 0),
}


# みなと公立大学法人（例）, in yen, per faculty (jinbun, riko, kango) and total.
# jinbun: 交付金 400M, 授業料 250M received; 人件費 380M, 教育研究経費 120M, 一般管理費 60M
#         paid; 減価償却 15M.  cash 50M → 140M.
# riko:   交付金 600M, 授業料 300M, 受託研究 40M received; 人件費 520M, 教育研究経費 230M,
#         一般管理費 70M, 改修 100M paid; 受託研究費 35M of which 20M paid and 15M still
#         owed (未払金), written as one entry; 減価償却 25M.  cash 80M → 80M.
# kango:  交付金 300M, 授業料 150M received and 10M billed in March (未収金); 人件費 310M,
#         教育研究経費 90M, 一般管理費 40M paid; 減価償却 10M.  cash 30M → 40M.
M = 1_000_000
# 予算 on a cash basis: what was received and paid; the accruals count nothing.
UNIVERSITY_BUDGET = {
    "運営費交付金": (400 * M, 600 * M, 300 * M, 1_300 * M),
    "授業料等収入": (250 * M, 300 * M, 150 * M, 700 * M),
    "受託研究等収入": (0, 40 * M, 0, 40 * M),
    "収入計": (650 * M, 940 * M, 450 * M, 2_040 * M),
    "教育研究経費": (120 * M, 230 * M, 90 * M, 440 * M),
    "人件費": (380 * M, 520 * M, 310 * M, 1_210 * M),
    "受託研究費": (0, 20 * M, 0, 20 * M),  # the 20M paid, not the 15M owed
    "一般管理費": (60 * M, 70 * M, 40 * M, 170 * M),
    "施設整備費": (0, 100 * M, 0, 100 * M),
    "支出計": (560 * M, 940 * M, 440 * M, 1_940 * M),
    "収入－支出": (90 * M, 0, 10 * M, 100 * M),  # each faculty's change of cash
}
# 収支計画: 業務費 = 教育研究経費 + 受託研究費 (35M, accrued) + 人件費, its parts hidden.
UNIVERSITY_PL = {
    "業務費": (500 * M, 785 * M, 400 * M, 1_685 * M),
    "一般管理費": (60 * M, 70 * M, 40 * M, 170 * M),
    "減価償却費": (15 * M, 25 * M, 10 * M, 50 * M),
    "費用計": (575 * M, 880 * M, 450 * M, 1_905 * M),
    "運営費交付金収益": (400 * M, 600 * M, 300 * M, 1_300 * M),
    "授業料収益": (250 * M, 300 * M, 160 * M, 710 * M),
    "受託研究等収益": (0, 40 * M, 0, 40 * M),
    "収益計": (650 * M, 940 * M, 460 * M, 2_050 * M),
    "純利益": (75 * M, 60 * M, 10 * M, 145 * M),
}
UNIVERSITY_HIDDEN = {
    "pl:教育研究経費": (120 * M, 230 * M, 90 * M, 440 * M),
    "pl:受託研究費": (0, 35 * M, 0, 35 * M),
    "pl:人件費": (380 * M, 520 * M, 310 * M, 1_210 * M),
}
# 資金計画 with 未払金 and 未収金 as working capital: expenses and revenues as accrued,
# what is owed taken off again at the year's end; the cash carried both ways.
UNIVERSITY_CF = {
    "業務活動による支出": (560 * M, 855 * M, 440 * M, 1_855 * M),
    "投資活動による支出": (0, 100 * M, 0, 100 * M),
    "前期末未払金": (0, 0, 0, 0),
    "当期末未払金": (0, -15 * M, 0, -15 * M),
    "翌年度への繰越金": (140 * M, 80 * M, 40 * M, 260 * M),
    "資金支出計": (700 * M, 1_020 * M, 480 * M, 2_200 * M),
    "業務活動による収入": (650 * M, 940 * M, 460 * M, 2_050 * M),
    "前期末未収金": (0, 0, 0, 0),
    "当期末未収金": (0, 0, -10 * M, -10 * M),
    "前年度よりの繰越金": (50 * M, 80 * M, 30 * M, 160 * M),
    "資金収入計": (700 * M, 1_020 * M, 480 * M, 2_200 * M),
}
UNIVERSITY_BS = {
    "現金及び預金": (140 * M, 80 * M, 40 * M, 260 * M),
    "未収金": (0, 0, 10 * M, 10 * M),
    "建物": (285 * M, 575 * M, 190 * M, 1_050 * M),
    "資産合計": (425 * M, 655 * M, 240 * M, 1_320 * M),
    "未払金": (0, 15 * M, 0, 15 * M),
    "負債合計": (0, 15 * M, 0, 15 * M),
    "資本金": (350 * M, 580 * M, 230 * M, 1_160 * M),
    "利益剰余金": (75 * M, 60 * M, 10 * M, 145 * M),
    "純資産合計": (425 * M, 640 * M, 240 * M, 1_305 * M),
    "負債純資産合計": (425 * M, 655 * M, 240 * M, 1_320 * M),
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
        (TOWN, "budget", TOWN_BUDGET),
        (TOWN, "funds", TOWN_FUNDS),
        (UNIVERSITY, "budget", UNIVERSITY_BUDGET),
        (UNIVERSITY, "pl", UNIVERSITY_PL),
        (UNIVERSITY, "cf", UNIVERSITY_CF),
    ],
    ids=[
        "kumiai-pl",
        "kumiai-bs",
        "kumiai-cf",
        "town-budget",
        "town-funds",
        "university-budget",
        "university-pl",
        "university-cf",
    ],
)
def test_the_statements_are_the_figures_worked_out_by_hand(ledger, statement, expected):
    got = figures(ledger, statement)
    for line, values in expected.items():
        assert got[line] == values, line
    shown = {line for line, values in got.items() if any(values)}
    assert shown <= set(expected)  # no figure the hand-worked table lacks


SEGMENTS = {KUMIAI: ("hall", "water"), TOWN: ("ippan", "kokuho"), UNIVERSITY: ("riko", "kango")}


@pytest.mark.parametrize("ledger", list(SEGMENTS), ids=["kumiai", "town", "university"])
def test_the_examples_pass_yosan_bean_check_and_fava(ledger):
    result = yosan("check", "--ledger", ledger, "--no-cache")
    assert result.exit_code == 0, result.stderr
    text = passes_bean_check_and_fava(ledger, "YosanStatements/?by_segment=1")
    assert 'class="yosan-errors"' not in text
    for key in SEGMENTS[ledger]:
        assert f'data-column="{key}"' in text


def test_the_examples_say_their_figures_are_made_up():
    for ledger in SEGMENTS:
        assert "MADE-UP FIGURES" in ledger.read_text(encoding="utf-8").splitlines()[0]


def test_the_town_prints_its_own_statements_and_no_corporate_ones():
    result = yosan("report", "--ledger", TOWN, "--unit", "yen", "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert "歳入歳出予算" in result.stdout and "歳計現金の収支" in result.stdout
    assert "貸借対照表" not in result.stdout and "資金計画" not in result.stdout
    assert "（令和9年4月1日から令和10年3月31日まで）" in result.stdout
    for name in ("advances", "overview", "commitments"):  # declares none of them
        refused = yosan("report", name, "--ledger", TOWN)
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


def test_the_university_hides_what_it_does_not_publish():
    """Hidden rows feed the 予算 but are neither printed nor exported; the hidden balance
    sheet prints only when asked for by name, with the figures worked out by hand."""
    printed = yosan("report", "--ledger", UNIVERSITY, "--no-cache")
    assert printed.exit_code == 0, printed.stderr
    assert "予算" in printed.stdout and "収支計画" in printed.stdout
    assert "貸借対照表" not in printed.stdout
    assert "教育研究経費" not in printed.stdout.split("収支計画")[1].split("資金計画")[0]
    assert "pl" not in {
        r["statement"] for r in yosan("export", "--ledger", UNIVERSITY).rows()
    } or all(
        r["line"] not in ("教育研究経費", "受託研究費", "人件費")
        for r in yosan("export", "--ledger", UNIVERSITY).rows()
        if r["statement"] == "pl"
    )
    asked = yosan("report", "bs", "--by-segment", "--format", "csv", "--unit", "yen",
                  "--ledger", UNIVERSITY)  # fmt: skip
    assert asked.exit_code == 0, asked.stderr
    got: dict[str, tuple[int, ...]] = {}
    for row in asked.rows():
        values = tuple(int(row[k]) for k in ("人文学部", "理工学部", "看護学部", "合計"))
        got[row["科目"]] = values
    assert {line: got[line] for line in UNIVERSITY_BS} == UNIVERSITY_BS
    statements = load_ledger(UNIVERSITY).statements
    for ref, values in UNIVERSITY_HIDDEN.items():
        assert tuple(statements.figure(ref, c) for c in statements.columns) == values, ref


def test_a_payment_and_an_accrual_in_one_entry_count_as_written_apart(tmp_path):
    """The 受託研究費 case (README, "How a cash statement counts a transaction"): 35,000
    accrued of which 20,000 paid, as one entry, gives every statement the figures of
    the payment and the accrual written as two entries; both cash statements
    reconcile on their own."""
    one = load_ledger(UNIVERSITY).statements
    copy = copy_ledger(tmp_path / "university", UNIVERSITY)
    riko = copy.parent / "segments" / "riko.beancount"
    text = riko.read_text("utf-8")
    compound = (
        '2027-09-30 * "受託研究費（7月支払分 20,000千円、9月末未払分 15,000千円）"\n'
        "  Expenses:7-経常費用:71-業務費:712-受託研究費   35000000 JPY\n"
        "  Liabilities:3-流動負債:31-未払金              -15000000 JPY\n"
        "  Assets:1-流動資産:11-現金及び預金             -20000000 JPY\n"
    )
    apart = (
        '2027-07-31 * "受託研究費（7月支払分）"\n'
        "  Expenses:7-経常費用:71-業務費:712-受託研究費   20000000 JPY\n"
        "  Assets:1-流動資産:11-現金及び預金             -20000000 JPY\n\n"
        '2027-09-30 * "受託研究費（9月末未払分）"\n'
        "  Expenses:7-経常費用:71-業務費:712-受託研究費   15000000 JPY\n"
        "  Liabilities:3-流動負債:31-未払金              -15000000 JPY\n"
    )
    assert compound in text
    riko.write_text(text.replace(compound, apart), "utf-8")
    two = load_ledger(copy)
    assert two.problems == []
    for statement, frame in one.figures.items():
        assert two.statements.figures[statement].equals(frame), statement
    assert one.mismatches == () and two.statements.mismatches == ()
    assert one.figure("budget:受託研究費", "riko") == 20 * M
    assert one.figure("cf:当期末未払金", "riko") == -15 * M
