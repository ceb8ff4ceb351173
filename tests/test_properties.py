"""Random ledgers: the statements hold together and agree with the postings.

Hypothesis draws ledgers of random segments, opening balances and balanced
transactions on the FY2016 chart of accounts, following the rule of the 資金計画:
a transaction that touches cash or working capital (未収金, 未払金, 未払法人税) posts
only to accounts some row of the plan takes; any other transaction is non-cash
and touches neither.  For each, the ledger loads clean, and the engine's every
figure equals the one worked out straight from the postings (tests/trial_balance.py),
and the invariants hold per segment: segments add up to the total, 資産合計 =
負債純資産合計, net income = the change in retained earnings, the plan's closing
cash = the balance sheet's.
"""

from __future__ import annotations

import datetime
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from beancount.parser import parser
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import ACCOUNTS
from tests.trial_balance import (
    CASH,
    WORKING_CAPITAL,
    cash_parts,
    code,
    differences,
    expected_statements,
    lines_of_accounts,
    moves_cash,
    plan_row,
    sums_of,
    trial_balance,
)
from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.reports.loading.ledger import load_ledger

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

START, END = datetime.date(2016, 4, 1), datetime.date(2017, 3, 31)
OPENING_DATE = START - datetime.timedelta(days=1)

CHART = [e.account for e in parser.parse_file(str(ACCOUNTS))[0] if hasattr(e, "account")]
# No row of the 資金計画 takes these: provisions, 資産除去債務, net assets, 除却損.
OUTSIDE_THE_PLAN = {"216", "217", "223", "224", "226", "31", "321", "322", "331", "811"}
RESERVES = ("321", "322")  # 積立金, システム開発積立金: net income closes into them

BALANCE_SHEET = [a for a in CHART if a.startswith(("Assets", "Liabilities", "Equity"))]
MOVES_CASH = [a for a in CHART if code(a) in CASH | WORKING_CAPITAL]
IN_THE_PLAN = [a for a in CHART if code(a) not in OUTSIDE_THE_PLAN | CASH | WORKING_CAPITAL]
NON_CASH = [a for a in CHART if code(a) not in CASH | WORKING_CAPITAL and code(a) not in RESERVES]
RESERVE, DEVELOPMENT_RESERVE = (next(a for a in CHART if code(a) == c) for c in RESERVES)

AMOUNTS = st.integers(min_value=-(10**12), max_value=10**12)
KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True).filter(lambda k: k != TOTAL)


@dataclass(frozen=True)
class Transaction:
    date: datetime.date
    segment: str
    narration: str
    postings: tuple[tuple[str, int], ...]

    def text(self) -> str:
        lines = [f'{self.date} * "{self.narration}" #{self.segment}']
        lines += [f"  {account}  {amount} JPY" for account, amount in self.postings]
        return "\n".join(lines) + "\n"


def balanced(draw: st.DrawFn, accounts: list[str], closing: list[str], most: int = 4) -> tuple:
    """Postings on some of ``accounts``, balanced by one on ``closing``."""
    chosen = draw(st.lists(st.sampled_from(accounts), min_size=1, max_size=most))
    postings = [(account, draw(AMOUNTS)) for account in chosen]
    postings.append((draw(st.sampled_from(closing)), -sum(a for _, a in postings)))
    return tuple(postings)


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[str], list[Transaction]]:
    segments = draw(st.lists(KEYS, min_size=1, max_size=4, unique=True))
    transactions = []
    for segment in segments:
        held = draw(st.lists(st.sampled_from(BALANCE_SHEET), max_size=8, unique=True))
        postings = [(account, draw(AMOUNTS)) for account in held if account != RESERVE]
        postings.append((RESERVE, -sum(a for _, a in postings)))
        transactions.append(Transaction(OPENING_DATE, segment, "前期末残高", tuple(postings)))
    for _ in range(draw(st.integers(min_value=0, max_value=15))):
        segment = draw(st.sampled_from(segments))
        date = draw(st.dates(START, END))
        kind = draw(st.sampled_from(["cash", "cash", "non-cash", "reserve"]))
        if kind == "cash":
            # Cash or working capital on at least the balancing side; the rest in the plan.
            postings = balanced(draw, IN_THE_PLAN + MOVES_CASH, MOVES_CASH)
        elif kind == "non-cash":
            postings = balanced(draw, NON_CASH, NON_CASH)
        else:
            amount = draw(AMOUNTS)
            postings = ((RESERVE, amount), (DEVELOPMENT_RESERVE, -amount))
        transactions.append(Transaction(date, segment, kind, postings))
    return segments, transactions


def write_ledger(folder: Path, segments: list[str], transactions: list[Transaction]) -> Path:
    main = folder / "main.beancount"
    declarations = "".join(
        f'2016-04-01 custom "yosan-segment" "{key}" "{key}事業" "1"\n' for key in segments
    )
    plugins = 'plugin "yosan_ledger.plugins.all"\n'
    main.write_text(
        'option "operating_currency" "JPY"\n'
        '2016-02-01 custom "yosan-budget" "無作為予算" 2016-04-01 2017-03-31\n'
        + declarations
        + plugins
        + f'include "{ACCOUNTS}"\n\n'
        + "\n".join(t.text() for t in transactions),
        encoding="utf-8",
    )
    return main


# The engine's refusals of a transaction the 資金計画 cannot count (plugins/statements.py).
REFUSED = (
    "Transaction can be split into transactions that balance",
    "Transaction moves the cash of",
)


def load(segments: list[str], transactions: list[Transaction]):
    with tempfile.TemporaryDirectory() as folder:
        main = write_ledger(Path(folder), segments, transactions)
        ledger = load_ledger(main)
        lines = main.read_text(encoding="utf-8").splitlines()
    starts = [n for n, line in enumerate(lines, start=1) if re.match(r"\d{4}-\d\d-\d\d \*", line)]
    refused = {p.lineno for p in ledger.problems if p.message.startswith(REFUSED)}
    # The engine refuses exactly the transactions the brute-force reading of the
    # rule refuses (tests/trial_balance.py); such a draw says nothing more.
    for transaction, start in zip(transactions, starts, strict=True):
        if transaction.date != OPENING_DATE:
            expected = cash_parts(list(transaction.postings)) is None
            assert (start in refused) == expected, (transaction, ledger.problems)
    assume(not refused)
    assert [str(p) for p in ledger.problems] == []
    return ledger


@SETTINGS
@given(ledgers())
def test_random_ledgers_agree_with_their_postings(ledger_parts):
    ledger = load(*ledger_parts)
    statements = ledger.statements
    sums = sums_of(ledger.entries, OPENING_DATE)
    line_of = lines_of_accounts(ledger.entries, statements.layouts)

    assert differences(statements, expected_statements(sums, line_of, statements.layouts)) == []

    balance = trial_balance(statements, sums, line_of)
    for segment in statements.columns:
        (bs_lines, bs_postings), (pl_lines, pl_postings) = (
            balance[("bs", segment)],
            balance[("pl", segment)],
        )
        assert (bs_lines, pl_lines) == (bs_postings, pl_postings)
        assert bs_lines + pl_lines == 0
    assert statements.unplaced == ()


@SETTINGS
@given(ledgers())
def test_random_ledgers_keep_the_invariants(ledger_parts):
    segments, transactions = ledger_parts
    statements = load(segments, transactions).statements
    assert statements.failures == ()
    for frame in statements.figures.values():
        assert (frame[segments].sum(axis=1) == frame[TOTAL]).all()
        assert all(str(dtype) == "int64" for dtype in frame.dtypes)

    opening_reserves = {key: 0 for key in [*segments, TOTAL]}
    for t in transactions:
        if t.date == OPENING_DATE:
            reserves = -sum(a for account, a in t.postings if code(account) in RESERVES)
            opening_reserves[t.segment] += reserves
            opening_reserves[TOTAL] += reserves
    for segment in statements.columns:

        def figure(ref: str, segment: str = segment) -> int:
            return statements.figure(ref, segment)

        assert figure("bs:資産合計") == figure("bs:負債純資産合計")
        assert figure("bs:利益剰余金合計") - opening_reserves[segment] == figure("pl:当期純利益")
        assert figure("cf:当期末現金及び預金") == figure("bs:現金及び預金")


@SETTINGS
@given(ledgers(), st.data())
def test_check_names_every_posting_an_account_on_no_line_would_lose(ledger_parts, data):
    """Take the line off one account that has postings: `yosan check` reports each
    posting to it, at its line, besides the Open."""
    segments, transactions = ledger_parts
    posted = sorted({a for t in transactions for a, _ in t.postings})
    account = data.draw(st.sampled_from(posted))
    chart = re.sub(
        rf"(open {re.escape(account)}\s+JPY\n)  line: \"[^\"]*\"\n",
        r"\1",
        ACCOUNTS.read_text(encoding="utf-8"),
    )
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "chart.beancount").write_text(chart, encoding="utf-8")
        shutil.copytree(ACCOUNTS.parent / "layouts", Path(folder) / "layouts")
        main = write_ledger(Path(folder), segments, transactions)
        text = main.read_text(encoding="utf-8").replace(str(ACCOUNTS), "chart.beancount")
        main.write_text(text, encoding="utf-8")
        ledger = load_ledger(main)
    posting_lines = [
        n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(f"  {account}  ")
    ]
    lost = [
        p.lineno
        for p in ledger.problems
        if p.message.startswith("Posting of ") and f" yen to {account} is left out" in p.message
    ]
    assert sorted(lost) == posting_lines
    assert any(
        p.message.startswith(f"Account {account} feeds no statement line") for p in ledger.problems
    )


# Accounts no row of the plan takes, that a payment may hold as the part not paid.
UNTAKEN = [
    a for a in CHART if plan_row(a) is None and not moves_cash(a) and code(a) not in RESERVES
]


def netted(draw: st.DrawFn) -> tuple:
    """A payment (or receipt) of part of some postings of one row of the plan, the
    rest left on an account no row takes (受託研究費 35,000, 未払金 −15,000, 現金
    −20,000 where 未払金 is on no row): the row counts the cash."""
    row = plan_row(draw(st.sampled_from(IN_THE_PLAN)))
    chosen = draw(
        st.lists(
            st.sampled_from([a for a in IN_THE_PLAN if plan_row(a) == row]), min_size=1, max_size=2
        )
    )
    sign = draw(st.sampled_from([1, -1]))
    amounts = [sign * draw(st.integers(min_value=2, max_value=10**12)) for _ in chosen]
    total = sum(amounts)
    unpaid = sign * draw(st.integers(min_value=1, max_value=abs(total) - 1))
    return (
        *zip(chosen, amounts, strict=True),
        (draw(st.sampled_from(UNTAKEN)), -unpaid),
        (draw(st.sampled_from(MOVES_CASH)), unpaid - total),
    )


GROUPS = {
    "cash": lambda draw: balanced(draw, IN_THE_PLAN + MOVES_CASH, MOVES_CASH, most=2),
    "non-cash": lambda draw: balanced(draw, NON_CASH, NON_CASH, most=2),
    "netted": netted,
}


@st.composite
def compound_ledgers(draw: st.DrawFn) -> tuple[list[str], list[Transaction], list[Transaction]]:
    """A ledger of compound transactions (payments, receipts, non-cash entries and
    payments of part of an amount, written as one), and the same ledger with each
    written as the transactions it is made of: the same postings, grouped apart."""
    segments = draw(st.lists(KEYS, min_size=1, max_size=2, unique=True))
    opening = [
        Transaction(OPENING_DATE, s, "前期末残高", ((MOVES_CASH[0], 10**13), (RESERVE, -(10**13))))
        for s in segments
    ]
    compound, apart = list(opening), list(opening)
    for n in range(draw(st.integers(min_value=1, max_value=6))):
        segment, date = draw(st.sampled_from(segments)), draw(st.dates(START, END))
        kinds = draw(st.lists(st.sampled_from(sorted(GROUPS)), min_size=2, max_size=2))
        groups = [GROUPS[kind](draw) for kind in kinds]
        mixed = draw(st.permutations([p for group in groups for p in group]))
        compound.append(Transaction(date, segment, f"compound {n}", tuple(mixed)))
        for kind, group in zip(kinds, groups, strict=True):
            apart.append(Transaction(date, segment, f"{kind} {n}", group))
    return segments, compound, apart


@SETTINGS
@given(compound_ledgers())
def test_the_same_postings_grouped_apart_give_the_same_statements(parts):
    """Grouping invariance: every statement of compound transactions is that of the
    same postings written as the transactions they are made of, unless the engine
    refuses a compound transaction at its line (and then the brute-force reading of
    the rule refuses it too: ``load``); the flows still add up to the change in cash."""
    segments, compound, apart = parts
    expected = load(segments, apart).statements
    got = load(segments, compound).statements
    assert got.failures == () and got.mismatches == ()
    for statement, frame in expected.figures.items():
        assert got.figures[statement].to_dict() == frame.to_dict(), statement
