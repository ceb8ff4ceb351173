"""予算の概要: the FY2016 budget against 27年度6月補正, as published, from two ledgers."""

from __future__ import annotations

import pytest

from tests.conftest import FY2016, copy_ledger, yosan
from yosan_ledger.plugins.core.units import UNITS, round_half_up

FY2015 = FY2016.parent / "fy2015" / "main.beancount"

# The published overview (平成28年度予算（案）の概要, 百万円), transcribed from the source:
# item, 28年度, 27年度6月補正, 増減.  The ▲ lost in the PDF restored: a 増減 is negative
# where 28年度 is the smaller.  Rounded on its own, 増減 need not be the difference of
# the printed figures (収益計: 51,819 − 75,173 = −23,354, printed ▲23,355).
PUBLISHED = [
    ("予定損益計算書", "営業収益", 51815, 75060, -23245),
    ("予定損益計算書", "営業外収益", 4, 113, -109),
    ("予定損益計算書", "収益計", 51819, 75173, -23355),
    ("予定損益計算書", "営業費用", 51626, 75078, -23452),
    ("予定損益計算書", "営業外費用", 69, 29, 40),
    ("予定損益計算書", "費用計", 51695, 75108, -23412),
    ("予定損益計算書", "当期純利益", 123, 66, 58),
    ("予定貸借対照表", "資産", 48809, 74728, -25919),
    ("予定貸借対照表", "負債", 45541, 71679, -26138),
    ("予定貸借対照表", "純資産", 3268, 3050, 219),
    ("資金計画", "資金収入合計", 89114, 42335, 46779),
    ("資金計画", "資金支出合計", 76188, 26975, 49213),
    ("資金計画", "資金収支差額", 12927, 15360, -2433),
    ("資金計画", "(前期末現金及び預金)", 21984, 6624, 15360),
    ("資金計画", "(当期末現金及び預金)", 34910, 21984, 12927),
]
HEADER = ["section", "科目", "28年度", "27年度6月補正", "増減", "unit"]
NOTE = "金額は、科目ごとに10万円単位を四捨五入しているため、合計額等が一致しない場合がある。"


def as_published(rows):
    return [
        (r["section"], r["科目"], int(r["28年度"]), int(r["27年度6月補正"]), int(r["増減"]))
        for r in rows
    ]


def test_the_overview_is_the_published_table():
    result = yosan("report", "overview", "--format", "csv", "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split(",") == HEADER
    assert as_published(result.rows()) == PUBLISHED


def test_the_overview_prints_signs_and_the_note():
    result = yosan("report", "overview", "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "平成28年度予算（案）の概要" in lines and "（単位：百万円）" in lines
    assert lines[-1] == "(注) " + NOTE
    printed = {line.split()[0].lstrip("　"): line.split()[1:] for line in lines if "　" in line}
    assert printed["営業収益"] == ["51,815", "75,060", "▲23,245"]
    assert printed["資金収支差額"] == ["12,927", "15,360", "▲2,433"]
    assert printed["純資産"] == ["3,268", "3,050", "219"]


def test_both_ledgers_check_clean():
    for ledger in (FY2016, FY2015):
        result = yosan("check", "--ledger", ledger)
        assert result.exit_code == 0, result.stderr


def exports(ledger):
    result = yosan("export", "--unit", "yen", "--ledger", ledger)
    assert result.exit_code == 0, result.stderr
    return {
        (r["statement"], r["line"]): int(r["amount"])
        for r in result.rows()
        if r["segment"] == "total"
    }


def test_each_figure_and_each_change_is_rounded_half_up_on_its_own():
    # Independently of the overview: the statements in yen, summed and rounded here.
    million = UNITS["million"]
    this, that = exports(FY2016), exports(FY2015)

    def revenue(figures):
        return figures[("pl", "営業収益合計")] + figures[("pl", "営業外収益合計")]

    assert this[("pl", "営業収益合計")] == 51_814_967_000
    assert round_half_up(this[("pl", "営業収益合計")], million) == 51815
    change = revenue(this) - revenue(that)
    assert round_half_up(change, million) == -23355
    assert round_half_up(revenue(this), million) - round_half_up(revenue(that), million) == -23354
    rows = {r["科目"]: r for r in yosan("report", "overview", "--format", "csv").rows()}
    assert int(rows["収益計"]["増減"]) == round_half_up(change, million)


def test_any_two_budgets_compare():
    # FY2015 against FY2016: the columns swap and every 増減 changes sign.
    result = yosan("report", "overview", "--format", "csv", "--ledger", FY2015, "--against", FY2016)
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0].split(",")
    assert header == ["section", "科目", "27年度", "平成28年度予算（案）", "増減", "unit"]
    swapped = [(s, i, that, this, -change) for s, i, this, that, change in PUBLISHED]
    assert [
        (r["section"], r["科目"], int(r["27年度"]), int(r["平成28年度予算（案）"]), int(r["増減"]))
        for r in result.rows()
    ] == swapped


def test_a_ledger_without_a_comparison_needs_against():
    result = yosan("report", "overview", "--ledger", FY2015)
    assert result.exit_code == 2
    assert "--against" in result.stderr


@pytest.fixture
def copy(tmp_path):
    return copy_ledger(tmp_path / "ledger").parent


def line_of(path, needle):
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_change_in_the_comparison_budget_breaks_the_published_change(copy):
    # 営業外収益 113,100 → 112,900 千円 (still 113 百万円) and 200 千円 more collected:
    # every FY2015 figure still rounds as published, but 収益計 becomes 75,173,100 千円
    # and its 増減 51,818,670 − 75,173,100 = −23,354,430 千円 rounds to ▲23,354, not ▲23,355.
    budget = copy / "fy2015" / "budget.beancount"
    edit(budget, "113100000 JPY", "112900000 JPY", count=2)  # Dr 現金 / Cr 受取利息
    edit(budget, "42221900000 JPY", "42222100000 JPY", count=2)  # Dr 現金 / Cr 未収金
    assert yosan("check", "--ledger", copy / "fy2015" / "main.beancount").exit_code == 0

    result = yosan("check", "--ledger", copy / "main.beancount")
    assert result.exit_code == 1
    published = copy / "published" / "overview.beancount"
    needle = '"収益計"'
    where = f"{published}:{line_of(published, needle)}: "
    assert result.stderr.splitlines()[0] == (
        f"{where}予算の概要 収益計 (増減): published -23,355 百万円, "
        "the ledgers give -23,354 百万円 (difference +1)"
    )
    assert len(result.stderr.splitlines()) == 2  # that error and the count


def test_an_error_in_the_comparison_budget_is_reported_at_its_directive(copy):
    # 支払利息 29,300 → 39,300 千円: FY2015's own published 29 百万円 breaks.
    edit(copy / "fy2015" / "budget.beancount", "29300000 JPY", "39300000 JPY", count=2)
    result = yosan("check", "--ledger", copy / "main.beancount")
    assert result.exit_code == 1
    main = copy / "main.beancount"
    where = f"{main}:{line_of(main, 'yosan-comparison')}: "
    first = result.stderr.splitlines()[0]
    assert first.startswith(where + "The comparison budget fy2015/main.beancount has ")
    assert "fy2015/published.beancount:" in first and "published 29 百万円" in first


def test_a_published_overview_figure_must_match(copy):
    published = copy / "published" / "overview.beancount"
    edit(
        published,
        '"純資産" "百万円"\n  this: 3268\n  that: 3050\n  change: 219',
        '"純資産" "百万円"\n  this: 3268\n  that: 3050\n  change: 218',
    )
    result = yosan("check", "--ledger", copy / "main.beancount")
    assert result.exit_code == 1
    needle = '"純資産"'
    where = f"{published}:{line_of(published, needle)}: "
    assert result.stderr.startswith(
        f"{where}予算の概要 純資産 (増減): published 218 百万円, the ledgers give 219 百万円"
    )


def test_figures_written_as_values_are_explained(copy):
    published = copy / "published" / "overview.beancount"
    edit(
        published,
        '"営業収益" "百万円"\n  this: 51815\n  that: 75060\n  change: -23245',
        '"営業収益" 51815 75060 (-23245) "百万円"',
    )
    result = yosan("check", "--ledger", copy / "main.beancount")
    assert result.exit_code == 1
    assert "Malformed published overview figure" in result.stderr
    assert "reads 75060 -23245 as a subtraction" in result.stderr


def test_the_published_overview_survives_beancounts_own_round_trip():
    """What bean-doctor roundtrip does: print each directive with Beancount's printer
    and parse the text again; every figure comes back as it was."""
    from beancount.parser import parser, printer

    path = FY2016.parent / "published" / "overview.beancount"
    entries, errors, _ = parser.parse_file(str(path))
    assert not errors and len(entries) == 15
    text = "".join(printer.format_entry(entry) for entry in entries)
    again, errors, _ = parser.parse_string(text)
    assert not errors

    def figures(directives):
        return [
            (
                [v.value for v in d.values],
                [d.meta[column] for column in ("this", "that", "change")],
            )
            for d in directives
        ]

    assert figures(again) == figures(entries)
    assert figures(entries)[0] == (["営業収益", "百万円"], [51815, 75060, -23245])


def test_half_up_rounding_of_items_and_changes(make_ledger):
    # Two small budgets: 営業収益 2,500,000 yen against none.  百万円, half-up: 3 and
    # 増減 3 (banker's rounding would give 2); the other way round, ▲3.
    from tests.conftest import CASH, REVENUE

    body = f"""
2016-03-31 * "前期末残高" #alpha
  {CASH}  1000 JPY
  Equity:31-地方公共団体出資金
"""
    base = make_ledger(body, name="base.beancount")
    more = make_ledger(
        body + f'2016-05-01 * "収益" #alpha\n  {CASH} 2500000 JPY\n  {REVENUE}\n',
        name="more.beancount",
    )
    up = yosan("report", "overview", "--format", "csv", "--ledger", more, "--against", base)
    assert up.exit_code == 0, up.stderr
    rows = {r["科目"]: r for r in up.rows()}
    assert [rows["営業収益"][k] for k in ("28年度", "テスト予算", "増減")] == ["3", "0", "3"]
    down = yosan("report", "overview", "--ledger", base, "--against", more)
    line = next(line for line in down.stdout.splitlines() if "営業収益" in line)
    assert line.split()[-1] == "▲3"


def test_the_comparison_ledger_counts_as_input_of_the_ledger():
    # So Beancount's load cache and Fava's file watcher see an edit to FY2015.
    from yosan_ledger.reports.loading.ledger import load_ledger

    included = load_ledger(FY2016).options["include"]
    assert str(FY2015.parent / "budget.beancount") in included


@pytest.mark.parametrize("suffix", ["html", "xlsx"])
def test_the_note_goes_into_every_format(tmp_path, suffix):
    output = tmp_path / f"overview.{suffix}"
    assert yosan("report", "overview", "--ledger", FY2016, "-o", output).exit_code == 0
    if suffix == "html":
        assert NOTE in output.read_text(encoding="utf-8")
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(output).active
        assert any(NOTE in str(cell.value) for (cell,) in sheet.iter_rows(max_col=1))
