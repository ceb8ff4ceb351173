"""What the library finds wrong with a directive, for a plugin to report.

The library returns problems; each plugin turns them into its own error type (a
namedtuple of the same three fields, as Beancount's plugins do), so that
bean-check and Fava say which rule an error comes from.
"""

from __future__ import annotations

from collections import namedtuple

Problem = namedtuple("Problem", "source message entry")


class Consequence:
    """Mixed into a rule's error type whose errors check totals (a statement that does
    not balance, a published figure the ledger no longer gives): they follow from
    errors at the lines that make those totals, which are shown before them."""

    follows = True
