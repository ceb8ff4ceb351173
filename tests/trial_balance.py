"""The statements worked out again, straight from the postings, without the engine.

A plain dict sum per (segment, account) of the opening balances, the year's flows
and what the 資金計画 counts of each transaction (by brute force over every way of
splitting it, ``cash_parts``); the rows of the three statements
are then written out by hand from the chart's account codes (1 資産 … 8 特別損失),
following the published definitions, not the layout files.  Used by the
property tests and the nothing-lost tests to check the engine's every figure.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from beancount.core import data

from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.layout import Layouts

# By the code of the account's last component (the chart: 111-現金及び預金 …).
CASH = {"111"}
WORKING_CAPITAL = {"112", "211", "212"}  # 未収金, 未払金, 未払法人税
NEGATIVE = ("Liabilities", "Equity", "Income")


def code(account: str) -> str:
    return account.rsplit(":", 1)[-1].split("-", 1)[0]


def codes_of(account: str) -> set[str]:
    """The code of every component below the root: a sub-account (221-長期前受金:2211-…)
    belongs where its parent does."""
    return {component.split("-", 1)[0] for component in account.split(":")[1:]}


def under(account: str, *prefixes: str) -> bool:
    """The account's codes (root:11-…:111-…) start with one of the prefixes, such as
    ``Assets:11`` or ``Expenses:51``."""
    root, *components = account.split(":")
    codes = ":".join([root] + [c.split("-", 1)[0] for c in components])
    return any(codes == p or codes.startswith(p + ":") for p in prefixes)


@dataclass
class Sums:
    """Exact sums in yen per (segment, account); the segment ``total`` takes all."""

    segments: list[str]
    opening: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    flow: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    cash_flow: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    accounts: set[str] = field(default_factory=set)

    def of(self, table: str, segment: str, *prefixes: str, codes: Iterable[str] = ()) -> int:
        """Σ of a table over the accounts under the prefixes or with the codes."""
        wanted = set(codes)
        values = getattr(self, table)
        return sum(
            amount
            for (seg, account), amount in values.items()
            if seg == segment and (under(account, *prefixes) or codes_of(account) & wanted)
        )

    def balance(self, segment: str, account: str, *, closing: bool) -> int:
        """One account's closing balance, or its flow over the year."""
        flow = self.flow.get((segment, account), 0)
        return flow + self.opening.get((segment, account), 0) if closing else flow

    def closing(self, segment: str, *prefixes: str, codes: Iterable[str] = ()) -> int:
        return self.of("opening", segment, *prefixes, codes=codes) + self.of(
            "flow", segment, *prefixes, codes=codes
        )


def sums_of(entries: Iterable[data.Directive], opening_date: datetime.date) -> Sums:
    """Every posting of every transaction, with no filter: a ledger that checks clean
    must have each of them in its statements."""
    segments: list[str] = []
    sums = Sums(segments)
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == "yosan-segment":
            segments.append(entry.values[0].value)
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        (segment,) = entry.tags
        amounts = [(p.account, int(p.units.number)) for p in entry.postings]
        parts = [0] * len(amounts)
        if entry.date != opening_date:
            counted = cash_parts(amounts)
            assert counted is not None, f"a refused transaction: {entry.meta}"
            parts = counted
        for posting, part in zip(entry.postings, parts, strict=True):
            assert posting.units.currency == "JPY"
            amount = int(posting.units.number)
            assert amount == posting.units.number
            sums.accounts.add(posting.account)
            for column in (segment, TOTAL):
                key = (column, posting.account)
                if entry.date == opening_date:
                    sums.opening[key] += amount
                else:
                    sums.flow[key] += amount
                    sums.cash_flow[key] += part
    return sums


def moves_cash(account: str) -> bool:
    return code(account) in CASH | WORKING_CAPITAL


def plan_row(account: str) -> str | None:
    """The flow row of 資金計画 that takes an account, by the published definitions."""
    for ref, prefixes, codes in (*RECEIPTS, *PAYMENTS):
        if under(account, *prefixes) or codes_of(account) & set(codes):
            return ref
    return None


def cash_parts(postings: list[tuple[str, int]]) -> list[int] | None:
    """What the 資金計画 counts of each posting of a transaction of the year, worked
    out by brute force from the rule the README states: try every way of splitting
    the postings into groups that balance and cannot be split further; a group that
    moves no cash or working capital counts nothing, one that does counts its other
    postings (an account on no row is the unpaid part when the rest feed one row and
    the cash is part of them).  None when two splits count differently, or when no
    split can be counted (the engine refuses the transaction)."""
    nonzero = [i for i, (_, amount) in enumerate(postings) if amount]
    outcomes: dict[tuple, list[int]] = {}
    refused = False
    for split in _finest_splits(nonzero, postings):
        parts = [0] * len(postings)
        rows: dict[str, int] = defaultdict(int)
        for group in split:
            if not any(moves_cash(postings[i][0]) for i in group):
                continue
            others = [i for i in group if not moves_cash(postings[i][0])]
            untaken = [i for i in others if plan_row(postings[i][0]) is None]
            taken = [i for i in others if i not in untaken]
            if not untaken:
                for i in taken:
                    parts[i] = postings[i][1]
                    rows[plan_row(postings[i][0])] += postings[i][1]
                continue
            cash = -sum(postings[i][1] for i in group if moves_cash(postings[i][0]))
            on_rows = sum(postings[i][1] for i in taken)
            if not (
                len({plan_row(postings[i][0]) for i in taken}) == 1
                and cash != 0
                and (cash > 0) == (on_rows > 0)
                and abs(cash) <= abs(on_rows)
            ):
                break
            parts[taken[0]] = cash  # the one row the cash is counted on
            rows[plan_row(postings[taken[0]][0])] += cash
        else:
            outcomes.setdefault(tuple(sorted((r, a) for r, a in rows.items() if a)), parts)
            continue
        refused = True
    if len(outcomes) != 1:
        assert outcomes or refused
        return None
    return next(iter(outcomes.values()))


def _finest_splits(items: list[int], postings: list[tuple[str, int]]) -> Iterator[list[list[int]]]:
    """Every partition of the postings into groups that balance and that no proper
    part of balances by itself (set partitions, enumerated naively)."""

    def balances(group: list[int]) -> bool:
        return sum(postings[i][1] for i in group) == 0

    def finest(group: list[int]) -> bool:
        return balances(group) and not any(
            balances(list(part))
            for size in range(1, len(group))
            for part in itertools.combinations(group, size)
        )

    def partitions(rest: list[int]) -> Iterator[list[list[int]]]:
        if not rest:
            yield []
            return
        first, *others = rest
        for smaller in partitions(others):
            for n in range(len(smaller)):
                yield [*smaller[:n], [first, *smaller[n]], *smaller[n + 1 :]]
            yield [[first], *smaller]

    for split in partitions(items):
        if all(finest(group) for group in split):
            yield split


def income_statement(sums: Sums, segment: str) -> dict[str, int]:
    """Totals of 予定損益計算書, by row reference."""

    def earned(*prefixes: str) -> int:  # income shows positive, expenses too
        return -sums.of("flow", segment, *prefixes)

    revenue, operating = earned("Income:41"), -earned("Expenses:51")
    other_income, other_expense = earned("Income:61"), -earned("Expenses:71")
    extraordinary = -earned("Expenses:81")
    ordinary = revenue - operating + other_income - other_expense
    return {
        "pl:営業収益合計": revenue,
        "pl:営業費用合計": operating,
        "pl:営業利益": revenue - operating,
        "pl:営業外収益合計": other_income,
        "pl:営業外費用合計": other_expense,
        "pl:経常利益": ordinary,
        "pl:特別損失合計": extraordinary,
        "pl:当期純利益": ordinary - extraordinary,
        "net income, from all income and expenses": earned("Income", "Expenses"),
    }


def balance_sheet(sums: Sums, segment: str, net_income: int) -> dict[str, int]:
    """Totals of 予定貸借対照表, by row reference (net income closes into 積立金)."""

    def asset(*prefixes: str) -> int:
        return sums.closing(segment, *prefixes)

    def owed(*prefixes: str) -> int:
        return -sums.closing(segment, *prefixes)

    liabilities = owed("Liabilities")
    net_assets = owed("Equity") + net_income
    return {
        "bs:流動資産合計": asset("Assets:11"),
        "bs:有形固定資産合計": asset("Assets:12:121"),
        "bs:無形固定資産合計": asset("Assets:12:122"),
        "bs:投資その他の資産合計": asset("Assets:12:123"),
        "bs:固定資産合計": asset("Assets:12"),
        "bs:資産合計": asset("Assets"),
        "bs:流動負債合計": owed("Liabilities:21"),
        "bs:固定負債合計": owed("Liabilities:22"),
        "bs:負債合計": liabilities,
        "bs:利益剰余金合計": owed("Equity:32") + net_income,
        "bs:評価・換算差額等合計": owed("Equity:33"),
        "bs:純資産合計": net_assets,
        "bs:負債純資産合計": liabilities + net_assets,
    }


# 資金計画: (row, accounts by code) of the flow rows, as the published plan defines them.
RECEIPTS = [
    ("cf:営業収益", ["Income:41"], ()),
    ("cf:利息収入", (), ("611", "612")),
    ("cf:資金収入/雑収入", (), ("613",)),
    ("cf:有価証券償還金", (), ("115", "1231")),
    ("cf:資金収入/その他", (), ("214", "215", "221")),
    ("cf:預り金の増減", (), ("213",)),
]
PAYMENTS = [
    ("cf:資金支出/事業費", ["Expenses:51:511"], ("216", "223")),  # and provisions paid
    ("cf:資金支出/一般管理費", ["Expenses:51:512"], ("217", "224")),
    ("cf:固定資産取得費", ["Assets:12:121", "Assets:12:122"], ()),
    ("cf:保証金支出", (), ("1232",)),
    ("cf:リース債務返済支出", (), ("218", "225", "711")),
    ("cf:資金支出/その他", (), ("113", "114", "1233", "222")),
]
PAYABLES = ("211", "212")


def cash_flow_plan(sums: Sums, segment: str) -> dict[str, int]:
    """Every row of 資金計画: flows in cash-relevant transactions, working capital at
    both ends of the year, and cash."""
    rows: dict[str, int] = {}
    for ref, prefixes, codes in RECEIPTS:
        rows[ref] = -sums.of("cash_flow", segment, *prefixes, codes=codes)
    rows["cf:前期末未収金"] = sums.of("opening", segment, codes=("112",))
    rows["cf:当期末未収金"] = -sums.closing(segment, codes=("112",))
    rows["cf:資金収入合計"] = sum(rows.values())
    paid = {}
    for ref, prefixes, codes in PAYMENTS:
        paid[ref] = sums.of("cash_flow", segment, *prefixes, codes=codes)
    paid["cf:前期末未払金"] = -sums.of("opening", segment, codes=PAYABLES)
    paid["cf:当期末未払金"] = sums.closing(segment, codes=PAYABLES)
    paid["cf:資金支出合計"] = sum(paid.values())
    rows |= paid
    rows["cf:資金収支差額"] = rows["cf:資金収入合計"] - rows["cf:資金支出合計"]
    rows["cf:前期末現金及び預金"] = sums.of("opening", segment, codes=CASH)
    rows["cf:当期末現金及び預金"] = rows["cf:前期末現金及び預金"] + rows["cf:資金収支差額"]
    return rows


def line_figures(
    sums: Sums, segment: str, line_of: dict[str, str], net_income: int
) -> dict[str, int]:
    """Each bs/pl line row (by reference) from the accounts whose Open names it, signed
    as published (net income closes into 積立金); ``line_of`` maps account → row
    reference, and must know every account posted to."""
    rows: dict[str, int] = defaultdict(int)
    for account in sums.accounts:
        ref = line_of[account]
        sign = -1 if account.startswith(NEGATIVE) else 1
        rows[ref] += sign * sums.balance(segment, account, closing=ref.startswith("bs:"))
    rows["bs:利益剰余金/積立金"] += net_income
    return rows


def lines_of_accounts(entries: Iterable[data.Directive], layouts: Layouts) -> dict[str, str]:
    """Account → the row reference its Open's ``line`` names (read from the ledger)."""
    found = {}
    for entry in entries:
        if isinstance(entry, data.Open):
            statement = "pl" if entry.account.startswith(("Income", "Expenses")) else "bs"
            row = layouts.find(statement, entry.meta["line"])
            assert row is not None, entry
            found[entry.account] = row.ref
    return found


def expected_statements(
    sums: Sums, line_of: dict[str, str], layouts: Layouts
) -> dict[str, dict[str, int]]:
    """Every value row of the three statements (by full reference) for every segment
    and the total, worked out from the sums."""
    expected: dict[str, dict[str, int]] = defaultdict(dict)
    for segment in [*sums.segments, TOTAL]:
        pl = income_statement(sums, segment)
        net_income = pl.pop("net income, from all income and expenses")
        assert net_income == pl["pl:当期純利益"]
        figures = pl | balance_sheet(sums, segment, net_income) | cash_flow_plan(sums, segment)
        figures |= line_figures(sums, segment, line_of, net_income)
        for ref, value in figures.items():
            expected[layouts.row(ref).ref][segment] = value
    for layout in layouts:
        for row in layout.value_rows():
            if row.ref not in expected:
                # Only a line no posted account feeds may be left: it is 0.
                assert row.kind == "line", row.ref
                expected[row.ref] = dict.fromkeys([*sums.segments, TOTAL], 0)
    return expected


def differences(statements: Statements, expected: dict[str, dict[str, int]]) -> list[str]:
    """Every figure of the engine that differs from the independent one."""
    found = []
    for ref, by_segment in expected.items():
        for segment, value in by_segment.items():
            got = statements.figure(ref, segment)
            if got != value:
                found.append(f"{ref} {segment}: engine {got:,}, postings {value:,}")
    return found


def trial_balance(
    statements: Statements, sums: Sums, line_of: dict[str, str]
) -> dict[tuple[str, str], tuple[int, int]]:
    """Per (statement, segment): Σ over the engine's line figures, turned back into
    posting signs and without the net income 積立金 takes, beside Σ of the postings
    of that statement's accounts (closing balances for bs, flows for pl).  Each pair
    must be equal, and bs + pl must be 0: every posting lands on exactly one line."""
    sign_of_row: dict[str, int] = {}
    for account, ref in line_of.items():
        sign = -1 if account.startswith(NEGATIVE) else 1
        assert sign_of_row.setdefault(ref, sign) == sign, f"{ref} mixes sides"
    result = {}
    for segment in [*sums.segments, TOTAL]:
        for statement in ("bs", "pl"):
            from_lines = 0
            for row in statements.layouts[statement].value_rows():
                if row.kind != "line":
                    continue
                figure = statements.figure(row.ref, segment)
                figure -= sum(t.coefficient * statements.figure(t.ref, segment) for t in row.terms)
                if row.ref not in sign_of_row:
                    assert figure == 0, row.ref
                    continue
                from_lines += sign_of_row[row.ref] * figure
            from_postings = sum(
                sums.balance(segment, account, closing=statement == "bs")
                for account in sums.accounts
                if line_of[account].startswith(statement + ":")
            )
            result[(statement, segment)] = (from_lines, from_postings)
    return result
