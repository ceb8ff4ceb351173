"""債務負担行為: the twenty commitments as published, grouped by segment, checked on
every load, and changing no statement."""

from __future__ import annotations

import pandas as pd
import pytest
from beancount import loader
from beancount.core import data

from tests.conftest import FY2016, copy_ledger, yosan
from yosan_ledger.plugins.core import results
from yosan_ledger.plugins.core.commitments import COMMITMENT
from yosan_ledger.plugins.core.engine import compute_statements

# Transcribed from the source (単位：千円): 事項, 限度額, 行為年度, 機構の負担となる年度.
PUBLISHED = [
    (
        "「地方自治情報化推進フェア2017」に係る企画・設営・運営業務委託",
        71928,
        "平成28年度",
        "平成29年度",
    ),
    ("電気通信関係端末(PBX)リース", 1848, "平成28年度", "平成28年度から平成33年度"),
    ("地方税システムのサーバ等機器のリース", 52788, "平成28年度", "平成28年度から平成32年度"),
    (
        "住民基本台帳ネットワークシステムにおける全国サーバ運用管理及びシステム保守業務",
        360000,
        "平成28年度",
        "平成29年度から平成31年度",
    ),
    (
        "住民基本台帳ネットワークシステムにおけるコールセンター運用業務",
        403000,
        "平成28年度",
        "平成28年度から平成31年度",
    ),
    (
        "住民基本台帳ネットワークシステム担当者用ホームページ運用保守業務",
        60000,
        "平成28年度",
        "平成28年度から平成33年度",
    ),
    (
        "住民基本台帳ネットワークシステム開発環境機器のリース及び保守業務",
        7000,
        "平成28年度",
        "平成28年度から平成34年度",
    ),
    (
        "住民基本台帳ネットワークシステムにおける事務用機器リース",
        3100,
        "平成28年度",
        "平成28年度から平成32年度",
    ),
    (
        "住民基本台帳ネットワークシステムにおける都道府県及び全国ネットワーク機器等に係るリース及び保守業務",
        3700,
        "平成28年度",
        "平成28年度から平成30年度",
    ),
    ("公的個人認証サービスにおける準拠性監査", 132713, "平成28年度", "平成28年度から平成30年度"),
    (
        "公的個人認証サービスにおけるアプリケーション保守等業務",
        705804,
        "平成28年度",
        "平成28年度から平成30年度",
    ),
    (
        "カード有効性確認システムハードウェア/ソフトウェアリース等(追加分)",
        576322,
        "平成28年度",
        "平成28年度から平成32年度",
    ),
    (
        "LGWANセキュリティ強化対策機器リース及び保守",
        40927,
        "平成28年度",
        "平成28年度から平成33年度",
    ),
    (
        "LGWAN運営におけるWebTrust検証定期監査及び準拠性システム監査",
        33000,
        "平成28年度",
        "平成28年度から平成30年度",
    ),
    (
        "LGWAN運営におけるSOPHOS Anti-Virusライセンス契約",
        750,
        "平成28年度",
        "平成28年度から平成30年度",
    ),
    ("LGWAN運営における運用監視業務", 305000, "平成28年度", "平成29年度から平成31年度"),
    ("LGWAN運営におけるヘルプデスク業務", 99000, "平成28年度", "平成29年度から平成31年度"),
    ("LGWAN運営における認証局システム運用業務", 169000, "平成28年度", "平成29年度から平成31年度"),
    ("LGWAN向けアップデート業務", 3100, "平成28年度", "平成29年度から平成31年度"),
    (
        "LGPKIにおけるOCSPレスポンス機器リース及び保守",
        134113,
        "平成28年度",
        "平成29年度から平成33年度",
    ),
]
HEADER = "section,事項,限度額,行為年度,機構の負担となる年度,unit"
# The segment each commitment serves (ledger/README.md says why), by position above.
SEGMENT = ["general"] * 3 + ["resident_id"] * 5 + ["resident_id_related"] + ["jpki"] * 2
SEGMENT += ["mynumber_card"] + ["lgwan"] * 8
NAMES = {
    "general": "一般事業",
    "resident_id": "本人確認情報処理事業",
    "jpki": "公的個人認証サービス事業",
    "mynumber_card": "個人番号カード・発行等事業",
    "lgwan": "総合行政ネットワーク運営事業",
    "resident_id_related": "本人確認情報処理事業関連事業",
}


def rows(*args):
    result = yosan("report", "commitments", "--format", "csv", *args, "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == HEADER
    return [
        (r["section"], r["事項"], int(r["限度額"]), r["行為年度"], r["機構の負担となる年度"])
        for r in result.rows()
    ]


def test_the_commitments_are_the_published_table_with_the_total_of_the_limits():
    printed = rows()
    assert printed[:-1] == [("", *p) for p in PUBLISHED]
    assert printed[-1] == ("", "合計", sum(p[1] for p in PUBLISHED), "", "")
    assert printed[-1][2] == 3_163_093


def test_years_in_the_true_era_on_request():
    by_item = {r[1]: r for r in rows("--true-era")}
    assert by_item["電気通信関係端末(PBX)リース"][4] == "平成28年度から令和3年度"
    assert by_item["LGWAN運営における運用監視業務"][4] == "平成29年度から令和元年度"
    assert by_item[PUBLISHED[6][0]][4] == "平成28年度から令和4年度"
    assert by_item[PUBLISHED[0][0]][3:] == ("平成28年度", "平成29年度")


def test_commitments_grouped_by_segment_with_subtotals():
    printed = rows("--by-segment")
    expected = []
    order = ["general", "resident_id", "jpki", "mynumber_card", "lgwan", "resident_id_related"]
    for key in order:
        mine = [p for p, s in zip(PUBLISHED, SEGMENT, strict=True) if s == key]
        expected += [(NAMES[key], *p) for p in mine]
        expected.append((NAMES[key], "小計", sum(p[1] for p in mine), "", ""))
    expected.append(("", "合計", sum(p[1] for p in PUBLISHED), "", ""))
    assert printed == expected
    lgwan = rows("--segment", "lgwan")
    assert lgwan[-1] == ("", "合計", 784890, "", "")
    assert len(lgwan) == 9


def test_the_text_table():
    result = yosan("report", "commitments", "--ledger", FY2016)
    lines = result.stdout.splitlines()
    assert "債務負担行為の事項、限度額、行為年度及び機構の負担となる年度" in lines
    line = next(line for line in lines if line.startswith("電気通信関係端末(PBX)リース"))
    assert line.split()[1:] == ["1,848", "平成28年度", "平成28年度から平成33年度"]
    assert lines[-1].split() == ["合計", "3,163,093"]


def test_commitments_change_no_statement():
    entries, errors, _ = loader.load_file(str(FY2016))
    assert not errors
    declared = [e for e in entries if isinstance(e, data.Custom) and e.type == COMMITMENT]
    assert len(declared) == 20
    without = [e for e in entries if not (isinstance(e, data.Custom) and e.type == COMMITMENT)]
    layouts = results.layouts(entries)
    with_them = compute_statements(entries, layouts)
    none = compute_statements(without, layouts)
    for statement in ("bs", "pl", "cf"):
        pd.testing.assert_frame_equal(with_them.figures[statement], none.figures[statement])


def test_a_huge_commitment_changes_no_figure(tmp_path):
    main = copy_ledger(tmp_path / "ledger")
    before = yosan("export", "--unit", "yen", "--ledger", main).stdout
    with (main.parent / "commitments.beancount").open("a", encoding="utf-8") as file:
        file.write(
            '2016-04-01 custom "yosan-commitment" "巨額の契約" 999999999000 JPY '
            '2016-04-01 2030-03-31\n  segment: "general"\n'
        )
    after = yosan("export", "--unit", "yen", "--ledger", main)
    assert after.exit_code == 0, after.stderr
    assert after.stdout == before


BAD = [
    (
        '2016-04-01 custom "yosan-commitment" "前倒し" 1000 JPY 2015-04-01 2017-03-31\n'
        '  segment: "general"\n',
        "The burden of '前倒し' starts in FY2015, before its act year FY2016",
    ),
    (
        '2016-04-01 custom "yosan-commitment" "所属なし" 1000 JPY 2016-04-01 2017-03-31\n',
        "Commitment '所属なし' serves no segment: add `segment:` with one of general, ",
    ),
    (
        '2016-04-01 custom "yosan-commitment" "未宣言" 1000 JPY 2016-04-01 2017-03-31\n'
        '  segment: "nowhere"\n',
        "Commitment '未宣言' names segment 'nowhere', which is not declared",
    ),
    (
        '2016-04-01 custom "yosan-commitment" "年度途中" 1000 JPY 2016-05-01 2017-03-31\n'
        '  segment: "general"\n',
        "The burden of '年度途中' starts 2016-05-01, not on the first day of a fiscal year",
    ),
    (
        '2016-04-01 custom "yosan-commitment" "逆順" 1000 JPY 2018-04-01 2017-03-31\n'
        '  segment: "general"\n',
        "The burden of '逆順' ends (2017-03-31) before it starts (2018-04-01)",
    ),
    (
        '2016-04-01 custom "yosan-commitment" "端数" 1000.5 JPY 2016-04-01 2017-03-31\n'
        '  segment: "general"\n',
        "The limit of '端数' is 1000.5 JPY; a limit is whole JPY",
    ),
    (
        '2017-04-01 custom "yosan-commitment" "翌年度" 1000 JPY 2017-04-01 2018-03-31\n'
        '  segment: "general"\n',
        "'翌年度' is dated 2017-04-01, in FY2017; the budget authorises commitments of its own",
    ),
    (
        '2016-04-01 custom "yosan-commitment" "限度額なし" 2016-04-01 2017-03-31\n'
        '  segment: "general"\n',
        'Malformed commitment: custom "yosan-commitment" "事項" LIMIT JPY FIRST-DAY LAST-DAY',
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m[:20] for _, m in BAD])
def test_a_bad_commitment_is_an_error_at_its_line(tmp_path, text, message):
    main = copy_ledger(tmp_path / "ledger")
    commitments = main.parent / "commitments.beancount"
    lineno = len(commitments.read_text(encoding="utf-8").splitlines()) + 1
    with commitments.open("a", encoding="utf-8") as file:
        file.write(text)
    result = yosan("check", "--ledger", main)
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors[0].startswith(f"{commitments}:{lineno}: {message}"), errors
    assert errors[1:] == [f"1 error in {main}"]
