"""Where a Japanese label may break across lines: between its phrases, never inside one.

Browsers and WeasyPrint break Japanese text between any two characters, so a segment's
name in a narrow column header reads 総合行政ネット|ワーク運営事業.  ``phrases`` cuts a
label where a reader would: where the script changes between kanji, katakana and Latin
letters, after ・ or /, around brackets, and before the words a segment's name is
built of (事業, 関連, 部門).  Kanji and hiragana stay together: okurigana belongs to its
kanji (預り金, 及び).  ``breakable`` marks each phrase up as a ``<span class="yosan-phrase">``
that the stylesheets keep on one line, with a ``<wbr>`` between phrases; the text itself
is unchanged (copying, the CSV and the workbook see none of it).
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

PHRASE_CLASS = "yosan-phrase"
# Words a segment's name is built of: a line may start with each of them.
WORDS = ("関連", "事業", "部門")
AFTER = frozenset("・/／、，,）)」』】〕")  # a line may break after these
BEFORE = frozenset("（(「『【〔")  # and before these
_WORD = re.compile("|".join(map(re.escape, WORDS)))


def script(char: str) -> str:
    """kanji (with hiragana and 々), katakana, latin or other: a change is a break."""
    if char in "々〆ヶ" or "\u3040" <= char <= "\u309f":
        return "kanji"
    if "\u30a0" <= char <= "\u30ff" or "\uff66" <= char <= "\uff9f":
        return "katakana"  # with ー, which follows either kana
    name = unicodedata.name(char, "")
    if name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH")):
        return "kanji"
    if char.isascii() and char.isalnum() or name.startswith(("FULLWIDTH LATIN", "FULLWIDTH DIGIT")):
        return "latin"
    return "other"


def _cuts(text: str) -> list[int]:
    """The positions between two phrases of ``text``."""
    cuts = set()
    for at in range(1, len(text)):
        before, after = text[at - 1], text[at]
        if after in AFTER or before in BEFORE or after == "ー" or before.isdigit():
            continue  # 28年度, 2月: a number stays with its counter
        if after.isdigit() and script(before) != "latin":
            continue
        scripts = {script(before), script(after)}
        changes = len(scripts) == 2 and "other" not in scripts
        if changes or before in AFTER or after in BEFORE or before.isspace():
            cuts.add(at)
    for word in _WORD.finditer(text):
        if word.start() > 0 and text[word.start() - 1] not in BEFORE:
            cuts.add(word.start())
    # 関連事業 is one word: no line starts with its 事業.
    for word in re.finditer("関連事業", text):
        cuts.discard(word.start() + 2)
    return sorted(cuts)


def phrases(text: str) -> list[str]:
    """``text`` cut into the phrases a line may not break inside; joined, ``text``."""
    bounds = [0, *_cuts(text), len(text)]
    return [text[start:end] for start, end in zip(bounds, bounds[1:], strict=False)]


def breakable(text: object) -> Markup:
    """``text`` as HTML that breaks across lines only between its phrases (escaped)."""
    parts = phrases(str(text))
    if len(parts) < 2:
        return escape(text)
    spans = (Markup('<span class="{}">{}</span>').format(PHRASE_CLASS, part) for part in parts)
    return Markup("<wbr>").join(spans)
