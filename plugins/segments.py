"""Every transaction belongs to exactly one declared business segment.

Segments are declared with ``custom "yosan-segment" KEY NAME AREAS``; a
transaction carries its segment as a tag (``#general``), usually through
``pushtag`` around a segment's file.  Every tag is a segment tag: a transaction
with none, with two, or with a tag no segment declares is an error, so every
posting of a transaction lies in one segment and each segment's balance sheet
balances on its own.
"""

from __future__ import annotations

import operator
import re
from collections import namedtuple

from beancount.core import data

from yosan_ledger.plugins.core import walk
from yosan_ledger.plugins.core.budget import SEGMENT, TOTAL, declared_segments, values
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.spelling import nearest

__plugins__ = ("validate_segments",)

SegmentError = namedtuple("SegmentError", "source message entry")

TAGS = operator.attrgetter("tags")
KEY = re.compile(r"[a-z][a-z0-9_]*\Z")


def _declaration_errors(entries: list[data.Directive]) -> list[SegmentError]:
    errors = []
    seen: set[str] = set()
    for entry in walk.customs(entries, SEGMENT):
        args = values(entry)
        if len(args) != 3 or not all(isinstance(a, str) for a in args):
            errors.append(
                SegmentError(
                    entry.meta,
                    _(
                        'A segment is declared as custom "yosan-segment" "key" "名称" "areas", '
                        "three strings"
                    ),
                    entry,
                )
            )
            continue
        key = args[0]
        if not KEY.match(key) or key == TOTAL:
            errors.append(
                SegmentError(
                    entry.meta,
                    _(
                        "Segment key {key!r} must be lower-case ASCII (a-z, 0-9, _) "
                        "and not {total!r}",
                        key=key,
                        total=TOTAL,
                    ),
                    entry,
                )
            )
        elif key in seen:
            message = _("Segment {key!r} is declared twice", key=key)
            errors.append(SegmentError(entry.meta, message, entry))
        seen.add(key)
    return errors


def validate_segments(
    entries: list[data.Directive], options_map: dict
) -> tuple[list[data.Directive], list[SegmentError]]:
    """The ledger declares its segments once each, well formed, and every transaction
    carries exactly one declared segment tag."""
    errors = _declaration_errors(entries)
    segments = declared_segments(entries)
    if not segments:
        errors.append(
            SegmentError(
                data.new_metadata(options_map.get("filename", "<ledger>"), 0),
                _('The ledger declares no segment (custom "yosan-segment" …)'),
                None,
            )
        )
        return entries, errors
    known = ", ".join(f"#{key}" for key in segments)

    def problem(tag_set: frozenset[str] | None) -> str | None:
        tags = sorted(tag_set or ())
        unknown = [t for t in tags if t not in segments]
        if unknown:
            guess = nearest(unknown[0], segments) if len(unknown) == 1 else None
            if guess is not None:
                return _(
                    "Unknown segment tag {tags} (did you mean #{guess}?); the declared "
                    "segments are {known}",
                    tags="#" + unknown[0],
                    guess=guess,
                    known=known,
                )
            return _(
                "Unknown segment tag {tags}; the declared segments are {known}",
                tags=", ".join("#" + t for t in unknown),
                known=known,
            )
        if not tags:
            return _("Transaction has no segment tag; tag it with one of {known}", known=known)
        if len(tags) > 1:
            return _(
                "Transaction has {count} segment tags ({tags}); it belongs to exactly one segment",
                count=len(tags),
                tags=", ".join("#" + t for t in tags),
            )
        return None

    # A ledger has a handful of distinct tag sets: each is judged once.
    transactions = walk.transactions(entries)
    problems = map(walk.Memo(problem).__getitem__, map(TAGS, transactions))
    errors.extend(
        SegmentError(entry.meta, message, entry)
        for entry, message in zip(transactions, problems, strict=True)
        if message
    )
    return entries, errors
