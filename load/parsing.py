"""Each file of a ledger parsed once per content, on every core.

A year's actual journal is split into files, by month or by segment; between two
loads most of them have not changed.  Beancount's parser reads a file on its own:
the entries, errors and options it gives depend on the file's bytes and its name
alone.  So a parse can be

- **kept**, per file, keyed by the SHA-256 of its bytes, in a store the caller
  gives (``ParsedFiles``; the command's lives in its private statement cache,
  never beside a ledger, since unpickling is running code), and taken back when
  the file has the same bytes again: unpickling costs about two fifths of the
  parse;
- **done ahead, in parallel**: when a file is parsed, the files it includes are
  known; those not kept are parsed by worker processes while this one goes on
  with the others, and handed back pickled.  Only when there is enough to parse
  (``PARALLEL_BYTES``) and the workers finish sooner (``_for_workers``): a worker
  costs a start and the transfer;
- **done with less work per amount** (``internals.LeanBuilder``), by Beancount's
  C parser calling back a leaner builder of the entries.

``Files`` does this for one load; ``steps`` puts it in front of Beancount's
parser, so that Beancount's own recursive parse (its order, its errors, its
options) is kept whole.  The entries are pickled with Beancount's
directives built straight from their fields (``tuple.__new__``): the same values,
without the checks of ``Amount.__new__`` that made unpickling as slow as parsing.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
import hashlib
import io
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import select
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol

from beancount.parser import parser

from yosan_ledger.load import internals
from yosan_ledger.plugins.core.sources import FileProblem, open_regular, read_regular

Parsed = tuple[list, list, dict]

FORMAT = "yosan-parsed 1"  # the pickle's layout: another is never read
PARALLEL_BYTES = 2_000_000  # of files to parse ahead, below which one process does it all

# What pickling and unpickling a parse cost, against parsing it (measured on a
# journal, the collector off): a worker's parse costs it twice the parse, and this
# process a third of it.
_PICKLING = 1.0
_UNPICKLING = 0.4
_WORKER_START = 500_000  # starting a worker, in bytes of parse
_tuple_new = tuple.__new__


class ParsedFiles(Protocol):
    """Where parses are kept: by file name and the SHA-256 of its bytes."""

    def get(self, filename: str, digest: str) -> bytes | None: ...

    def put(self, filename: str, digest: str, payload: bytes) -> None: ...


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: object) -> Any:
        kind = type(obj)
        if kind in internals.FIELD_TUPLES:
            return _tuple_new, (kind, tuple(obj))  # type: ignore[arg-type]
        return NotImplemented


def dumps(parsed: Parsed) -> bytes:
    stream = io.BytesIO()
    _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump((FORMAT, parsed))
    return stream.getvalue()


def loads(payload: bytes) -> Parsed | None:
    """The parse a payload holds; None for one of another format or broken."""
    try:
        found, parsed = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a payload that does not unpickle is not used
        return None
    return parsed if found == FORMAT else None


def parse_bytes(raw: bytes, filename: str, **kwargs: Any) -> Parsed:
    """``parser.parse_file`` of these bytes, reported as that file."""
    if any(value is not None for value in kwargs.values()):  # an encoding: Beancount's way
        return parser.parse_file(io.BytesIO(raw), report_filename=filename, **kwargs)
    return internals.parse_lean(raw, filename)


def _parse_in_worker(filename: str) -> tuple[str, bytes]:
    """(SHA-256 of the bytes, their parse pickled): run in a worker process, whose
    cyclic garbage collector would walk every new object again and again (it made
    the parse three times slower) for cycles it does not make."""
    gc.disable()
    raw = read_regular(filename)
    return hashlib.sha256(raw).hexdigest(), dumps(parse_bytes(raw, filename))


@functools.cache
def main_module_guarded() -> bool:
    """Whether a worker process can start: it runs the program's main module again
    (as ``__mp_main__``, multiprocessing's ``spawn.prepare``), which must then do
    nothing but define things.  A package's ``__main__`` (``python -m package``) is
    not run again; any other main module, a script or ``-m module``, must be
    guarded: judged by parsing it (``guarded``), never by searching its text."""
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name is not None and (name == "__main__" or name.endswith(".__main__")):
        return True
    path = getattr(main, "__file__", None)
    if path is None:
        return name is None  # an interactive session; a module without a file is unknown
    try:
        return guarded(read_regular(path).decode("utf-8"))
    except (FileProblem, UnicodeDecodeError):
        return False


_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _is_main_guard(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (either way round), with no ``else``."""
    if not isinstance(node, ast.If) or node.orelse:
        return False
    test = node.test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    sides = {ast.dump(test.left), ast.dump(test.comparators[0])}
    wanted = {ast.dump(ast.Name("__name__", ast.Load())), ast.dump(ast.Constant("__main__"))}
    return isinstance(test.ops[0], ast.Eq) and sides == wanted


def guarded(source: str) -> bool:
    """Whether running this module as anything but the program does nothing but
    define things: at its top level only imports, definitions, a docstring,
    assignments that call nothing, and the program itself under
    ``if __name__ == "__main__":``, which must be there.  A comment or a string
    mentioning the guard is no guard."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    found = False
    for node in tree.body:
        if _is_main_guard(node):
            found = True
        elif isinstance(node, _DEFINITIONS) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        ):
            continue
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            if any(isinstance(part, ast.Call) for part in ast.walk(node)):
                return False
        else:
            return False
    return found


def _watch_command(command: int) -> None:
    """Run in each worker as it starts: end the worker when the command that started
    it ends, however it ends (killed included).  A worker otherwise outlives it,
    blocked handing back a parse nobody reads, and keeps the forkserver alive."""

    def watch() -> None:
        try:
            handle = os.pidfd_open(command)  # readable once the command has ended
        except ProcessLookupError:
            os._exit(1)
        except (AttributeError, OSError):  # no pidfd here: ask every second
            while _alive(command):
                time.sleep(1)
            os._exit(1)
        select.select([handle], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="yosan-command-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _quiet_standard_error() -> Iterator[None]:
    """Within the block, file descriptor 2 is /dev/null: the processes started in it
    (the forkserver, the resource tracker, and every worker forked from them) write
    nowhere.  A worker that fails is no error: its file is parsed here."""
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def _for_workers(files: list[tuple[int, str, bool]], workers: int) -> list[str]:
    """The files the workers parse, of those included, in include order: (size,
    name, whether a store keeps its parse).  Beancount asks for the files in
    order; this process parses those it keeps for itself and unpickles the rest
    (kept, or parsed by a worker), waiting for a worker's file only if it is not
    done yet.  The workers take the files not kept from some point on: the point
    where, worked out in bytes of parse, the last file is done soonest."""
    best: list[str] = []
    best_finish = _finish(files, set(), workers)
    for start in range(len(files)):
        chosen = {name for _, name, kept in files[start:] if not kept}
        finish = _finish(files, chosen, workers)
        if chosen and finish < best_finish:
            best, best_finish = [n for _, n, _ in files if n in chosen], finish
    return best


def _finish(files: list[tuple[int, str, bool]], chosen: set[str], workers: int) -> float:
    """When this process is done with the files, the workers parsing ``chosen``."""
    free = [_WORKER_START] * workers  # when each worker is free
    ready = {}
    for size, name, _ in files:
        if name in chosen:
            worker = free.index(min(free))
            free[worker] += size * (1 + _PICKLING)
            ready[name] = free[worker]
    here = 0.0
    for size, name, kept in files:
        if name in chosen:
            here = max(here, ready[name]) + _UNPICKLING * size
        else:
            here += _UNPICKLING * size if kept else size
    return here


class Files:
    """The parses of one load: read, hashed into ``read``, kept in and taken from
    ``store``, and done ahead by workers."""

    def __init__(self, read: dict[str, str] | None, store: ParsedFiles | None) -> None:
        self.read = read
        self.store = store
        self.ahead: dict[str, Future[tuple[str, bytes]]] = {}
        self.kept: dict[tuple[str, str], bytes] = {}  # found in the store ahead of time
        self.seen: set[str] = set()
        self.planned: set[str] = set()  # given to the workers
        self.starting: threading.Thread | None = None
        self.pool: ProcessPoolExecutor | None = None

    def parse(self, filename: str, **kwargs: Any) -> Parsed:
        try:
            raw = read_regular(filename)  # a FIFO put in its place is never opened
        except FileProblem as problem:
            raise FileProblem(problem.message, problem.lineno, filename) from None
        digest = hashlib.sha256(raw).hexdigest()
        if self.read is not None:
            self.read[filename] = digest
        self.seen.add(filename)
        parsed, payload = self._done_elsewhere(filename, digest)
        if parsed is None:
            parsed = parse_bytes(raw, filename, **kwargs)
        if self.store is not None and payload is None:
            self.store.put(filename, digest, dumps(parsed))
        if not kwargs.get("encoding"):
            self._parse_ahead(filename, parsed[2])
        return parsed

    def _done_elsewhere(self, filename: str, digest: str) -> tuple[Parsed | None, bytes | None]:
        """The file's parse from a worker or the store, if either has it for these
        bytes, and whether it is in the store already."""
        if filename in self.planned and self.starting is not None:
            self.starting.join()
        future = self.ahead.pop(filename, None)
        if future is not None:
            try:
                found, payload = future.result()
            except Exception:  # noqa: BLE001 - a worker that failed: parse it here
                found, payload = "", b""
            if found == digest:
                parsed = loads(payload)
                if parsed is not None:
                    if self.store is not None:
                        self.store.put(filename, digest, payload)
                    return parsed, payload
        if self.store is not None:
            payload = self.kept.pop((filename, digest), None) or self.store.get(filename, digest)
            if payload is not None:
                parsed = loads(payload)
                if parsed is not None:
                    return parsed, payload
        return None, None

    def _parse_ahead(self, filename: str, options: dict) -> None:
        """Start the workers on the files this one includes that no store has, when
        they are worth it."""
        files = []
        for name in internals.included(filename, options):
            if name in self.seen or name in self.planned or not os.path.isfile(name):
                continue
            kept = False
            if self.store is not None:
                try:
                    with open_regular(name) as stream:
                        digest = hashlib.file_digest(stream, "sha256").hexdigest()
                except (FileProblem, OSError):
                    continue
                payload = self.store.get(name, digest)
                if payload is not None:
                    self.kept[name, digest] = payload
                    kept = True
            files.append((os.path.getsize(name), name, kept))
        waiting = [size for size, _, kept in files if not kept]
        workers = min(len(waiting), (os.cpu_count() or 1) - 1)
        if workers < 1 or sum(waiting) < PARALLEL_BYTES or not main_module_guarded():
            return
        chosen = _for_workers(files, workers)
        if not chosen:
            return
        if self.starting is not None:
            self.starting.join()
        self.planned.update(chosen)
        # Starting the workers takes a moment (a new interpreter): this process
        # goes on parsing meanwhile.
        starting = threading.Thread(target=self._start, args=(chosen, workers), daemon=True)
        try:
            starting.start()
        except RuntimeError:  # no thread can start (a process or memory limit): parse here
            self.planned.difference_update(chosen)
            return
        self.starting = starting

    def _start(self, chosen: list[str], workers: int) -> None:
        """Start the workers (once) and hand them ``chosen``; any failure to start or
        to feed them leaves those files to this process."""
        try:
            if self.pool is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload([__name__])
                with _quiet_standard_error():
                    multiprocessing.forkserver.ensure_running()
                self.pool = ProcessPoolExecutor(
                    workers,
                    mp_context=context,
                    initializer=_watch_command,
                    initargs=(os.getpid(),),
                )
            for name in chosen:  # in the order they are included
                self.ahead[name] = self.pool.submit(_parse_in_worker, name)
        except Exception:  # noqa: BLE001 - no worker can start here: this process parses
            self.planned.difference_update(chosen)

    def close(self) -> None:
        """Wait for the workers to end; they end with the command in any case
        (``_watch_command``), and the forkserver with them."""
        if self.starting is not None:
            self.starting.join()
        if self.pool is not None:
            for future in self.ahead.values():
                future.cancel()
            with contextlib.suppress(Exception):  # a pool broken by a failed start
                self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
