"""Made-up entity ledgers, small to large, consolidated: how fast, and with how many cores.

    python benchmarks/consolidate.py generate N OUTDIR [--seed S]
    python benchmarks/consolidate.py run [--counts 10 100 1000] [--workers 1 2] [--spark]
                                         [--write-readme]

``generate`` writes N made-up cash ledgers (each says so in its first lines), one
会計 each, with a 歳入歳出 by 款 like the example town's, and
``OUTDIR/consolidation.toml`` consolidating all of them: entity 0 is the
一般会計等, the even ones 全体, the odd ones 連結 at a share of 1/2; entity 2k pays
a 繰出金 to entity 2k+1 (its 繰入金), declared as an elimination.  Ledger i has
``SIZES[i % len(SIZES)]`` transactions (10 to 2,560: small to large), so the first N
ledgers of any run are the same.  Everything depends only on N and the seed.

``run`` generates 1,000 ledgers once and times ``yosan consolidate --no-cache`` (a
cold load of every ledger; the statement cache would answer a repeat) on the first
10, 100 and 1,000 of them, with a pool of each number of workers, and on a local Spark
cluster of two cores with ``--spark``: the median of ``--runs`` runs of the whole
command, as a user waits for it.  ``--write-readme`` puts the table in README.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import sys
import tempfile
from pathlib import Path

from yosan_ledger.plugins import RULES_PLUGIN

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START = datetime.date(2027, 4, 1)
SIZES = (10, 20, 40, 80, 160, 320, 640, 1280, 2560)  # transactions of ledger i % 9
REVENUE = {  # 歳入: line -> account
    "税": "Income:01-税:01-税",
    "国庫支出金": "Income:02-国庫支出金:01-国庫支出金",
    "使用料": "Income:03-使用料:01-使用料",
}
SPENDING = {  # 歳出
    "総務費": "Expenses:01-総務費:01-総務費",
    "民生費": "Expenses:02-民生費:01-民生費",
    "土木費": "Expenses:03-土木費:01-土木費",
}
TRANSFER_IN = "Income:04-繰入金:01-繰入金"
TRANSFER_OUT = "Expenses:04-繰出金:01-繰出金"
CASH = "Assets:1-現金"
CARRIED = "Equity:2-前年度繰越金"

ACCOUNTS = "\n".join(
    f'2027-03-31 open {account} JPY\n  line: "{line}"'
    for line, account in [
        ("現金", CASH),
        ("前年度繰越金", CARRIED),
        *REVENUE.items(),
        ("繰入金", TRANSFER_IN),
        *SPENDING.items(),
        ("繰出金", TRANSFER_OUT),
    ]
)
BUDGET_LAYOUT = """title = "歳入歳出"
kind = "flow"
rows = [
  { depth = 0, heading = "歳入" },
  { depth = 1, line = "税" },
  { depth = 1, line = "国庫支出金" },
  { depth = 1, line = "使用料" },
  { depth = 1, line = "繰入金" },
  { depth = 1, total = "歳入合計", sum = ["税", "国庫支出金", "使用料", "繰入金"] },
  { depth = 0, heading = "歳出" },
  { depth = 1, line = "総務費" },
  { depth = 1, line = "民生費" },
  { depth = 1, line = "土木費" },
  { depth = 1, line = "繰出金" },
  { depth = 1, total = "歳出合計", sum = ["総務費", "民生費", "土木費", "繰出金"] },
  { depth = 0, total = "歳入歳出差引", sum = ["歳入合計", "-歳出合計"], result = true },
]
"""
CASH_LAYOUT = """title = "現金"
kind = "balance"
closes_into = "前年度繰越金"
rows = [
  { depth = 0, line = "現金" },
  { depth = 0, line = "前年度繰越金" },
  { depth = 0, line = "差引", plus = ["budget:歳入歳出差引"] },
  { depth = 0, total = "財源", sum = ["前年度繰越金", "差引"] },
]
checks = [{ row = "現金", equals = "財源" }]
"""
CONSOLIDATED_LAYOUT = """title = "歳入歳出純計"
kind = "flow"
rows = [
  { depth = 0, heading = "歳入" },
  { depth = 1, line = "地方税" },
  { depth = 1, line = "国庫支出金" },
  { depth = 1, line = "使用料" },
  { depth = 1, line = "繰入金" },
  { depth = 1, total = "歳入合計", sum = ["地方税", "国庫支出金", "使用料", "繰入金"] },
  { depth = 0, heading = "歳出" },
  { depth = 1, line = "総務費" },
  { depth = 1, line = "民生費" },
  { depth = 1, line = "土木費" },
  { depth = 1, line = "繰出金" },
  { depth = 1, total = "歳出合計", sum = ["総務費", "民生費", "土木費", "繰出金"] },
  { depth = 0, total = "歳入歳出差引", sum = ["歳入合計", "-歳出合計"], result = true },
]
"""
CORRESPONDENCE = """[correspondence.made_up.junkei.lines]
"budget:税" = "地方税"
"budget:国庫支出金" = "国庫支出金"
"budget:使用料" = "使用料"
"budget:繰入金" = "繰入金"
"budget:総務費" = "総務費"
"budget:民生費" = "民生費"
"budget:土木費" = "土木費"
"budget:繰出金" = "繰出金"
"""


def entity_key(index: int) -> str:
    return f"e{index:04d}"


def scope_of(index: int) -> str:
    return "一般会計等" if index == 0 else ("全体" if index % 2 == 0 else "連結")


def ledger_text(index: int, rng: random.Random) -> tuple[str, int]:
    """Ledger ``index``: its text and its number of transactions."""
    size = SIZES[index % len(SIZES)]
    lines = [
        f"; MADE-UP FIGURES: entity {index} of the consolidation benchmark, no real body.",
        f"; {size} transactions: benchmarks/consolidate.py generates ledgers small to large.",
        f'option "title" "団体{index}（例）"',
        'option "operating_currency" "JPY"',
        '2027-02-25 custom "yosan-budget" "令和9年度（例）" 2027-04-01 2028-03-31',
        '2027-02-25 custom "yosan-layouts" "../../layouts"',
        '2027-04-01 custom "yosan-segment" "kaikei" "会計" "1"',
        f'plugin "{RULES_PLUGIN}"',
        'include "../../accounts.beancount"',
        "pushtag #kaikei",
    ]
    opening = rng.randrange(1, 100) * 1_000_000
    lines.append(f'2027-03-31 * "前年度繰越"\n  {CASH}  {opening} JPY\n  {CARRIED}')
    transfer = 1_000_000 * (index // 2 + 1)  # entity 2k pays it to 2k+1
    if index % 2 == 0:
        lines.append(f'2027-04-01 * "繰出金"\n  {TRANSFER_OUT}  {transfer} JPY\n  {CASH}')
    else:
        lines.append(f'2027-04-01 * "繰入金"\n  {CASH}  {transfer} JPY\n  {TRANSFER_IN}')
    for number in range(size - 2):
        day = START + datetime.timedelta(days=rng.randrange(365))
        amount = rng.randrange(1, 1000) * 1000
        if number % 2 == 0:
            account = rng.choice(list(REVENUE.values()))
            lines.append(f'{day} * "歳入"\n  {CASH}  {amount} JPY\n  {account}')
        else:
            account = rng.choice(list(SPENDING.values()))
            lines.append(f'{day} * "歳出"\n  {account}  {amount} JPY\n  {CASH}')
    lines.append("poptag #kaikei")
    return "\n".join(lines) + "\n", size


def declaration_text(count: int) -> str:
    """The declaration consolidating the first ``count`` ledgers."""
    lines = [
        "# MADE-UP: the consolidation of benchmarks/consolidate.py's generated ledgers.",
        'title = "連結ベンチマーク（例）"',
        'layouts = "consolidated"',
        "[scopes]",
        '"一般会計等" = ["junkei"]',
        '"全体" = ["junkei"]',
        '"連結" = ["junkei"]',
    ]
    for index in range(count):
        lines += [
            "[[entities]]",
            f'key = "{entity_key(index)}"',
            f'name = "団体{index}"',
            f'ledger = "entities/{entity_key(index)}/main.beancount"',
            f'scope = "{scope_of(index)}"',
            'correspondence = "made_up"',
        ]
        if scope_of(index) == "連結":
            lines.append('share = "1/2"')
    # Entity 2k pays its 繰出金 to 2k+1; the last one of an odd count pays a body
    # outside the consolidation.
    for index in range(0, count - 1, 2):
        lines += [
            "[[eliminations]]",
            f'name = "繰出金 {index} → {index + 1}"',
            "between = [",
            f'  {{ entity = "{entity_key(index)}", row = "budget:繰出金" }},',
            f'  {{ entity = "{entity_key(index + 1)}", row = "budget:繰入金" }},',
            "]",
        ]
    return "\n".join(lines) + "\n" + CORRESPONDENCE


def write_declaration(folder: Path, count: int, name: str = "consolidation.toml") -> Path:
    path = folder / name
    path.write_text(declaration_text(count), encoding="utf-8")
    return path


def generate(count: int, folder: Path, seed: int = 27) -> int:
    """Write ``count`` ledgers and their consolidation into ``folder``; the number of
    transactions written."""
    rng = random.Random(seed)
    (folder / "layouts").mkdir(parents=True)
    (folder / "consolidated").mkdir()
    (folder / "accounts.beancount").write_text(ACCOUNTS + "\n", encoding="utf-8")
    (folder / "layouts" / "statements.toml").write_text(
        'statements = ["budget", "cash"]\n', encoding="utf-8"
    )
    (folder / "layouts" / "budget.toml").write_text(BUDGET_LAYOUT, encoding="utf-8")
    (folder / "layouts" / "cash.toml").write_text(CASH_LAYOUT, encoding="utf-8")
    (folder / "consolidated" / "statements.toml").write_text(
        'statements = ["junkei"]\n', encoding="utf-8"
    )
    (folder / "consolidated" / "junkei.toml").write_text(CONSOLIDATED_LAYOUT, encoding="utf-8")
    transactions = 0
    for index in range(count):
        text, size = ledger_text(index, rng)
        transactions += size
        where = folder / "entities" / entity_key(index)
        where.mkdir(parents=True)
        (where / "main.beancount").write_text(text, encoding="utf-8")
    write_declaration(folder, count)
    return transactions


def run(args: argparse.Namespace) -> int:
    # bench.py measures a command with its whole process tree: the pool's workers and
    # their forkserver, Spark's Java, reaped as they are orphaned.
    sys.path.insert(0, str(ROOT))
    from benchmarks.bench import become_subreaper, machine, measure

    become_subreaper()
    counts = sorted(args.counts)
    rows = []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="yosan-consolidate-bench-") as temporary:
        folder = Path(temporary) / "ledgers"
        generate(max(counts), folder, args.seed)
        for count in counts:
            declaration = write_declaration(folder, count, f"consolidation-{count}.toml")
            transactions = sum(SIZES[i % len(SIZES)] for i in range(count))
            engines = [
                (f"{w} worker{'s' if w > 1 else ''}", ["--workers", str(w)]) for w in args.workers
            ]
            if args.spark:
                engines.append(("Spark local[2]", ["--cluster", "local[2]"]))
            for name, options in engines:
                command = [sys.executable, "-m", "yosan_ledger.reports", "consolidate"]
                command += [str(declaration), "--no-cache", "--format", "csv", *options]
                command += ["-o", str(Path(temporary) / "out.csv")]
                timing = measure(command, dict(os.environ), args.runs)
                row = (count, transactions, name, timing.median_wall, timing.median_cpu)
                rows.append(row)
                print(
                    f"{count:>5} ledgers {transactions:>8} transactions  {name:<16} "
                    f"{row[3]:8.2f} s  CPU {row[4]:8.2f} s  {count / row[3]:7.1f} ledgers/s",
                    flush=True,
                )
    table = markdown(rows, args.runs, load, machine())
    print(table)
    if args.write_readme:
        text = README.read_text(encoding="utf-8")
        start, end = "<!-- consolidate-bench:start -->", "<!-- consolidate-bench:end -->"
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
        README.write_text(pattern.sub(lambda _m: f"{start}\n{table}{end}", text), encoding="utf-8")
    return 0


def markdown(
    rows: list[tuple[int, int, str, float, float]], runs: int, load: float, machine: str
) -> str:
    lines = [
        f"Measured {datetime.date.today()} on {machine}; median of {runs} "
        f"run{'s' if runs > 1 else ''} of `yosan consolidate --no-cache` (every ledger loaded "
        "cold); CPU: user and system time of the command's whole process tree (workers, "
        "Spark's Java). The machine is shared: its load average was "
        f"{load:.1f} when the runs began, {os.getloadavg()[0]:.1f} when they ended.",
        "",
        "| Ledgers | Transactions | Engine | wall s | CPU s | CPU ÷ wall | ledgers/s | "
        "transactions/s | wall ÷ 1 worker's |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    single = {count: s for count, _, name, s, _cpu in rows if name == "1 worker"}
    for count, transactions, name, seconds, cpu in rows:
        ratio = f"{seconds / single[count]:.2f}" if count in single else ""
        lines.append(
            f"| {count:,} | {transactions:,} | {name} | {seconds:.2f} | {cpu:.2f} | "
            f"{cpu / seconds:.2f} | {count / seconds:.1f} | {transactions / seconds:,.0f} | "
            f"{ratio} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("generate", help="write N made-up ledgers and their declaration")
    made.add_argument("count", type=int)
    made.add_argument("folder", type=Path)
    made.add_argument("--seed", type=int, default=27)
    timing = commands.add_parser("run", help="time the consolidation of 10, 100, 1,000 ledgers")
    timing.add_argument("--counts", type=int, nargs="+", default=[10, 100, 1000])
    timing.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    timing.add_argument("--spark", action="store_true", help="and on Spark local[2]")
    timing.add_argument("--runs", type=int, default=3)
    timing.add_argument("--seed", type=int, default=27)
    timing.add_argument("--write-readme", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "generate":
        print(generate(args.count, args.folder, args.seed), "transactions")
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
