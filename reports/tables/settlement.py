"""A local government's settlement as tables: 歳入歳出決算書, 歳入歳出決算事項別明細書,
実質収支に関する調書, and the execution report (予算執行状況) of the year so far.

Every figure is ``yosan_ledger.plugins.core.settlement``'s, in yen; here each is
rounded half-up to the unit on its own (the note under each table says so) and
laid out: per 会計 (segment), the 歳入 and the 歳出 apart, 款 and 項 (the 決算書) or
款, 項, 目 and 節 (the 明細書, the execution report), each side's total last.  A
settlement is made per 会計: without a segment, one set of tables for each; the
segment ``total`` gives the 会計 added together.  ``settlement_frame`` is the same
figures as rows (the CSV), one per line and 会計, a column blank where it does not
apply (a revenue line commits nothing).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.era import fiscal_year_of, format_date, format_fiscal_year
from yosan_ledger.plugins.core.execution import rate
from yosan_ledger.plugins.core.local import EXPENDITURE, LEVELS, REVENUE, SIDES
from yosan_ledger.plugins.core.settlement import REAL_BALANCE, Settlement
from yosan_ledger.plugins.core.units import Unit, round_half_up
from yosan_ledger.reports.tables.table import Table, TableRow

SIDE_NAMES = {REVENUE: "歳入", EXPENDITURE: "歳出"}
STATEMENT = {REVENUE: "revenue", EXPENDITURE: "expenditure"}  # the CSV's statement column
TOTAL_NAME = "全会計"  # the 会計 added together (単純合計)
ROUNDING = "（注）各数値は単位未満を四捨五入しているため、合計等が一致しない場合がある。"
DEPTHS = {"settlement": 2, "details": 4}

# (column, header) of each table, per side.
SETTLEMENT_COLUMNS = {
    REVENUE: (
        ("budget", "予算現額"),
        ("assessed", "調定額"),
        ("received", "収入済額"),
        ("written_off", "不納欠損額"),
        ("outstanding", "収入未済額"),
        ("compared", "予算現額と収入済額との比較"),
    ),
    EXPENDITURE: (
        ("budget", "予算現額"),
        ("transfers", "充用・流用増減"),
        ("paid", "支出済額"),
        ("carried_over", "翌年度繰越額"),
        ("unused", "不用額"),
        ("compared", "予算現額と支出済額との比較"),
    ),
}
EXECUTION_COLUMNS = {
    REVENUE: (
        ("budget", "予算現額"),
        ("assessed", "調定額"),
        ("received", "収入済額"),
        ("rate", "収入率（%）"),
    ),
    EXPENDITURE: (
        ("budget", "予算現額"),
        ("transfers", "充用・流用増減"),
        ("committed", "負担行為額"),
        ("paid", "支出済額"),
        ("rate", "執行率（%）"),
        ("remaining", "予算残額"),
    ),
}
# The CSV: statement,section,line,segment, then these; a column blank where it does not apply.
FRAME_COLUMNS = (
    "budget",
    "transfers",
    "assessed",
    "received",
    "written_off",
    "outstanding",
    "committed",
    "paid",
    "carried_over",
    "unused",
)
APPLIES = {
    REVENUE: ("budget", "assessed", "received", "written_off", "outstanding"),
    EXPENDITURE: ("budget", "transfers", "committed", "paid", "carried_over", "unused"),
}
TIDY_COLUMNS = ["statement", "section", "line", "segment", *FRAME_COLUMNS]
REAL_BALANCE_COLUMNS = ["statement", "section", "line", "segment", "amount"]


def settlement_tables(
    settled: Settlement,
    unit: Unit,
    *,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
    true_era: bool = False,
) -> list[Table]:
    """歳入歳出決算書: per 会計, the 歳入 and the 歳出 by 款 and 項."""
    return _tables(
        settled, unit, "歳入歳出決算書", SETTLEMENT_COLUMNS, DEPTHS["settlement"],
        segment, by_segment, organisation, true_era,
    )  # fmt: skip


def details_tables(
    settled: Settlement,
    unit: Unit,
    *,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
    true_era: bool = False,
) -> list[Table]:
    """歳入歳出決算事項別明細書: per 会計, the 歳入 and the 歳出 by 款, 項, 目 and 節."""
    return _tables(
        settled, unit, "歳入歳出決算事項別明細書", SETTLEMENT_COLUMNS, DEPTHS["details"],
        segment, by_segment, organisation, true_era,
    )  # fmt: skip


def budget_execution_tables(
    settled: Settlement,
    unit: Unit,
    *,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
    true_era: bool = False,
    depth: int = 4,
) -> list[Table]:
    """予算執行状況 through the settlement's day: per 会計, the 歳入 (予算現額, 調定額,
    収入済額, 収入率) and the 歳出 (予算現額, 充用・流用増減, 負担行為額, 支出済額,
    執行率, 予算残額), by 款 … down to ``depth`` (2: 項, 3: 目, 4: 節)."""
    return _tables(
        settled, unit, "予算執行状況", EXECUTION_COLUMNS, depth,
        segment, by_segment, organisation, true_era,
    )  # fmt: skip


def real_balance_tables(
    settled: Settlement,
    unit: Unit,
    *,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
    true_era: bool = False,
) -> list[Table]:
    """実質収支に関する調書: per 会計, 歳入総額, 歳出総額, 歳入歳出差引額, 翌年度へ繰り越す
    べき財源 (継続費逓次繰越額, 繰越明許費繰越額, 事故繰越し繰越額) and 実質収支額."""
    tables = []
    for column in shown_segments(settled, segment, by_segment):
        figures = settled.real_balance[column]
        rows = tuple(
            TableRow(
                "total" if depth == 0 else "line",
                label,
                depth,
                "翌年度へ繰り越すべき財源" if depth else "",
                f"real_balance:{key}",
                (round_half_up(int(figures[key]), unit),),
            )
            for key, label, depth in REAL_BALANCE
        )
        tables.append(
            Table(
                statement="real_balance",
                organisation=organisation,
                title=f"{_name(settled, column)}実質収支に関する調書",
                period=_period(settled, true_era),
                unit=unit,
                label_header="区分",
                columns=("amount",),
                headers=("金額",),
                rows=rows,
                notes=(*_day_notes(settled, true_era), ROUNDING),
            )
        )
    return tables


def settlement_frame(settled: Settlement, unit: Unit, *, depth: int = 2) -> pd.DataFrame:
    """Every line down to ``depth`` (2: the 決算書's 款・項, 4: the 明細書's 款・項・目・節),
    and each side's total, for each 会計 and the total: ``statement`` (revenue or
    expenditure), ``section`` (the 款/項/目 above the line), ``line``, ``segment``,
    then ``FRAME_COLUMNS`` in the unit, each rounded on its own, blank where they do
    not apply to the side."""
    records = []
    for column in settled.columns:
        for where in SIDES:
            for row in settled.rows(column, where, depth).itertuples(index=False):
                record = {
                    "statement": STATEMENT[where],
                    "section": row.section,
                    "line": row.label,
                    "segment": column,
                }
                for name in FRAME_COLUMNS:
                    shown = name in APPLIES[where]
                    record[name] = round_half_up(int(getattr(row, name)), unit) if shown else None
                records.append(record)
    frame = pd.DataFrame.from_records(records, columns=TIDY_COLUMNS)
    return frame.astype({c: "Int64" for c in FRAME_COLUMNS})


def real_balance_frame(settled: Settlement, unit: Unit) -> pd.DataFrame:
    """実質収支に関する調書 as rows: statement ``real_balance``, section, line, segment
    (each 会計 and the total), amount in the unit."""
    records = [
        {
            "statement": "real_balance",
            "section": "翌年度へ繰り越すべき財源" if depth else "",
            "line": label,
            "segment": column,
            "amount": round_half_up(int(settled.real_balance.at[key, column]), unit),
        }
        for column in settled.columns
        for key, label, depth in REAL_BALANCE
    ]
    return pd.DataFrame.from_records(records, columns=REAL_BALANCE_COLUMNS)


def shown_segments(settled: Settlement, segment: str | None, by_segment: bool) -> list[str]:
    """The 会計 a settlement is shown for: the one asked for, else each in turn."""
    if segment is not None and not by_segment:
        return [segment]
    return [s.key for s in settled.segments]


def _tables(
    settled: Settlement,
    unit: Unit,
    title: str,
    columns: dict[str, tuple[tuple[str, str], ...]],
    depth: int,
    segment: str | None,
    by_segment: bool,
    organisation: str,
    true_era: bool,
) -> list[Table]:
    tables = []
    for column in shown_segments(settled, segment, by_segment):
        for where in SIDES:
            shown = columns[where]
            lines = settled.rows(column, where, depth)
            rows = tuple(_row(line, where, shown, depth, unit) for line in lines.itertuples())
            tables.append(
                Table(
                    statement=STATEMENT[where],
                    organisation=organisation,
                    title=f"{_name(settled, column)}{title}（{SIDE_NAMES[where]}）",
                    period=_period(settled, true_era),
                    unit=unit,
                    label_header="・".join(LEVELS[:depth]),
                    columns=tuple(c for c, _header in shown),
                    headers=tuple(h for _column, h in shown),
                    rows=rows,
                    notes=(*_day_notes(settled, true_era), ROUNDING),
                )
            )
    return tables


def _row(
    line: object, where: str, shown: Sequence[tuple[str, str]], depth: int, unit: Unit
) -> TableRow:
    """A 款 (in bold, as the side's total), 項, 目 or 節: each the sum of those below it."""
    level = int(line.level)  # type: ignore[attr-defined]
    values: list[int | str] = []
    for column, _header in shown:
        if column == "rate":
            done = int(line.received if where == REVENUE else line.paid)  # type: ignore[attr-defined]
            values.append(rate(done, int(line.budget)))  # type: ignore[attr-defined]
        else:
            values.append(round_half_up(int(getattr(line, column)), unit))
    return TableRow(
        "total" if level <= 1 < depth else "line",
        str(line.label),  # type: ignore[attr-defined]
        max(level - 1, 0),
        str(line.section),  # type: ignore[attr-defined]
        f"{STATEMENT[where]}:{line.key}",  # type: ignore[attr-defined]
        tuple(values),
    )


def _name(settled: Settlement, column: str) -> str:
    names = {s.key: s.name for s in settled.segments}
    return TOTAL_NAME if column == TOTAL else names[column]


def _period(settled: Settlement, true_era: bool) -> str:
    """令和9年度（令和10年5月31日現在）: the fiscal year, and the day its figures are
    through."""
    budget = settled.budget
    as_of = None if true_era else budget.adopted
    year = format_fiscal_year(fiscal_year_of(budget.start), as_of)
    return f"{year}（{format_date(settled.day, as_of)}現在）"


def _day_notes(settled: Settlement, true_era: bool) -> tuple[str, ...]:
    """What the day's figures hold of the closing period (出納整理期間)."""
    budget = settled.budget
    if budget.closing is None:
        return ()
    as_of = None if true_era else budget.adopted
    closing = format_date(budget.closing, as_of)
    if settled.settled:
        return (f"（注）出納整理期間（{closing}まで）の収入・支出を含む。",)
    if settled.day <= budget.end:
        return (f"（注）出納整理期間（{closing}まで）の収入・支出を含まない。",)
    day = format_date(settled.day, as_of)
    return (f"（注）出納整理期間中（{closing}まで）の{day}までの収入・支出を含む。",)
