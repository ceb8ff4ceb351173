"""Where each value of a TOML document stands: the line of every key and array item.

``tomllib`` reads a document into plain dicts and lists and forgets where each
value was written.  A layout error must name its line, so this module reads the
same text again, after ``tomllib`` has accepted it, and notes for each value the
line it starts on, by its path: ``("rows", 3, "depth")`` is the ``depth`` of the
fourth item of ``rows``; ``("sections", 1)`` the second ``[[sections]]`` table.

Nesting is bounded before anything is read (``nesting_too_deep``): a layout
needs three levels, and ``tomllib`` meets a document nested thousands deep with
a RecursionError.
"""

from __future__ import annotations

ValuePath = tuple[str | int, ...]

MAX_NESTING = 32
_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def nesting_too_deep(text: str, limit: int = MAX_NESTING) -> int | None:
    """The line on which brackets and braces nest deeper than ``limit``, if any
    (strings and comments skipped, roughly: an unclosed string ends the line)."""
    depth, line, i, n = 0, 1, 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif c in "\"'":
            quote = c
            i += 1
            while i < n and text[i] not in (quote, "\n"):
                i += 2 if quote == '"' and text[i] == "\\" else 1
        elif c in "[{":
            depth += 1
            if depth > limit:
                return line
        elif c in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return None


class _Reader:
    """A reader of a document ``tomllib`` accepted: it only tracks positions."""

    def __init__(self, text: str) -> None:
        self.text, self.i, self.line = text, 0, 1
        self.lines: dict[ValuePath, int] = {}

    def peek(self, k: int = 1) -> str:
        return self.text[self.i : self.i + k]

    def step(self, k: int = 1) -> None:
        self.line += self.text.count("\n", self.i, self.i + k)
        self.i += k

    def spaces(self, *, newlines: bool) -> None:
        while self.i < len(self.text):
            c = self.text[self.i]
            if c in " \t" or (newlines and c in "\r\n"):
                self.step()
            elif newlines and c == "#":
                end = self.text.find("\n", self.i)
                self.step((end if end >= 0 else len(self.text)) - self.i)
            else:
                return

    def document(self) -> dict[ValuePath, int]:
        table: ValuePath = ()
        counts: dict[ValuePath, int] = {}
        while True:
            self.spaces(newlines=True)
            if self.i >= len(self.text):
                return self.lines
            line = self.line
            if self.peek(2) == "[[":
                self.step(2)
                name = self.key()
                counts[name] = counts.get(name, -1) + 1
                table = (*name, counts[name])
                self.step(2)
            elif self.peek() == "[":
                self.step()
                table = self.key()
                self.step()
            else:
                self.pair(table)
                continue
            self.lines.setdefault(table, line)

    def pair(self, base: ValuePath) -> None:
        line = self.line
        path = (*base, *self.key())
        self.lines[path] = line
        self.spaces(newlines=False)
        self.step()  # "="
        self.spaces(newlines=False)
        self.value(path)

    def key(self) -> ValuePath:
        parts: list[str] = []
        while True:
            self.spaces(newlines=False)
            parts.append(self.simple_key())
            self.spaces(newlines=False)
            if self.peek() != ".":
                return tuple(parts)
            self.step()

    def simple_key(self) -> str:
        if self.peek() in ("'", '"'):
            start = self.i
            self.string()
            return self.text[start + 1 : self.i - 1]
        start = self.i
        while self.i < len(self.text) and self.text[self.i] in _BARE:
            self.step()
        return self.text[start : self.i]

    def value(self, path: ValuePath) -> None:
        c = self.peek()
        if c == "[":
            self.array(path)
        elif c == "{":
            self.inline_table(path)
        elif c in ("'", '"'):
            self.string()
        else:  # a number, a boolean, a date: up to the next delimiter
            while self.i < len(self.text) and self.text[self.i] not in ",]}#\r\n":
                self.step()

    def array(self, path: ValuePath) -> None:
        self.step()
        index = 0
        while True:
            self.spaces(newlines=True)
            if self.peek() == "]":
                self.step()
                return
            self.lines[(*path, index)] = self.line
            self.value((*path, index))
            index += 1
            self.spaces(newlines=True)
            if self.peek() == ",":
                self.step()

    def inline_table(self, path: ValuePath) -> None:
        self.step()
        while True:
            self.spaces(newlines=True)
            if self.peek() == "}":
                self.step()
                return
            self.pair(path)
            self.spaces(newlines=True)
            if self.peek() == ",":
                self.step()

    def string(self) -> None:
        quote = self.peek()
        if self.peek(3) == quote * 3:
            self.step(3)
            end = self.text.find(quote * 3, self.i)
            while quote == '"' and end > 0 and _escaped(self.text, end):
                end = self.text.find(quote * 3, end + 1)
            end = len(self.text) if end < 0 else end
            while self.text[end + 3 : end + 4] == quote:  # up to two quotes in the content
                end += 1
            self.step(end + 3 - self.i)
            return
        self.step()
        while self.i < len(self.text) and self.text[self.i] != quote:
            self.step(2 if quote == '"' and self.text[self.i] == "\\" else 1)
        self.step()


def _escaped(text: str, at: int) -> bool:
    """Whether the character at ``at`` follows an odd number of backslashes."""
    count = 0
    while at - count - 1 >= 0 and text[at - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def value_lines(text: str) -> dict[ValuePath, int]:
    """The line of every key and array item of a document ``tomllib`` accepted."""
    return _Reader(text).document()


def line_of(lines: dict[ValuePath, int], path: ValuePath) -> int | None:
    """The line of ``path``, else of its nearest enclosing value that has one."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
