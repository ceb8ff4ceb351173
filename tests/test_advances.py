"""予定前受金及び累積前受金: advances by purpose, as published, tied to the statements."""

from __future__ import annotations

import pytest

from tests.conftest import FY2016, copy_ledger, yosan

# Transcribed from the source (単位：千円): 内容, 予定前受金, 累積前受金.
PUBLISHED = [
    ("住基ネットシステム機器更改", 200000, 1200000),
    ("次期LGWANシステム開発及び更改", 137500, 412500),
    ("合計", 337500, 1612500),
]
RESIDENT_ID = "住基ネットシステム機器更改"
LGWAN = "次期LGWANシステム開発及び更改"


def figures(result):
    assert result.exit_code == 0, result.stderr
    return [(r["内容"], int(r["予定前受金"]), int(r["累積前受金"])) for r in result.rows()]


def test_the_advances_are_the_published_table():
    result = yosan("report", "advances", "--format", "csv", "--ledger", FY2016)
    assert result.stdout.splitlines()[0] == "section,内容,予定前受金,累積前受金,unit"
    assert {r["unit"] for r in result.rows()} == {"千円"}
    assert figures(result) == PUBLISHED


def test_the_advances_tie_to_the_statements_in_every_segment():
    export = yosan("export", "--ledger", FY2016)
    by = {
        (r["statement"], r["section"], r["line"], r["segment"]): int(r["amount"])
        for r in export.rows()
    }
    for segment, purpose in (("resident_id", RESIDENT_ID), ("lgwan", LGWAN)):
        _, received, cumulative = next(p for p in PUBLISHED if p[0] == purpose)
        assert by[("bs", "固定負債", "長期前受金", segment)] == cumulative
        assert by[("cf", "資金収入", "その他", segment)] == received
    assert by[("bs", "固定負債", "長期前受金", "total")] == PUBLISHED[-1][2]
    assert by[("cf", "資金収入", "その他", "total")] == PUBLISHED[-1][1]


def test_advances_by_segment_and_of_one_segment():
    grouped = yosan("report", "advances", "--by-segment", "--format", "csv", "--ledger", FY2016)
    assert [(r["section"], r["内容"]) for r in grouped.rows()] == [
        ("本人確認情報処理事業", RESIDENT_ID),
        ("総合行政ネットワーク運営事業", LGWAN),
        ("", "合計"),
    ]
    one = yosan("report", "advances", "--segment", "lgwan", "--format", "csv", "--ledger", FY2016)
    assert figures(one) == [(LGWAN, 137500, 412500), ("合計", 137500, 412500)]
    text = yosan("report", "advances", "--ledger", FY2016).stdout
    assert "予定前受金及び累積前受金の内容及び金額" in text and "1,612,500" in text


@pytest.fixture
def copy(tmp_path):
    return copy_ledger(tmp_path / "ledger").parent


def line_of(path, needle):
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def errors(copy):
    result = yosan("check", "--ledger", copy / "main.beancount")
    assert result.exit_code == 1
    return result.stderr.splitlines()


def test_an_advance_received_outside_its_purpose_breaks_the_this_year_tie(copy):
    # lgwan receives the 137,500 千円 into 仮受金 instead: 資金計画 その他 still shows it,
    # but no advance is received.
    lgwan = copy / "segments" / "lgwan.beancount"
    replace(
        lgwan,
        "  Liabilities:22-固定負債:221-長期前受金:2212-次期LGWANシステム開発及び更改"
        "  -137500000 JPY",
        "  Liabilities:21-流動負債:215-仮受金  -137500000 JPY",
    )
    where = f"{lgwan}:{line_of(lgwan, '前受金の受入（次期LGWANシステム開発及び更改）')}: "
    ties = [e for e in errors(copy) if e.startswith(where)]
    assert ties == [
        f"{where}予定前受金 (総合行政ネットワーク運営事業) is 0 yen but 資金計画 その他 (資金収入) "
        "is 137,500,000 yen (difference +137,500,000); this transaction accounts for "
        "+137,500,000 yen of it (cash under その他 that is no advance received, or an advance "
        "received without cash)"
    ]


def test_a_balance_outside_any_purpose_breaks_the_cumulative_tie(copy):
    # 1,000 千円 of resident_id's opening 長期前受金 moved to an account with no purpose.
    accounts = copy / "accounts.beancount"
    accounts.write_text(
        accounts.read_text(encoding="utf-8")
        + "\n2016-03-31 open Liabilities:22-固定負債:221-長期前受金:2219-その他  JPY\n"
        '  line: "長期前受金"\n',
        encoding="utf-8",
    )
    resident = copy / "segments" / "resident_id.beancount"
    replace(
        resident,
        "2211-住基ネットシステム機器更改  -1000000000 JPY",
        "2211-住基ネットシステム機器更改  -999000000 JPY\n"
        "  Liabilities:22-固定負債:221-長期前受金:2219-その他  -1000000 JPY",
    )
    where = f"{resident}:{line_of(resident, '2219-その他')}: "
    ties = [e for e in errors(copy) if e.startswith(where)]
    assert ties == [
        f"{where}累積前受金 (本人確認情報処理事業) is 1,199,000,000 yen but 予定貸借対照表 "
        "長期前受金 is 1,200,000,000 yen (difference +1,000,000); this transaction posts "
        "+1,000,000 yen to 長期前受金 outside any advance account (give the account an "
        "`advance:` purpose)"
    ]
    # The statements are unchanged (no published statement figure breaks); the
    # published advances are not.
    broken = [e.split(":")[0] for e in errors(copy) if "published" in e]
    assert set(broken) == {str(copy / "published" / "advances.beancount")}


def test_an_advance_account_must_feed_the_balance_sheet_row(copy):
    accounts = copy / "accounts.beancount"
    replace(
        accounts,
        '2211-住基ネットシステム機器更改      JPY\n  line: "長期前受金"',
        '2211-住基ネットシステム機器更改      JPY\n  line: "前受金"',
    )
    where = f"{accounts}:{line_of(accounts, '2211-住基ネットシステム機器更改')}: "
    assert any(
        e.startswith(where)
        and "holds the advance '住基ネットシステム機器更改' but feeds 前受金" in e
        for e in errors(copy)
    )


def test_a_published_advance_must_match(copy):
    published = copy / "published" / "advances.beancount"
    replace(published, "137500  412500", "137500  412000")
    where = f"{published}:{line_of(published, LGWAN)}: "
    assert errors(copy)[0] == (
        f"{where}予定前受金及び累積前受金の内容及び金額 {LGWAN} (累積前受金): published 412,000 "
        "千円, the ledger gives 412,500 千円 (difference +500)"
    )
