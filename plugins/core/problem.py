"""What the library finds wrong with a directive, for a plugin to report.

The library returns problems; each plugin turns them into its own error type (a
namedtuple of the same three fields, as Beancount's plugins do), so that
bean-check and Fava say which rule an error comes from.
"""

from __future__ import annotations

from collections import namedtuple

Problem = namedtuple("Problem", "source message entry")
