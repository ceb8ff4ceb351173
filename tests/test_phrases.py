"""A long Japanese label (a segment's name in a column header) breaks between its
phrases only; the markup adds no character to the text."""

from __future__ import annotations

import re
from html import unescape

import pytest

from yosan_ledger.reports.rendering.phrases import breakable, phrases


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("一般事業", "一般|事業"),
        ("本人確認情報処理事業", "本人確認情報処理|事業"),
        ("公的個人認証サービス事業", "公的個人認証|サービス|事業"),
        ("個人番号カード・発行等事業", "個人番号|カード・|発行等|事業"),
        ("中間サーバー共同化・集約化等事業", "中間|サーバー|共同化・|集約化等|事業"),
        ("総合行政ネットワーク運営事業", "総合行政|ネットワーク|運営|事業"),
        ("本人確認情報処理事業関連事業", "本人確認情報処理|事業|関連事業"),
        ("住民基本台帳ネットワークシステム関連事業", "住民基本台帳|ネットワークシステム|関連事業"),
        ("共通管理部門", "共通管理|部門"),
        ("LGWAN運営事業", "LGWAN|運営|事業"),
        # okurigana and numbers stay with their kanji; a bracket starts a phrase
        ("預り金", "預り金"),
        ("流動資産/現金及び預金", "流動資産/|現金及び預金"),
        ("平成28年度2月補正（例）", "平成28年度2月補正|（例）"),
        ("補正前の額", "補正前の額"),
        ("", ""),
    ],
)
def test_phrases(name: str, expected: str) -> None:
    assert "|".join(phrases(name)) == expected


def test_the_markup_keeps_the_text_and_escapes_it() -> None:
    name = "乙事業<img src=x onerror=alert(1)>"
    html = str(breakable(name))
    assert "<img" not in html and html.count('<span class="yosan-phrase">') == len(phrases(name))
    assert unescape(re.sub(r"<[^>]+>", "", html)) == name
    assert str(breakable("合計")) == "合計"  # one phrase: no markup


def test_text_column_headers_break_between_phrases() -> None:
    """The terminal's table breaks a long header between its phrases, as the PDF does:
    公的個人認証 / サービス事業, 差額 / （決算－予算）, never inside a word."""
    from tests.conftest import FY2016, ROOT, yosan
    from yosan_ledger.reports.loading.ledger import load_ledger

    text = yosan("report", "bs", "--by-segment", "--ledger", FY2016).stdout.splitlines()
    names = [s.name for s in load_ledger(FY2016).statements.segments]
    whole = {
        "".join(parts[start:end])
        for parts in map(phrases, names)
        for start in range(len(parts))
        for end in range(start + 1, len(parts) + 1)
    }
    header = text[5 : text.index(next(line for line in text if line.startswith("---")))]
    pieces = [p for line in header for p in line.split() if p not in ("科目", "合計")]
    assert pieces and [p for p in pieces if p not in whole] == [], pieces
    assert "公的個人認証" in pieces and "サービス事業" in pieces
    settlement = yosan(
        "report",
        "settlement",
        "--ledger",
        ROOT / "examples" / "kumiai" / "actuals" / "main.beancount",
    ).stdout.splitlines()
    at = next(i for i, line in enumerate(settlement) if line.split()[:1] == ["区分"])
    assert settlement[at - 1].split() == ["差額"] and "（決算－予算）" in settlement[at].split()
