"""How long the `yosan` command and `yosan fava` take on large journals, against
bean-check, hledger, ledger-cli and plain Fava.

    python benchmarks/bench.py                 # 10k and 100k transactions
    python benchmarks/bench.py --million       # and 1M (generating and loading
                                               # it takes about forty minutes;
                                               # Fava up to --fava-max, 100k)
    python benchmarks/bench.py --write-readme  # also put the tables in README.md
    python benchmarks/bench.py --sizes 2000 --runs 1 --skip statements fava

Each command runs ``--runs`` times (3 by default); a table gives the median wall
time, the median CPU time (user + system, steadier on a shared machine) and the
largest peak memory, each also as a ratio to bean-check's cold run of the same
size measured in the same run (the machine is shared: only ratios of one run
compare), and, where issue 26 sets one, the goal and whether it is met.

**An actual journal** (``benchmarks/actuals.py``: the FY2016 budget of ``ledger/``
executed over the year, in twelve monthly files ``journal/2016-04.beancount`` …
``journal/2017-03.beancount`` and the opening balances in ``journal/2016-03.beancount``;
``main.journal`` the same transactions for hledger and ledger-cli), one table per size:

- cold: bean-check with Beancount's pickle cache off (``BEANCOUNT_DISABLE_LOAD_CACHE=1``),
  ``yosan export --no-cache`` and ``yosan report execution --no-cache`` (each run
  also with an empty ``YOSAN_CACHE_DIR``, so no cache of any kind answers),
  ``hledger -f main.journal bs --pivot segment`` and ``ledger -f main.journal bal``
  (where installed; Debian: ``apt-get install hledger ledger``);
- a repeat of ``yosan report execution`` on unchanged files (statement cache);
- after a one-file edit: ``yosan report execution`` and ``yosan export`` with their
  caches on (a private ``YOSAN_CACHE_DIR`` under ``--workdir``), primed by one
  untimed run; before each timed run one balanced transaction of a different amount
  and narration is appended to ``journal/2016-09.beancount`` (a month in the middle,
  so that no loader gains from an edit at the journal's end); the file is restored
  afterwards, so the journal stays reusable;
- Fava: plain Fava (``fava.cli``, with Beancount's cache off) and ``yosan fava``
  (with an empty ``YOSAN_CACHE_DIR``), each started anew per run: the first page
  after start (Fava's income statement, its page and its data), then, after each
  saved edit (as above; the request starts two seconds after the save, time for
  Fava's file watcher to notice it), the same page and yosan's statements page
  (``extension/YosanStatements/``) on both servers until they answer 200 with
  the edit taken into account (a body different from the one before the save).
  The servers are stopped at the end of each run.

CPU and peak memory of a command cover its whole process tree.  ``wait4`` gives a
process's CPU with that of the descendants it waited for, and as ``ru_maxrss`` the
largest resident set of the process *or* of any one of those descendants, never
their sum.  Workers a command starts through a forkserver are not its children
and are never waited for by it (they are the forkserver's, which outlives the
command): so this script makes itself the reaper of orphaned descendants (Linux's
``PR_SET_CHILD_SUBREAPER``) and waits for them after each run, adding their CPU
and ``ru_maxrss``.  The peak is the larger of those and of the sum of the resident
sets of the process and its live descendants sampled every 0.1 s (parallel workers
counted together); for a Fava server, over its whole life (start, first page, the
edits), shown on its first-page row.  A request's CPU is the server tree's
(``/proc``: each live process's own and its reaped children's).

**The generated budget ledger** (``benchmarks/generate.py``, one file per segment,
``--skip statements`` to leave it out): bean-check cold and warm (Beancount's cache
in place), ``yosan export`` and ``yosan report bs --by-segment`` cold (``--no-cache``)
and from the statement cache, hledger, and the engine's share of a cold export
(measured in-process, ``engine_share.py``).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import hashlib
import io
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "benchmarks" / "generate.py"
ACTUALS = ROOT / "benchmarks" / "actuals.py"
README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
EDITED_MONTH = "2016-09"  # the monthly file each edit goes to
EDITING = ".editing"  # beside a journal while a file of it is edited
SETTLE = 2.0  # s after a save before Fava is asked: its file watcher's notice
PAGE_TIMEOUT = 3600.0  # s, a first page at 1M included
SKIPPABLE = ("statements", "report", "hledger", "engine", "execution", "edit", "fava")


# --- measuring one process (and its descendants) ----------------------------------------


@dataclass
class Sample:
    wall: float  # s
    cpu: float  # s, user + system
    peak: int | None = None  # KiB


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak: list[int] = field(default_factory=list)  # KiB

    def add(self, sample: Sample) -> None:
        self.wall.append(sample.wall)
        self.cpu.append(sample.cpu)
        if sample.peak is not None:
            self.peak.append(sample.peak)

    @property
    def median_wall(self) -> float:
        return statistics.median(self.wall)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)

    @property
    def max_peak(self) -> int | None:
        return max(self.peak) if self.peak else None


def descendants(pid: int) -> list[int]:
    """The live processes under ``pid`` (Linux's /proc), children first."""
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").glob("*"))
        except OSError:  # the process ended meanwhile
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            queue += children
    return found


def _rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) if found else 0


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the process and its descendants so far: the
    live ones' own and what each has collected from the children it reaped."""
    ticks = 0
    for member in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


class PeakSampler(threading.Thread):
    """The largest sum of resident sets of a process and its live descendants,
    sampled every 0.1 s: what ``ru_maxrss`` (one process at a time) does not see
    of workers running side by side."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak = pid, 0
        self._stop_event = threading.Event()
        self.start()

    def run(self) -> None:
        while not self._stop_event.wait(0.1):
            total = sum(_rss_kib(p) for p in [self.pid, *descendants(self.pid)])
            self.peak = max(self.peak, total)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Make this process the one orphaned descendants are given to (Linux), so
    that ``reap_orphans`` can wait for them and count what they used."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_orphans(limit: float = 60.0) -> tuple[float, int]:
    """Wait for the descendants a finished command left to this process: (their
    CPU s, the largest ``ru_maxrss`` KiB).  What still runs after ``limit`` s is killed."""
    cpu, peak = 0.0, 0
    deadline = time.monotonic() + limit
    while True:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:  # none left
            return cpu, peak
        if pid:
            cpu += usage.ru_utime + usage.ru_stime
            peak = max(peak, usage.ru_maxrss)
        elif time.monotonic() > deadline:
            for left in descendants(os.getpid()):
                os.kill(left, signal.SIGKILL)
        else:
            time.sleep(0.01)


def run_once(command: list[str], env: dict[str, str]) -> Sample:
    """Wall, CPU and peak memory of one run of the command, which must succeed,
    with those of every process it started (``reap_orphans``)."""
    reap_orphans()  # any left by an earlier command are not this one's
    start = time.perf_counter()
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    sampler = PeakSampler(child.pid)
    stderr = child.stderr.read() if child.stderr else b""
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    sampled = sampler.stop()
    orphans_cpu, orphans_peak = reap_orphans()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed ({child.returncode}):\n{stderr.decode(errors='replace')}"
        )
    cpu = usage.ru_utime + usage.ru_stime + orphans_cpu
    return Sample(wall, cpu, max(usage.ru_maxrss, orphans_peak, sampled))


def measure(
    command: list[str],
    env: dict[str, str],
    runs: int,
    prime: bool = False,
    before: Callable[[], None] | None = None,
) -> Timing:
    """``runs`` runs of the command, after an untimed one if ``prime``; ``before``
    (untimed) is called before each timed run."""
    if prime:
        run_once(command, env)
    timing = Timing()
    for _ in range(runs):
        if before is not None:
            before()
        timing.add(run_once(command, env))
    return timing


# --- the journals -----------------------------------------------------------------------


def ledger_for(count: int, workdir: Path, generator: Path = GENERATOR) -> Path:
    """The generated ledger of that size, made anew when the generator changed or
    an edit of it was not undone."""
    folder = workdir / f"{generator.stem}-{count}"
    stamp = folder / ".generator"
    digest = hashlib.sha256(generator.read_bytes()).hexdigest()
    fresh = stamp.exists() and stamp.read_text() == digest and not (folder / EDITING).exists()
    if not fresh:
        shutil.rmtree(folder, ignore_errors=True)
        print(f"  generating {count:,} transactions …", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(generator), str(count), str(folder)], check=True)
        reap_orphans()
        stamp.write_text(digest)
    return folder


def transaction_count(folder: Path) -> int:
    """The transactions of a generated journal's files, opening balances included."""
    header = re.compile(rb"^\d{4}-\d\d-\d\d \*", re.MULTILINE)
    return sum(len(header.findall(p.read_bytes())) for p in folder.rglob("*.beancount"))


class MonthEdit:
    """Edits of one monthly file, as an accountant's save: each call appends one
    balanced transaction (事業収入 accrued to 未収金: revenue, which the budget does not
    limit, where an expense would pass the budget the journal spends exactly) of an
    amount and narration never used before, so that no cache can answer the edited
    journal whole; the amount, over ten million yen, shows in every statement in 千円.
    The file is restored on exit; a marker beside the journal says an edit is under way."""

    REVENUE = "Income:41-営業収益:415-事業収入"
    RECEIVABLE = "Assets:11-流動資産:112-未収金"

    def __init__(self, folder: Path, month: str = EDITED_MONTH) -> None:
        self.folder, self.path = folder, folder / "journal" / f"{month}.beancount"
        self.original = self.path.read_bytes()
        self.day = f"{month}-28"

    def __enter__(self) -> MonthEdit:
        (self.folder / EDITING).write_text(str(self.path))
        return self

    def __call__(self) -> None:
        token = secrets.token_hex(4)
        amount = 10_000_000 + secrets.randbelow(90_000_000)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(
                f'\n{self.day} * "ベンチマークの編集 {token}" #general\n'
                f"  {self.RECEIVABLE}  {amount} JPY\n  {self.REVENUE}  -{amount} JPY\n"
            )

    def __exit__(self, *_: object) -> None:
        self.path.write_bytes(self.original)
        (self.folder / EDITING).unlink(missing_ok=True)


# --- Fava ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FavaPage:
    label: str
    paths: tuple[str, ...]  # under the ledger's URL; fetched in turn, as a browser does


PAGES = (
    FavaPage("Fava's income statement", ("income_statement/", "api/income_statement")),
    FavaPage("yosan's statements page", ("extension/YosanStatements/",)),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[str, bytes]:
    """(final URL after redirects, body) of a GET that must answer 200; a server
    that does not answer yet raises ConnectionError or URLError."""
    try:
        with urllib.request.urlopen(url, timeout=PAGE_TIMEOUT) as response:
            if response.status != 200:
                raise SystemExit(f"{url}: {response.status}")
            return response.geturl(), response.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{url}: {error.code} {error.reason}") from None


class Server:
    """A Fava server of the measurement: started in its own process group, its
    peak memory sampled, stopped (the whole group) on exit."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [*command, "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started = time.perf_counter()
        self.sampler = PeakSampler(self.process.pid)
        self.base = ""
        self.peak: int | None = None

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.peak is not None:
            return
        sampled = self.sampler.stop()
        for sent in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sent)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
                if pid:
                    self.process.returncode = os.waitstatus_to_exitcode(status)
                    self.peak = max(usage.ru_maxrss, reap_orphans()[1], sampled)
                    return
                time.sleep(0.1)
        self.peak = sampled

    def first_page(self) -> Sample:
        """From the start to Fava's first page (the income statement, with its data)."""
        url = f"http://127.0.0.1:{self.port}/"
        while True:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise SystemExit(f"the Fava server stopped ({self.process.returncode}):\n{tail}")
            try:
                final, _ = fetch(url)
                break
            except (ConnectionError, urllib.error.URLError):
                if time.perf_counter() - self.started > PAGE_TIMEOUT:
                    raise SystemExit(f"{url} did not answer in {PAGE_TIMEOUT:.0f} s") from None
                time.sleep(0.05)
        parts = urllib.parse.urlsplit(final)
        self.base = f"{parts.scheme}://{parts.netloc}/{parts.path.split('/')[1]}/"
        self.page(PAGES[0])
        wall = time.perf_counter() - self.started
        return Sample(wall, tree_cpu(self.process.pid))

    def page(self, page: FavaPage) -> bytes:
        return b"".join(fetch(self.base + path)[1] for path in page.paths)

    def after_edit(self, page: FavaPage, edit: MonthEdit) -> Sample:
        """The page after a saved edit: from the first request (SETTLE s after the
        save) to the first answer that differs from the page before the save."""
        before = self.page(page)
        edit()
        time.sleep(SETTLE)
        cpu, start = tree_cpu(self.process.pid), time.perf_counter()
        while self.page(page) == before:
            if time.perf_counter() - start > PAGE_TIMEOUT:
                raise SystemExit(f"{self.base}: the edit never showed in {page.label}")
            time.sleep(0.05)
        return Sample(time.perf_counter() - start, tree_cpu(self.process.pid) - cpu)


# --- tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """One of the goals (issue 26's, after issue 18's): ``metric`` ≤ ``limit`` × the reference row's
    (bean-check's cold run, or the row ``against``, called ``label``), stated for
    the sizes ``at``."""

    limit: float
    metric: str = "wall"  # or "peak"
    against: str | None = None
    label: str = ""
    at: tuple[int, ...] = ()

    def judge(self, row: Row, rows: dict[str, Row], count: int) -> str:
        reference = rows[self.against] if self.against else next(iter(rows.values()))
        value, base = row.value(self.metric), reference.value(self.metric)
        of = f" × {self.label}" if self.label else ""
        text = f"{self.metric} ≤ {self.limit:.2f}{of}: "
        if value is None or base is None:
            return text + "not measured"
        text += "met" if value <= self.limit * base else "**not met**"
        if self.at and count not in self.at:
            text += f" (stated at {', '.join(_size(n) for n in self.at)})"
        return text


@dataclass
class Row:
    name: str
    timing: Timing
    goals: tuple[Goal, ...] = ()

    def value(self, metric: str) -> float | None:
        if metric == "peak":
            return self.timing.max_peak
        return self.timing.median_wall if metric == "wall" else self.timing.median_cpu


def _size(count: int) -> str:
    return f"{count // 1_000_000}M" if count >= 1_000_000 else f"{count // 1000}k"


def ratio(value: float | None, reference: float | None) -> str:
    return f"{value / reference:.2f}" if value is not None and reference else "—"


def table(rows: list[Row], count: int) -> str:
    """One size's rows against the first (bean-check's cold run)."""
    by_name = {row.name: row for row in rows}
    reference = rows[0]
    lines = [
        "| Command | wall s | × | CPU s | × | peak MiB | × | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        peak = row.timing.max_peak
        cells = [
            row.name,
            f"{row.timing.median_wall:.2f}",
            ratio(row.timing.median_wall, reference.timing.median_wall),
            f"{row.timing.median_cpu:.2f}",
            ratio(row.timing.median_cpu, reference.timing.median_cpu),
            "—" if peak is None else f"{peak / 1024:.0f}",
            ratio(peak, reference.timing.max_peak),
            "; ".join(goal.judge(row, by_name, count) for goal in row.goals),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- the parts of a run -------------------------------------------------------------------


def environments(workdir: Path, name: str) -> tuple[dict[str, str], dict[str, str], Path]:
    """(cold, warm, cache folder): both with a private YOSAN_CACHE_DIR; cold with
    Beancount's pickle cache off as well."""
    cache = workdir / name
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    warm = {**os.environ, "YOSAN_CACHE_DIR": str(cache), "PYTHONPATH": path}
    warm.pop("BEANCOUNT_DISABLE_LOAD_CACHE", None)
    return {**warm, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}, warm, cache


def emptied(folder: Path) -> Callable[[], None]:
    """A ``before`` that empties a cache folder: every run cold."""
    return lambda: shutil.rmtree(folder, ignore_errors=True)


YOSAN = [sys.executable, "-m", "yosan_ledger.reports"]
# bean-check as this interpreter runs it: the ledger's plugins from this checkout.
BEAN_CHECK = [sys.executable, "-m", "beancount.scripts.check"]
FAVA = [sys.executable, "-c", "import sys; from fava.cli import main; sys.exit(main())"]
# Issue 26's goals (they tighten issue 18's: cold 0.35 -> 0.30, the edit at 100k too).
COLD_GOALS = (Goal(0.30, at=(100_000, 1_000_000)), Goal(0.8, "peak", at=(100_000, 1_000_000)))
EDIT_GOALS = (Goal(0.10, at=(100_000, 1_000_000)),)


def step(count: int, name: str) -> None:
    print(f"  {count:,}: {name}", file=sys.stderr, flush=True)


def other_tools(
    count: int, journal: Path, env: dict[str, str], runs: int, skip: frozenset[str]
) -> tuple[list[Row], list[str]]:
    """hledger and ledger-cli on the same transactions, where installed."""
    rows, notes = [], []
    tools = (
        ("hledger", ["hledger", "-f", str(journal), "bs", "--pivot", "segment"]),
        ("ledger", ["ledger", "-f", str(journal), "bal"]),
    )
    for tool, command in tools:
        if tool in skip:
            continue
        if shutil.which(tool) is None:
            notes.append(f"{tool} is not installed here (Debian: apt-get install {tool}): skipped")
            continue
        step(count, tool)
        rows.append(Row(f"`{' '.join([tool, *command[3:]])}`", measure(command, env, runs)))
    return rows, notes


def bench_actuals(
    count: int, workdir: Path, runs: int, skip: frozenset[str], fava_max: int
) -> tuple[list[Row], list[str]]:
    """The actual journal in twelve monthly files: cold, after an edit, and in Fava
    up to ``fava_max`` transactions."""
    folder = ledger_for(count, workdir, ACTUALS)
    journal = str(folder / "main.beancount")
    cold, warm, cache = environments(workdir, "cache-actuals")
    cold_cache = workdir / "cache-actuals-cold"
    cold["YOSAN_CACHE_DIR"] = str(cold_cache)
    export = [*YOSAN, "export", "--ledger", journal]
    execution = [*YOSAN, "report", "execution", "--ledger", journal]
    step(count, "actual journal, cold")
    rows = [Row("`bean-check` (cold)", measure([*BEAN_CHECK, journal], cold, runs))]
    for name, command in (
        ("`yosan export --no-cache`", export),
        ("`yosan report execution --no-cache`", execution),
    ):
        timing = measure([*command, "--no-cache"], cold, runs, before=emptied(cold_cache))
        rows.append(Row(name, timing, COLD_GOALS))
    extra, notes = other_tools(count, folder / "main.journal", cold, runs, skip)
    rows += extra
    shutil.rmtree(cache, ignore_errors=True)
    step(count, "actual journal, statement cache")
    repeat = measure(execution, warm, runs, prime=True)
    rows.append(Row("`yosan report execution`, files unchanged (statement cache)", repeat))
    if "edit" not in skip:
        step(count, "actual journal, after an edit")
        with MonthEdit(folder) as edit:
            for name, command in (
                ("`yosan report execution`", execution),
                ("`yosan export`", export),
            ):
                timing = measure(command, warm, runs, prime=True, before=edit)
                rows.append(Row(f"{name} after a one-file edit", timing, EDIT_GOALS))
    if "fava" in skip:
        pass
    elif count > fava_max:
        notes.append(f"Fava: not measured above {fava_max:,} transactions (--fava-max)")
    else:
        rows += bench_fava(count, folder, workdir, runs)
    return rows, notes


def after_edit(server: str, page: FavaPage) -> str:
    return f"`{server}`: {page.label} after a saved edit"


def fava_goal(page: FavaPage) -> Goal:
    """``yosan fava``'s page after an edit against plain Fava's same page."""
    return Goal(0.25, against=after_edit("fava", page), label="plain Fava's", at=(100_000,))


def bench_fava(count: int, folder: Path, workdir: Path, runs: int) -> list[Row]:
    """Plain Fava and ``yosan fava``: the first page after start, each page after
    a saved edit; each server started anew per run and stopped after it."""
    journal = str(folder / "main.beancount")
    cold, _, _ = environments(workdir, "cache-fava")
    servers = (("fava", [*FAVA, journal]), ("yosan fava", [*YOSAN, "fava", "--ledger", journal]))
    rows: dict[str, Row] = {}

    def row(name: str, goals: tuple[Goal, ...] = ()) -> Timing:
        return rows.setdefault(name, Row(name, Timing(), goals)).timing

    with MonthEdit(folder) as edit:
        for run in range(runs):
            for kind, command in servers:
                step(count, f"{kind}, run {run + 1}")
                shutil.rmtree(cold["YOSAN_CACHE_DIR"], ignore_errors=True)
                with Server(command, cold, workdir / f"{kind.replace(' ', '-')}.log") as server:
                    first = row(f"`{kind}`: first page after start")
                    sample = server.first_page()
                    for page in PAGES:
                        goals = () if kind == "fava" else (fava_goal(page),)
                        row(after_edit(kind, page), goals).add(server.after_edit(page, edit))
                sample.peak = server.peak
                first.add(sample)
    order = [f"`{k}`: first page after start" for k, _ in servers] + [
        after_edit(k, p) for p in PAGES for k, _ in servers
    ]
    return [rows[name] for name in order]


def bench_budget(
    count: int, workdir: Path, runs: int, skip: frozenset[str]
) -> tuple[list[Row], list[str]]:
    """The generated budget ledger (one file per segment): yosan cold and from the
    statement cache against bean-check cold and warm, hledger, the engine's share."""
    folder = ledger_for(count, workdir)
    ledger = str(folder / "main.beancount")
    cold, warm, cache = environments(workdir, "statement-cache")
    export = [*YOSAN, "export", "--ledger", ledger]
    report = [*YOSAN, "report", "bs", "--by-segment", "--ledger", ledger]
    step(count, "budget ledger, bean-check")
    bean_check = [*BEAN_CHECK, ledger]
    rows = [
        Row("`bean-check` (cold)", measure(bean_check, cold, runs)),
        Row("`bean-check` (Beancount's cache)", measure(bean_check, warm, runs, prime=True)),
    ]
    commands = [("yosan export", export, COLD_GOALS)]
    if "report" not in skip:
        commands.append(("yosan report bs --by-segment", report, ()))
    for name, command, goals in commands:
        step(count, f"budget ledger, {name} --no-cache")
        timing = measure([*command, "--no-cache"], cold, runs, before=emptied(cache))
        rows.append(Row(f"`{name} --no-cache`", timing, goals))
    for name, command, _ in commands:
        step(count, f"budget ledger, {name} (statement cache)")
        rows.append(Row(f"`{name}` (statement cache)", measure(command, warm, runs, prime=True)))
    extra, notes = other_tools(count, folder / "main.journal", cold, runs, skip | {"ledger"})
    rows += extra
    if "engine" not in skip:
        step(count, "engine share")
        engine, whole = engine_share(Path(ledger), cold)
        notes.append(
            f"engine {engine * 1000:.0f} ms of {whole:.2f} s ({100 * engine / whole:.1f} %) "
            "in a cold `yosan export --no-cache`"
        )
    return rows, notes


def engine_share(ledger: Path, env: dict[str, str]) -> tuple[float, float]:
    """(engine s, whole s) of one cold ``yosan export --no-cache`` (engine_share.py)."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.engine_share", str(ledger)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    reap_orphans()  # the workers' forkserver, given to this process
    if done.returncode != 0:
        raise SystemExit(f"benchmarks/engine_share.py failed:\n{done.stderr}")
    engine, whole = (float(x) for x in done.stderr.strip().splitlines()[-1].split())
    return engine, whole


# --- the report ---------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    memory = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    from beancount import __version__ as beancount_version
    from fava import __version__ as fava_version

    tools = [f"Beancount {beancount_version}", f"Fava {fava_version}"]
    for tool in ("hledger", "ledger"):
        if shutil.which(tool):
            version = subprocess.run([tool, "--version"], capture_output=True, text=True)
            tools.append(version.stdout.splitlines()[0].split(",")[0].strip())
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, {', '.join(tools)}"
    )


def section(title: str, rows: list[Row], notes: list[str], count: int) -> str:
    text = f"**{title}**\n\n{table(rows, count)}\n"
    return text + "".join(f"\n- {note}" for note in notes) + ("\n" if notes else "")


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    if START not in readme or END not in readme:
        raise SystemExit(f"README.md has no {START} … {END} section")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")


@contextmanager
def stray_check() -> Iterator[None]:
    """Fails loudly if a server of the run outlived it (none should)."""
    yield
    left = [p for p in descendants(os.getpid()) if Path(f"/proc/{p}").exists()]
    if left:
        raise SystemExit(f"processes left behind: {left}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="also 1,000,000 transactions")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=ROOT / "out" / "bench")
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument(
        "--fava-max",
        type=int,
        default=100_000,
        help="measure Fava only up to this many transactions (default 100,000, where issue "
        "26 states its goal; at 1M each of its pages takes minutes)",
    )
    parser.add_argument(
        "--skip",
        nargs="+",
        default=[],
        choices=SKIPPABLE,
        help="leave out the generated budget ledger's tables (statements), its report rows, "
        "hledger, the engine's share, the actual journal's tables (execution), their "
        "after-an-edit rows (edit) or their Fava rows (fava), to save time at 1M",
    )
    args = parser.parse_args(argv)
    if not become_subreaper():
        print("  not Linux: the CPU of workers a command leaves is not counted", file=sys.stderr)
    sizes = args.sizes + ([1_000_000] if args.million else [])
    args.workdir.mkdir(parents=True, exist_ok=True)
    skip = frozenset(args.skip)
    report = io.StringIO()
    when = datetime.date.today().isoformat()
    report.write(f"Measured {when} on {machine()}; median of {args.runs} runs.\n")
    with stray_check():
        for count in sizes:
            if "execution" not in skip:
                rows, notes = bench_actuals(count, args.workdir, args.runs, skip, args.fava_max)
                exact = transaction_count(args.workdir / f"{ACTUALS.stem}-{count}")
                title = (
                    f"{count:,} transactions ({exact:,}), an actual journal in twelve "
                    "monthly files (`benchmarks/actuals.py`)"
                )
                report.write("\n" + section(title, rows, notes, count))
            if "statements" not in skip:
                rows, notes = bench_budget(count, args.workdir, args.runs, skip)
                title = f"{count:,} transactions, a budget ledger (`benchmarks/generate.py`)"
                report.write("\n" + section(title, rows, notes, count))
    report.write(
        "\nCPU and peak cover each command's process tree, its parsing workers included; "
        "peak: the larger of the largest `ru_maxrss` (one process at a time) and the sampled "
        "sum over the live tree; a Fava server's over its life, on its first-page row.\n"
    )
    text = report.getvalue()
    print(text)
    if args.write_readme:
        write_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
