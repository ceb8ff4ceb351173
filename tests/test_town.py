"""A town's year, from the budget to the settlement: examples/town (さくら町（例）, made-up
figures) and its actual journal, every figure of its 歳入歳出決算書, 歳入歳出決算事項別明細書
and 実質収支に関する調書 against tables worked out by hand below from the ledger's text,
through the settlement's computation and table builders, in every format."""

from __future__ import annotations

import datetime
import subprocess
from html.parser import HTMLParser

import openpyxl
import pytest

from tests.conftest import ROOT, require, yosan
from tests.test_exports import pdf_toolchain_missing, tool
from yosan_ledger.plugins.core import revisions
from yosan_ledger.plugins.core.actuals import actuals_of
from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.settlement import settlement
from yosan_ledger.plugins.core.units import UNITS
from yosan_ledger.reports.loading.ledger import load_ledger
from yosan_ledger.reports.rendering.formats import Options, write_report, write_rows
from yosan_ledger.reports.tables.settlement import (
    FRAME_COLUMNS,
    TIDY_COLUMNS,
    budget_execution_tables,
    details_tables,
    real_balance_frame,
    real_balance_tables,
    settlement_frame,
    settlement_tables,
)

BUDGET = ROOT / "examples" / "town" / "main.beancount"
ACTUALS = ROOT / "examples" / "town" / "actuals" / "main.beancount"
YEN = UNITS["yen"]
M = 1_000_000

# ---------------------------------------------------------------------------------------
# 歳入歳出決算書 (款・項), worked out by hand from budget.beancount, revision.beancount and
# actuals/*.beancount.  Revenue: 予算現額, 調定額, 収入済額, 不納欠損額, 収入未済額,
# 予算現額と収入済額との比較 (収入済額 − 予算現額).
#
# 一般会計 (ippan), per 節:
#   町民税 個人 現年: budget 300M; assessed 310M (6/1); received 100M + 80M + 70M + 52M
#     + 3.5M (4/30, closing period) = 305.5M; outstanding 4.5M.
#   町民税 個人 滞納繰越分: budget 5M; assessed 12M (4/1); received 4.8M + 0.2M (5/20)
#     = 5M; written off 1.25M (3/31); outstanding 12 − 5 − 1.25 = 5.75M.
#   町民税 法人 現年: budget 40M; 18M + 24M received assessed when received (随時): 42M.
#   固定資産税 現年: budget 250M; assessed 255M (4/15); received 64M + 63M + 63M + 60M
#     + 2M (4/28) = 252M; outstanding 3M.
#   固定資産税 滞納繰越分: budget 6M; assessed 8M; received 2.5M; outstanding 5.5M.
#   → 町民税: 345M, 364M, 352.5M, 1.25M, 10.25M, +7.5M;
#     固定資産税: 256M, 263M, 254.5M, 0, 8.5M, −1.5M;  町税: 601M, 627M, 607M, 1.25M, 18.75M, +6M.
#   地方交付税: 960M, assessed 960M (7/25), received 3 × 320M.
#   国庫補助金: 40M + 20M (12月補正) = 60M; assessed 40M (3/25), received 40M (4/20).
#   繰越金: 50M + 30M = 80M; 80M received (6/1) on an account assessed when received.
#   雑入: 9M; 1,234,567 + 765,433 = 2M received, assessed when received.
#   町債: 30M + 10M = 40M; assessed 30M (3/29), received 30M (5/15).
#   歳入合計: budget 1,690M + 60M = 1,750M; assessed 627 + 960 + 40 + 80 + 2 + 30 =
#     1,739M; received 607 + 960 + 40 + 80 + 2 + 30 = 1,719M; compared −31M.
REVENUE_SETTLEMENT = {
    "ippan": {
        ("", "町税"): (601 * M, 627 * M, 607 * M, 1_250_000, 18_750_000, 6 * M),
        ("町税", "町民税"): (345 * M, 364 * M, 352_500_000, 1_250_000, 10_250_000, 7_500_000),
        ("町税", "固定資産税"): (256 * M, 263 * M, 254_500_000, 0, 8_500_000, -1_500_000),
        ("", "地方交付税"): (960 * M, 960 * M, 960 * M, 0, 0, 0),
        ("地方交付税", "地方交付税"): (960 * M, 960 * M, 960 * M, 0, 0, 0),
        ("", "国庫支出金"): (60 * M, 40 * M, 40 * M, 0, 0, -20 * M),
        ("国庫支出金", "国庫補助金"): (60 * M, 40 * M, 40 * M, 0, 0, -20 * M),
        ("", "繰越金"): (80 * M, 80 * M, 80 * M, 0, 0, 0),
        ("繰越金", "繰越金"): (80 * M, 80 * M, 80 * M, 0, 0, 0),
        ("", "諸収入"): (9 * M, 2 * M, 2 * M, 0, 0, -7 * M),
        ("諸収入", "雑入"): (9 * M, 2 * M, 2 * M, 0, 0, -7 * M),
        ("", "町債"): (40 * M, 30 * M, 30 * M, 0, 0, -10 * M),
        ("町債", "町債"): (40 * M, 30 * M, 30 * M, 0, 0, -10 * M),
        ("", "歳入合計"): (1_750 * M, 1_739 * M, 1_719 * M, 1_250_000, 18_750_000, -31 * M),
    },
    # 国民健康保険特別会計 (kokuho): 国保税 180M, assessed 185M (7/1), received 60M + 60M +
    # 58M + 2M (5/31) = 180M; 県補助金 500M, assessed and received 490M; 繰入金 150M,
    # assessed and received 75M + 75M; 繰越金 20M, 25M received.
    "kokuho": {
        ("", "国民健康保険税"): (180 * M, 185 * M, 180 * M, 0, 5 * M, 0),
        ("国民健康保険税", "国民健康保険税"): (180 * M, 185 * M, 180 * M, 0, 5 * M, 0),
        ("", "県支出金"): (500 * M, 490 * M, 490 * M, 0, 0, -10 * M),
        ("県支出金", "県補助金"): (500 * M, 490 * M, 490 * M, 0, 0, -10 * M),
        ("", "繰入金"): (150 * M, 150 * M, 150 * M, 0, 0, 0),
        ("繰入金", "他会計繰入金"): (150 * M, 150 * M, 150 * M, 0, 0, 0),
        ("", "繰越金"): (20 * M, 25 * M, 25 * M, 0, 0, 5 * M),
        ("繰越金", "繰越金"): (20 * M, 25 * M, 25 * M, 0, 0, 5 * M),
        ("", "歳入合計"): (850 * M, 850 * M, 845 * M, 0, 5 * M, -5 * M),
    },
}
# Expenditure: 予算現額, 充用・流用増減, 支出済額, 翌年度繰越額, 不用額 (予算現額 − 支出済額 −
# 翌年度繰越額), 予算現額と支出済額との比較 (予算現額 − 支出済額).
#
# 一般会計, per 節:
#   報酬 60M; 4 × 14.5M = 58M paid.
#   一般管理費 給料 200M − 1.5M (流用 to 徴税費, 1/15) = 198.5M; 4 × 49M = 196M.
#   職員手当等 120M; 55M + 60M = 115M.
#   需用費 40M − 2M (流用 to 役務費, 11/20) = 38M; 9.8M + 12,345,678 + 10M + 1.2M (4/25)
#     = 33,345,678; unused 4,654,322.
#   役務費 10M + 2M = 12M; 5M + 6.5M = 11.5M.
#   徴税費 給料 50M + 1.5M = 51.5M; 3 × 12.5M + 13.9M = 51.4M.
#   扶助費 400M + 10M (12月補正) + 3M (予備費充用, 2/10) = 413M; 100 + 100 + 105 + 107
#     = 412M.  繰出金 150M, 2 × 75M.  清掃費 (the 衛生組合's 負担金) 60M, 2 × 30M.
#   工事請負費 100M + 50M = 150M; obligation 120M, paid 48M + 22M = 70M; 繰越明許費 50M;
#     unused 150 − 70 − 50 = 30M.
#   償還金 480M; 240M + 239,876,543 = 479,876,543.  予備費 20M − 3M = 17M, none paid.
#   → 総務管理費: 368.5M, −1.5M (−1.5 − 2 + 2), 196 + 115 + 33,345,678 + 11.5 = 355,845,678;
#     総務費: 420M, 0, 407,245,678;  歳出合計: 1,750M, 0, 1,637,122,221 (58 + 407,245,678
#     + 562 + 60 + 70 + 479,876,543), 50M, 1,750 − 1,637,122,221 − 50 = 62,877,779.
EXPENDITURE_SETTLEMENT = {
    "ippan": {
        ("", "議会費"): (60 * M, 0, 58 * M, 0, 2 * M, 2 * M),
        ("議会費", "議会費"): (60 * M, 0, 58 * M, 0, 2 * M, 2 * M),
        ("", "総務費"): (420 * M, 0, 407_245_678, 0, 12_754_322, 12_754_322),
        ("総務費", "総務管理費"): (368_500_000, -1_500_000, 355_845_678, 0, 12_654_322, 12_654_322),
        ("総務費", "徴税費"): (51_500_000, 1_500_000, 51_400_000, 0, 100_000, 100_000),
        ("", "民生費"): (563 * M, 3 * M, 562 * M, 0, 1 * M, 1 * M),
        ("民生費", "社会福祉費"): (563 * M, 3 * M, 562 * M, 0, 1 * M, 1 * M),
        ("", "衛生費"): (60 * M, 0, 60 * M, 0, 0, 0),
        ("衛生費", "清掃費"): (60 * M, 0, 60 * M, 0, 0, 0),
        ("", "土木費"): (150 * M, 0, 70 * M, 50 * M, 30 * M, 80 * M),
        ("土木費", "道路橋りょう費"): (150 * M, 0, 70 * M, 50 * M, 30 * M, 80 * M),
        ("", "公債費"): (480 * M, 0, 479_876_543, 0, 123_457, 123_457),
        ("公債費", "公債費"): (480 * M, 0, 479_876_543, 0, 123_457, 123_457),
        ("", "予備費"): (17 * M, -3 * M, 0, 0, 17 * M, 17 * M),
        ("予備費", "予備費"): (17 * M, -3 * M, 0, 0, 17 * M, 17 * M),
        ("", "歳出合計"): (1_750 * M, 0, 1_637_122_221, 50 * M, 62_877_779, 112_877_779),
    },
    # 需用費 15M, 12M paid; 療養給付費 825M, 4 × 200M + 24M (obligation, 4/25) = 824M;
    # 予備費 10M.
    "kokuho": {
        ("", "総務費"): (15 * M, 0, 12 * M, 0, 3 * M, 3 * M),
        ("総務費", "総務管理費"): (15 * M, 0, 12 * M, 0, 3 * M, 3 * M),
        ("", "保険給付費"): (825 * M, 0, 824 * M, 0, 1 * M, 1 * M),
        ("保険給付費", "療養諸費"): (825 * M, 0, 824 * M, 0, 1 * M, 1 * M),
        ("", "予備費"): (10 * M, 0, 0, 0, 10 * M, 10 * M),
        ("予備費", "予備費"): (10 * M, 0, 0, 0, 10 * M, 10 * M),
        ("", "歳出合計"): (850 * M, 0, 836 * M, 0, 14 * M, 14 * M),
    },
}

# 事項別明細書: each 節 (or 目, where the account stops there) by hand, with the columns of
# the 決算書; its 目, 項 and 款 rows are checked as the sums of these (and 款・項 against
# the 決算書 above).
REVENUE_LINES = {
    "ippan": {
        ("町税/町民税/個人", "現年課税分"): (
            300 * M,
            310 * M,
            305_500_000,
            0,
            4_500_000,
            5_500_000,
        ),
        ("町税/町民税/個人", "滞納繰越分"): (5 * M, 12 * M, 5 * M, 1_250_000, 5_750_000, 0),
        ("町税/町民税/法人", "現年課税分"): (40 * M, 42 * M, 42 * M, 0, 0, 2 * M),
        ("町税/固定資産税/固定資産税", "現年課税分"): (250 * M, 255 * M, 252 * M, 0, 3 * M, 2 * M),
        ("町税/固定資産税/固定資産税", "滞納繰越分"): (
            6 * M,
            8 * M,
            2_500_000,
            0,
            5_500_000,
            -3_500_000,
        ),
        ("地方交付税/地方交付税", "地方交付税"): (960 * M, 960 * M, 960 * M, 0, 0, 0),
        ("国庫支出金/国庫補助金", "土木費国庫補助金"): (60 * M, 40 * M, 40 * M, 0, 0, -20 * M),
        ("繰越金/繰越金", "繰越金"): (80 * M, 80 * M, 80 * M, 0, 0, 0),
        ("諸収入/雑入", "雑入"): (9 * M, 2 * M, 2 * M, 0, 0, -7 * M),
        ("町債/町債", "土木債"): (40 * M, 30 * M, 30 * M, 0, 0, -10 * M),
    },
    "kokuho": {
        ("国民健康保険税/国民健康保険税/一般被保険者国民健康保険税", "現年課税分"): (
            180 * M,
            185 * M,
            180 * M,
            0,
            5 * M,
            0,
        ),  # fmt: skip
        ("県支出金/県補助金", "保険給付費等交付金"): (500 * M, 490 * M, 490 * M, 0, 0, -10 * M),
        ("繰入金/他会計繰入金", "一般会計繰入金"): (150 * M, 150 * M, 150 * M, 0, 0, 0),
        ("繰越金/繰越金", "繰越金"): (20 * M, 25 * M, 25 * M, 0, 0, 5 * M),
    },
}
EXPENDITURE_LINES = {
    "ippan": {
        ("議会費/議会費/議会費", "報酬"): (60 * M, 0, 58 * M, 0, 2 * M, 2 * M),
        ("総務費/総務管理費/一般管理費", "給料"): (
            198_500_000,
            -1_500_000,
            196 * M,
            0,
            2_500_000,
            2_500_000,
        ),
        ("総務費/総務管理費/一般管理費", "職員手当等"): (120 * M, 0, 115 * M, 0, 5 * M, 5 * M),
        ("総務費/総務管理費/一般管理費", "需用費"): (
            38 * M,
            -2 * M,
            33_345_678,
            0,
            4_654_322,
            4_654_322,
        ),
        ("総務費/総務管理費/一般管理費", "役務費"): (
            12 * M,
            2 * M,
            11_500_000,
            0,
            500_000,
            500_000,
        ),
        ("総務費/徴税費/賦課徴収費", "給料"): (
            51_500_000,
            1_500_000,
            51_400_000,
            0,
            100_000,
            100_000,
        ),
        ("民生費/社会福祉費/社会福祉総務費", "扶助費"): (413 * M, 3 * M, 412 * M, 0, 1 * M, 1 * M),
        ("民生費/社会福祉費/社会福祉総務費", "繰出金"): (150 * M, 0, 150 * M, 0, 0, 0),
        ("衛生費/清掃費/塵芥処理費", "負担金補助及び交付金"): (60 * M, 0, 60 * M, 0, 0, 0),
        ("土木費/道路橋りょう費/道路新設改良費", "工事請負費"): (
            150 * M,
            0,
            70 * M,
            50 * M,
            30 * M,
            80 * M,
        ),
        ("公債費/公債費/元金", "償還金利子及び割引料"): (
            480 * M,
            0,
            479_876_543,
            0,
            123_457,
            123_457,
        ),
        ("予備費/予備費", "予備費"): (17 * M, -3 * M, 0, 0, 17 * M, 17 * M),
    },
    "kokuho": {
        ("総務費/総務管理費/一般管理費", "需用費"): (15 * M, 0, 12 * M, 0, 3 * M, 3 * M),
        ("保険給付費/療養諸費/一般被保険者療養給付費", "負担金補助及び交付金"): (
            825 * M,
            0,
            824 * M,
            0,
            1 * M,
            1 * M,
        ),  # fmt: skip
        ("予備費/予備費", "予備費"): (10 * M, 0, 0, 0, 10 * M, 10 * M),
    },
}

# 実質収支に関する調書: 歳入総額, 歳出総額, 歳入歳出差引額 (形式収支), 翌年度へ繰り越すべき財源
# (継続費逓次繰越額, 繰越明許費繰越額, 事故繰越し繰越額), 実質収支額.  一般会計: the 繰越明許費 of
# 50M less what it has not yet received (国庫補助金 20M, 町債 10M) is the 20M the surplus
# keeps: 1,719M − 1,637,122,221 = 81,877,779, less 20M = 61,877,779.
REAL_BALANCE = {
    "ippan": (1_719 * M, 1_637_122_221, 81_877_779, 20 * M, 0, 20 * M, 0, 61_877_779),
    "kokuho": (845 * M, 836 * M, 9 * M, 0, 0, 0, 0, 9 * M),
}
REAL_BALANCE_LABELS = (
    "歳入総額",
    "歳出総額",
    "歳入歳出差引額",
    "翌年度へ繰り越すべき財源",
    "継続費逓次繰越額",
    "繰越明許費繰越額",
    "事故繰越し繰越額",
    "実質収支額",
)
SEGMENT_NAMES = {"ippan": "一般会計", "kokuho": "国民健康保険特別会計"}
ORGANISATION = "さくら町（例）"


@pytest.fixture(scope="module")
def journal():
    ledger = load_ledger(ACTUALS, cache=False)
    assert ledger.problems == []
    return ledger


@pytest.fixture(scope="module")
def settled(journal):
    return settlement(journal.entries)


def by_line(table) -> dict[tuple[str, str], tuple]:
    return {(row.section, row.label): row.values for row in table.rows if row.values is not None}


def test_the_example_says_its_figures_are_made_up():
    for ledger in (BUDGET, ACTUALS):
        assert "MADE-UP FIGURES" in ledger.read_text(encoding="utf-8").splitlines()[0]


def test_both_ledgers_pass_yosan_and_bean_check():
    from tests.conftest import passes_bean_check_and_fava

    for ledger in (BUDGET, ACTUALS):
        result = yosan("check", "--ledger", ledger, "--no-cache")
        assert result.exit_code == 0, result.stderr
        text = passes_bean_check_and_fava(ledger, "YosanStatements/?by_segment=1")
        assert 'class="yosan-errors"' not in text


def test_the_budget_balances_with_its_carried_surplus():
    """歳入 includes 繰越金: 歳入合計 = 歳出合計 in every 会計, as adopted and as revised."""
    result = yosan("export", "--unit", "yen", "--ledger", BUDGET, "--no-cache")
    assert result.exit_code == 0, result.stderr
    rows = {(r["line"], r["segment"]): int(r["amount"]) for r in result.rows()}
    for segment, total in (("ippan", 1_750 * M), ("kokuho", 850 * M)):
        assert rows[("歳入合計", segment)] == rows[("歳出合計", segment)] == total
        assert rows[("歳入歳出差引", segment)] == 0
    assert rows[("繰越金", "ippan")] == 80 * M  # 50M, and 30M of the 12月補正
    original = revisions.statements_as_of(load_ledger(BUDGET, cache=False).entries, "当初")
    assert original.figure("budget:歳入合計", "ippan") == 1_690 * M
    assert original.figure("budget:歳出合計", "ippan") == 1_690 * M


@pytest.mark.parametrize("segment", ["ippan", "kokuho"])
def test_the_settlement_is_the_hand_table(settled, segment):
    tables = settlement_tables(settled, YEN, segment=segment, organisation=ORGANISATION)
    revenue, expenditure = tables
    assert revenue.title == f"{SEGMENT_NAMES[segment]}歳入歳出決算書（歳入）"
    assert expenditure.title == f"{SEGMENT_NAMES[segment]}歳入歳出決算書（歳出）"
    assert revenue.headers == (
        "予算現額", "調定額", "収入済額", "不納欠損額", "収入未済額", "予算現額と収入済額との比較",
    )  # fmt: skip
    assert expenditure.headers == (
        "予算現額", "充用・流用増減", "支出済額", "翌年度繰越額", "不用額",
        "予算現額と支出済額との比較",
    )  # fmt: skip
    assert by_line(revenue) == REVENUE_SETTLEMENT[segment]
    assert by_line(expenditure) == EXPENDITURE_SETTLEMENT[segment]
    assert list(by_line(revenue)) == list(REVENUE_SETTLEMENT[segment])  # in the ledger's order


def node_sums(lines: dict[tuple[str, str], tuple]) -> dict[tuple[str, str], tuple]:
    """Every 款, 項 and 目 above the hand-worked lines, as the sum of its lines."""
    sums: dict[tuple[str, str], list[int]] = {}
    for (section, label), values in lines.items():
        parts = [*section.split("/"), label]
        for depth in range(1, len(parts)):
            key = ("/".join(parts[: depth - 1]), parts[depth - 1])
            found = sums.setdefault(key, [0] * len(values))
            for i, value in enumerate(values):
                found[i] += value
    return {key: tuple(values) for key, values in sums.items()}


@pytest.mark.parametrize("segment", ["ippan", "kokuho"])
def test_the_details_are_the_hand_table(settled, segment):
    revenue, expenditure = details_tables(settled, YEN, segment=segment)
    assert revenue.title == f"{SEGMENT_NAMES[segment]}歳入歳出決算事項別明細書（歳入）"
    for table, lines, settled_table in (
        (revenue, REVENUE_LINES[segment], REVENUE_SETTLEMENT[segment]),
        (expenditure, EXPENDITURE_LINES[segment], EXPENDITURE_SETTLEMENT[segment]),
    ):
        got = by_line(table)
        expected = {**node_sums(lines), **lines}
        total = next(key for key in settled_table if key[1].endswith("合計"))
        assert got == {**expected, total: settled_table[total]}
        for key, values in settled_table.items():  # 款 and 項, as the 決算書 has them
            assert got[key] == values


@pytest.mark.parametrize("segment", ["ippan", "kokuho"])
def test_the_real_balance_is_the_hand_table(settled, segment):
    (table,) = real_balance_tables(settled, YEN, segment=segment)
    assert table.title == f"{SEGMENT_NAMES[segment]}実質収支に関する調書"
    assert [row.label for row in table.rows] == list(REAL_BALANCE_LABELS)
    assert tuple(row.values[0] for row in table.rows) == REAL_BALANCE[segment]


def test_the_total_of_the_accounts_adds_them(settled):
    """`total`: the 会計 added together, line by line (単純合計)."""
    revenue, expenditure = settlement_tables(settled, YEN, segment=TOTAL)
    assert revenue.title == "全会計歳入歳出決算書（歳入）"
    got = by_line(revenue)
    assert got[("", "歳入合計")] == tuple(
        a + b
        for a, b in zip(
            REVENUE_SETTLEMENT["ippan"][("", "歳入合計")],
            REVENUE_SETTLEMENT["kokuho"][("", "歳入合計")],
            strict=True,
        )
    )
    assert got[("", "繰越金")] == (100 * M, 105 * M, 105 * M, 0, 0, 5 * M)
    (real,) = real_balance_tables(settled, YEN, segment=TOTAL)
    assert real.rows[-1].values == (61_877_779 + 9 * M,)


def test_without_a_segment_each_account_has_its_settlement(settled):
    tables = settlement_tables(settled, YEN)
    assert [t.title for t in tables] == [
        "一般会計歳入歳出決算書（歳入）",
        "一般会計歳入歳出決算書（歳出）",
        "国民健康保険特別会計歳入歳出決算書（歳入）",
        "国民健康保険特別会計歳入歳出決算書（歳出）",
    ]
    assert tables == settlement_tables(settled, YEN, by_segment=True)
    assert all(t.period == "令和9年度（令和10年5月31日現在）" for t in tables)
    assert "（注）出納整理期間（令和10年5月31日まで）の収入・支出を含む。" in tables[0].notes


def test_the_settlement_agrees_with_the_statements_of_the_journal(journal, settled):
    """An independent path: the engine's 歳入歳出 statement of the journal (its lines fed by
    the accounts through the layout) gives each 項's 収入済額 and 支出済額."""
    statements = journal.statements
    frame = settlement_frame(settled, YEN)
    checked = 0
    for row in frame.itertuples(index=False):
        if not row.section or row.segment == TOTAL:
            continue
        reference = f"budget:{row.line}"
        found = statements.layouts.find("budget", row.line) or statements.layouts.find(
            "budget", f"{row.section}/{row.line}"
        )
        assert found is not None, reference
        figure = statements.figure(found.ref, row.segment)
        assert figure == (row.received if row.statement == "revenue" else row.paid), reference
        checked += 1
    assert checked == 22


def test_the_budget_column_is_the_budget_ledgers_own(journal, settled):
    """予算現額 less the transfers is the budget ledger's statement of the version in force
    (当初 + 12月補正), line by line: the engine's figures of the budget, another path."""
    found = actuals_of(journal.entries)
    revised = revisions.statements_as_of(found.budget_entries, None)
    for row in settlement_frame(settled, YEN).itertuples(index=False):
        if not row.section or row.segment == TOTAL:
            continue
        line = revised.layouts.find("budget", row.line) or revised.layouts.find(
            "budget", f"{row.section}/{row.line}"
        )
        transfers = row.transfers if row.statement == "expenditure" else 0
        assert revised.figure(line.ref, row.segment) == row.budget - transfers, row.line


# ---------------------------------------------------------------------------------------
# As of a day: --as-of 3月31日 leaves out the closing period; the execution report.

# Through 2028-03-31, the closing period's receipts (一般会計: 40M + 2M + 3.5M + 30M + 0.2M
# = 75.7M; 国保: 2M) and payments (需用費 1.2M; 療養給付費 24M) are not yet made.
AS_OF_YEAR_END = {
    "ippan": {"received": 1_643_300_000, "paid": 1_635_922_221, "outstanding": 94_450_000},
    "kokuho": {"received": 843 * M, "paid": 812 * M, "outstanding": 7 * M},
}


def test_as_of_the_years_end_the_closing_period_is_left_out(journal):
    day = datetime.date(2028, 3, 31)
    settled = settlement(journal.entries, day)
    assert not settled.settled
    for segment, expected in AS_OF_YEAR_END.items():
        revenue = settled.rows(segment, "Income", 0).iloc[-1]
        expenditure = settled.rows(segment, "Expenses", 0).iloc[-1]
        assert int(revenue["received"]) == expected["received"]
        assert int(revenue["outstanding"]) == expected["outstanding"]
        assert int(expenditure["paid"]) == expected["paid"]
    tables = settlement_tables(settled, YEN, segment="ippan")
    assert tables[0].period == "令和9年度（令和10年3月31日現在）"
    assert "（注）出納整理期間（令和10年5月31日まで）の収入・支出を含まない。" in tables[0].notes
    (real,) = real_balance_tables(settled, YEN, segment="ippan")
    # 1,643,300,000 − 1,635,922,221 = 7,377,779, less the 20M kept for the 繰越明許費.
    assert [row.values[0] for row in real.rows][2:] == [
        7_377_779,
        20 * M,
        0,
        20 * M,
        0,
        -12_622_221,
    ]


def test_a_day_of_the_closing_period_counts_what_is_made_by_then(journal):
    settled = settlement(journal.entries, datetime.date(2028, 4, 25))
    ippan = settled.rows("ippan", "Income", 0).iloc[-1]
    # by 4/25 of the closing period's receipts only the subsidy (4/20) is in: 1,643.3M + 40M
    assert int(ippan["received"]) == 1_683_300_000
    assert int(settled.rows("ippan", "Expenses", 0).iloc[-1]["paid"]) == 1_637_122_221
    notes = settlement_tables(settled, YEN, segment="ippan")[0].notes
    assert (
        "（注）出納整理期間中（令和10年5月31日まで）の令和10年4月25日までの収入・支出を含む。"
        in notes
    )


# 予算執行状況 through 2027-09-30 (一般会計), by hand: 扶助費 400M (no revision yet),
# 100M + 100M paid; 工事請負費 100M, nothing committed; 需用費 40M (no 流用 yet),
# 9.8M + 12,345,678; 町民税 個人 現年 300M, assessed 310M, received 100M + 80M (60.0 %).
# 歳出合計 paid: 29M + 98M + 25M + 55M + 22,145,678 + 5M + 200M + 75M + 240M + 30M (清掃費,
# the 衛生組合's 負担金, 5/20) = 779,145,678, of 1,690M: 46.10 % → 46.1.
EXECUTION = {
    ("民生費/社会福祉費/社会福祉総務費", "扶助費"): (400 * M, 0, 200 * M, 200 * M, "50.0", 200 * M),
    ("土木費/道路橋りょう費/道路新設改良費", "工事請負費"): (100 * M, 0, 0, 0, "0.0", 100 * M),
    ("総務費/総務管理費/一般管理費", "需用費"): (
        40 * M,
        0,
        22_145_678,
        22_145_678,
        "55.4",
        17_854_322,
    ),
    ("", "歳出合計"): (1_690 * M, 0, 779_145_678, 779_145_678, "46.1", 910_854_322),
}
EXECUTION_REVENUE = {
    ("町税/町民税/個人", "現年課税分"): (300 * M, 310 * M, 180 * M, "60.0"),
    ("町税/町民税/法人", "現年課税分"): (40 * M, 18 * M, 18 * M, "45.0"),
    ("繰越金/繰越金", "繰越金"): (50 * M, 80 * M, 80 * M, "160.0"),
}


def test_the_execution_report_of_the_year_so_far(journal):
    settled = settlement(journal.entries, datetime.date(2027, 9, 30))
    revenue, expenditure = budget_execution_tables(settled, YEN, segment="ippan")
    assert revenue.headers == ("予算現額", "調定額", "収入済額", "収入率（%）")
    assert expenditure.headers == (
        "予算現額", "充用・流用増減", "負担行為額", "支出済額", "執行率（%）", "予算残額",
    )  # fmt: skip
    assert revenue.period == "令和9年度（令和9年9月30日現在）"
    got = by_line(expenditure)
    for key, values in EXECUTION.items():
        assert got[key] == values, key
    got = by_line(revenue)
    for key, values in EXECUTION_REVENUE.items():
        assert got[key] == values, key


def test_a_commitment_not_yet_paid_is_in_the_execution_report(journal):
    """On 2028-01-31 the road contract (120M, 12/20) is committed and 48M of it paid: 予算残額
    is the 150M of the revised budget less the contract."""
    settled = settlement(journal.entries, datetime.date(2028, 1, 31))
    (_revenue, expenditure) = budget_execution_tables(settled, YEN, segment="ippan")
    row = by_line(expenditure)[("土木費/道路橋りょう費/道路新設改良費", "工事請負費")]
    assert row == (150 * M, 0, 120 * M, 48 * M, "32.0", 30 * M)


# ---------------------------------------------------------------------------------------
# The CSV: statement,section,line,segment,budget,transfers,assessed,received,written_off,
# outstanding,committed,paid,carried_over,unused; blank where a column does not apply.


REVENUE_COLUMNS = ("budget", "assessed", "received", "written_off", "outstanding")
EXPENDITURE_COLUMNS = ("budget", "transfers", "paid", "carried_over", "unused")


def test_the_csv_is_the_contract(settled, tmp_path):
    path = tmp_path / "settlement.csv"
    write_rows(settlement_frame(settled, YEN), path)
    text = path.read_text(encoding="utf-8")
    header, *lines = text.splitlines()
    assert header == ",".join(TIDY_COLUMNS)
    assert header == (
        "statement,section,line,segment,budget,transfers,assessed,received,written_off,"
        "outstanding,committed,paid,carried_over,unused"
    )
    assert "revenue,町税,町民税,ippan,345000000,,364000000,352500000,1250000,10250000,,,," in lines
    assert (
        "expenditure,土木費,道路橋りょう費,ippan,150000000,0,,,,,120000000,70000000,50000000,30000000"
        in lines
    )
    frame = settlement_frame(settled, YEN)
    for segment in ("ippan", "kokuho"):
        mine = frame[frame["segment"] == segment]
        for statement, table, columns in (
            ("revenue", REVENUE_SETTLEMENT, REVENUE_COLUMNS),
            ("expenditure", EXPENDITURE_SETTLEMENT, EXPENDITURE_COLUMNS),
        ):
            rows = mine[mine["statement"] == statement]
            got = {
                (r.section, r.line): tuple(int(getattr(r, c)) for c in columns)
                for r in rows.itertuples(index=False)
            }
            assert got == {key: values[:5] for key, values in table[segment].items()}
    detail = settlement_frame(settled, UNITS["thousand"], depth=4)
    row = detail[(detail["line"] == "需用費") & (detail["segment"] == "ippan")].iloc[0]
    assert row["section"] == "総務費/総務管理費/一般管理費"
    assert int(row["paid"]) == 33_346  # 33,345,678 yen, rounded half-up on its own


def test_the_csv_leaves_blank_what_does_not_apply(settled):
    frame = settlement_frame(settled, YEN)
    revenue = frame[frame["statement"] == "revenue"]
    expenditure = frame[frame["statement"] == "expenditure"]
    for column in FRAME_COLUMNS:
        applies = {
            "revenue": column in ("budget", "assessed", "received", "written_off", "outstanding"),
            "expenditure": column
            in ("budget", "transfers", "committed", "paid", "carried_over", "unused"),
        }
        assert revenue[column].notna().all() == applies["revenue"], column
        assert revenue[column].isna().all() == (not applies["revenue"]), column
        assert expenditure[column].notna().all() == applies["expenditure"], column


def test_the_real_balance_as_rows(settled):
    frame = real_balance_frame(settled, YEN)
    ippan = frame[frame["segment"] == "ippan"]
    assert list(ippan["line"]) == list(REAL_BALANCE_LABELS)
    assert tuple(ippan["amount"]) == REAL_BALANCE["ippan"]


# ---------------------------------------------------------------------------------------
# Every format: the tables drawn as text, HTML, Excel and PDF carry the hand-worked figures.


def shown(value) -> str:
    if isinstance(value, str):
        return value
    return f"▲{-value:,}" if value < 0 else f"{value:,}"


def all_tables(settled) -> list:
    return [
        *settlement_tables(settled, YEN, organisation=ORGANISATION),
        *details_tables(settled, YEN, segment="ippan", organisation=ORGANISATION),
        *real_balance_tables(settled, YEN, organisation=ORGANISATION),
    ]


def test_the_text_shows_every_figure(settled):
    text = write_report(settlement_tables(settled, YEN, segment="ippan"), "text", None)
    lines = text.splitlines()
    for (_section, label), values in EXPENDITURE_SETTLEMENT["ippan"].items():
        found = [
            line for line in lines if line.strip().startswith(label) and shown(values[2]) in line
        ]
        assert found, label
        assert found[0].split()[1:] == [shown(v) for v in values]
    assert "一般会計歳入歳出決算書（歳出）" in text and "（単位：円）" in text


class Cells(HTMLParser):
    """The text of each table row, keyed by its data-ref."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.current: list[str] | None = None
        self.text: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-ref" in attrs:
            self.current = self.rows.setdefault(attrs["data-ref"], [])
        elif tag in ("td", "th") and self.current is not None:
            self.text = ""

    def handle_data(self, text):
        if self.text is not None:
            self.text += text

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.current is not None and self.text is not None:
            self.current.append(self.text.strip())
            self.text = None
        elif tag == "tr":
            self.current = None


def test_the_html_shows_every_figure(settled):
    tables = settlement_tables(settled, YEN, segment="kokuho")
    page = write_report(tables, "html", None, Options(title="令和9年度さくら町決算（例）"))
    parser = Cells()
    parser.feed(page)
    for table in tables:
        for row in table.rows:
            assert parser.rows[row.ref] == [row.label, *(shown(v) for v in row.values)]
    assert parser.rows["revenue:Income"][-1] == "▲5,000,000"  # 歳入合計's 比較


def test_the_workbook_holds_every_figure_as_a_number(settled, tmp_path):
    tables = all_tables(settled)
    path = tmp_path / "settlement.xlsx"
    write_report(tables, "xlsx", path, Options(title="令和9年度さくら町決算（例）"))
    book = openpyxl.load_workbook(path)
    assert len(book.sheetnames) == len(tables)
    sheet = book["一般会計歳入歳出決算書（歳出）"]
    rows = {row[0].value: [c.value for c in row[1:]] for row in sheet.iter_rows() if row[0].value}
    for (_section, label), values in EXPENDITURE_SETTLEMENT["ippan"].items():
        assert rows[label] == list(values), label  # numbers, not text
    assert sheet.page_setup.orientation == "landscape"
    real = book["一般会計実質収支に関する調書"]
    figures = {row[0].value: row[1].value for row in real.iter_rows() if row[0].value}
    assert figures["実質収支額"] == 61_877_779


@pytest.fixture(scope="module")
def pdf(settled, tmp_path_factory):
    require(pdf_toolchain_missing())
    path = tmp_path_factory.mktemp("town") / "settlement.pdf"
    write_report(all_tables(settled), "pdf", path, Options(title="令和9年度さくら町決算（例）"))
    return path


def test_the_pdf_reads_as_the_hand_tables(pdf):
    text = subprocess.run(
        [tool("pdftotext"), "-layout", pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = text.splitlines()
    for tables in (REVENUE_SETTLEMENT["ippan"], EXPENDITURE_SETTLEMENT["kokuho"]):
        for (_section, label), values in tables.items():
            figures = [shown(v) for v in values]
            assert any(
                line.split()[-len(figures) :] == figures for line in lines if label in line
            ), label
    for label, value in zip(REAL_BALANCE_LABELS, REAL_BALANCE["ippan"], strict=True):
        assert any(label in line and line.split()[-1] == shown(value) for line in lines), label


def test_the_pdf_prints_the_settlement_landscape(pdf, tmp_path):
    from PIL import Image

    subprocess.run(
        [tool("pdftoppm"), "-r", "30", "-png", "-f", "1", "-l", "1", pdf, tmp_path / "page"],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png)
    assert image.width > image.height  # a 決算書 page is wide


# ---------------------------------------------------------------------------------------
# yosan rollover of the journal: next year's budget opens with what this year carried.


@pytest.fixture(scope="module")
def rolled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rollover") / "fy2028"
    result = yosan("rollover", "--ledger", ACTUALS, "-o", folder)
    assert result.exit_code == 0, result.stderr
    return folder / "main.beancount"


ROAD = "Expenses:08-土木費:02-道路橋りょう費:02-道路新設改良費:14-工事請負費"


def test_rollover_writes_next_years_budget_with_its_closing_period(rolled):
    text = rolled.read_text("utf-8")
    assert '"令和10年度さくら町予算（例）" 2028-04-01 2029-03-31' in text
    assert 'custom "yosan-local-government" 2029-05-31' in text
    assert 'custom "yosan-item-transfers"' in text and '"給料"' in text
    result = yosan("check", "--ledger", rolled, "--no-cache")
    assert result.exit_code == 0, result.stderr


def test_rollover_carries_the_carry_over_and_its_funds(rolled):
    """The 繰越明許費 of 50,000千円 opens next year's 工事請負費 (前年度繰越), funded by the
    subsidy and the bond not yet received (20,000千円, 10,000千円) and 20,000千円 of 繰越金."""
    from yosan_ledger.plugins.core.appropriations import appropriations

    entries = load_ledger(rolled, cache=False).entries
    budgeted = appropriations(entries)
    assert budgeted.carried == {
        (ROAD, "ippan"): 50 * M,
        ("Income:14-国庫支出金:02-国庫補助金:03-土木費国庫補助金", "ippan"): 20 * M,
        ("Income:20-町債:01-町債:01-土木債", "ippan"): 10 * M,
        ("Income:18-繰越金:01-繰越金:01-繰越金", "ippan"): 20 * M,
    }
    assert budgeted.original == {}  # the year's own budget is the accountant's to write
    # No opening balance: the year's surplus comes in as 繰越金, not as cash brought forward.
    assert "前期末残高" not in (rolled.parent / "segments" / "ippan.beancount").read_text("utf-8")


def test_next_years_settlement_shows_the_carry_over_in_its_budget(rolled):
    journal = rolled.parent / "actuals" / "main.beancount"
    journal.parent.mkdir()
    journal.write_text(
        'option "operating_currency" "JPY"\n'
        '2028-04-01 custom "yosan-actuals" "../main.beancount"\n'
        '2028-04-01 custom "yosan-layouts" "../layouts"\n'
        'plugin "yosan_ledger.plugins.all"\n'
        'include "../accounts.beancount"\n'
        'include "../segments.beancount"\n'
        '2028-05-10 * "町道桜通線改良工事 残額" #ippan\n'
        f"  {ROAD}  50000000 JPY\n"
        "  Assets:1-歳計現金\n",
        "utf-8",
    )
    ledger = load_ledger(journal, cache=False)
    assert ledger.problems == []
    (_revenue, expenditure) = details_tables(settlement(ledger.entries), YEN, segment="ippan")
    road = by_line(expenditure)[("土木費/道路橋りょう費/道路新設改良費", "工事請負費")]
    assert road == (50 * M, 0, 50 * M, 0, 0, 0)
    row = settlement(ledger.entries).figures.query("key == @ROAD and segment == 'ippan'").iloc[0]
    assert (int(row["carried_in"]), int(row["original"])) == (50 * M, 0)


def test_rollover_of_the_budget_carries_nothing(tmp_path):
    result = yosan("rollover", "--ledger", BUDGET, "-o", tmp_path / "fy2028")
    assert result.exit_code == 0, result.stderr
    assert "Nothing was carried over." in (tmp_path / "fy2028" / "carryovers.beancount").read_text(
        "utf-8"
    )
    assert yosan("check", "--ledger", tmp_path / "fy2028" / "main.beancount").exit_code == 0


def test_the_journals_statements_say_they_hold_the_closing_period(journal):
    from yosan_ledger.reports.tables.statements import statement_table

    flows = statement_table(journal.statements, "budget", YEN)
    assert flows.period == (
        "（令和9年4月1日から令和10年3月31日まで・出納整理期間令和10年5月31日までを含む）"
    )
    assert statement_table(journal.statements, "cash", YEN).period == "（令和10年5月31日現在）"
    # The cash at the settlement is the 形式収支 of both 会計 (81,877,779 + 9,000,000).
    assert journal.statements.figure("cash:歳計現金") == 90_877_779
