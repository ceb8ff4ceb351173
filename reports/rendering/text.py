"""Statements for the terminal, in the published layout.

Labels are indented by depth, figures carry thousands separators and ▲ for
negatives, and columns line up for East Asian wide characters.
"""

from __future__ import annotations

import unicodedata

from yosan_ledger.plugins.core.messages import inert
from yosan_ledger.reports.tables.table import Table

INDENT = "　"  # one full-width space a level, as printed statements indent
HEADER_WIDTH = 14  # segment names wrap to this many columns


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad_left(text: str, size: int) -> str:
    return " " * (size - width(text)) + text


def pad_right(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def figure(value: int | str) -> str:
    """1,234 or ▲1,234; text (a fiscal year) as it is."""
    if isinstance(value, str):
        return value
    return f"▲{-value:,}" if value < 0 else f"{value:,}"


def wrap(text: str, size: int) -> list[str]:
    lines, current = [], ""
    for char in text:
        if width(current + char) > size:
            lines.append(current)
            current = ""
        current += char
    return [*lines, current] if current or not lines else lines


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
