"""A synthetic actual journal (日々仕訳) of the FY2016 budget: made-up, deterministic.

    python benchmarks/actuals.py N OUTDIR [--seed S] [--layout month|segment]

writes ``OUTDIR/main.beancount``, the actual journal of ``ledger/main.beancount``
(``custom "yosan-actuals"``, its accounts, segments and layouts included from
``ledger/``, Fava's pages of ``yosan_ledger.reports.fava_ext``), and the journal's
files, which hold the budget's opening balances, then about N transactions over the
fiscal year in all seven segments:

- ``--layout month`` (the default): ``OUTDIR/journal/2016-03.beancount`` (the
  opening balances, dated 2016-03-31) and one file per month of the year,
  ``journal/2016-04.beancount`` … ``journal/2017-03.beancount``, in date order,
  each transaction tagged with its segment, as a day-book is kept;
- ``--layout segment``: ``OUTDIR/journal/<segment>.beancount`` under ``pushtag``.

Both layouts hold the same transactions, so every figure is the same.  It also
writes ``OUTDIR/main.journal``, the same transactions for hledger (the segment
as a ``segment:`` tag).  Every figure is made up (the journal's first lines say so).

Each of the budget's transactions of the year is executed month by month in
several parts of random size (the parts adding up to the budget's amount, so each
line's year-end total is the budget's, and its months vary): revenue
accrued to 未収金 and collected, expenses accrued to 未払金 and settled, lease
payments, monthly depreciation, as the budget itself records them.  Part of the
expenses is re-told as payroll: salaries paid with 預り金 withheld and paid over
the month after, and the bonus provision (賞与引当金) accrued monthly and paid in
June and December, taken out of the budget's own accrual and settlement so that
every line, of the balance sheet too, still ends the year at the budget's figure.
The output depends only on N and the seed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

from beancount import loader
from beancount.core import data

ROOT = Path(__file__).resolve().parent.parent
BUDGET = ROOT / "ledger" / "main.beancount"
CASH = "Assets:11-流動資産:111-現金及び預金"
WITHHELD = "Liabilities:21-流動負債:213-預り金"
BONUS_PROVISION = "Liabilities:21-流動負債:216-賞与引当金"
OPERATING_COST = "Expenses:51-営業費用:511-事業費:5111-業務経費"
MONTHS = 12
WITHHOLDING = 0.1  # of a salary, withheld (所得税・住民税・社会保険料) and paid over
BONUS_MONTHS = (6, 12)


def month_end(start: datetime.date, month: int) -> datetime.date:
    """The last day of the ``month``-th month (0-based) of the year from ``start``."""
    year, index = divmod(start.month - 1 + month + 1, 12)
    return datetime.date(start.year + year, index + 1, 1) - datetime.timedelta(days=1)


def _split(amounts: list[int], weights: list[float]) -> list[list[int]]:
    """The postings' amounts split by the weights (summing to 1), each part in whole
    yen and balanced, the parts adding up to the amounts exactly.  Each part is the
    rounded share of the weights so far less what was given before, so that no part
    of an amount has the other sign: no line is spent beyond its budget and given
    back later (which the control of commitments would refuse)."""
    parts, given = [], [0] * len(amounts)
    so_far = 0.0
    for index, weight in enumerate(weights):
        so_far = min(so_far + weight, 1.0)
        if index == len(weights) - 1:
            share = [a - g for a, g in zip(amounts, given, strict=True)]
        else:
            share = [round(a * so_far) - g for a, g in zip(amounts[:-1], given, strict=False)]
            share.append(-sum(share))
        given = [g + s for g, s in zip(given, share, strict=True)]
        parts.append(share)
    return parts


def _posting_lines(postings: list[tuple[str, int]]) -> str:
    return "".join(f"  {account}  {amount} JPY\n" for account, amount in postings if amount)


class Transaction(NamedTuple):
    """One transaction of a segment: its header line's date and narration, its postings."""

    date: datetime.date
    narration: str
    postings: list[tuple[str, int]]

    def beancount(self, tag: str | None = None) -> str:
        """In Beancount's syntax, tagged when the file does not ``pushtag`` it."""
        tags = f" #{tag}" if tag else ""
        return f'{self.date} * "{self.narration}"{tags}\n{_posting_lines(self.postings)}'

    def hledger(self, segment: str) -> str:
        """In hledger's syntax, the segment as a ``segment:`` tag."""
        return f"{self.date} * {self.narration}  ; segment:{segment}\n" + _posting_lines(
            self.postings
        )


PAYABLE = "Liabilities:21-流動負債:211-未払金"
SALARY_SHARE = 0.2  # of a segment's accrued 業務経費, settled as salaries through the year


def journal(count: int, seed: int) -> dict[str, list[Transaction]]:
    """Each segment's transactions, the opening balances first."""
    random_ = random.Random(seed)
    entries, errors, _ = loader.load_file(str(BUDGET))
    if errors:
        raise SystemExit(f"{BUDGET} has errors; run yosan check")
    budget = next(e for e in entries if isinstance(e, data.Custom) and e.type == "yosan-budget")
    start, end = budget.values[1].value, budget.values[2].value
    opening = start - datetime.timedelta(days=1)
    transactions = [e for e in entries if isinstance(e, data.Transaction)]
    year = [e for e in transactions if e.date != opening]
    parts = max(1, round(count / (len(year) * MONTHS)))
    # Each transaction's postings, which the payroll takes a part of.
    scaled = {id(e): [(p.account, int(p.units.number)) for p in e.postings] for e in year}
    payroll = _payroll(transactions, scaled, opening, start)
    out: dict[str, list[Transaction]] = defaultdict(list)
    for entry in transactions:
        (segment,) = entry.tags
        if entry.date == opening:
            postings = [(p.account, int(p.units.number)) for p in entry.postings]
            out[segment].append(Transaction(opening, "前期末残高", postings))
            continue
        accounts = [account for account, _ in scaled[id(entry)]]
        weights = [random_.uniform(0.5, 1.5) for _ in range(MONTHS * parts)]
        total = sum(weights)
        amounts = [amount for _, amount in scaled[id(entry)]]
        for index, share in enumerate(_split(amounts, [w / total for w in weights])):
            last = month_end(start, index // parts)
            day = last - datetime.timedelta(days=(index % parts) * last.day // parts)
            if any(share):
                narration = f"{entry.narration}（執行 {index + 1}）"
                postings = list(zip(accounts, share, strict=True))
                out[segment].append(Transaction(day, narration, postings))
    for segment, monthly in payroll.items():
        out[segment] += monthly
    assert all(start <= t.date <= end for s in out.values() for t in s[1:])
    return out


def _adjust(postings: list[tuple[str, int]], account: str, change: int) -> None:
    """Move ``change`` yen onto ``account`` and off the other posting of the pair."""
    index = next(i for i, (a, _) in enumerate(postings) if a == account)
    other = next(i for i, (a, _) in enumerate(postings) if a != account and a in (PAYABLE, CASH))
    postings[index] = (account, postings[index][1] + change)
    postings[other] = (postings[other][0], postings[other][1] - change)


def _payroll(
    transactions: list[data.Transaction],
    scaled: dict[int, list[tuple[str, int]]],
    opening: datetime.date,
    start: datetime.date,
) -> dict[str, list[Transaction]]:
    """Part of each segment's 業務経費, re-told as the year's payroll: salaries paid
    out of the accrued 未払金 with 預り金 withheld and paid over on the 10th of the
    month after (March's by the year's end), and the bonus provision (賞与引当金)
    accrued monthly and paid in June and December.  The budget's accrual and
    settlement of 未払金 give up what the payroll takes, so every line's year-end
    total stays the budget's scaled one."""
    out: dict[str, list[Transaction]] = defaultdict(list)
    by_segment: dict[str, list[data.Transaction]] = defaultdict(list)
    for entry in transactions:
        by_segment[next(iter(entry.tags))].append(entry)
    for segment, entries in sorted(by_segment.items()):
        provision = sum(
            -int(p.units.number)
            for e in entries
            if e.date == opening
            for p in e.postings
            if p.account == BONUS_PROVISION
        )
        accrual = next(
            (
                scaled[id(e)]
                for e in entries
                if e.date != opening
                and {p.account for p in e.postings} >= {OPERATING_COST, PAYABLE}
            ),
            None,
        )
        settlement = next(
            (
                scaled[id(e)]
                for e in entries
                if e.date != opening and {p.account for p in e.postings} == {PAYABLE, CASH}
            ),
            None,
        )
        if accrual is None or settlement is None:
            continue
        cost = dict(accrual)[OPERATING_COST]
        salary = round(cost * SALARY_SHARE / MONTHS)
        paid = dict(settlement)[PAYABLE]
        if MONTHS * salary + provision > paid or provision > cost // 2:
            continue
        _adjust(accrual, OPERATING_COST, -provision)  # accrued as 賞与引当金 instead
        _adjust(settlement, PAYABLE, -(MONTHS * salary + provision))  # paid as payroll
        withheld = round(salary * WITHHOLDING)
        for month in range(MONTHS):
            last = month_end(start, month)
            out[segment].append(
                Transaction(
                    last - datetime.timedelta(days=5),
                    "給与の支給（源泉徴収等を預り金に）",
                    [(PAYABLE, salary), (WITHHELD, -withheld), (CASH, withheld - salary)],
                )
            )
            over = last + datetime.timedelta(days=10) if month < MONTHS - 1 else last
            out[segment].append(
                Transaction(
                    over, "預り金の納付（当月分）", [(WITHHELD, withheld), (CASH, -withheld)]
                )
            )
            if provision:
                share = provision // MONTHS + (provision % MONTHS if month == MONTHS - 1 else 0)
                out[segment].append(
                    Transaction(
                        last,
                        "賞与引当金の繰入れ",
                        [(OPERATING_COST, share), (BONUS_PROVISION, -share)],
                    )
                )
            if provision and last.month in BONUS_MONTHS:
                half = (
                    provision // 2 if last.month == BONUS_MONTHS[0] else provision - provision // 2
                )
                out[segment].append(
                    Transaction(
                        last,
                        "賞与の支給（賞与引当金の取崩し）",
                        [(BONUS_PROVISION, half), (CASH, -half)],
                    )
                )
    return out


LAYOUTS = ("month", "segment")


def by_month(by_segment: dict[str, list[Transaction]]) -> dict[str, str]:
    """``<YYYY-MM>.beancount`` → that month's transactions of every segment, in date
    order, each tagged with its segment (the opening balances fall in 2016-03)."""
    months: dict[str, list[str]] = defaultdict(list)
    for segment, transactions in by_segment.items():
        for transaction in transactions:
            months[f"{transaction.date:%Y-%m}"].append(transaction.beancount(segment))
    return {f"{month}.beancount": "\n".join(sorted(texts)) for month, texts in months.items()}


def by_segment_files(by_segment: dict[str, list[Transaction]]) -> dict[str, str]:
    """``<segment>.beancount`` → the segment's transactions under ``pushtag``."""
    return {
        f"{key}.beancount": f"pushtag #{key}\n\n"
        + "\n".join(sorted(t.beancount() for t in transactions))
        + f"\npoptag #{key}\n"
        for key, transactions in by_segment.items()
    }


def hledger_journal(by_segment: dict[str, list[Transaction]]) -> str:
    """The same transactions for hledger, in date order, after the budget's accounts."""
    opens = (BUDGET.parent / "accounts.beancount").read_text(encoding="utf-8").splitlines()
    accounts = "".join(f"account {line.split()[2]}\n" for line in opens if " open " in line)
    dated = sorted(
        (t.date, t.beancount(), t.hledger(segment))
        for segment, transactions in by_segment.items()
        for t in transactions
    )
    return accounts + "\n" + "\n".join(text for _, _, text in dated)


def write(count: int, seed: int, outdir: Path, layout: str = "month") -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "journal").mkdir(exist_ok=True)
    ledger = os.path.relpath(BUDGET.parent, outdir.resolve())
    transactions = journal(count, seed)
    files = by_month(transactions) if layout == "month" else by_segment_files(transactions)
    (outdir / "main.beancount").write_text(
        f"; A SYNTHETIC ACTUAL JOURNAL WITH MADE-UP FIGURES (benchmarks/actuals.py {count}, "
        f"seed {seed}):\n"
        "; the FY2016 budget of ledger/ executed by a program, not by J-LIS.\n"
        'option "title" "FY2016 予算執行（合成データ）"\n'
        'option "operating_currency" "JPY"\n\n'
        f'2016-04-01 custom "yosan-actuals" "{ledger}/main.beancount"\n'
        f'2016-04-01 custom "yosan-layouts" "{ledger}/layouts"\n'
        '2016-04-01 custom "fava-extension" "yosan_ledger.reports.fava_ext"\n'
        'plugin "yosan_ledger.plugins.all"\n\n'
        f'include "{ledger}/accounts.beancount"\n'
        f'include "{ledger}/segments.beancount"\n'
        + "".join(f'include "journal/{name}"\n' for name in sorted(files)),
        encoding="utf-8",
    )
    for name, text in files.items():
        (outdir / "journal" / name).write_text(text, encoding="utf-8")
    (outdir / "main.journal").write_text(
        f"; FY2016 予算執行（合成データ）: benchmarks/actuals.py {count}, seed {seed}\n"
        + hledger_journal(transactions),
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="about how many transactions")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="month",
        help="the journal's files: one per month (default) or one per segment",
    )
    args = parser.parse_args(argv)
    write(args.count, args.seed, args.outdir, args.layout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
