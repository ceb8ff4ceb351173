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

from collections.abc import Callable, Sequence

import pandas as pd

from yosan_ledger.plugins.core import execution
from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.plugins.core.engine import Statements
from yosan_ledger.plugins.core.era import fiscal_year_of, format_date, format_fiscal_year
from yosan_ledger.plugins.core.execution import execution_figures, rate
from yosan_ledger.plugins.core.layout import Row
from yosan_ledger.plugins.core.local import EXPENDITURE, LEVELS, REVENUE, SIDES
from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.settlement import REAL_BALANCE, Settlement
from yosan_ledger.plugins.core.units import Unit, round_half_up
from yosan_ledger.reports.tables.journal import (
    JOURNAL_NEEDS,
    ROUNDING,
    is_journal,
    journal_segments,
    journal_through,
    local_through,
    segment_heading,
    shown_columns,
)
from yosan_ledger.reports.tables.kinds import Kind, KindError, Request, Results
from yosan_ledger.reports.tables.statements import period_line
from yosan_ledger.reports.tables.table import Table, TableRow, rows_by_segment

SIDE_NAMES = {REVENUE: "歳入", EXPENDITURE: "歳出"}
STATEMENT = {REVENUE: "revenue", EXPENDITURE: "expenditure"}  # the CSV's statement column
TOTAL_NAME = "全会計"  # the 会計 added together (単純合計)
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


# The 決算報告書 of a body in corporate form (its statements' layouts): 区分, 予算額,
# 決算額, 差額（決算－予算）, 備考.
REPORT_HEADERS = ("予算額", "決算額", "差額（決算－予算）", "備考")
REPORT_COLUMNS = ("budget", "actual", "difference", "note")
REPORT_TIDY = ["statement", "section", "line", "segment", *REPORT_COLUMNS, "unit"]


def _numbered_notes(
    notes: Sequence[tuple[str, str, str]], column: str
) -> tuple[dict[str, str], list[str]]:
    """The notes of one column (a segment or the total): each row's marks (注1)(注2) …
    and the numbered texts to print under the table."""
    marks: dict[str, str] = {}
    texts: list[str] = []
    for key, where, text in notes:
        if where == column:
            number = len(texts) + 1
            marks[key] = f"{marks.get(key, '')}(注{number})"
            texts.append(f"(注{number}) {text}")
    return marks, texts


def report_frame(
    budget: Statements,
    actual: Statements,
    statement: str,
    unit: Unit,
    notes: Sequence[tuple[str, str, str]],
    segments: Sequence[str],
) -> pd.DataFrame:
    """決算報告書 as rows: per line of the statement and segment of ``segments``,
    budget, actual and difference (actual − budget) in the unit, and the text of the
    ledger's notes on it."""
    texts: dict[tuple[str, str], list[str]] = {}
    for key, where, text in notes:
        texts.setdefault((key, where), []).append(text)
    layout = actual.layouts[statement]

    def values(figures: pd.DataFrame, rows: list[Row], column: str) -> dict[str, list]:
        keys = [r.key for r in rows]
        planned = [int(figures.at[k, ("budget", column)]) for k in keys]
        done = [int(figures.at[k, ("actual", column)]) for k in keys]
        return {
            "budget": [round_half_up(p, unit) for p in planned],
            "actual": [round_half_up(d, unit) for d in done],
            "difference": [round_half_up(d - p, unit) for p, d in zip(planned, done, strict=True)],
            "note": [" ".join(texts.get((k, column), ())) for k in keys],
        }

    frame = rows_by_segment(
        [layout], segments, unit, lambda name: execution_figures(budget, actual, name), values
    )
    return frame[REPORT_TIDY]


def report_tables(
    budget: Statements,
    actual: Statements,
    statement: str,
    unit: Unit,
    notes: Sequence[tuple[str, str, str]],
    *,
    segment: str | None = None,
    by_segment: bool = False,
    organisation: str = "",
) -> list[Table]:
    """決算報告書: 区分, 予算額, 決算額, 差額（決算－予算）, 備考 per line of the statement,
    with the ledger's notes ((row key, segment or total, text)) numbered (注1), (注2) …
    in the 備考 column and under the table."""
    layout = actual.layouts[statement]
    figures = execution_figures(budget, actual, statement)
    tables = []
    for column in journal_segments(actual, segment, by_segment):
        marks, texts = _numbered_notes(notes, column)
        rows = []
        for row in layout.shown_rows():
            if not row.has_value:
                rows.append(TableRow(row.kind, row.label, row.depth, row.section, row.ref, None))
                continue
            planned = int(figures.at[row.key, ("budget", column)])
            done = int(figures.at[row.key, ("actual", column)])
            if row.hide_zero and not planned and not done:
                continue
            values = (
                round_half_up(planned, unit),
                round_half_up(done, unit),
                round_half_up(done - planned, unit),
                marks.get(row.key, ""),
            )
            rows.append(TableRow(row.kind, row.label, row.depth, row.section, row.ref, values))
        tables.append(
            Table(
                statement=statement,
                organisation=organisation,
                title=f"決算報告書{segment_heading(actual, column, by_segment)}",
                period=f"{period_line(actual, statement)}　{layout.title_of(actual=True)}",
                unit=unit,
                label_header="区分",
                columns=REPORT_COLUMNS,
                headers=REPORT_HEADERS,
                rows=tuple(rows),
                notes=(*texts, ROUNDING),
            )
        )
    return tables


def _settlement_tables(results: Results, request: Request) -> list[Table]:
    """The settlement of an actual journal: a local government's 歳入歳出決算書, else the
    決算報告書 of the statement the layouts name for it."""
    unit = request.unit_or("thousand")
    if results["local_settlement"] is not None:
        return settlement_tables(
            local_through(results, request),
            unit,
            segment=request.segment,
            by_segment=request.by_segment,
            organisation=request.organisation,
            true_era=request.true_era,
        )
    journal = journal_through(results, request, "settlement")
    return report_tables(
        journal.planned,
        journal.actual,
        settled_statement(journal.actual),
        unit,
        journal.notes,
        segment=request.segment,
        by_segment=request.by_segment,
        organisation=request.organisation,
    )


def _settlement_rows(results: Results, request: Request) -> pd.DataFrame:
    unit = request.unit_or("thousand")
    if results["local_settlement"] is not None:
        return settlement_frame(local_through(results, request), unit, depth=2)
    journal = journal_through(results, request, "settlement")
    statement = settled_statement(journal.actual)
    segments = shown_columns(journal.actual, request)
    return report_frame(journal.planned, journal.actual, statement, unit, journal.notes, segments)


def settled_statement(statements: Statements) -> str:
    """The statement the 決算報告書 is made of, or a refusal saying how to declare one."""
    statement = execution.settlement_statement(statements)
    if statement is None:
        raise KindError(
            _(
                "the layouts declare no cash or flow statement for the settlement "
                '(決算報告書): add one, or name it with settlement = "key" in statements.toml'
            )
        )
    return statement


def local_only(name: str) -> Callable[[Results, Request], Settlement]:
    """A local government's settlement figures, or a refusal naming the table."""

    def settled(results: Results, request: Request) -> Settlement:
        if results["local_settlement"] is None:
            raise KindError(
                _(
                    "{table} is a local government's: its actual journal's budget declares "
                    'custom "yosan-local-government" LAST-DAY-OF-THE-CLOSING-PERIOD',
                    table=name,
                )
            )
        return local_through(results, request)

    return settled


def _details_tables(results: Results, request: Request) -> list[Table]:
    return details_tables(
        local_only("details")(results, request),
        request.unit_or("thousand"),
        segment=request.segment,
        by_segment=request.by_segment,
        organisation=request.organisation,
        true_era=request.true_era,
    )


def _details_rows(results: Results, request: Request) -> pd.DataFrame:
    settled = local_only("details")(results, request)
    return settlement_frame(settled, request.unit_or("thousand"), depth=4)


def _real_balance_tables(results: Results, request: Request) -> list[Table]:
    return real_balance_tables(
        local_only("real-balance")(results, request),
        request.unit_or("thousand"),
        segment=request.segment,
        by_segment=request.by_segment,
        organisation=request.organisation,
        true_era=request.true_era,
    )


def _real_balance_rows(results: Results, request: Request) -> pd.DataFrame:
    settled = local_only("real-balance")(results, request)
    return real_balance_frame(settled, request.unit_or("thousand"))


def is_local(results: Results) -> bool:
    return results["local_settlement"] is not None


JOURNAL_OPTIONS = frozenset({"segment", "by_segment", "revision", "as_of", "true_era"})
KINDS = (
    Kind(
        "settlement",
        "決算報告書・歳入歳出決算書",
        _settlement_tables,
        options=JOURNAL_OPTIONS,
        needs=JOURNAL_NEEDS,
        rows=_settlement_rows,
        applies=is_journal,
        fava="YosanSummaryOfSettlement",
        titled=lambda results: "歳入歳出決算書" if is_local(results) else "決算報告書",
    ),
    Kind(
        "details",
        "歳入歳出決算事項別明細書",
        _details_tables,
        options=JOURNAL_OPTIONS - {"revision"},
        needs=JOURNAL_NEEDS,
        rows=_details_rows,
        applies=is_local,
        fava="YosanTableDetails",
    ),
    Kind(
        "real-balance",
        "実質収支に関する調書",
        _real_balance_tables,
        options=JOURNAL_OPTIONS - {"revision"},
        needs=JOURNAL_NEEDS,
        rows=_real_balance_rows,
        applies=is_local,
        fava="YosanTableRealBalance",
    ),
)
