"""The command's help, wrapped by the columns a terminal gives each character.

Click wraps help by counting characters and breaks lines only at spaces, so a
Japanese line (two columns a character, no spaces) runs past the terminal's edge.
``HelpFormatter`` wraps by display width, breaking Japanese between characters where
a line may break (``rendering.text.fill``); ``Context`` is click's context with it.
"""

from __future__ import annotations

from collections.abc import Iterable

import click
from click.formatting import iter_rows

from yosan_ledger.reports.rendering.text import fill, width

NO_REWRAP = "\b"  # click's mark of a paragraph kept as written


def wrap_paragraphs(text: str, size: int, indent: str = "") -> list[str]:
    """``text``'s paragraphs (separated by a blank line) each filled to ``size`` columns
    after ``indent``; a paragraph whose first line is ``\\b`` kept line for line."""
    lines: list[str] = []
    for number, paragraph in enumerate(text.expandtabs().split("\n\n")):
        if number:
            lines.append("")
        rows = paragraph.splitlines()
        if rows and rows[0].strip() == NO_REWRAP:
            lines += [indent + row for row in rows[1:]]
            continue
        words = " ".join(row.strip() for row in rows)
        lines += [indent + line for line in fill(words, max(size - width(indent), 10))]
    return lines


class HelpFormatter(click.HelpFormatter):
    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write("\n".join(wrap_paragraphs(text, self.width, indent)) + "\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)
        first_width = min(max((width(first) for first, _ in rows), default=0), col_max)
        first_col = first_width + col_spacing
        for first, second in iter_rows(rows, 2):
            self.write(" " * self.current_indent + first)
            if not second:
                self.write("\n")
                continue
            if width(first) <= first_width:
                self.write(" " * (first_col - width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            text_width = max(self.width - first_col - self.current_indent, 10)
            lines = wrap_paragraphs(second, text_width) or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write((" " * (first_col + self.current_indent) + line).rstrip() + "\n")


class Context(click.Context):
    formatter_class = HelpFormatter
