"""Preloaded into a forkserver by tests/test_parsing.py, never imported anywhere
else: that forkserver can then fork no worker, as under `ulimit -u` or a memory
limit (its os.fork fails as the kernel's does)."""

from __future__ import annotations

import os


def _no_fork() -> int:
    raise BlockingIOError(11, "Resource temporarily unavailable")


os.fork = _no_fork
