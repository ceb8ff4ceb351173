"""How much of a cold ``yosan export --no-cache`` the engine takes.

    python -m benchmarks.engine_share LEDGER

Runs the export in this process with ``compute_statements`` (called through
``yosan_ledger.plugins.core.results`` during the load) and the export's rendering
(``formats.write_export``) timed, and prints ``ENGINE_SECONDS WHOLE_SECONDS`` on
stderr: the engine's own part against the whole command after start-up.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import yosan_ledger.plugins.core.results as results
import yosan_ledger.reports.command.cli as cli
import yosan_ledger.reports.rendering.formats as formats

spent = [0.0]


def timed(function: Callable[..., Any]) -> Callable[..., Any]:
    def measured(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start

    return measured


def main(ledger: str) -> None:
    results.compute_statements = timed(results.compute_statements)
    formats.write_export = timed(formats.write_export)
    start = time.perf_counter()
    cli.main(["export", "--no-cache", "--ledger", ledger], standalone_mode=False)
    whole = time.perf_counter() - start
    sys.stdout.flush()
    print(f"{spent[0]} {whole}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
