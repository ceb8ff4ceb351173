"""The declared name nearest to a mistyped one, for a message's hint (雑収人 → 雑収入).

A name is suggested only when it is one typing slip away: a character changed,
added or left out, or two neighbours swapped (#jkpi → #jpki).  Farther names are
not guesses worth printing (a 仮払金 never opened is no slip for 前払金); the
messages list the declared names anyway.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def slips(a: str, b: str) -> int:
    """The number of slips (changes, additions, omissions, swaps of neighbours) that
    turn ``a`` into ``b``: the optimal string alignment distance."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                best = min(best, previous2[j - 2] + 1)
            current.append(best)
        previous2, previous = previous, current
    return previous[-1]


def nearest(name: str, known: Iterable[str]) -> str | None:
    """The one name of ``known`` a single slip away from ``name`` (written the same
    way: NFC, so that カート゛ is a slip from カード), if there is one."""
    written = unicodedata.normalize("NFC", name)
    found = [
        k
        for k in dict.fromkeys(known)
        if k != name and slips(written, unicodedata.normalize("NFC", k)) <= 1
    ]
    return found[0] if len(found) == 1 else None
