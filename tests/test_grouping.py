"""Grouping invariance on the repository's own ledgers: the same postings written as one
transaction or as several give the same figures on every statement, or an error at the
line of the transaction so written (README, "How a cash statement counts a transaction").

For each ledger, Hypothesis picks an edit of its text: two transactions of one day, one
segment and the same metadata merged into one, or a transaction split into two that each
balance.  The edited copy loads with every figure of every statement (and of a local
government's journal, of its settlement) as before, or with
the cash rule's refusal at the edited transaction (and the checks of totals that follow).
tests/test_properties.py does the same on random ledgers, against a brute-force reading
of the rule.
"""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from beancount.core import data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from yosan_ledger.plugins.core.settlement import settlement
from yosan_ledger.reports.loading.ledger import CHECK, load_ledger

# (the main file, the folders it reads), relative to the repository
LEDGERS = {
    "fy2016": ("ledger/main.beancount", ("ledger",)),
    "kumiai": ("examples/kumiai/main.beancount", ("examples/kumiai",)),
    "kumiai-actuals": ("examples/kumiai/actuals/main.beancount", ("examples/kumiai",)),
    "town": ("examples/town/main.beancount", ("examples/town",)),
    "town-actuals": ("examples/town/actuals/main.beancount", ("examples/town",)),
    "university": ("examples/university/main.beancount", ("examples/university",)),
    "revision": ("examples/revision/main.beancount", ("examples/revision", "ledger")),
    "eisei": ("examples/consolidation/kumiai/main.beancount", ("examples/consolidation/kumiai",)),
    "eisei-actuals": (
        "examples/consolidation/kumiai/actuals/main.beancount",
        ("examples/consolidation/kumiai",),
    ),
    "small": ("tests/ledgers/small/main.beancount", ("tests/ledgers/small",)),
}
HERE = ("filename", "lineno")
SETTLEMENT = "settlement"  # the figures of a local government's settlement, beside the statements
REFUSED = (
    "Transaction can be split into transactions that balance",
    "Transaction moves the cash of",
)
SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))


@dataclass(frozen=True)
class Block:
    """A transaction as written: its file, the 0-based lines of its text, its postings."""

    file: Path
    start: int
    end: int  # one past its last line
    header: str
    meta_lines: tuple[str, ...]
    postings: tuple[tuple[str, int], ...]
    segment: frozenset[str]
    meta: tuple[tuple[str, str], ...]
    date: object


@cache
def blocks(name: str) -> tuple[list[Block], dict]:
    """The ledger's transactions of the year as written, and its statements' figures."""
    main, _folders = LEDGERS[name]
    ledger = load_ledger(ROOT / main, cache=False)
    assert ledger.problems == []
    opening = ledger.statements.budget.opening_date
    texts: dict[str, list[str]] = {}
    found = []
    for entry in ledger.entries:
        if not isinstance(entry, data.Transaction) or entry.date == opening:
            continue
        filename = entry.meta["filename"]
        lines = texts.setdefault(filename, Path(filename).read_text("utf-8").splitlines())
        start = entry.meta["lineno"] - 1
        end = start + 1
        while end < len(lines) and lines[end][:1] in (" ", "\t") and lines[end].strip():
            end += 1
        body = lines[start + 1 : end]
        found.append(
            Block(
                file=Path(filename).relative_to(ROOT),
                start=start,
                end=end,
                header=lines[start],
                meta_lines=tuple(line for line in body if not line.strip()[:1].isupper()),
                postings=tuple((p.account, int(p.units.number)) for p in entry.postings),
                segment=frozenset(entry.tags or ()),
                meta=tuple(
                    sorted(
                        (k, str(v))
                        for k, v in entry.meta.items()
                        if k not in ("filename", "lineno")
                    )
                ),
                date=entry.date,
            )
        )
    figures = {key: frame.copy() for key, frame in ledger.statements.figures.items()}
    settled = settlement(ledger.entries)  # a local government's journal: its settlement too
    if settled is not None:
        figures[SETTLEMENT] = settled.figures
    return found, figures


def text_of(block: Block, postings: tuple[tuple[str, int], ...]) -> list[str]:
    return [
        block.header,
        *block.meta_lines,
        *(f"  {account}  {amount} JPY" for account, amount in postings),
    ]


@cache
def edits(name: str) -> list[tuple[str, tuple]]:
    """Every merge of two transactions of one file (one day, one segment, the same
    metadata), and every split of a transaction into two parts that
    each balance (on up to 10 postings)."""
    found, _figures = blocks(name)
    candidates: list[tuple[str, tuple]] = []
    for a, b in itertools.combinations(found, 2):
        same = (a.file, a.date, a.segment, a.meta) == (b.file, b.date, b.segment, b.meta)
        if same and b.start >= a.end:
            candidates.append(("merge", (a, b)))
    for block in found:
        postings = [p for p in block.postings if p[1]]
        if not 3 < len(postings) <= 10:
            continue
        for size in range(2, len(postings) // 2 + 1):
            for part in itertools.combinations(range(len(postings)), size):
                if sum(postings[i][1] for i in part) == 0:
                    rest = tuple(p for i, p in enumerate(postings) if i not in part)
                    candidates.append(("split", (block, tuple(postings[i] for i in part), rest)))
    return candidates


def edited(name: str, edit: tuple[str, tuple], target: Path) -> tuple[Path, Path, range]:
    """A copy of the ledger with the edit made: its main file, the edited file and the
    lines (1-based) the edited transactions stand on."""
    main, folders = LEDGERS[name]
    for folder in folders:
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("*.pickle*"))
    kind, parts = edit
    block = parts[0]
    path = target / block.file
    lines = path.read_text("utf-8").splitlines()
    if kind == "merge":
        first, second = parts
        new = text_of(first, first.postings + second.postings)
        lines[second.start : second.end] = []
        lines[first.start : first.end] = new
    else:
        _block, part, rest = parts
        new = [*text_of(block, part), "", *text_of(block, rest)]
        lines[block.start : block.end] = new
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return target / main, path, range(block.start + 1, block.start + len(new) + 1)


@pytest.mark.parametrize("name", list(LEDGERS))
@SETTINGS
@given(data=st.data())
def test_the_same_postings_grouped_otherwise_give_the_same_statements(name, data, tmp_path_factory):
    candidates = edits(name)
    if not candidates:
        pytest.skip("no two transactions of one day and segment, and none to split")
    edit = data.draw(st.sampled_from(candidates))
    target = tmp_path_factory.mktemp(name) / "ledger"
    main, path, lines = edited(name, edit, target)
    ledger = load_ledger(main, cache=False)
    if ledger.problems:
        refusals = [p for p in ledger.problems if p.rank < CHECK]
        assert refusals, ledger.problems
        for problem in refusals:
            assert problem.message.startswith(REFUSED), problem
            assert Path(problem.filename).resolve() == path.resolve(), problem
            assert problem.lineno in lines, problem
        return
    _found, figures = blocks(name)
    for statement, frame in figures.items():
        if statement == SETTLEMENT:
            assert settlement(ledger.entries).figures.equals(frame), (statement, edit[0])
            continue
        assert ledger.statements.figures[statement].equals(frame), (statement, edit[0])


@pytest.mark.parametrize("name", list(LEDGERS))
def test_every_cash_statement_of_every_ledger_reconciles_on_its_own(name):
    """Per segment and in total, a cash statement's rows other than its own cash add up
    to the change of its cash: the balance sheet's cash row, less the cash's opening
    balance (from the statement's row that takes it, or the accounts' opening)."""
    statements = load_ledger(ROOT / LEDGERS[name][0], cache=False).statements
    layouts = statements.layouts
    for plan in layouts.of_kind("cash"):
        cash_row = layouts.row(plan.cash)
        cash_accounts = statements.accounts[cash_row.ref]
        opening = statements.account_figures["opening"]
        for segment in statements.columns:
            start = int(opening.reindex(cash_accounts, fill_value=0)[segment].sum())
            change = statements.figure(cash_row.ref, segment) - start
            rows = [
                r
                for r in plan.value_rows()
                if r.kind == "cash" and {layouts.row(o).ref for o in r.of} != {cash_row.ref}
            ]
            counted = sum(r.sign * statements.figure(r.ref, segment) for r in rows)
            assert counted == change, (plan.statement, segment)
