"""The acts of a year's execution that are not postings: 調定, 不納欠損, 支出負担行為,
予備費充用・流用 and 繰越, each a dated directive of the actual journal.

    2027-06-01 custom "yosan-assessment" Income:01-町税:01-町民税:01-個人 310000000 JPY
      segment: "ippan"
    2028-03-31 custom "yosan-write-off" Income:01-町税:01-町民税:01-個人 1250000 JPY "時効"
      segment: "ippan"
    2027-12-20 custom "yosan-obligation" "R9-001" Expenses:08-土木費:…:工事請負費 120000000 JPY
      segment: "ippan"
    2028-02-10 custom "yosan-transfer" Expenses:14-予備費 Expenses:03-民生費:…:扶助費 3000000 JPY
      segment: "ippan"
    2028-03-31 custom "yosan-carryover" "繰越明許費" Expenses:…:工事請負費 50000000 JPY
      Income:…:国庫補助金 20000000 JPY   ; (on the same line: the funds not yet received)
      segment: "ippan"

(Account names shortened with … here; a directive names the whole account.)

- ``yosan-assessment`` (調定): the amount the body has determined it is owed on a
  revenue account; a negative amount reduces an assessment (減額調定).
- ``yosan-write-off`` (不納欠損): a part of what is assessed and not received,
  given up (時効, 免除).
- ``yosan-obligation`` (支出負担行為): a contract or decision that commits an
  expenditure account, under a key its payments name (``obligation: "R9-001"``
  on the payment's transaction); a second directive of the key changes it (契約変更,
  a negative amount for a decrease).
- ``yosan-transfer``: 予備費充用 when the account it takes from is the reserve
  (``role: "予備費"``), else 流用.
- ``yosan-carryover``: 繰越明許費 or 事故繰越 of an expenditure account into the
  next year, followed by the funds of it not yet received (未収入特定財源: the
  revenue account and its amount, as many as there are); the rest of it is the
  funds the year's surplus keeps for it (翌年度へ繰り越すべき財源).

Each names its segment (会計) in ``segment`` metadata, may end with a text saying
what it is, and is whole yen.  An obligation belongs in any actual journal (the
control of commitments holds for every ledger executed); the others in the
actual journal of a local government's budget.  Assessments, obligations and
transfers are made in the fiscal year; write-offs and carry-overs may be dated
in its closing period.  What is wrong with one is an error at its line
(``yosan_ledger.plugins.acts``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from beancount.core import amount, data

from yosan_ledger.plugins.core import actuals, walk
from yosan_ledger.plugins.core.appropriations import CARRYOVER_KINDS
from yosan_ledger.plugins.core.budget import Budget, declared_segments, values
from yosan_ledger.plugins.core.local import (
    EXPENDITURE,
    REVENUE,
    SEGMENT,
    LocalGovernment,
    label,
    local_government,
    path,
    side,
    unknown_segment,
)
from yosan_ledger.plugins.core.memo import of_entries
from yosan_ledger.plugins.core.messages import Message, _
from yosan_ledger.plugins.core.problem import Problem
from yosan_ledger.plugins.core.sums import CURRENCY, LARGEST

ASSESSMENT = "yosan-assessment"
WRITE_OFF = "yosan-write-off"
OBLIGATION = "yosan-obligation"
TRANSFER = "yosan-transfer"
CARRYOVER = "yosan-carryover"
PAYS = "obligation"  # metadata of a payment's transaction: the obligation it pays
LOCAL_ONLY = (ASSESSMENT, WRITE_OFF, TRANSFER, CARRYOVER)
TOTAL_LARGEST = 10**18  # yen: the sum of a kind's amounts, inside int64

FORMS = {
    ASSESSMENT: _('custom "yosan-assessment" Income:… AMOUNT JPY ["摘要"] (segment: "key" below)'),
    WRITE_OFF: _('custom "yosan-write-off" Income:… AMOUNT JPY ["摘要"] (segment: "key" below)'),
    OBLIGATION: _(
        'custom "yosan-obligation" "key" Expenses:… AMOUNT JPY ["摘要"] (segment: "key" below)'
    ),
    TRANSFER: _(
        'custom "yosan-transfer" Expenses:FROM Expenses:TO AMOUNT JPY ["摘要"] '
        '(segment: "key" below)'
    ),
    CARRYOVER: _(
        'custom "yosan-carryover" "繰越明許費|事故繰越" Expenses:… AMOUNT JPY '
        '[Income:… AMOUNT JPY …] (segment: "key" below)'
    ),
}
WHAT = {
    ASSESSMENT: _("an assessment (調定)"),
    WRITE_OFF: _("a write-off (不納欠損)"),
    OBLIGATION: _("an obligation (支出負担行為)"),
    TRANSFER: _("a transfer (予備費充用・流用)"),
    CARRYOVER: _("a carry-over (繰越)"),
}


@dataclass(frozen=True)
class Assessment:
    """An assessment (調定) or a write-off (不納欠損) of a revenue account."""

    date: datetime.date
    account: str
    segment: str
    amount: int
    entry: data.Custom


@dataclass(frozen=True)
class Obligation:
    """An obligation (支出負担行為), or a change of one (the same key)."""

    key: str
    date: datetime.date
    account: str
    segment: str
    amount: int
    entry: data.Custom


@dataclass(frozen=True)
class Transfer:
    """予備費充用 (from the reserve) or 流用 (any other), from ``source`` to ``target``."""

    date: datetime.date
    source: str
    target: str
    segment: str
    amount: int
    reserve: bool
    entry: data.Custom


@dataclass(frozen=True)
class Carryover:
    """繰越明許費 or 事故繰越 of an expenditure account, with its funds not yet received."""

    kind: str
    date: datetime.date
    account: str
    segment: str
    amount: int
    financing: tuple[tuple[str, int], ...]  # (revenue account, 未収入特定財源)
    entry: data.Custom

    @property
    def funds(self) -> int:
        """翌年度へ繰り越すべき財源: the part the year's surplus keeps for it."""
        return self.amount - sum(yen for _account, yen in self.financing)


@dataclass(frozen=True)
class Acts:
    assessments: tuple[Assessment, ...] = ()
    write_offs: tuple[Assessment, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    transfers: tuple[Transfer, ...] = ()
    carryovers: tuple[Carryover, ...] = ()
    problems: tuple[Problem, ...] = ()


def local_of(entries: list[data.Directive]) -> LocalGovernment | None:
    """The declaration of the budget an actual journal executes; None for a ledger
    that is no actual journal of a local government's budget."""
    if not actuals.declared(entries):
        return None
    found = actuals.actuals_of(entries)
    if found is None or found.budget is None:
        return None
    return local_government(found.budget_entries)


def where(entry: data.Directive) -> tuple[str, int]:
    """An entry's place in the ledger (file, line): the order of one day's acts."""
    return entry.meta.get("filename", ""), entry.meta.get("lineno", 0)


@of_entries
def acts(entries: list[data.Directive]) -> Acts:
    """The actual journal's acts, in date and file order, and what is wrong with the others."""
    found = [e for e in walk.of_type(entries, data.Custom) if e.type in FORMS]
    if not found:
        return Acts()
    found.sort(key=lambda e: (e.date, *where(e)))
    budget, actual = actuals.period(entries)
    reader = _Reader(entries, budget, local_of(entries) if actual else None, actual)
    parsed: dict[str, list] = {kind: [] for kind in FORMS}
    for entry in found:
        act = reader.read(entry)
        if act is not None:
            parsed[entry.type].append(act)
    return Acts(
        tuple(parsed[ASSESSMENT]),
        tuple(parsed[WRITE_OFF]),
        tuple(parsed[OBLIGATION]),
        tuple(parsed[TRANSFER]),
        tuple(parsed[CARRYOVER]),
        tuple(reader.problems),
    )


class _Reader:
    """Reads each act, noting what is wrong with it."""

    def __init__(
        self,
        entries: list[data.Directive],
        budget: Budget | None,
        local: LocalGovernment | None,
        actual: bool,
    ) -> None:
        self.budget, self.local, self.actual = budget, local, actual
        self.segments = declared_segments(walk.of_type(entries, data.Custom))
        self.opened = {e.account for e in walk.of_type(entries, data.Open)}
        self.problems: list[Problem] = []
        self.first: dict[str, Obligation] = {}
        self.totals: dict[str, int] = {}

    def refuse(self, entry: data.Custom, message: Message) -> None:
        self.problems.append(Problem(entry.meta, message, entry))

    def read(self, entry: data.Custom) -> object | None:
        kind = entry.type
        if not self.actual:
            self.refuse(
                entry,
                _(
                    "{what} belongs in an actual journal (a ledger with "
                    'custom "yosan-actuals"), not in a budget',
                    what=WHAT[kind],
                ),
            )
            return None
        if kind in LOCAL_ONLY and self.local is None:
            self.refuse(
                entry,
                _(
                    "{what} is made in the actual journal of a local government's budget; "
                    'this journal\'s budget declares no custom "yosan-local-government"',
                    what=WHAT[kind],
                ),
            )
            return None
        segment = entry.meta.get(SEGMENT)
        if segment not in self.segments:
            self.refuse(entry, unknown_segment(segment, self.segments))
            return None
        if not self._dated(entry, kind):
            return None
        act = READERS[kind](self, entry, values(entry))
        if act is None:
            return None
        moved = abs(act.amount) + sum(abs(y) for _a, y in getattr(act, "financing", ()))
        self.totals[kind] = self.totals.get(kind, 0) + moved
        if self.totals[kind] > TOTAL_LARGEST:
            self.refuse(
                entry,
                _(
                    "The amounts of {what} add up to more than {largest:,} yen: a figure "
                    "could not hold them",
                    what=WHAT[kind],
                    largest=TOTAL_LARGEST,
                ),
            )
            return None
        if isinstance(act, Obligation):
            return self._first_or_change(act)
        return act

    def _first_or_change(self, found: Obligation) -> Obligation | None:
        """An obligation, or a change of one: of the same account and segment."""
        first = self.first.setdefault(found.key, found)
        if first is not found and (first.account, first.segment) != (
            found.account,
            found.segment,
        ):
            self.refuse(
                found.entry,
                _(
                    "Obligation {key!r} was made on {account} ({segment}) at {place}: a change "
                    "of it names the same account and segment",
                    key=found.key,
                    account=first.account,
                    segment=first.segment,
                    place="{}:{}".format(*where(first.entry)),
                ),
            )
            return None
        return found

    def _dated(self, entry: data.Custom, kind: str) -> bool:
        budget = self.budget
        if budget is None:
            return False
        last = budget.last_day if kind in (WRITE_OFF, CARRYOVER) else budget.end
        if budget.start <= entry.date <= last:
            return True
        if budget.end < entry.date <= budget.last_day:
            self.refuse(
                entry,
                _(
                    "{what} dated {date}, in the closing period: the year's are made by "
                    "its last day, {end}",
                    what=WHAT[kind],
                    date=entry.date,
                    end=budget.end,
                ),
            )
        else:
            self.refuse(
                entry,
                _(
                    "{what} dated {date} lies outside the fiscal year {start} .. {last}",
                    what=WHAT[kind],
                    date=entry.date,
                    start=budget.start,
                    last=last,
                ),
            )
        return False

    def _yen(self, entry: data.Custom, value: object, *, positive: bool) -> int | None:
        """Whole yen of an amount argument, or None (noting why)."""
        if not isinstance(value, amount.Amount) or value.number is None:
            self.refuse(entry, _("Malformed: {form}", form=FORMS[entry.type]))
            return None
        number = value.number
        if value.currency != CURRENCY or number != number.to_integral_value():
            self.refuse(
                entry,
                _("{amount}: an amount is whole {currency}", amount=value, currency=CURRENCY),
            )
            return None
        if abs(number) > LARGEST:
            self.refuse(
                entry,
                _(
                    "Amount {number:,} is beyond the {largest:,} yen (1,000兆円) a figure may have",
                    number=number,
                    largest=LARGEST,
                ),
            )
            return None
        if number == 0 or (positive and number < 0):
            self.refuse(
                entry,
                _("{amount}: the amount is positive", amount=value)
                if positive
                else _("{amount}: the amount is not zero", amount=value),
            )
            return None
        return int(number)

    def _account(self, entry: data.Custom, value: object, wanted: str) -> str | None:
        if not isinstance(value, str) or side(value) is None:
            self.refuse(entry, _("Malformed: {form}", form=FORMS[entry.type]))
            return None
        if side(value) != wanted:
            self.refuse(
                entry,
                _(
                    "{account} is not an account of {side}",
                    account=value,
                    side="歳入 (Income)" if wanted == REVENUE else "歳出 (Expenses)",
                ),
            )
            return None
        if value not in self.opened:
            self.refuse(entry, _("{account} is not opened", account=value))
            return None
        return value

    def _shape(self, entry: data.Custom, args: list, types: tuple[type, ...]) -> bool:
        """The arguments are of ``types``, with a text after them or not."""
        shown = args[: len(types)]
        rest = args[len(types) :]
        ok = len(shown) == len(types) and all(
            isinstance(a, t) for a, t in zip(shown, types, strict=True)
        )
        ok = ok and (not rest or (len(rest) == 1 and isinstance(rest[0], str)))
        if not ok:
            self.refuse(entry, _("Malformed: {form}", form=FORMS[entry.type]))
        return ok

    def assessment(self, entry: data.Custom, args: list) -> Assessment | None:
        if not self._shape(entry, args, (str, amount.Amount)):
            return None
        account = self._account(entry, args[0], REVENUE)
        yen = self._yen(entry, args[1], positive=entry.type == WRITE_OFF)
        if account is None or yen is None:
            return None
        return Assessment(entry.date, account, str(entry.meta.get(SEGMENT)), yen, entry)

    def obligation(self, entry: data.Custom, args: list) -> Obligation | None:
        if not self._shape(entry, args, (str, str, amount.Amount)):
            return None
        key = args[0].strip()
        if not key:
            self.refuse(entry, _("Malformed: {form}", form=FORMS[OBLIGATION]))
            return None
        account = self._account(entry, args[1], EXPENDITURE)
        yen = self._yen(entry, args[2], positive=key not in self.first)
        if account is None or yen is None:
            return None
        return Obligation(key, entry.date, account, str(entry.meta.get(SEGMENT)), yen, entry)

    def transfer(self, entry: data.Custom, args: list) -> Transfer | None:
        if not self._shape(entry, args, (str, str, amount.Amount)):
            return None
        source = self._account(entry, args[0], EXPENDITURE)
        target = self._account(entry, args[1], EXPENDITURE) if source else None
        yen = self._yen(entry, args[2], positive=True)
        if source is None or target is None or yen is None:
            return None
        assert self.local is not None
        segment = str(entry.meta.get(SEGMENT))
        found = Transfer(
            entry.date, source, target, segment, yen, source in self.local.reserves, entry
        )
        why = forbidden(found, self.local)
        if why is not None:
            self.refuse(entry, why)
            return None
        return found

    def carryover(self, entry: data.Custom, args: list) -> Carryover | None:
        pairs = args[3:]
        if len(pairs) % 2 or not self._shape(entry, args[:3], (str, str, amount.Amount)):
            if len(pairs) % 2:
                self.refuse(entry, _("Malformed: {form}", form=FORMS[CARRYOVER]))
            return None
        kind = args[0].strip()
        if kind not in CARRYOVER_KINDS:
            self.refuse(
                entry,
                _(
                    "A carry-over is {kinds}, not {kind!r}",
                    kinds=" or ".join(CARRYOVER_KINDS),
                    kind=kind,
                ),
            )
            return None
        account = self._account(entry, args[1], EXPENDITURE)
        yen = self._yen(entry, args[2], positive=True)
        if account is None or yen is None:
            return None
        financing = []
        for source, value in zip(pairs[::2], pairs[1::2], strict=True):
            revenue = self._account(entry, source, REVENUE)
            part = self._yen(entry, value, positive=True)
            if revenue is None or part is None:
                return None
            financing.append((revenue, part))
        found = Carryover(
            kind, entry.date, account, str(entry.meta.get(SEGMENT)), yen, tuple(financing), entry
        )
        if found.funds < 0:
            self.refuse(
                entry,
                _(
                    "The funds not yet received ({financing:,} yen) exceed the carry-over "
                    "({amount:,} yen)",
                    financing=yen - found.funds,
                    amount=yen,
                ),
            )
            return None
        return found


def forbidden(transfer: Transfer, local: LocalGovernment) -> Message | None:
    """Why 地方自治法 forbids a transfer, or None: 予備費充用 goes from the reserve to
    any line but a reserve; 流用 between the 目 and 節 of one 項, between the 項 of
    one 款 only for the 節 the budget names (予算第N条), never between 款 nor into
    the reserve."""
    source, target = path(transfer.source), path(transfer.target)
    shown = dict(source=transfer.source, target=transfer.target)
    if transfer.source == transfer.target:
        return _("A transfer from {source} to itself", source=transfer.source)
    if transfer.target in local.reserves:
        return _(
            "A transfer into the reserve (予備費) {target}: the reserve is only drawn on",
            target=transfer.target,
        )
    if transfer.reserve:
        return None
    if source[0] != target[0]:
        return _(
            "流用 between 款 is not allowed (地方自治法第220条第2項): {source} is under "
            "{source_kan}, {target} under {target_kan}",
            source_kan=label(source[0]),
            target_kan=label(target[0]),
            **shown,
        )
    if source[1] != target[1]:
        items = [label(p[3]) if len(p) > 3 else "" for p in (source, target)]
        if not all(item in local.item_transfers for item in items):
            allowed = "、".join(sorted(local.item_transfers)) or _("none")
            return _(
                "流用 between 項 ({source_kou} → {target_kou}) is allowed only for the 節 the "
                'budget names (custom "yosan-item-transfers": {allowed}); {source} → {target}',
                source_kou=label(source[1]),
                target_kou=label(target[1]),
                allowed=allowed,
                **shown,
            )
    return None


READERS: dict[str, Callable[[_Reader, data.Custom, list], object | None]] = {
    ASSESSMENT: _Reader.assessment,
    WRITE_OFF: _Reader.assessment,
    OBLIGATION: _Reader.obligation,
    TRANSFER: _Reader.transfer,
    CARRYOVER: _Reader.carryover,
}
