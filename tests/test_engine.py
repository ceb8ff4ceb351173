"""The engine on the small test ledger, against figures worked out by hand.

The hand computation is in the comments of each expected table: every figure
follows from the transactions of tests/ledgers/small/main.beancount.
"""

from __future__ import annotations

import pytest
from beancount import loader

from tests.conftest import SMALL, yosan
from yosan_ledger.plugins.core import results
from yosan_ledger.plugins.core.engine import compute_statements, tidy
from yosan_ledger.plugins.core.units import UNITS


@pytest.fixture(scope="module")
def statements():
    entries, errors, _ = loader.load_file(str(SMALL))
    assert errors == []
    return compute_statements(entries, results.layouts(entries))


# (row, alpha, beta) in yen; total = alpha + beta is checked separately.
BALANCE_SHEET = [
    # alpha: 1,000,000 + 1,900,000 − 1,460,000 − 64,000 + 200,000 + 3,000 + 1,000
    #        + 80,000 − 70,000 − 5,000;  beta: 100,000 + 320,000 − 400,000
    ("現金及び預金", 1_585_000, 20_000),
    ("未収金", 400_000, 30_000),  # 300,000 + 2,000,000 − 1,900,000; 50,000 + 300,000 − 320,000
    ("有価証券", 300_000, 0),  # 500,000 − 200,000 redeemed
    ("流動資産合計", 2_285_000, 50_000),
    ("建物", 375_000, 0),  # 400,000 − 25,000 depreciation
    ("備品", 70_000, 0),  # bought 70,000; beta's 10,000 written off
    ("有形固定資産/リース資産", 210_000, 0),  # 200,000 − 20,000 + 30,000 new lease
    ("有形固定資産合計", 655_000, 0),
    ("保証金", 55_000, 0),
    ("投資その他の資産合計", 55_000, 0),
    ("固定資産合計", 710_000, 0),
    ("資産合計", 2_995_000, 50_000),
    ("未払金", 300_000, 180_000),  # 250,000 + 1,500,000 − 1,450,000; 200,000 + 380,000 − 400,000
    ("未払法人税", 10_000, 0),
    ("賞与引当金", 35_000, 0),
    ("流動負債/リース債務", 0, 0),  # 60,000 repaid
    ("流動負債合計", 345_000, 180_000),
    ("長期前受金", 180_000, 0),  # 100,000 + 80,000 received
    ("固定負債/リース債務", 170_000, 0),  # 140,000 + 30,000 new lease
    ("固定負債合計", 350_000, 0),
    ("負債合計", 695_000, 180_000),
    ("地方公共団体出資金", 500_000, 0),
    ("積立金", 1_800_000, -130_000),  # 1,360,000 + 440,000; −40,000 − 90,000
    ("利益剰余金合計", 1_800_000, -130_000),
    ("純資産合計", 2_300_000, -130_000),
    ("負債純資産合計", 2_995_000, 50_000),
]

INCOME_STATEMENT = [
    ("地方公共団体負担金収入", 0, 300_000),
    ("負担金収入", 500_000, 0),
    ("事業収入", 1_500_000, 0),
    ("営業収益合計", 2_000_000, 300_000),
    ("事業費", 1_245_000, 380_000),  # 1,200,000 + 40,000 depreciation + 5,000 provision
    ("一般管理費", 315_000, 0),  # 300,000 + 10,000 tax + 5,000 depreciation
    ("営業費用合計", 1_560_000, 380_000),
    ("営業利益", 440_000, -80_000),
    ("受取利息", 1_000, 0),
    ("有価証券利息", 2_000, 0),
    ("雑収入", 1_000, 0),
    ("営業外収益合計", 4_000, 0),
    ("支払利息", 4_000, 0),
    ("営業外費用合計", 4_000, 0),
    ("経常利益", 440_000, -80_000),
    ("固定資産除却損", 0, 10_000),
    ("特別損失合計", 0, 10_000),
    ("当期純利益", 440_000, -90_000),
]

CASH_FLOW_PLAN = [
    ("営業収益", 2_000_000, 300_000),
    ("利息収入", 3_000, 0),
    ("資金収入/雑収入", 1_000, 0),
    ("有価証券償還金", 200_000, 0),
    ("前期末未収金", 300_000, 50_000),
    ("当期末未収金", -400_000, -30_000),
    ("資金収入/その他", 80_000, 0),
    ("資金収入合計", 2_184_000, 320_000),
    ("資金支出/事業費", 1_200_000, 380_000),  # depreciation and provision left out
    ("資金支出/一般管理費", 310_000, 0),  # 300,000 + 10,000 tax accrued to 未払法人税
    ("固定資産取得費", 70_000, 0),  # the new lease is not cash
    ("保証金支出", 5_000, 0),
    ("リース債務返済支出", 64_000, 0),  # 60,000 principal + 4,000 interest
    ("前期末未払金", 260_000, 200_000),  # 未払金 250,000 + 未払法人税 10,000
    ("当期末未払金", -310_000, -180_000),
    ("資金支出/その他", 0, 0),
    ("資金支出合計", 1_599_000, 400_000),
    ("資金収支差額", 585_000, -80_000),
    ("前期末現金及び預金", 1_000_000, 100_000),
    ("当期末現金及び預金", 1_585_000, 20_000),
]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [("bs", BALANCE_SHEET), ("pl", INCOME_STATEMENT), ("cf", CASH_FLOW_PLAN)],
)
def test_statements_match_the_hand_computation(statements, statement, expected):
    for key, alpha, beta in expected:
        ref = f"{statement}:{key}"
        assert statements.figure(ref, "alpha") == alpha, ref
        assert statements.figure(ref, "beta") == beta, ref
        assert statements.figure(ref, "total") == alpha + beta, ref


def test_rows_not_listed_are_zero(statements):
    listed = {
        statements.layouts.row(f"{s}:{key}").key
        for s, table in (("bs", BALANCE_SHEET), ("pl", INCOME_STATEMENT), ("cf", CASH_FLOW_PLAN))
        for key, _, _ in table
    }
    for statement, frame in statements.figures.items():
        for key in frame.index:
            if key not in listed:
                assert (frame.loc[key] == 0).all(), f"{statement}:{key}"


def test_segments_sum_to_the_total(statements):
    for frame in statements.figures.values():
        assert (frame[["alpha", "beta"]].sum(axis=1) == frame["total"]).all()


def test_closing_cash_of_the_plan_is_the_balance_sheet_cash(statements):
    for column in ("alpha", "beta", "total"):
        assert statements.figure("cf:当期末現金及び預金", column) == statements.figure(
            "bs:現金及び預金", column
        )
    assert statements.failures == ()


def test_amounts_are_exact_integers(statements):
    for frame in statements.figures.values():
        assert all(str(dtype) == "int64" for dtype in frame.dtypes)


def test_export_csv_carries_every_figure_signed(statements):
    result = yosan("export", "--unit", "yen", "--ledger", SMALL)
    assert result.exit_code == 0, result.stderr
    rows = result.rows()
    assert list(rows[0]) == ["statement", "section", "line", "segment", "amount", "unit"]
    found = {
        (r["statement"], r["section"], r["line"], r["segment"]): int(r["amount"]) for r in rows
    }
    assert found[("cf", "資金支出", "当期末未払金", "total")] == -490_000
    assert found[("cf", "資金収入", "当期末未収金", "beta")] == -30_000
    assert found[("pl", "", "営業利益", "beta")] == -80_000
    assert found[("bs", "流動資産", "流動資産合計", "alpha")] == 2_285_000
    assert found[("bs", "有形固定資産", "リース資産", "alpha")] == 210_000
    assert found[("bs", "", "負債純資産合計", "total")] == 3_045_000
    assert len(rows) == len(tidy(statements, UNITS["yen"]))


def test_export_in_thousands_rounds_half_up():
    result = yosan("export", "--ledger", SMALL)
    found = {(r["statement"], r["line"], r["segment"]): int(r["amount"]) for r in result.rows()}
    assert found[("bs", "現金及び預金", "total")] == 1_605
    assert found[("cf", "当期末未払金", "total")] == -490
