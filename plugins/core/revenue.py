"""Revenue of a local government: nothing is received that is not assessed.

On each revenue account and segment, what is received and written off (不納欠損)
never exceeds what is assessed (調定), day by day: a receipt beyond what is
assessed and not yet received by its day is refused, as is a write-off beyond
what is outstanding, or a reduced assessment (減額調定) below what is received
and written off.  A receipt assessed when received (随時収入: ``assessment:
"随時"`` on it or on its account) is assessed and received at once.

A day's assessments come first, then its receipts and write-offs in file
order; what is refused counts for nothing after.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from beancount.core import data

from yosan_ledger.plugins.core import walk
from yosan_ledger.plugins.core.acts import acts, local_of, where
from yosan_ledger.plugins.core.budget import declared_segments
from yosan_ledger.plugins.core.control import Refusal
from yosan_ledger.plugins.core.flows import flows
from yosan_ledger.plugins.core.local import REVENUE, side
from yosan_ledger.plugins.core.memo import of_entries
from yosan_ledger.plugins.core.messages import _


@dataclass
class _Line:
    assessed: int = 0
    received: int = 0
    written_off: int = 0


@of_entries
def revenue_refusals(entries: list[data.Directive]) -> tuple[Refusal, ...]:
    """The receipts, write-offs and reduced assessments of a local government's
    actual journal that exceed what is assessed, in date and file order."""
    if local_of(entries) is None:
        return ()
    names = {k: s.name for k, s in declared_segments(walk.of_type(entries, data.Custom)).items()}
    done = acts(entries)
    events: list[tuple[tuple, str, object]] = []
    events += [((a.date, 0, *where(a.entry)), "assessment", a) for a in done.assessments]
    events += [((w.date, 1, *where(w.entry)), "write-off", w) for w in done.write_offs]
    receipts: dict[tuple[int, str, str], int] = defaultdict(int)
    first = {}
    for flow in flows(entries):
        if side(flow.account) == REVENUE:
            key = (id(flow.transaction), flow.account, flow.segment)
            receipts[key] += flow.yen
            first.setdefault(key, flow)
    for key, yen in receipts.items():
        flow = first[key]
        events.append(((flow.date, 1, *where(flow.transaction)), "receipt", (flow, yen)))
    events.sort(key=lambda e: e[0])
    lines: dict[tuple[str, str], _Line] = defaultdict(_Line)
    refusals = []
    for order, kind, cause in events:
        day = order[0]
        if kind == "receipt":
            flow, yen = cause
            line = lines[(flow.account, flow.segment)]
            if flow.on_receipt:
                line.assessed += yen
                line.received += yen
                continue
            if yen > 0 and line.received + line.written_off + yen > line.assessed:
                refusals.append(
                    _refusal(flow.transaction, _("Receipt"), yen, flow.account,
                             names.get(flow.segment, flow.segment), day, line)
                )  # fmt: skip
                continue
            line.received += yen
            continue
        line = lines[(cause.account, cause.segment)]
        segment = names.get(cause.segment, cause.segment)
        if kind == "write-off":
            if line.received + line.written_off + cause.amount > line.assessed:
                refusals.append(
                    _refusal(cause.entry, _("Write-off"), cause.amount, cause.account,
                             segment, day, line)
                )  # fmt: skip
                continue
            line.written_off += cause.amount
            continue
        if line.assessed + cause.amount < line.received + line.written_off:
            refusals.append(
                Refusal(
                    cause.entry,
                    _(
                        "The assessment of {amount:,} yen leaves {account} ({segment}) "
                        "assessed {assessed:,} yen on {date}, below the {received:,} yen "
                        "received and {written_off:,} yen written off",
                        amount=cause.amount,
                        account=cause.account,
                        segment=segment,
                        assessed=line.assessed + cause.amount,
                        date=day,
                        received=line.received,
                        written_off=line.written_off,
                    ),
                )
            )
            continue
        line.assessed += cause.amount
    return tuple(refusals)


def _refusal(
    entry: data.Directive,
    what: str,
    yen: int,
    account: str,
    segment: str,
    day: datetime.date,
    line: _Line,
) -> Refusal:
    return Refusal(
        entry,
        _(
            "{what} of {amount:,} yen on {account} ({segment}) exceeds what is assessed and "
            "not yet received on {date}: assessed {assessed:,} yen, received {received:,} "
            "yen, written off {written_off:,} yen; {excess:,} yen over (an assessment is "
            'custom "yosan-assessment"; a receipt assessed when received says '
            'assessment: "随時")',
            what=what,
            amount=yen,
            account=account,
            segment=segment,
            date=day,
            assessed=line.assessed,
            received=line.received,
            written_off=line.written_off,
            excess=line.received + line.written_off + yen - line.assessed,
        ),
    )
