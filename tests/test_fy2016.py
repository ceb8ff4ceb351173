"""The FY2016 J-LIS ledger reproduces every published figure, and the statements
hold together.  Figures are read from `yosan export`, as other tools read them."""

from __future__ import annotations

from collections import defaultdict

import pytest
from beancount import loader
from beancount.core import data

from tests.conftest import FY2016, copy_ledger, yosan
from yosan_ledger.plugins.core.published import PUBLISHED

SEGMENTS = [
    "general",
    "resident_id",
    "jpki",
    "mynumber_card",
    "intermediate_server",
    "lgwan",
    "resident_id_related",
]


@pytest.fixture(scope="module")
def export():
    result = yosan("export", "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    figures = {}
    for row in result.rows():
        key = (row["statement"], row["section"], row["line"], row["segment"])
        assert key not in figures
        figures[key] = int(row["amount"])
    return figures


def figure(export, statement, line, segment, section=None):
    found = [
        amount
        for (s, sec, label, seg), amount in export.items()
        if s == statement and label == line and seg == segment and section in (None, sec)
    ]
    assert len(found) == 1, (statement, line, segment, section, found)
    return found[0]


@pytest.fixture(scope="module")
def published():
    """The published figures as transcribed into ledger/published/ (not from the engine)."""
    entries, _, _ = loader.load_file(str(FY2016))
    return [
        [v.value for v in e.values]
        for e in entries
        if isinstance(e, data.Custom) and e.type == PUBLISHED
    ]


def test_the_ledger_checks_clean():
    result = yosan("check", "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr


def test_every_published_figure_matches_the_export(export, published):
    assert len(published) == 712  # 89 rows of three statements × (7 segments + total)
    for statement, row, segment, number, unit in published:
        assert unit == "千円"
        section, _, label = row.rpartition("/")
        assert figure(export, statement, label, segment, section or None) == number, row


def test_every_figure_of_the_export_is_published(export, published):
    stated = set()
    for statement, row, segment, _, _ in published:
        section, _, label = row.rpartition("/")
        matches = [
            k
            for k in export
            if k[0] == statement and k[2] == label and k[3] == segment and section in ("", k[1])
        ]
        stated.update(matches)
    assert stated == set(export)


def test_segments_sum_to_the_total(export):
    sums = defaultdict(int)
    for (statement, section, line, segment), amount in export.items():
        if segment != "total":
            sums[(statement, section, line)] += amount
    for (statement, section, line), amount in sums.items():
        assert export[(statement, section, line, "total")] == amount, (statement, line)


@pytest.mark.parametrize("segment", [*SEGMENTS, "total"])
def test_each_balance_sheet_balances(export, segment):
    assert figure(export, "bs", "資産合計", segment) == figure(
        export, "bs", "負債純資産合計", segment
    )


@pytest.mark.parametrize("segment", [*SEGMENTS, "total"])
def test_net_income_is_the_change_in_retained_earnings(export, segment):
    # Opening 利益剰余金 straight from the ledger's opening transactions, not the engine.
    entries, _, _ = loader.load_file(str(FY2016))
    opening = 0
    for entry in entries:
        if (
            isinstance(entry, data.Transaction)
            and str(entry.date) == "2016-03-31"
            and (segment == "total" or segment in entry.tags)
        ):
            for posting in entry.postings:
                if posting.account.startswith("Equity:32-利益剰余金"):
                    opening -= int(posting.units.number) // 1000
    closing = figure(export, "bs", "利益剰余金合計", segment)
    assert closing - opening == figure(export, "pl", "当期純利益", segment)


@pytest.mark.parametrize("segment", [*SEGMENTS, "total"])
def test_plan_cash_is_balance_sheet_cash(export, segment):
    assert figure(export, "cf", "当期末現金及び預金", segment) == figure(
        export, "bs", "現金及び預金", segment
    )


@pytest.mark.parametrize("segment", [*SEGMENTS, "total"])
def test_closing_payables_of_the_plan_reconcile_to_the_balance_sheet(export, segment):
    # 当期末未払金 (36,457,247 in total) = 未払金 (36,457,177) + 未払法人税 (70), subtracted.
    payables = figure(export, "bs", "未払金", segment) + figure(export, "bs", "未払法人税", segment)
    assert figure(export, "cf", "当期末未払金", segment) == -payables
    assert figure(export, "cf", "当期末未収金", segment) == -figure(export, "bs", "未収金", segment)


def test_the_reports_print_the_published_tables():
    bs = yosan("report", "bs", "--by-segment", "--ledger", FY2016)
    assert bs.exit_code == 0
    assert "48,809,401" in bs.stdout and "▲12,798" in bs.stdout and "▲32,316" in bs.stdout
    assert "（平成29年3月31日現在）" in bs.stdout and "（単位：千円）" in bs.stdout
    pl = yosan("report", "pl", "--by-segment", "--ledger", FY2016)
    assert "▲134,569" in pl.stdout and "123,496" in pl.stdout
    cf = yosan("report", "cf", "--by-segment", "--ledger", FY2016)
    assert "▲8,028,237" in cf.stdout and "▲36,457,247" in cf.stdout
    total = yosan("report", "--ledger", FY2016)
    assert "予定貸借対照表" in total.stdout and "資金計画" in total.stdout
    assert "51,814,967" in total.stdout and "34,910,162" in total.stdout


def test_an_edited_transaction_breaks_the_published_figures_it_feeds(tmp_path):
    copy = copy_ledger(tmp_path / "ledger").parent
    segment_file = copy / "segments" / "jpki.beancount"
    text = segment_file.read_text(encoding="utf-8")
    assert text.count("480000 JPY") == 2  # 雑収入 480 千円, received in cash
    segment_file.write_text(text.replace("480000 JPY", "481000 JPY"), encoding="utf-8")

    result = yosan("check", "--ledger", copy / "main.beancount")
    assert result.exit_code == 1

    def line_of(path, needle):
        lines = path.read_text(encoding="utf-8").splitlines()
        return next(n for n, line in enumerate(lines, 1) if needle in line)

    pl, cf = copy / "published" / "pl.beancount", copy / "published" / "cf.beancount"
    expected = [
        (
            pl,
            '"pl" "雑収入" "jpki" 480 ',
            "雑収入 (公的個人認証サービス事業): published 480 千円, the ledger gives 481 千円",
        ),
        (pl, '"pl" "当期純利益" "total" 123496 ', "当期純利益 (合計): published 123,496 千円"),
        (cf, '"cf" "雑収入" "jpki" 480 ', "雑収入 (公的個人認証サービス事業)"),
    ]
    for path, needle, message in expected:
        where = f"{path}:{line_of(path, needle)}: "
        assert any(
            line.startswith(where) and message in line for line in result.stderr.splitlines()
        ), (where, message, result.stderr)
    # Every broken figure is named, and nothing else is.
    broken = [line for line in result.stderr.splitlines() if "published" in line]
    assert 10 < len(broken) < 60
