"""The load ``yosan fava`` serves Fava from: yosan's, not Beancount's.

Fava loads the whole ledger at start and again on the first request after any of
its files changes (a save in its editor included), through
``fava.core.load_uncached``.  ``yosan fava`` puts ``load_uncached`` below in its
place, in its own process: the same entries, errors and options
(``yosan_ledger.plugins.core.loading``, tested against Beancount's), with each
file's parse kept in the private statement cache and the files parsed ahead on
every core, so that after an edit only the file edited is parsed again.  The
ledger's plugins run as it names them, as in plain Fava; plain ``fava`` is not
touched.
"""

from __future__ import annotations

import gc
from typing import Any

from yosan_ledger.plugins.core import loading
from yosan_ledger.reports.loading.cache import ParsedFileCache, unsafe_reason


def load_uncached(beancount_file_path: str, *, is_encrypted: bool) -> Any:
    """``fava.beans.load.load_uncached``, through yosan's load."""
    if is_encrypted:  # Beancount decrypts it; nothing of it is kept
        from fava.beans.load import load_uncached as fava_load

        return fava_load(beancount_file_path, is_encrypted=is_encrypted)
    kept = ParsedFileCache() if unsafe_reason() is None else None
    collecting = gc.isenabled()
    gc.disable()  # the collector walking a million new objects, over and over
    try:
        return loading.load(beancount_file_path, rules=False, parsed=kept)
    finally:
        if collecting:
            gc.enable()


def serve_fava_from_yosans_load() -> None:
    import fava.core

    fava.core.load_uncached = load_uncached  # type: ignore[assignment]
