"""予算執行: the example actual journal (examples/kumiai/actuals, made-up figures)
against its budget; every 執行額 checked against sums taken straight from the
journal's postings (Beancount's parse and the accounts' `line`), not the engine's."""

from __future__ import annotations

import datetime
import html
import re
import shutil
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from beancount import loader
from beancount.core import data
from fava.application import create_app

from tests.conftest import FY2016_LAYOUTS, ROOT, yosan

ACTUALS = ROOT / "examples" / "kumiai" / "actuals" / "main.beancount"
BUDGET = ROOT / "examples" / "kumiai" / "main.beancount"
START = datetime.date(2027, 4, 1)
NEGATIVE = ("Liabilities", "Equity", "Income")


def journal_sums(through: datetime.date, since: datetime.date = START) -> dict:
    """(statement, line, segment) → the postings to the accounts feeding the line,
    shown as the statement shows them: flows from ``since`` through ``through`` for
    the income statement, balances at ``through`` for the balance sheet."""
    entries, _, _ = loader.load_file(str(ACTUALS))
    line_of = {e.account: e.meta["line"] for e in entries if isinstance(e, data.Open)}
    sums: dict = defaultdict(int)
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > through:
            continue
        (segment,) = entry.tags
        for posting in entry.postings:
            flow = posting.account.startswith(("Income", "Expenses"))
            if flow and entry.date < since:
                continue
            sign = -1 if posting.account.startswith(NEGATIVE) else 1
            amount = sign * int(posting.units.number)
            for column in (segment, "total"):
                sums["pl" if flow else "bs", line_of[posting.account], column] += amount
    return sums


def execution_rows(*args: str) -> list[dict[str, str]]:
    result = yosan(
        "report", "execution", "--format", "csv", "--unit", "yen", "--ledger", ACTUALS, *args
    )
    assert result.exit_code == 0, result.stderr
    return result.rows()


def budget_figures() -> dict[tuple[str, str, str, str], int]:
    result = yosan("export", "--unit", "yen", "--ledger", BUDGET)
    assert result.exit_code == 0, result.stderr
    return {
        (r["statement"], r["section"], r["line"], r["segment"]): int(r["amount"])
        for r in result.rows()
    }


MONTH_ENDS = [
    (datetime.date(2027 + (m > 12), (m - 1) % 12 + 1, 1) - datetime.timedelta(days=1)).isoformat()
    for m in range(5, 17)
]  # 2027-04-30 … 2028-03-31


# 執行率 means nothing on a balance (the balance sheet, the cash plan's 前期末 and 当期末
# rows) or on a result of other rows (its layout's `result = true`).
NO_RATE = {
    *("前期末未収金", "当期末未収金", "前期末未払金", "当期末未払金", "前期末現金預金"),
    *("当期末現金預金", "資金収支差額", "当期純利益"),
}


@pytest.mark.parametrize("day", ["2027-04-15", *MONTH_ENDS])
def test_every_execution_figure_is_the_journals_own(day):
    through = datetime.date.fromisoformat(day)
    sums = journal_sums(through)
    budget = budget_figures()
    rows = execution_rows("--as-of", day)
    checked = 0
    for row in rows:
        planned, done = int(row["budget"]), int(row["actual"])
        key = (row["statement"], row["section"], row["line"], row["segment"])
        assert planned == budget[key], key
        assert int(row["remaining"]) == planned - done
        expected_rate = (
            ""
            if planned == 0 or row["statement"] == "bs" or row["line"] in NO_RATE
            else str((Decimal(done) * 100 / planned).quantize(Decimal("0.1"), ROUND_HALF_UP))
        )
        assert row["rate"] == expected_rate, key
        if row["statement"] in ("bs", "pl") and ("合計" not in row["line"]):
            if row["line"] in ("当期純利益", "剰余金"):
                continue  # totals of other rows, checked through the balance below
            assert done == sums.get((row["statement"], row["line"], row["segment"]), 0), key
            checked += done != 0
    assert checked > 10


def test_a_transaction_after_the_day_or_in_another_segment_never_counts():
    def actual(day: str, line: str, segment: str) -> int:
        rows = execution_rows("--as-of", day)
        return next(
            int(r["actual"])
            for r in rows
            if r["statement"] == "pl" and r["line"] == line and r["segment"] == segment
        )

    assert actual("2027-06-30", "物件費", "water") == 210_000  # the 7月 purchase is not in
    assert actual("2028-03-31", "物件費", "water") == 300_000
    assert actual("2027-06-30", "物件費", "hall") == 320_000  # water's never counts here
    assert actual("2027-06-30", "物件費", "total") == 530_000


def test_by_month_each_month_is_its_own_flow():
    result = yosan(
        "report",
        "execution",
        "--by-month",
        "--as-of",
        "2027-06-30",
        "--unit",
        "yen",
        "--segment",
        "hall",
        "--ledger",
        ACTUALS,
    )
    assert result.exit_code == 0, result.stderr
    months = {
        line.split()[0].strip("　"): line.split()[1:]
        for line in result.stdout.splitlines()
        if line.startswith("　") and len(line.split()) == 6
    }
    april = journal_sums(datetime.date(2027, 4, 30))
    may = journal_sums(datetime.date(2027, 5, 31), datetime.date(2027, 5, 1))
    june = journal_sums(datetime.date(2027, 6, 30), datetime.date(2027, 6, 1))
    for line in ("人件費", "使用料収入", "物件費"):
        expected = [april["pl", line, "hall"], may["pl", line, "hall"], june["pl", line, "hall"]]
        shown = [int(v.replace(",", "")) for v in months[line][1:4]]
        assert shown == expected, line
    assert "4月" in result.stdout and "累計" in result.stdout and "7月" not in result.stdout


def test_the_actual_statements_are_titled_as_actuals():
    result = yosan("report", "--ledger", ACTUALS, "--as-of", "2027-06-30", "--unit", "yen")
    assert result.exit_code == 0, result.stderr
    assert "貸借対照表" in result.stdout and "予定貸借対照表" not in result.stdout
    assert "（令和9年6月30日現在）" in result.stdout


def test_the_settlement_report_with_the_accountants_note():
    result = yosan(
        "report", "settlement", "--segment", "hall", "--unit", "yen", "--ledger", ACTUALS
    )
    assert result.exit_code == 0, result.stderr
    assert "決算報告書（会館運営事業）" in result.stdout
    assert "(注1) 夏季賞与の支給による。" in result.stdout
    line = next(x for x in result.stdout.splitlines() if x.strip().startswith("人件費支出"))
    assert line.split()[-1] == "(注1)"


SETTLEMENT_HEADER = "statement,section,line,segment,budget,actual,difference,note,unit"


@pytest.mark.parametrize("by_segment", [(), ("--by-segment",)], ids=["whole", "by-segment"])
def test_the_settlement_csv_is_one_table_of_rows_with_the_notes_text(by_segment):
    """決算報告書 as CSV, with or without --by-segment: one header, a row per line and
    segment, the note's text in `note`; the figures are the budget's (its export)
    and the journal's year (the execution report), difference = actual − budget."""
    result = yosan(
        "report", "settlement", "--format", "csv", "--unit", "yen", *by_segment, "--ledger", ACTUALS
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == SETTLEMENT_HEADER
    rows = result.rows()
    budget = budget_figures()
    executed = {
        (r["statement"], r["section"], r["line"], r["segment"]): int(r["actual"])
        for r in execution_rows()
    }
    assert {r["statement"] for r in rows} == {"cf"} and {r["unit"] for r in rows} == {"円"}
    assert {r["segment"] for r in rows} == {"hall", "water", "common", "total"}
    for row in rows:
        key = (row["statement"], row["section"], row["line"], row["segment"])
        assert int(row["budget"]) == budget[key] and int(row["actual"]) == executed[key], key
        assert int(row["difference"]) == int(row["actual"]) - int(row["budget"])
    noted = {(r["line"], r["segment"]): r["note"] for r in rows if r["note"]}
    assert noted == {("人件費支出", "hall"): "夏季賞与の支給による。"}


MONTH_HEADER = "statement,section,line,segment,month,actual,cumulative,unit"


def test_execution_by_month_csv_is_a_row_per_line_segment_and_month():
    """`--by-month --format csv`: each line, segment and month with the month's figure
    (a flow row's flow in the month, a balance row's balance at the month's end: the
    cash plan's 当期末現金預金 is the balance sheet's 現金預金 that day) and the
    figure to date, every one checked against the journal's own postings."""
    result = yosan(
        "report", "execution", "--by-month", "--format", "csv", "--unit", "yen",
        "--as-of", "2027-06-30", "--ledger", ACTUALS,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == MONTH_HEADER
    rows = result.rows()
    assert [r["month"] for r in rows[:3]] == ["2027-04", "2027-05", "2027-06"]
    assert {r["month"] for r in rows} == {"2027-04", "2027-05", "2027-06"}
    ends = {"2027-04": (4, 30), "2027-05": (5, 31), "2027-06": (6, 30)}
    shown = {(r["statement"], r["line"], r["segment"], r["month"]): r for r in rows}
    checked = 0
    for (statement, line, segment, month), row in shown.items():
        end = datetime.date(2027, *ends[month])
        to_date = journal_sums(end)
        in_month = journal_sums(end, end.replace(day=1))
        if statement == "pl" and "合計" not in line and line != "当期純利益":
            assert int(row["actual"]) == in_month.get(("pl", line, segment), 0), row
            assert int(row["cumulative"]) == to_date.get(("pl", line, segment), 0), row
            checked += 1
        elif statement == "bs" and "合計" not in line and line != "剰余金":
            assert int(row["actual"]) == int(row["cumulative"]), row  # a balance
            assert int(row["actual"]) == to_date.get(("bs", line, segment), 0), row
            checked += 1
        elif (statement, line) == ("cf", "当期末現金預金"):
            assert int(row["actual"]) == to_date.get(("bs", "現金預金", segment), 0), row
            assert row["actual"] == shown["bs", "現金預金", segment, month]["actual"]
            checked += 1
    assert checked > 100


def test_the_by_month_table_shows_the_csvs_figures():
    """The text table of --by-month shows, month by month, the CSV's figures: the cash
    plan's closing row as balances, as the balance sheet's cash (no longer the
    month's change)."""
    args = ("--by-month", "--as-of", "2027-06-30", "--unit", "yen", "--segment", "hall")
    text = yosan("report", "execution", *args, "--ledger", ACTUALS).stdout
    rows = yosan("report", "execution", *args, "--format", "csv", "--ledger", ACTUALS).rows()
    closing = next(line for line in text.splitlines() if line.startswith("当期末現金預金"))
    expected = [
        int(r["actual"]) for r in rows if r["statement"] == "cf" and r["line"] == "当期末現金預金"
    ]
    assert [int(v.replace(",", "")) for v in closing.split()[2:5]] == expected
    cash = [int(r["actual"]) for r in rows if r["statement"] == "bs" and r["line"] == "現金預金"]
    assert expected == cash


def test_a_negative_rate_is_shown_with_a_triangle_and_a_csv_keeps_its_sign(tmp_path):
    """執行率 of a line whose actual has the opposite sign of its budget (当期純利益 of
    簡易水道事業 in June, rated here, though its layout marks it a result) is printed ▲7.1,
    as the amounts beside it; the CSV keeps -7.1."""
    folder = tmp_path / "kumiai"
    shutil.copytree(BUDGET.parent, folder)
    pl = folder / "layouts" / "pl.toml"
    pl.write_text(pl.read_text("utf-8").replace(", result = true", ""), "utf-8")
    journal = folder / "actuals" / "main.beancount"
    args = ("--as-of", "2027-06-30", "--segment", "water", "--ledger", journal)
    rows = yosan("report", "execution", *args, "--format", "csv").rows()
    (net,) = [r for r in rows if r["line"] == "当期純利益"]
    assert net["rate"] == "-7.1" and int(net["actual"]) < 0 < int(net["budget"])
    text = yosan("report", "execution", *args).stdout
    line = next(x for x in text.splitlines() if x.startswith("当期純利益"))
    assert line.split()[-1] == "▲7.1" and "-7.1" not in text
    html = yosan("report", "execution", *args, "--format", "html").stdout
    assert ">▲7.1<" in html and "-7.1" not in html
    import openpyxl

    book = tmp_path / "execution.xlsx"
    assert yosan("report", "execution", *args, "-o", book).exit_code == 0
    sheet = openpyxl.load_workbook(book)["予算執行状況　損益計算書（簡易水道事業）"]
    (cell,) = [r[4] for r in sheet.iter_rows() if r[0].value == "当期純利益"]
    assert str(cell.value) == "-7.1" and cell.number_format == '0.0;"▲"0.0'


def test_a_hidden_when_zero_row_shows_wherever_a_shown_figure_is_not_zero(tmp_path):
    """預り金の増減 (hide_zero) nets to nothing by the year's end, so the year's
    execution leaves it out; at a day in the year, or month by month, it moves, and
    is shown, in the text and the CSV alike (the lines shown still add up)."""
    from benchmarks import actuals

    actuals.main(["600", str(tmp_path / "a")])
    journal = tmp_path / "a" / "main.beancount"

    def lines(*args: str) -> tuple[set[str], set[str]]:
        base = ("report", "execution", "--ledger", journal, "--unit", "yen", *args)
        csv_rows = yosan(*base, "--format", "csv").rows()
        text = yosan(*base, "--segment", "general").stdout
        return {r["line"] for r in csv_rows}, {
            line.split()[0] for line in text.splitlines() if line.strip()
        }

    year_csv, year_text = lines()
    assert "預り金の増減" not in year_csv and "預り金の増減" not in year_text
    day_csv, day_text = lines("--as-of", "2016-09-30")
    assert "預り金の増減" in day_csv and "預り金の増減" in day_text
    month_csv, month_text = lines("--by-month")
    assert "預り金の増減" in month_csv and "預り金の増減" in month_text
    rows = yosan(
        "report", "execution", "--by-month", "--format", "csv", "--unit", "yen",
        "--segment", "general", "--ledger", journal,
    ).rows()  # fmt: skip
    months = [int(r["actual"]) for r in rows if r["line"] == "預り金の増減"]
    assert any(months) and sum(months) == int(
        [r for r in rows if r["line"] == "預り金の増減"][-1]["cumulative"]
    )


def test_a_budget_ledger_is_no_actual_journal():
    result = yosan("report", "execution", "--ledger", BUDGET)
    assert result.exit_code == 2 and "for an actual journal" in result.stderr


def test_both_directives_or_a_broken_budget_are_errors_at_the_directive(tmp_path):
    folder = tmp_path / "kumiai"
    shutil.copytree(BUDGET.parent, folder)
    main = folder / "actuals" / "main.beancount"
    text = main.read_text("utf-8")
    main.write_text(
        text + '2027-02-20 custom "yosan-budget" "二重" 2027-04-01 2028-03-31\n', "utf-8"
    )
    result = yosan("check", "--ledger", main, "--no-cache")
    assert result.exit_code == 1
    lineno = next(n for n, line in enumerate(text.splitlines(), 1) if "yosan-actuals" in line)
    assert f"{main}:{lineno}: A ledger is a budget or the actual journal of one" in result.stderr

    main.write_text(text, "utf-8")

    segment = folder / "segments" / "hall.beancount"
    segment.write_text(
        segment.read_text("utf-8").replace("pushtag #hall", "pushtag #nosuch"), "utf-8"
    )
    result = yosan("check", "--ledger", main, "--no-cache")
    assert result.exit_code == 1
    assert f"{main}:{lineno}: The budget ../main.beancount has " in result.stderr


def fava_page(client, slug: str, page: str) -> str:
    response = client.get(f"/{slug}/extension/{page}")
    assert response.status_code == 200, page
    return response.get_data(as_text=True)


def test_fava_execution_follows_the_time_and_segment_filters_and_opens_postings():
    client = create_app([str(ACTUALS)], load=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    june = fava_page(
        client, slug, "YosanStatusOfExecution/?statement=pl&time=2027-06&filter=%23hall"
    )
    assert "令和9年6月30日現在" in june and "予算執行状況" in june
    salaries = re.search(r'<tr class="line" data-ref="pl:費用/人件費">(.*?)</tr>', june, re.S)[1]
    assert ">10,200<" in salaries and ">2,250<" in salaries and "22.1" in salaries
    link = html.unescape(re.search(r'href="([^"]+/line\?[^"]+)"', salaries)[1])
    postings = client.get(link).get_data(as_text=True)
    assert (
        postings.count("4月分給与") + postings.count("5月分給与") + postings.count("6月分給与") == 3
    )
    april = fava_page(
        client, slug, "YosanStatusOfExecution/?statement=pl&time=2027-04&filter=%23hall"
    )
    salaries = re.search(r'<tr class="line" data-ref="pl:費用/人件費">(.*?)</tr>', april, re.S)[1]
    assert ">750<" in salaries
    statement = fava_page(client, slug, "YosanStatements/?statement=pl&time=2027-05")
    assert "令和9年4月1日から令和9年5月31日まで" in statement and "損益計算書" in statement


def test_fava_settlement_page_of_the_journal():
    client = create_app([str(ACTUALS)], load=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    hall = fava_page(client, slug, "YosanSummaryOfSettlement/?filter=%23hall&unit=yen")
    assert "決算報告書（会館運営事業）" in hall and "(注1) 夏季賞与の支給による。" in hall
    cli = yosan("report", "settlement", "--segment", "hall", "--unit", "yen", "--ledger", ACTUALS)
    salaries = next(x for x in cli.stdout.splitlines() if x.strip().startswith("人件費支出"))
    row = re.search(r'<tr class="cash" data-ref="cf:資金支出/人件費支出">(.*?)</tr>', hall, re.S)[1]
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == salaries.split()[1:]  # the figures and the note's mark the command prints


def test_the_synthetic_fy2016_journal_executes_the_budget(tmp_path):
    """benchmarks/actuals.py: a made-up FY2016 actual journal of every segment, with
    withholdings paid over, bonuses out of 賞与引当金 and monthly depreciation, whose
    year-end totals are the budget's line by line (within ±10 %: here exactly)."""
    from benchmarks import actuals

    actuals.main(["1500", str(tmp_path / "a")])
    actuals.main(["1500", str(tmp_path / "b")])
    journal = tmp_path / "a" / "main.beancount"
    assert journal.read_text("utf-8").startswith("; A SYNTHETIC ACTUAL JOURNAL WITH MADE-UP")
    texts = {p.name: p.read_text("utf-8") for p in (tmp_path / "a" / "journal").iterdir()}
    again = {p.name: p.read_text("utf-8") for p in (tmp_path / "b" / "journal").iterdir()}
    assert texts == again  # deterministic
    # The opening balances' month, then the twelve months of the year.
    assert sorted(texts) == ["2016-03.beancount"] + [
        f"{2016 + (m > 12)}-{(m - 1) % 12 + 1:02}.beancount" for m in range(4, 16)
    ]
    everything = "".join(texts.values())
    for segment in ("general", "resident_id", "jpki", "lgwan", "resident_id_related"):
        assert f"#{segment}\n" in everything, segment
    assert 1400 <= everything.count(" * ") <= 1800
    for kind in ("給与の支給", "預り金の納付", "賞与の支給", "減価償却", "未払金の支払"):
        assert kind in everything, kind
    assert yosan("check", "--ledger", journal, "--no-cache").exit_code == 0
    rows = yosan(
        "report", "execution", "--format", "csv", "--unit", "yen", "--ledger", journal
    ).rows()
    shown = [r for layout in FY2016_LAYOUTS for r in layout.value_rows() if not r.hide_zero]
    assert len(rows) == 8 * len(shown)  # 預り金の増減 nets to nothing by the year's end
    for row in rows:
        planned, done = int(row["budget"]), int(row["actual"])
        assert abs(done - planned) <= abs(planned) // 10, row
    half = yosan(
        "report", "execution", "--as-of", "2016-09-30", "--format", "csv", "--ledger", journal
    ).rows()
    assert any(r["actual"] != r["budget"] for r in half)  # mid-year, the year is not done


def test_the_synthetic_journal_by_month_or_by_segment_gives_the_same_figures(tmp_path):
    """benchmarks/actuals.py --layout: the same transactions in twelve monthly files
    (each tagged with its segment) or in one file per segment (under pushtag) give
    the same execution report, figure for figure, and the same balances in the
    hledger journal written beside them (summed straight from its text)."""
    from benchmarks import actuals
    from tests.test_generate import journal_balances

    actuals.main(["600", str(tmp_path / "month")])
    actuals.main(["600", str(tmp_path / "segment"), "--layout", "segment"])
    assert len(list((tmp_path / "segment" / "journal").iterdir())) == 7
    outputs = []
    for layout in ("month", "segment"):
        journal = tmp_path / layout / "main.beancount"
        result = yosan(
            "report", "execution", "--format", "csv", "--unit", "yen", "--ledger", journal
        )
        assert result.exit_code == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] and len(outputs[0].splitlines()) > 700
    hledger = (tmp_path / "month" / "main.journal").read_text("utf-8")
    assert hledger == (tmp_path / "segment" / "main.journal").read_text("utf-8")
    sums = journal_balances(tmp_path / "month" / "main.journal")
    entries, errors, _ = loader.load_file(str(tmp_path / "month" / "main.beancount"))
    assert not errors
    beancount: dict = defaultdict(int)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            (segment,) = entry.tags
            for posting in entry.postings:
                beancount[(segment, posting.account.split(":")[0])] += int(posting.units.number)
    assert dict(sums) == dict(beancount) and len(beancount) == 7 * 5


EXECUTION_SQL = """
SELECT statement, section, line, segment,
       coalesce(b.amount, 0) AS budget,
       coalesce(a.amount, 0) AS actual,
       coalesce(b.amount, 0) - coalesce(a.amount, 0) AS remaining,
       CASE WHEN coalesce(b.amount, 0) = 0 OR NOT coalesce(b.rated, a.rated) THEN NULL
            ELSE round(coalesce(a.amount, 0)::DECIMAL(38, 6) * 100 / b.amount, 1) END AS rate
FROM read_parquet('{budget}/statements.parquet') AS b
FULL JOIN read_parquet('{actuals}/statements.parquet') AS a
USING (statement, section, line, line_ref, segment)
"""


def test_the_execution_table_from_the_parquet_exports_in_duckdb(tmp_path):
    """The README's query: a body that consolidates many ledgers runs it on DuckDB."""
    duckdb = pytest.importorskip("duckdb")
    for ledger, folder in ((BUDGET, "budget"), (ACTUALS, "actuals")):
        result = yosan(
            "export",
            "--format",
            "parquet",
            "--unit",
            "yen",
            "--ledger",
            ledger,
            "-o",
            tmp_path / folder,
        )
        assert result.exit_code == 0, result.stderr
    query = EXECUTION_SQL.format(budget=tmp_path / "budget", actuals=tmp_path / "actuals")
    found = {
        (s, sec, line, seg): (int(b), int(a), int(r), "" if rate is None else f"{rate:.1f}")
        for s, sec, line, seg, b, a, r, rate in duckdb.sql(query).fetchall()
    }
    expected = {
        (r["statement"], r["section"], r["line"], r["segment"]): (
            int(r["budget"]),
            int(r["actual"]),
            int(r["remaining"]),
            r["rate"],
        )
        for r in execution_rows()
    }
    assert found == expected


def test_a_ledger_naming_itself_is_one_error_not_a_recursion(tmp_path):
    folder = tmp_path / "kumiai"
    shutil.copytree(BUDGET.parent, folder)
    main = folder / "actuals" / "main.beancount"
    main.write_text(
        main.read_text("utf-8").replace(
            '"yosan-actuals" "../main.beancount"', '"yosan-actuals" "main.beancount"'
        ),
        "utf-8",
    )
    result = yosan("check", "--ledger", main, "--no-cache")
    assert result.exit_code == 1
    assert "names itself, through the ledgers it names" in result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr


def test_a_rate_that_rounds_to_nothing_has_no_sign():
    """An actual of 0 (or one too small to show) against a negative budget is 0.0, not -0.0."""
    from yosan_ledger.plugins.core.execution import rate

    assert (rate(0, -5), rate(1, -30_000), rate(-1, 3), rate(5, 0)) == ("0.0", "0.0", "-33.3", "")


def test_a_settlement_note_on_a_hidden_row_is_an_error_at_the_note(tmp_path):
    """The 決算報告書 prints no hidden row, so no row would carry the note's mark."""
    folder = tmp_path / "kumiai"
    shutil.copytree(BUDGET.parent, folder)
    cf = folder / "layouts" / "cf.toml"
    row = '{ depth = 1, cash = "flow", line = "人件費支出", of = ["pl:人件費", "bs:賞与引当金"] }'
    text = cf.read_text("utf-8")
    assert row in text
    cf.write_text(text.replace(row, row.replace(" }", ", hidden = true }")), "utf-8")
    result = yosan("check", "--ledger", folder / "actuals" / "main.beancount", "--no-cache")
    assert result.exit_code == 1
    assert (
        "actuals/main.beancount:22: Row '資金支出/人件費支出' is hidden in the layouts "
        "(hidden = true): the 決算報告書 does not print it" in result.stderr
    )
