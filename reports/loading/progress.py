"""What a long load is doing, on the terminal: phase and time so far, on stderr.

A load of a year's execution journal takes seconds to minutes.  When stderr is a
terminal and the work has gone on for more than a second, one status line shows
the phase (parsing, booking, plugins, validation, the statement cache) and the
elapsed time, rewritten in place and erased at the end.  Piped or redirected,
nothing is written.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from yosan_ledger.load import internals
from yosan_ledger.plugins.core.messages import _, locale_language, translated

DELAY = 1.0  # seconds of silence before the status line appears
INTERVAL = 0.2  # seconds between refreshes of the elapsed time

# Beancount's loader reports each operation when it ends (``log_timings``); the
# phase that follows it is what the load is doing next.
_NEXT_PHASE = {
    internals.PARSE_FILE: _("parsing"),
    "parse": _("booking"),
    "booking": _("running the plugins"),
    "run_transformations": _("validating"),
}
RUNNING_PLUGINS = _NEXT_PHASE["booking"]


class Progress:
    """A status line for one piece of long work; use as a context manager."""

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        *,
        delay: float = DELAY,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.delay, self.interval, self.clock = delay, interval, clock
        self.enabled = _is_terminal(self.stream)
        self.current: str = _("starting")
        self.start = clock()
        self.shown = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def phase(self, name: str) -> None:
        """What the work does from now on."""
        self.current = name
        self._show()

    def log_timings(self, message: str) -> None:
        """Beancount's ``log_timings`` hook: follow the loader's phases."""
        operation = internals.timed_operation(message)
        if operation is None:
            return
        if operation in _NEXT_PHASE:
            self.phase(_NEXT_PHASE[operation])
        elif self.current.startswith(RUNNING_PLUGINS):
            self.phase(_("running the plugins ({operation} done)", operation=operation))

    def __enter__(self) -> Progress:
        self.start = self.clock()
        if self.enabled:
            thread = threading.Thread(target=self._tick, name="yosan-progress", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # no thread can start here: the load goes on unshown
                return self
            self._thread = thread
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self.shown:
                self.stream.write("\r\033[K")
                self.stream.flush()
                self.shown = False

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            self._show()

    def _show(self) -> None:
        if not self.enabled:
            return
        elapsed = self.clock() - self.start
        if elapsed < self.delay:
            return
        with self._lock:
            if self._stop.is_set():
                return
            language = locale_language()
            label, current = translated(self.label, language), translated(self.current, language)
            self.stream.write(f"\r\033[Kyosan: {label}: {current} … {elapsed:.1f} s")
            self.stream.flush()
            self.shown = True


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
