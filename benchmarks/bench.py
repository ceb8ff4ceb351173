"""How long the `yosan` command takes on large ledgers, against bean-check and hledger.

    python benchmarks/bench.py                 # 10k and 100k transactions
    python benchmarks/bench.py --million       # and 1M (generating and loading
                                               # it takes about forty minutes)
    python benchmarks/bench.py --write-readme  # also put the table in README.md

For each size, ``benchmarks/generate.py`` writes a ledger (kept in ``--workdir``
and reused while the generator is unchanged) and each command runs ``--runs``
times (3 by default); the table gives the median wall time, the median CPU time
(user + system, steadier on a shared machine) and the largest peak memory (the
child's maximum resident set, from ``wait4``), each also as a ratio to bean-check.

- cold: Beancount's pickle cache off (``BEANCOUNT_DISABLE_LOAD_CACHE=1``);
- warm: Beancount's cache in place (made by an untimed first run);
- ``yosan … --no-cache``: a full load, not the statement cache; cold only, since
  yosan never reads Beancount's cache (a warm full load would be another cold one);
- ``yosan …`` (statement cache): the statement cache answering a repeat run, the
  warm counterpart of bean-check's warm run;
- hledger: ``hledger bs --pivot segment`` on the same data (``main.journal``), from
  Debian's ``hledger`` package (``apt-get install hledger``); skipped when absent.
  It keeps no cache, so its warm run is another cold one.

The engine's own part is measured in-process on one cold load: the time inside
``compute_statements`` and the rendering of the export, against the whole command.

A second table times ``yosan report execution`` on an actual journal of the same
size (``benchmarks/actuals.py``, kept against ``ledger/``) against bean-check on
the same files: cold (``--no-cache``), and a repeat on unchanged files.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "benchmarks" / "generate.py"
ACTUALS = ROOT / "benchmarks" / "actuals.py"
README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak: list[int] = field(default_factory=list)  # KiB

    @property
    def median_wall(self) -> float:
        return statistics.median(self.wall)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)

    @property
    def max_peak(self) -> int:
        return max(self.peak)


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall s, cpu s, peak KiB) of one run of the command, which must succeed."""
    start = time.perf_counter()
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stderr = child.stderr.read() if child.stderr else b""
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed ({child.returncode}):\n{stderr.decode(errors='replace')}"
        )
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def measure(command: list[str], env: dict[str, str], runs: int, prime: bool = False) -> Timing:
    if prime:
        run_once(command, env)
    timing = Timing()
    for _ in range(runs):
        wall, cpu, peak = run_once(command, env)
        timing.wall.append(wall)
        timing.cpu.append(cpu)
        timing.peak.append(peak)
    return timing


def ledger_for(count: int, workdir: Path, generator: Path = GENERATOR) -> Path:
    """The generated ledger of that size, made anew only when the generator changed."""
    folder = workdir / f"{generator.stem}-{count}"
    stamp = folder / ".generator"
    digest = hashlib.sha256(generator.read_bytes()).hexdigest()
    if not (stamp.exists() and stamp.read_text() == digest):
        shutil.rmtree(folder, ignore_errors=True)
        print(f"  generating {count:,} transactions …", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(generator), str(count), str(folder)], check=True)
        stamp.write_text(digest)
    return folder


def engine_share(ledger: Path) -> tuple[float, float]:
    """(engine s, whole s) of one cold ``yosan export --no-cache`` (engine_share.py)."""
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.engine_share", str(ledger)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    engine, whole = (float(x) for x in done.stderr.strip().splitlines()[-1].split())
    return engine, whole


def machine() -> str:
    cpu = "unknown CPU"
    try:
        text = Path("/proc/cpuinfo").read_text()
        found = re.search(r"model name\s*:\s*(.+)", text)
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

    hledger = "absent"
    if shutil.which("hledger"):
        hledger = subprocess.run(
            ["hledger", "--version"], capture_output=True, text=True
        ).stdout.split(",")[0]
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, Beancount {beancount_version}, {hledger}"
    )


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}" if reference else "—"


def table(
    results: dict[int, dict[str, dict[str, Timing | None]]], *, peak_of_cold: bool = False
) -> str:
    lines = [
        "| Transactions | Command | cold s | × | warm s | × | CPU cold × | CPU warm × "
        "| peak MiB | × |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count, rows in results.items():
        reference = rows["bean-check"]
        ref_cold, ref_warm = reference["cold"], reference["warm"]
        ref_peak = max(t.max_peak for t in (ref_cold, ref_warm) if t)
        for name, modes in rows.items():
            cold, warm = modes["cold"], modes["warm"]
            peak = max(t.max_peak for t in (cold, warm) if t)
            # Against bean-check's cold run alone, where it has no warm one.
            ref_warm = ref_warm if ref_warm is not None or not peak_of_cold else ref_cold
            cells = [f"{count:,}", f"`{name}`"]
            for mode, ref in ((cold, ref_cold), (warm, ref_warm)):
                if mode is None:
                    cells += ["—", "—"]
                else:
                    cells += [f"{mode.median_wall:.2f}", ratio(mode.median_wall, ref.median_wall)]
            for mode, ref in ((cold, ref_cold), (warm, ref_warm)):
                cells.append("—" if mode is None else ratio(mode.median_cpu, ref.median_cpu))
            cells += [f"{peak / 1024:.0f}", ratio(peak, ref_peak)]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bench(
    count: int, workdir: Path, runs: int, skip: frozenset[str] = frozenset()
) -> tuple[dict[str, dict[str, Timing | None]], str]:
    folder = ledger_for(count, workdir)
    ledger, journal = str(folder / "main.beancount"), str(folder / "main.journal")
    cache_dir = workdir / "statement-cache"
    # bean-check imports the ledger's plugins: from this checkout, as yosan does.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    base = {**os.environ, "YOSAN_CACHE_DIR": str(cache_dir), "PYTHONPATH": path}
    base.pop("BEANCOUNT_DISABLE_LOAD_CACHE", None)
    cold = {**base, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    yosan = [sys.executable, "-m", "yosan_ledger.reports"]
    bean_check = [shutil.which("bean-check") or "bean-check", ledger]
    export = [*yosan, "export", "--ledger", ledger]
    report = [*yosan, "report", "bs", "--by-segment", "--ledger", ledger]
    rows: dict[str, dict[str, Timing | None]] = {}

    def step(name: str) -> None:
        print(f"  {count:,}: {name}", file=sys.stderr, flush=True)

    for name, command in (
        ("bean-check", bean_check),
        ("yosan export --no-cache", [*export, "--no-cache"]),
        ("yosan report bs --by-segment --no-cache", [*report, "--no-cache"]),
    ):
        if "report" in skip and "report" in name:
            continue
        step(name)
        rows[name] = {
            "cold": measure(command, cold, runs),
            # yosan never reads Beancount's cache: a warm full load is another cold
            # one.  Its repeat runs are the statement-cache rows below.
            "warm": None if "yosan" in name else measure(command, base, runs, prime=True),
        }
    shutil.rmtree(cache_dir, ignore_errors=True)
    for name, command in (
        ("yosan export (statement cache)", export),
        ("yosan report bs --by-segment (statement cache)", report),
    ):
        step(name)
        rows[name] = {"cold": None, "warm": measure(command, base, runs, prime=True)}
    if "hledger" in skip:
        pass
    elif shutil.which("hledger"):
        step("hledger")
        hledger = measure(["hledger", "-f", journal, "bs", "--pivot", "segment"], base, runs)
        rows["hledger bs --pivot segment"] = {"cold": hledger, "warm": hledger}
    else:
        print(
            "  hledger is not installed (Debian: apt-get install hledger): skipped",
            file=sys.stderr,
        )
    if "engine" in skip:
        return rows, ""
    step("engine share")
    engine, whole = engine_share(Path(ledger))
    note = (
        f"{count:,}: engine {engine * 1000:.0f} ms of {whole:.2f} s "
        f"({100 * engine / whole:.1f} %) in a cold `yosan export --no-cache`"
    )
    return rows, note


def bench_execution(count: int, workdir: Path, runs: int) -> dict[str, dict[str, Timing | None]]:
    """``yosan report execution`` on an actual journal against bean-check on it."""
    journal = str(ledger_for(count, workdir, ACTUALS) / "main.beancount")
    cache_dir = workdir / "statement-cache-actuals"
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    base = {**os.environ, "YOSAN_CACHE_DIR": str(cache_dir), "PYTHONPATH": path}
    cold = {**base, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    execution = [sys.executable, "-m", "yosan_ledger.reports", "report", "execution"]
    rows: dict[str, dict[str, Timing | None]] = {}
    print(f"  {count:,}: actual journal", file=sys.stderr, flush=True)
    bean_check = [shutil.which("bean-check") or "bean-check", journal]
    rows["bean-check"] = {"cold": measure(bean_check, cold, runs), "warm": None}
    rows["yosan report execution --no-cache"] = {
        "cold": measure([*execution, "--no-cache", "--ledger", journal], cold, runs),
        "warm": None,
    }
    shutil.rmtree(cache_dir, ignore_errors=True)
    repeat = measure([*execution, "--ledger", journal], base, runs, prime=True)
    rows["yosan report execution (statement cache)"] = {"cold": None, "warm": repeat}
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="also 1,000,000 transactions")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=ROOT / "out" / "bench")
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument(
        "--skip",
        nargs="+",
        default=[],
        choices=["statements", "report", "hledger", "engine", "execution"],
        help="leave out the budget ledger's rows, the report rows, hledger, the engine's share "
        "or the actual journal's table (to save time at 1M)",
    )
    args = parser.parse_args(argv)
    sizes = args.sizes + ([1_000_000] if args.million else [])
    args.workdir.mkdir(parents=True, exist_ok=True)
    results, notes, executions = {}, [], {}
    skip = frozenset(args.skip)
    for count in sizes:
        if "statements" not in skip:
            results[count], note = bench(count, args.workdir, args.runs, skip)
            notes.append(note)
        if "execution" not in skip:
            executions[count] = bench_execution(count, args.workdir, args.runs)
    when = datetime.date.today().isoformat()
    report = io.StringIO()
    report.write(f"Measured {when} on {machine()}; median of {args.runs} runs.\n\n")
    if results:
        report.write(table(results) + "\n\n")
        report.write("".join(f"- {note}\n" for note in notes if note))
    if executions:
        report.write("\nAn actual journal (`benchmarks/actuals.py`) of the same size:\n\n")
        report.write(table(executions, peak_of_cold=True) + "\n")
    text = report.getvalue()
    print(text)
    if args.write_readme:
        readme = README.read_text(encoding="utf-8")
        if START not in readme or END not in readme:
            raise SystemExit(f"README.md has no {START} … {END} section")
        head, rest = readme.split(START, 1)
        _, tail = rest.split(END, 1)
        README.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
