"""A synthetic budget-execution ledger in this project's conventions, of any size.

    python benchmarks/generate.py N OUTDIR [--seed S]

writes ``OUTDIR/main.beancount`` (options, the budget, every plugin, includes),
``OUTDIR/accounts.beancount``, ``OUTDIR/segments.beancount`` and ``OUTDIR/layouts/``
(copies of the FY2016 chart of accounts, segments and statement layouts),
``OUTDIR/segments/<key>.beancount`` (one
file per segment: its opening balances, then its transactions under ``pushtag``)
and ``OUTDIR/main.journal``, the same transactions as an hledger journal with the
segment as a ``segment:`` tag.

N transactions are spread over the fiscal year 2016-04-01 .. 2017-03-31 and over
the seven segments; each is one of the kinds below, so every line of the three
statements gets figures, cash-relevant ones (accruals, receipts, payments) and
non-cash ones (depreciation, provisions, new leases, write-offs, revaluation).
The first 7 × kinds transactions go through every kind in every segment; the rest
are drawn with weights.  The opening balances (dated 2016-03-31) are computed from
the year's transactions so that no balance-sheet account of a segment ever goes
below zero, and 積立金 balances each opening transaction.  The output depends only
on N and the seed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import random
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from yosan_ledger.plugins import RULES_PLUGIN

ROOT = Path(__file__).resolve().parent.parent
LEDGER = ROOT / "ledger"
SEGMENTS = (
    "general",
    "resident_id",
    "jpki",
    "mynumber_card",
    "intermediate_server",
    "lgwan",
    "resident_id_related",
)
START = datetime.date(2016, 4, 1)
DAYS = 365  # 2016-04-01 .. 2017-03-31
OPENING_DATE = START - datetime.timedelta(days=1)

# The accounts of ledger/accounts.beancount, by a short name.
CASH = "Assets:11-流動資産:111-現金及び預金"
RECEIVABLE = "Assets:11-流動資産:112-未収金"
PREPAID = "Assets:11-流動資産:113-前払金"
SUPPLIES = "Assets:11-流動資産:114-貯蔵品"
SECURITIES = "Assets:11-流動資産:115-有価証券"
BUILDINGS = "Assets:12-固定資産:121-有形固定資産:1211-建物"
EQUIPMENT = "Assets:12-固定資産:121-有形固定資産:1212-備品"
LEASED_TANGIBLE = "Assets:12-固定資産:121-有形固定資産:1213-リース資産"
PHONE_RIGHTS = "Assets:12-固定資産:122-無形固定資産:1221-電話加入権"
SOFTWARE = "Assets:12-固定資産:122-無形固定資産:1222-ソフトウェア"
LEASED_INTANGIBLE = "Assets:12-固定資産:122-無形固定資産:1223-リース資産"
INVESTMENTS = "Assets:12-固定資産:123-投資その他の資産:1231-投資有価証券"
DEPOSITS_PAID = "Assets:12-固定資産:123-投資その他の資産:1232-保証金"
LONG_PREPAID = "Assets:12-固定資産:123-投資その他の資産:1233-長期前払費用"
PAYABLE = "Liabilities:21-流動負債:211-未払金"
TAX_PAYABLE = "Liabilities:21-流動負債:212-未払法人税"
DEPOSITS_HELD = "Liabilities:21-流動負債:213-預り金"
ADVANCES = "Liabilities:21-流動負債:214-前受金"
SUSPENSE = "Liabilities:21-流動負債:215-仮受金"
BONUS_PROVISION = "Liabilities:21-流動負債:216-賞与引当金"
OFFICER_BONUS_PROVISION = "Liabilities:21-流動負債:217-役員賞与引当金"
LEASE_DEBT_CURRENT = "Liabilities:21-流動負債:218-リース債務"
# 長期前受金 is kept by purpose (yosan_ledger.plugins.advances): the cash plan's その他 (資金収入)
# is the year's advances, so no other account takes cash under that row.
LONG_ADVANCES = (
    "Liabilities:22-固定負債:221-長期前受金:2211-住基ネットシステム機器更改",
    "Liabilities:22-固定負債:221-長期前受金:2212-次期LGWANシステム開発及び更改",
)
LONG_PAYABLE = "Liabilities:22-固定負債:222-長期未払金"
RETIREMENT_PROVISION = "Liabilities:22-固定負債:223-退職給付引当金"
OFFICER_RETIREMENT_PROVISION = "Liabilities:22-固定負債:224-役員退職給付引当金"
LEASE_DEBT = "Liabilities:22-固定負債:225-リース債務"
RETIREMENT_OBLIGATION = "Liabilities:22-固定負債:226-資産除去債務"
CAPITAL = "Equity:31-地方公共団体出資金"
RESERVE = "Equity:32-利益剰余金:321-積立金"
SYSTEM_RESERVE = "Equity:32-利益剰余金:322-システム開発積立金"
VALUATION = "Equity:33-評価・換算差額等:331-その他有価証券評価差額金"
REVENUES = (
    "Income:41-営業収益:411-事業負担金収入",
    "Income:41-営業収益:412-個人番号カード等関連交付金",
    "Income:41-営業収益:413-地方公共団体負担金収入",
    "Income:41-営業収益:414-負担金収入",
    "Income:41-営業収益:415-事業収入",
    "Income:41-営業収益:416-情報提供手数料",
    "Income:41-営業収益:417-発行手数料",
    "Income:41-営業収益:418-情報開示手数料",
    "Income:41-営業収益:419-補助金等収入",
)
OPERATING_COSTS = "Expenses:51-営業費用:511-事業費:5111-業務経費"
OPERATING_DEPRECIATION = "Expenses:51-営業費用:511-事業費:5112-減価償却費"
ADMIN_COSTS = "Expenses:51-営業費用:512-一般管理費:5121-管理経費"
TAXES = "Expenses:51-営業費用:512-一般管理費:5122-租税公課"
ADMIN_DEPRECIATION = "Expenses:51-営業費用:512-一般管理費:5123-減価償却費"
INTEREST_RECEIVED = "Income:61-営業外収益:611-受取利息"
SECURITIES_INTEREST = "Income:61-営業外収益:612-有価証券利息"
MISCELLANEOUS = "Income:61-営業外収益:613-雑収入"
INTEREST_PAID = "Expenses:71-営業外費用:711-支払利息"
WRITE_OFF = "Expenses:81-特別損失:811-固定資産除却損"

Postings = list[tuple[str, int]]  # (account, yen), summing to zero


def _yen(rng: random.Random, low: int, high: int) -> int:
    return rng.randrange(low, high)


def _pick(turn: int, accounts: tuple[str, ...]) -> str:
    """The accounts of a kind in turn, so that a few turns use every one."""
    return accounts[turn % len(accounts)]


def accrue_revenue(rng: random.Random, turn: int) -> Postings:
    first, second = REVENUES[2 * turn % 9], REVENUES[(2 * turn + 1) % 9]
    a, b = _yen(rng, 100_000, 30_000_000), _yen(rng, 10_000, 3_000_000)
    return [(RECEIVABLE, a + b), (first, -a), (second, -b)]


def collect_receivable(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 100_000, 30_000_000)
    return [(CASH, a), (RECEIVABLE, -a)]


def receive_interest(rng: random.Random, turn: int) -> Postings:
    a, b = _yen(rng, 100, 200_000), _yen(rng, 100, 500_000)
    return [(CASH, a + b), (INTEREST_RECEIVED, -a), (SECURITIES_INTEREST, -b)]


def receive_miscellaneous(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 1_000, 2_000_000)
    return [(CASH, a), (MISCELLANEOUS, -a)]


def redeem_securities(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 1_000_000, 50_000_000)
    return [(CASH, a), (_pick(turn, (SECURITIES, INVESTMENTS)), -a)]


def receive_advance(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 10_000, 10_000_000)
    return [(CASH, a), (_pick(turn, LONG_ADVANCES), -a)]


def accrue_expenses(rng: random.Random, turn: int) -> Postings:
    a, b = _yen(rng, 100_000, 25_000_000), _yen(rng, 10_000, 3_000_000)
    return [(OPERATING_COSTS, a), (ADMIN_COSTS, b), (PAYABLE, -(a + b))]


def accrue_tax(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 10_000, 500_000)
    return [(TAXES, a), (TAX_PAYABLE, -a)]


def pay_payable(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 100_000, 28_000_000)
    return [(PAYABLE, a), (CASH, -a)]


def pay_tax(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 10_000, 500_000)
    return [(TAX_PAYABLE, a), (CASH, -a)]


def pay_lease(rng: random.Random, turn: int) -> Postings:
    a, b = _yen(rng, 100_000, 5_000_000), _yen(rng, 1_000, 100_000)
    return [
        (_pick(turn, (LEASE_DEBT_CURRENT, LEASE_DEBT)), a),
        (INTEREST_PAID, b),
        (CASH, -(a + b)),
    ]


def acquire_asset(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 100_000, 20_000_000)
    return [(_pick(turn, (BUILDINGS, EQUIPMENT, PHONE_RIGHTS, SOFTWARE)), a), (CASH, -a)]


def pay_deposit(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 10_000, 2_000_000)
    return [(DEPOSITS_PAID, a), (CASH, -a)]


def pay_in_advance(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 10_000, 3_000_000)
    return [(_pick(turn, (PREPAID, SUPPLIES, LONG_PREPAID)), a), (CASH, -a)]


def settle_long_payable(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 10_000, 2_000_000)
    return [(LONG_PAYABLE, a), (CASH, -a)]


def depreciate(rng: random.Random, turn: int) -> Postings:
    a, b = _yen(rng, 10_000, 4_000_000), _yen(rng, 1_000, 500_000)
    asset = _pick(turn, (LEASED_TANGIBLE, LEASED_INTANGIBLE, BUILDINGS, EQUIPMENT, SOFTWARE))
    return [(OPERATING_DEPRECIATION, a), (ADMIN_DEPRECIATION, b), (asset, -(a + b))]


def provide(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 10_000, 3_000_000)
    provision = _pick(
        turn,
        (
            BONUS_PROVISION,
            OFFICER_BONUS_PROVISION,
            RETIREMENT_PROVISION,
            OFFICER_RETIREMENT_PROVISION,
            RETIREMENT_OBLIGATION,
        ),
    )
    return [(_pick(turn, (OPERATING_COSTS, ADMIN_COSTS)), a), (provision, -a)]


def lease_asset(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 100_000, 10_000_000)
    return [(_pick(turn, (LEASED_TANGIBLE, LEASED_INTANGIBLE)), a), (LEASE_DEBT, -a)]


def write_off(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 1_000, 1_000_000)
    return [(WRITE_OFF, a), (_pick(turn, (EQUIPMENT, BUILDINGS)), -a)]


def revalue(rng: random.Random, turn: int) -> Postings:
    a = _yen(rng, 1_000, 1_000_000)
    return [(INVESTMENTS, a), (VALUATION, -a)]


# (narration, postings, weight): cash-relevant kinds first, then the non-cash ones.
KINDS: tuple[tuple[str, Callable[[random.Random, int], Postings], int], ...] = (
    ("営業収益の計上", accrue_revenue, 20),
    ("未収金の回収", collect_receivable, 22),
    ("受取利息・有価証券利息の受取", receive_interest, 3),
    ("雑収入の受取", receive_miscellaneous, 3),
    ("有価証券の償還", redeem_securities, 1),
    ("前受金の受入", receive_advance, 3),
    ("事業費・一般管理費の計上", accrue_expenses, 20),
    ("租税公課の計上", accrue_tax, 1),
    ("未払金の支払", pay_payable, 18),
    ("未払法人税の納付", pay_tax, 1),
    ("リース料の支払（元本及び利息）", pay_lease, 4),
    ("固定資産の取得", acquire_asset, 2),
    ("保証金の差入", pay_deposit, 1),
    ("前払金・貯蔵品の支払", pay_in_advance, 2),
    ("長期未払金の支払", settle_long_payable, 1),
    ("減価償却（非資金取引）", depreciate, 3),
    ("引当金の繰入（非資金取引）", provide, 2),
    ("リース資産の取得（非資金取引）", lease_asset, 1),
    ("固定資産の除却（非資金取引）", write_off, 1),
    ("投資有価証券の評価（非資金取引）", revalue, 1),
)
WEIGHTS = [weight for _, _, weight in KINDS]
TITLE = "合成予算執行 (benchmark)"


def transactions(count: int, seed: int) -> Iterator[tuple[datetime.date, str, str, Postings]]:
    """(date, segment, narration, postings) of the year, in date order."""
    rng = random.Random(seed)
    kinds = range(len(KINDS))
    warm_up = len(SEGMENTS) * len(KINDS)
    turns = [0] * len(KINDS)
    for i in range(count):
        date = START + datetime.timedelta(days=i * DAYS // count)
        segment = SEGMENTS[i % len(SEGMENTS)]
        if i < warm_up:
            kind = (i // len(SEGMENTS)) % len(KINDS)
        else:
            (kind,) = rng.choices(kinds, WEIGHTS)
        narration, make, _ = KINDS[kind]
        yield date, segment, narration, make(rng, turns[kind])
        turns[kind] += 1


def opening_balances(count: int, seed: int) -> dict[str, Postings]:
    """Per segment, opening balances that keep every balance-sheet account on its
    own side through the year (assets ≥ 0, liabilities and net assets ≤ 0) with a
    margin, and 積立金 balancing the whole."""
    balance: dict[str, dict[str, int]] = {s: {} for s in SEGMENTS}
    lowest: dict[str, dict[str, int]] = {s: {} for s in SEGMENTS}
    for _, segment, _, postings in transactions(count, seed):
        running, low = balance[segment], lowest[segment]
        for account, amount in postings:
            if account.startswith(("Income", "Expenses")):
                continue
            side = 1 if account.startswith("Assets") else -1
            value = running.get(account, 0) + side * amount
            running[account] = value
            if value < low.get(account, 0):
                low[account] = value
    rng = random.Random(seed + 1)
    accounts = [line.split()[2] for line in _opens()]
    result: dict[str, Postings] = {}
    for segment in SEGMENTS:
        postings: Postings = []
        for account in accounts:
            if account.startswith(("Income", "Expenses")) or account == RESERVE:
                continue
            side = 1 if account.startswith("Assets") else -1
            margin = _yen(rng, 1_000_000, 100_000_000)
            postings.append((account, side * (margin - lowest[segment].get(account, 0))))
        net = sum(amount for _, amount in postings)
        if net < 0:  # more liabilities than assets: add cash, so 積立金 is a reserve
            postings[0] = (CASH, postings[0][1] - net + _yen(rng, 1_000_000, 100_000_000))
            net = sum(amount for _, amount in postings)
        postings.append((RESERVE, -net))
        result[segment] = postings
    return result


def _opens() -> list[str]:
    text = (LEDGER / "accounts.beancount").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if " open " in line]


def _posting_lines(postings: Postings) -> str:
    return "".join(f"  {account}  {amount} JPY\n" for account, amount in postings)


def write_beancount(count: int, seed: int, outdir: Path) -> None:
    shutil.copyfile(LEDGER / "accounts.beancount", outdir / "accounts.beancount")
    shutil.copyfile(LEDGER / "segments.beancount", outdir / "segments.beancount")
    shutil.copytree(LEDGER / "layouts", outdir / "layouts", dirs_exist_ok=True)
    (outdir / "segments").mkdir(exist_ok=True)
    plugins = f'plugin "{RULES_PLUGIN}"\n'
    includes = "".join(f'include "segments/{key}.beancount"\n' for key in SEGMENTS)
    (outdir / "main.beancount").write_text(
        f"; A synthetic ledger of {count} transactions (benchmarks/generate.py, seed {seed}).\n"
        f'option "title" "{TITLE}"\n'
        'option "operating_currency" "JPY"\n\n'
        '2016-02-25 custom "yosan-budget" "平成28年度予算（案）" 2016-04-01 2017-03-31\n'
        '2016-02-25 custom "yosan-layouts" "layouts"\n\n'
        f"{plugins}\n"
        'include "accounts.beancount"\n'
        'include "segments.beancount"\n'
        f"{includes}",
        encoding="utf-8",
    )
    openings = opening_balances(count, seed)
    with contextlib.ExitStack() as stack:
        files = {
            key: stack.enter_context(
                open(outdir / "segments" / f"{key}.beancount", "w", encoding="utf-8")
            )
            for key in SEGMENTS
        }
        for key, out in files.items():
            out.write(
                f'pushtag #{key}\n\n{OPENING_DATE} * "前期末残高"\n'
                f"{_posting_lines(openings[key])}\n"
            )
        for date, segment, narration, postings in transactions(count, seed):
            files[segment].write(f'{date} * "{narration}"\n{_posting_lines(postings)}\n')
        for key, out in files.items():
            out.write(f"poptag #{key}\n")


def write_journal(count: int, seed: int, outdir: Path) -> None:
    """The same ledger for hledger: the segment is a ``segment:`` tag."""
    openings = opening_balances(count, seed)
    with open(outdir / "main.journal", "w", encoding="utf-8") as out:
        out.write(f"; {TITLE}: {count} transactions, seed {seed}\n")
        for line in _opens():
            out.write(f"account {line.split()[2]}\n")
        out.write("\n")
        for key in SEGMENTS:
            out.write(
                f"{OPENING_DATE} * 前期末残高  ; segment:{key}\n{_posting_lines(openings[key])}\n"
            )
        for date, segment, narration, postings in transactions(count, seed):
            out.write(f"{date} * {narration}  ; segment:{segment}\n{_posting_lines(postings)}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="number of transactions in the year")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("N must be at least 1")
    args.outdir.mkdir(parents=True, exist_ok=True)
    write_beancount(args.count, args.seed, args.outdir)
    write_journal(args.count, args.seed, args.outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
