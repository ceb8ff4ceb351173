"""Statements for the terminal, in the published layout.

Labels are indented by depth, figures carry thousands separators and ▲ for
negatives (執行率 too), and columns line up for East Asian wide characters; a long
column header breaks between its phrases (``phrases``), never inside a word.  Also
``fill``, which wraps running text, Japanese or English, to a width in columns.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from yosan_ledger.plugins.core.messages import inert
from yosan_ledger.reports.rendering.format import Format, Options, text_report
from yosan_ledger.reports.rendering.phrases import phrases, script
from yosan_ledger.reports.tables.table import Rate, Table

INDENT = "　"  # one full-width space a level, as printed statements indent
HEADER_WIDTH = 14  # segment names wrap to this many columns


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad_left(text: str, size: int) -> str:
    return " " * (size - width(text)) + text


def pad_right(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def figure(value: int | str) -> str:
    """1,234 or ▲1,234; a rate 16.8 or ▲16.8; text (a fiscal year) as it is."""
    if isinstance(value, Rate):
        return f"▲{value[1:]}" if value.negative else str(value).removeprefix("-")
    if isinstance(value, str):
        return value
    return f"▲{-value:,}" if value < 0 else f"{value:,}"


def wrap(text: str, size: int) -> list[str]:
    """``text`` in lines of at most ``size`` columns, broken between its phrases only
    (公的個人認証 / サービス事業); a phrase wider than ``size`` stands on a line of its own."""
    lines: list[str] = []
    for phrase in phrases(text):
        if lines and width(lines[-1] + phrase) <= size:
            lines[-1] += phrase
        else:
            lines.append(phrase)
    return lines or [""]


# A line of Japanese text may break between any two characters, except before these
# (closing brackets and punctuation, small kana, the long vowel mark) and after those.
NO_LINE_START = frozenset(
    "、。，．,.）)」』】〕］]｝}！？!?：:；;・ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々"
)
NO_LINE_END = frozenset("（(「『【〔［[｛{")
BREAK_AFTER = frozenset("、。，．・）」』】〕］｝")  # a line may end after these


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def _is_hiragana(char: str) -> bool:
    return "\u3040" <= char <= "\u309f"


def _may_break(before: str, after: str) -> bool:
    """Whether a line of running text may end after ``before`` and the next begin with
    ``after``: at a space; in Japanese, after punctuation or before an opening
    bracket, after the kana that end a word (の|様式, を|一つ), or where kanji and
    katakana meet — never inside a word, nor between Japanese and Latin letters
    written together (bs:流動資産)."""
    if before == " ":
        return after != " "
    if after == " " or after in NO_LINE_START or before in NO_LINE_END:
        return False
    if before in BREAK_AFTER or after in NO_LINE_END:
        return True
    if not (_is_wide(before) and _is_wide(after)):
        return False
    if _is_hiragana(before):
        return not _is_hiragana(after)
    if _is_hiragana(after):
        return False
    return script(before) != script(after)


def fill(text: str, size: int) -> list[str]:
    """Running text (help, a comment) in lines of at most ``size`` columns: broken at
    spaces, or between two characters of Japanese where a line may break."""
    lines: list[str] = []
    text = text.strip(" ")
    while width(text) > size:
        cut, used = 0, 0
        for at in range(1, len(text)):
            used += width(text[at - 1])
            if used > size:
                break
            if _may_break(text[at - 1], text[at]) and width(text[:at].rstrip(" ")) <= size:
                cut = at
        if cut == 0:  # one word wider than the line: cut it where it must
            cut = max(1, next(at for at in range(len(text)) if width(text[: at + 1]) > size))
        lines.append(text[:cut].rstrip(" "))
        text = text[cut:].lstrip(" ")
    return [*lines, text]


def render(table: Table) -> str:
    """The table as terminal text.  Every text from the ledger or its layouts shows
    its control characters as code points: none moves the cursor, starts a line or
    sends an escape sequence to the terminal."""
    labels = [INDENT * row.depth + inert(row.label) for row in table.rows]
    cells = [[inert(figure(v)) for v in row.values] if row.values else [] for row in table.rows]
    # A header wraps (long segment names do) only where it is wider than its figures.
    cell_widths = [max([width(c[i]) for c in cells if c] + [0]) for i in range(len(table.columns))]
    header_lines = [
        wrap(inert(h), max(HEADER_WIDTH, w))
        for h, w in zip(table.headers, cell_widths, strict=True)
    ]
    widths = [
        max([width(line) for line in header_lines[i]] + [width(c[i]) for c in cells if c] + [8])
        for i in range(len(table.columns))
    ]
    label_header = inert(table.label_header)
    label_width = max([width(label_header)] + [width(label) for label in labels])
    height = max(len(lines) for lines in header_lines)

    out = []
    if table.organisation:
        out.append(inert(table.organisation))
    out += [inert(table.title), *([inert(table.period)] if table.period else [])]
    out += [pad_left(f"（単位：{table.unit.label}）", 0), ""]
    for level in range(height):
        label = label_header if level == height - 1 else ""
        heads = [
            pad_left(
                lines[level - (height - len(lines))] if level >= height - len(lines) else "", w
            )
            for lines, w in zip(header_lines, widths, strict=True)
        ]
        out.append("  ".join([pad_right(label, label_width), *heads]).rstrip())
    out.append("-" * (label_width + sum(w + 2 for w in widths)))
    for label, row_cells in zip(labels, cells, strict=True):
        numbers = [pad_left(c, w) for c, w in zip(row_cells, widths, strict=False)]
        out.append("  ".join([pad_right(label, label_width), *numbers]).rstrip())
    if table.notes:
        out += ["", *map(inert, table.notes)]
    return "\n".join(out) + "\n"


def hanging(term: str, text: str, term_width: int, size: int) -> list[str]:
    """``term`` padded to ``term_width`` columns, then ``text`` filled to ``size``
    columns in all, its further lines indented under its first: a term and its
    description, as a help lists them."""
    lines = fill(text, max(size - term_width, 10))
    return [
        pad_right(term, term_width) + lines[0],
        *(" " * term_width + line for line in lines[1:]),
    ]


def _report(tables: Sequence[Table], options: Options) -> str:
    return "\n".join(render(t) for t in tables)


FORMAT = Format("text", (".txt",), report=text_report(_report), order=10)
