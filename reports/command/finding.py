"""Which ledger a command means: the main file above a folder or a file it includes.

Run inside a ledger's folders (``ledger/segments/``), a command without ``--ledger``
takes the nearest ``main.beancount`` above that includes a file there; given a file
that such a main file includes (``--ledger segments/jpki.beancount``), it names the
main file to give.  The includes are read from the files' ``include`` lines (globs
as Beancount expands them), only of regular files: no FIFO is opened.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterator
from pathlib import Path

MAIN = "main.beancount"
INCLUDE = re.compile(rb'^include[ \t]+"((?:[^"\\\n]|\\.)*)"', re.MULTILINE)
MOST_FILES = 10_000  # a ledger of more files than this is not searched through


def included(main: Path) -> Iterator[Path]:
    """Every file ``main`` includes, however deep (resolved paths)."""
    seen: set[Path] = set()
    waiting = [main.resolve()]
    while waiting and len(seen) < MOST_FILES:
        file = waiting.pop()
        if file in seen or not file.is_file():
            continue
        seen.add(file)
        try:
            text = file.read_bytes()
        except OSError:
            continue
        for name in INCLUDE.findall(text):
            pattern = os.path.join(file.parent, os.fsdecode(name))
            for found in sorted(glob.glob(pattern, recursive=True)):
                path = Path(found).resolve()
                if path not in seen:
                    yield path
                    waiting.append(path)


def main_above(start: Path, *, including: Path | None = None) -> Path | None:
    """The nearest ``main.beancount`` in a folder above ``start`` that includes
    ``including`` (a file) or, without it, some file inside ``start`` (a folder)."""
    start = start.resolve()
    for folder in start.parents:
        candidate = folder / MAIN
        if candidate.resolve() == start or not candidate.is_file():
            continue
        for path in included(candidate):
            inside = path == including if including is not None else start in path.parents
            if inside:
                return candidate
    return None


def shown(path: Path) -> Path:
    """A path as the user would type it from here: relative where it is below or near."""
    relative = os.path.relpath(path)
    return Path(relative if not relative.startswith("../../..") else path)
