"""A local government's settlement (決算) and execution, through a day: every figure of
the 歳入歳出決算書, its 事項別明細書, the 実質収支に関する調書 and the execution report.

Per account (節) and segment (会計), in yen, from the budget ledger and the actual
journal; then added up the accounts' 目, 項 and 款, and the 歳入 and 歳出 of each
会計 (``total``: the 会計 added together):

- 予算現額 (``budget``) = 当初 (``original``) + 補正 (``supplementary``, the revisions
  adopted by the day) + 前年度繰越 (``carried_in``) + 充用・流用増減 (``transfers``,
  dated by the day);
- revenue: 調定額 (``assessed``: the assessments, and the receipts assessed when
  received), 収入済額 (``received``), 不納欠損額 (``written_off``), 収入未済額
  (``outstanding`` = 調定 − 収入 − 不納欠損), 予算現額と収入済額との比較 (``compared`` =
  収入済額 − 予算現額);
- expenditure: 負担行為額 (``committed``: the obligations, and the payments that name
  none), 支出済額 (``paid``), 翌年度繰越額 (``carried_over``, of it ``explicit``
  繰越明許費 and ``accident`` 事故繰越, and ``funds``, what the year's surplus keeps
  for them), 不用額 (``unused`` = 予算現額 − 支出済額 − 翌年度繰越額), 予算残額
  (``remaining`` = 予算現額 − 負担行為額), 予算現額と支出済額との比較 (``compared`` =
  予算現額 − 支出済額).

収入済額 and 支出済額 are cash: what the ledger's settlement statement (its cash
statement) counts of each account, by the rule of every cash statement
(``yosan_ledger.plugins.core.cash``), through the day.  The day is the last of
the closing period unless another is asked for: a day before it leaves out the
receipts and payments made after it, as a report as of 3月31日 does.

実質収支 = 歳入総額 − 歳出総額 (形式収支) − 翌年度へ繰り越すべき財源 (the carried-over
work's funds the surplus keeps: each carry-over less its funds not yet received).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from beancount.core import data

from yosan_ledger.plugins.core import actuals, walk
from yosan_ledger.plugins.core.acts import Carryover, acts, local_of
from yosan_ledger.plugins.core.appropriations import ACCIDENT, EXPLICIT, appropriations
from yosan_ledger.plugins.core.budget import TOTAL, Budget, Segment, declared_segments
from yosan_ledger.plugins.core.engine import COUNTED, INT64_MAX
from yosan_ledger.plugins.core.execution import statements_through
from yosan_ledger.plugins.core.flows import flows
from yosan_ledger.plugins.core.local import EXPENDITURE, REVENUE, SIDES, label, order, path, side
from yosan_ledger.plugins.core.memo import of_entries

FIGURES = (
    "original",
    "supplementary",
    "carried_in",
    "transfers",
    "budget",
    "assessed",
    "received",
    "written_off",
    "outstanding",
    "committed",
    "paid",
    "carried_over",
    "explicit",
    "accident",
    "funds",
    "unused",
    "remaining",
    "compared",
)
REVENUE_FIGURES = ("assessed", "received", "written_off", "outstanding")
EXPENDITURE_FIGURES = (
    "committed",
    "paid",
    "carried_over",
    "explicit",
    "accident",
    "funds",
    "unused",
    "remaining",
)
SIDE_TOTAL = {REVENUE: "歳入合計", EXPENDITURE: "歳出合計"}
# 実質収支に関する調書, its rows: key, as printed, depth.
REAL_BALANCE = (
    ("revenue", "歳入総額", 0),
    ("expenditure", "歳出総額", 0),
    ("difference", "歳入歳出差引額", 0),
    ("funds", "翌年度へ繰り越すべき財源", 0),
    ("continuing", "継続費逓次繰越額", 1),
    ("explicit", "繰越明許費繰越額", 1),
    ("accident", "事故繰越し繰越額", 1),
    ("real", "実質収支額", 0),
)


class SettlementOverflow(ValueError):
    """A figure beyond what int64 holds (never a wrapped figure)."""


@dataclass(frozen=True)
class Settlement:
    """The figures of a local government's actual journal through a day.

    ``figures``: one row per 款, 項, 目 and 節 of each side with a figure, then the
    side's total (level 0), for each segment and the total, in print order; columns
    ``segment``, ``side`` (Income or Expenses), ``level`` (1 款 … 4 節, 0 the total),
    ``key`` (the account, or the account prefix of a 款, 項 or 目), ``section`` (the
    labels above the row, 款/項/目), ``label``, then ``FIGURES`` in yen (int64).
    ``real_balance``: per segment and the total, the rows of ``REAL_BALANCE``.
    """

    budget: Budget  # the fiscal year and its closing period
    day: datetime.date  # the figures are through this day
    segments: tuple[Segment, ...]
    figures: pd.DataFrame
    real_balance: pd.DataFrame

    @property
    def settled(self) -> bool:
        """Through the last day of the closing period: the settlement itself."""
        return self.day >= self.budget.last_day

    @property
    def columns(self) -> list[str]:
        return [s.key for s in self.segments] + [TOTAL]

    def rows(self, segment: str, side: str, depth: int = 4) -> pd.DataFrame:
        """One segment's rows of one side down to ``depth`` (2: 款・項), and its total."""
        frame = self.figures
        chosen = (frame["segment"] == segment) & (frame["side"] == side)
        return frame[chosen & (frame["level"] <= depth)]


@of_entries
def _by_day(entries: list[data.Directive]) -> dict[datetime.date, Settlement | None]:
    return {}


def settlement(
    entries: list[data.Directive], day: datetime.date | None = None
) -> Settlement | None:
    """The settlement figures of a local government's actual journal through ``day``
    (None: the last day of the closing period, the settlement); None for any other
    ledger.  Raises ``SettlementOverflow`` for a figure int64 cannot hold."""
    budget = actuals.period(entries)[0]
    if budget is None or local_of(entries) is None:
        return None
    day = min(max(day or budget.last_day, budget.opening_date), budget.last_day)
    known = _by_day(entries)
    if day not in known:
        known[day] = _compute(entries, budget, day)
    return known[day]


def _compute(
    entries: list[data.Directive], budget: Budget, day: datetime.date
) -> Settlement | None:
    found = actuals.actuals_of(entries)
    statements = statements_through(entries, day)
    if found is None or statements is None:
        return None
    settled = statements.layouts.settlement
    kind = statements.layouts[settled].kind if settled else None
    cash = statements.account_figures.get(f"{COUNTED}{settled}" if kind == "cash" else "flow")
    segments = tuple(declared_segments(walk.of_type(entries, data.Custom)).values())
    keys = [s.key for s in segments]
    leaves: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))

    budgeted = appropriations(found.budget_entries)
    for line in budgeted.lines():
        figures = leaves[line]
        figures["original"] = budgeted.original.get(line, 0)
        figures["carried_in"] = budgeted.carried.get(line, 0)
        figures["supplementary"] = budgeted.revised(line, day)
    done = acts(entries)
    for transfer in done.transfers:
        if transfer.date <= day:
            leaves[(transfer.source, transfer.segment)]["transfers"] -= transfer.amount
            leaves[(transfer.target, transfer.segment)]["transfers"] += transfer.amount
    for assessment in done.assessments:
        if assessment.date <= day:
            leaves[(assessment.account, assessment.segment)]["assessed"] += assessment.amount
    for write_off in done.write_offs:
        if write_off.date <= day:
            leaves[(write_off.account, write_off.segment)]["written_off"] += write_off.amount
    for obligation in done.obligations:
        if obligation.date <= day:
            leaves[(obligation.account, obligation.segment)]["committed"] += obligation.amount
    for carryover in done.carryovers:
        if carryover.date <= day:
            figures = leaves[(carryover.account, carryover.segment)]
            figures["carried_over"] += carryover.amount
            figures["explicit" if carryover.kind == EXPLICIT else "accident"] += carryover.amount
            figures["funds"] += carryover.funds
    for flow in flows(entries):
        if flow.date > day:
            break
        if flow.on_receipt and side(flow.account) == REVENUE:
            leaves[(flow.account, flow.segment)]["assessed"] += flow.yen
        elif flow.pays is None and side(flow.account) == EXPENDITURE:
            leaves[(flow.account, flow.segment)]["committed"] += flow.yen
    if cash is not None:
        for account in cash.index:
            where = side(account)
            if where is None:
                continue
            for segment in keys:
                yen = int(cash.at[account, segment])
                if yen:
                    column = "received" if where == REVENUE else "paid"
                    leaves[(account, segment)][column] += -yen if where == REVENUE else yen
    for (account, _segment), figures in leaves.items():
        _complete(figures, side(account))
    frame = _frame(leaves, segments)
    carried = [c for c in done.carryovers if c.date <= day]
    return Settlement(budget, day, segments, frame, _real_balance(frame, carried, segments))


def _complete(figures: dict[str, int], where: str | None) -> None:
    """The figures of a line that follow from the others."""
    figures["budget"] = sum(
        figures[k] for k in ("original", "supplementary", "carried_in", "transfers")
    )
    if where == REVENUE:
        figures["outstanding"] = figures["assessed"] - figures["received"] - figures["written_off"]
        figures["compared"] = figures["received"] - figures["budget"]
    else:
        figures["unused"] = figures["budget"] - figures["paid"] - figures["carried_over"]
        figures["remaining"] = figures["budget"] - figures["committed"]
        figures["compared"] = figures["budget"] - figures["paid"]


def _frame(
    leaves: dict[tuple[str, str], dict[str, int]], segments: tuple[Segment, ...]
) -> pd.DataFrame:
    """Every 款, 項, 目 and 節 with a figure, and each side's total, per segment and
    for the total, in print order."""
    rows = []
    for segment in [*(s.key for s in segments), TOTAL]:
        mine: dict[str, dict[str, int]] = {}
        for (account, key), figures in leaves.items():
            if segment in (key, TOTAL) and side(account) and any(figures.values()):
                _add(mine.setdefault(account, dict.fromkeys(FIGURES, 0)), figures)
        for where in SIDES:
            nodes: dict[tuple[str, ...], dict[str, int]] = {}
            total = dict.fromkeys(FIGURES, 0)
            for account, figures in mine.items():
                if side(account) != where:
                    continue
                parts = path(account)
                for level in range(1, len(parts) + 1):
                    _add(nodes.setdefault(parts[:level], dict.fromkeys(FIGURES, 0)), figures)
                _add(total, figures)
            for parts in sorted(nodes, key=lambda p: [order(c) for c in p]):
                rows.append(_row(segment, where, parts, nodes[parts]))
            rows.append(
                {
                    "segment": segment,
                    "side": where,
                    "level": 0,
                    "key": where,
                    "section": "",
                    "label": SIDE_TOTAL[where],
                    **total,
                }
            )
    frame = pd.DataFrame(
        rows, columns=["segment", "side", "level", "key", "section", "label", *FIGURES]
    )
    _check_int64(frame[list(FIGURES)].to_numpy(dtype=object).ravel())
    return frame.astype({c: "int64" for c in FIGURES})


def _row(segment: str, where: str, parts: tuple[str, ...], figures: dict[str, int]) -> dict:
    return {
        "segment": segment,
        "side": where,
        "level": len(parts),
        "key": ":".join((where, *parts)),
        "section": "/".join(label(p) for p in parts[:-1]),
        "label": label(parts[-1]),
        **figures,
    }


def _add(into: dict[str, int], figures: dict[str, int]) -> None:
    for key, yen in figures.items():
        into[key] += yen


def _check_int64(values: Iterable[int]) -> None:
    for value in values:
        if abs(int(value)) > INT64_MAX:
            raise SettlementOverflow(value)


def _real_balance(
    frame: pd.DataFrame, carryovers: Iterable[Carryover], segments: tuple[Segment, ...]
) -> pd.DataFrame:
    """実質収支に関する調書 per segment and the total: 形式収支 less the funds the
    surplus keeps for each kind of carry-over."""
    table = {}
    for segment in [s.key for s in segments] + [TOTAL]:
        totals = frame[(frame["segment"] == segment) & (frame["level"] == 0)].set_index("side")
        revenue = int(totals.at[REVENUE, "received"])
        expenditure = int(totals.at[EXPENDITURE, "paid"])
        funds = {EXPLICIT: 0, ACCIDENT: 0}
        for carryover in carryovers:
            if segment in (carryover.segment, TOTAL):
                funds[carryover.kind] += carryover.funds
        table[segment] = {
            "revenue": revenue,
            "expenditure": expenditure,
            "difference": revenue - expenditure,
            "funds": funds[EXPLICIT] + funds[ACCIDENT],
            "continuing": 0,  # 継続費 are not kept in a ledger
            "explicit": funds[EXPLICIT],
            "accident": funds[ACCIDENT],
            "real": revenue - expenditure - funds[EXPLICIT] - funds[ACCIDENT],
        }
    real = pd.DataFrame(table).reindex([key for key, _label, _depth in REAL_BALANCE])
    _check_int64(real.to_numpy(dtype=object).ravel())
    return real.astype("int64")
