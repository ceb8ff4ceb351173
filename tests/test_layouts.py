"""Layouts say exactly what they mean: every problem in a layout file is an error at its
file and line, naming what is wrong (and, for an unknown key, the keys allowed there);
rows can be hidden, statements computed only, results marked; the settlement's
statement is declared where it could be two."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SMALL, copy_ledger, yosan


def small(tmp_path: Path) -> Path:
    return copy_ledger(tmp_path / "books", SMALL)


def edit(ledger: Path, name: str, old: str, new: str, count: int = 1) -> tuple[Path, int]:
    """Replace ``old`` in a layout file (``count`` times); the file and the line of the
    first replacement."""
    path = ledger.parent / "layouts" / name
    text = path.read_text("utf-8")
    assert old in text, (name, old)
    start = text.index(old)
    path.write_text(text.replace(old, new, count), "utf-8")
    return path, text[:start].count("\n") + 1 + new[: new.find(old) if old in new else 0].count(
        "\n"
    )


def errors(ledger: Path) -> list[str]:
    result = yosan("check", "--ledger", ledger, "--no-cache")
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.stderr.splitlines()[:-1]


def the_error(ledger: Path, name: str, lineno: int) -> str:
    found = errors(ledger)
    assert len(found) == 1, found
    where = f"layouts/{name}:{lineno}: Layout: "
    assert where in found[0], (found, where)
    return found[0].split(where, 1)[1]


# (file, text as written, the text misspelt, the misspelt key): a key of each table.
LINE = '{ depth = 2, line = "未収金" }'
GAIN = '"営業利益", sum = ["営業収益合計", "-営業費用合計"]'
OUT = '{ depth = 0, heading = "資金支出", sign = -1 }'
OPENING = 'cash = "opening", line = "前期末未収金"'
UNKNOWN_KEYS = [
    ("bs.toml", 'title = "予定貸借対照表"', 'titel = "予定貸借対照表"', "titel"),
    ("bs.toml", 'actual_title = "貸借対照表"', 'actual_titel = "貸借対照表"', "actual_titel"),
    ("bs.toml", 'label_header = "科目"', 'label_headr = "科目"', "label_headr"),
    ("bs.toml", 'closes_into = "積立金"', 'closes_int = "積立金"', "closes_int"),
    ("cf.toml", 'cash = "bs:現金及び預金"', 'cahs = "bs:現金及び預金"', "cahs"),
    ("pl.toml", 'kind = "flow"', 'hiden = true\nkind = "flow"', "hiden"),
    ("pl.toml", 'kind = "flow"', 'print = false\nkind = "flow"', "print"),
    ("cf.toml", "checks = [", "chekcs = [", "chekcs"),
    ("bs.toml", LINE, LINE.replace("depth", "depht"), "depht"),
    ("bs.toml", LINE, LINE.replace(" }", ", hide_zeros = true }"), "hide_zeros"),
    ("bs.toml", LINE, LINE.replace(" }", ", hiden = true }"), "hiden"),
    ("bs.toml", LINE, LINE.replace(" }", ", print = false }"), "print"),
    ("bs.toml", 'plus = ["pl:当期純利益"]', 'pluss = ["pl:当期純利益"]', "pluss"),
    ("pl.toml", GAIN, GAIN.replace("sum", "summ"), "summ"),
    ("pl.toml", GAIN, GAIN + ", resutl = true", "resutl"),
    ("cf.toml", OUT, OUT.replace("sign", "sing"), "sing"),
    ("cf.toml", 'line = "雑収入", of =', 'line = "雑収入", off =', "off"),
    ("cf.toml", OPENING, OPENING.replace("cash", "csh"), "csh"),
    ("cf.toml", '{ row = "当期末現金及び預金"', '{ rows = "当期末現金及び預金"', "rows"),
    ("cf.toml", 'equals = "bs:現金及び預金"', 'equal = "bs:現金及び預金"', "equal"),
    ("statements.toml", "statements = [", 'setlement = "cf"\nstatements = [', "setlement"),
]


def line_of(ledger: Path, name: str, text: str) -> int:
    """The line of a layout file holding ``text`` (the first line of it)."""
    first = text.splitlines()[0]
    lines = (ledger.parent / "layouts" / name).read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if first in line)


@pytest.mark.parametrize(("name", "old", "new", "key"), UNKNOWN_KEYS)
def test_an_unknown_key_is_an_error_at_its_line_naming_the_keys_allowed(
    tmp_path, name, old, new, key
):
    ledger = small(tmp_path)
    edit(ledger, name, old, new)
    message = the_error(ledger, name, line_of(ledger, name, new))
    assert f"unknown key `{key}`; allowed here: " in message
    allowed = message.split("allowed here: ")[1].split(", ")
    assert key not in allowed and len(allowed) >= 2


WRONG_TYPES = [
    ("bs.toml", LINE, LINE.replace("2", '"一"'), "`depth` must be a whole number from 0 to 9"),
    ("cf.toml", OUT, OUT.replace("-1", '"負"'), "`sign` must be 1 or -1, not '負'"),
    ("bs.toml", 'title = "予定貸借対照表"', "title = 5", "`title` must be a text in quotes, not 5"),
    ("bs.toml", LINE, LINE.replace(" }", ', hidden = "yes" }'), "`hidden` must be true or false"),
    ("cf.toml", OPENING, OPENING.replace("opening", "start"), '`cash` must be one of "flow"'),
    ("pl.toml", 'kind = "flow"', 'kind = "flows"', '`kind` must be one of "balance", "flow"'),
    ("bs.toml", LINE, LINE.replace(" }", ', plus = "x" }'), "`plus` must be a list of texts"),
]


@pytest.mark.parametrize(("name", "old", "new", "said"), WRONG_TYPES)
def test_a_value_of_the_wrong_type_is_an_error_at_its_line(tmp_path, name, old, new, said):
    ledger = small(tmp_path)
    edit(ledger, name, old, new)
    assert said in the_error(ledger, name, line_of(ledger, name, new))


def test_rows_that_are_not_tables_are_an_error_at_their_line(tmp_path):
    ledger = small(tmp_path)
    path = ledger.parent / "layouts" / "pl.toml"
    path.write_text('title = "予定損益計算書"\nkind = "flow"\n\nrows = [1, "x"]\n', "utf-8")
    message = the_error(ledger, "pl.toml", 4)
    assert message == "pl.toml: `rows` must be a list of tables, [{ … }, { … }], not [1, 'x']"


def test_a_total_made_of_itself_is_an_error_naming_the_round(tmp_path):
    ledger = small(tmp_path)
    edit(ledger, "pl.toml", '"営業利益", sum = ["営業収益合計"', '"営業利益", sum = ["経常利益"')
    found = errors(ledger)
    assert len(found) == 1, found
    rows = {line_of(ledger, "pl.toml", f'total = "{row}"'): row for row in ("営業利益", "経常利益")}
    lineno = int(found[0].split("layouts/pl.toml:")[1].split(":")[0])
    first = rows[lineno]
    other = ({"営業利益", "経常利益"} - {first}).pop()
    assert found[0].endswith(
        f"Layout: row '{first}' is made of itself: pl:{first} → pl:{other} → pl:{first}"
    )


def test_a_total_of_itself_alone_is_an_error_too(tmp_path):
    ledger = small(tmp_path)
    edit(ledger, "pl.toml", '"営業利益", sum = ["営業収益合計"', '"営業利益", sum = ["営業利益"')
    message = the_error(ledger, "pl.toml", line_of(ledger, "pl.toml", 'total = "営業利益"'))
    assert "pl:営業利益 → pl:営業利益" in message


def test_values_nested_thousands_deep_are_one_error(tmp_path):
    ledger = small(tmp_path)
    path = ledger.parent / "layouts" / "pl.toml"
    before = len(path.read_text("utf-8").splitlines())
    nested = "deep = " + "[\n" * 5000 + "]\n" * 5000  # lines short enough for the gate
    path.write_text(path.read_text("utf-8") + nested, "utf-8")
    lineno = before + 1 + 32  # where the nesting passes 32 levels
    assert "nested too deeply" in the_error(ledger, "pl.toml", lineno)


def test_a_total_beyond_int64_is_an_error_at_its_row_never_a_wrapped_figure(tmp_path):
    ledger = small(tmp_path)
    many = ",\n".join(['"現金及び預金"'] * 10_000)  # lines short enough for the gate
    edit(
        ledger,
        "bs.toml",
        '{ depth = 2, line = "未収金" }',
        f'{{ depth = 2, line = "未収金" }},\n  {{ depth = 2, total = "巨額", sum = [{many}] }}',
    )
    main = ledger.read_text("utf-8")
    ledger.write_text(
        main
        + '\n2016-04-02 * "事業収入" #alpha\n'
        + "  Assets:11-流動資産:111-現金及び預金  1000000000000000 JPY\n"
        + "  Income:41-営業収益:415-事業収入\n",
        "utf-8",
    )
    found = errors(ledger)
    lineno = line_of(ledger, "bs.toml", "巨額")
    assert sorted(line for line in found if "巨額" in line) == [
        f"{ledger.parent}/layouts/bs.toml:{lineno}: 予定貸借対照表 (合計): 巨額 adds up to more "
        "than a statement can hold (9,223,372,036,854,775,807 yen); see the amounts and the "
        "totals that make it",
        f"{ledger.parent}/layouts/bs.toml:{lineno}: 予定貸借対照表 (甲事業): 巨額 adds up to more "
        "than a statement can hold (9,223,372,036,854,775,807 yen); see the amounts and the "
        "totals that make it",
    ]
    report = yosan("report", "bs", "--ledger", ledger, "--no-cache")
    assert report.exit_code == 1 and report.stdout == ""


def test_two_cash_statements_and_no_settlement_is_an_error(tmp_path):
    ledger = small(tmp_path)
    layouts = ledger.parent / "layouts"
    (layouts / "cf2.toml").write_text(
        (layouts / "cf.toml").read_text("utf-8").replace('title = "資金計画"', 'title = "予算"'),
        "utf-8",
    )
    edit(ledger, "statements.toml", '"cf"]', '"cf", "cf2"]')
    message = the_error(ledger, "statements.toml", line_of(ledger, "statements.toml", "cf2"))
    assert message == (
        "cf, cf2 could each be the statement of the settlement (決算報告書): "
        'declare which, settlement = "cf"'
    )
    path = layouts / "statements.toml"
    path.write_text(path.read_text("utf-8") + 'settlement = "cf2"\n', "utf-8")
    result = yosan("check", "--ledger", ledger, "--no-cache")
    assert result.exit_code == 0, result.stderr


def test_a_cash_statements_rows_never_take_one_account_twice(tmp_path):
    ledger = small(tmp_path)
    edit(ledger, "cf.toml", 'of = ["pl:雑収入"]', 'of = ["pl:雑収入", "pl:受取利息"]')
    message = the_error(ledger, "cf.toml", line_of(ledger, "cf.toml", 'line = "雑収入"'))
    assert "both take 'pl:営業外収益/受取利息'" in message


def test_working_capital_without_its_closing_row_is_an_error(tmp_path):
    ledger = small(tmp_path)
    edit(
        ledger,
        "cf.toml",
        '  { depth = 1, cash = "closing", line = "当期末未収金", of = ["bs:未収金"] },\n',
        "",
    )
    path = ledger.parent / "layouts" / "cf.toml"
    path.write_text(path.read_text("utf-8").replace(', "当期末未収金"', ""), "utf-8")
    message = the_error(ledger, "cf.toml", line_of(ledger, "cf.toml", "rows = ["))
    assert "working capital 'bs:流動資産/未収金' without a closing row" in message


def test_a_schedule_file_is_as_strict(tmp_path):
    ledger = small(tmp_path)
    edit(ledger, "overview.toml", 'change_header = "増減"', 'change_headr = "増減"')
    message = the_error(ledger, "overview.toml", line_of(ledger, "overview.toml", "change_headr"))
    assert "unknown key `change_headr`" in message


def test_a_hidden_statement_prints_only_when_asked_for_by_name(tmp_path):
    ledger = small(tmp_path)
    edit(ledger, "bs.toml", 'kind = "balance"', 'kind = "balance"\nhidden = true')
    everything = yosan("report", "--ledger", ledger, "--no-cache")
    assert everything.exit_code == 0, everything.stderr
    assert "予定貸借対照表" not in everything.stdout and "予定損益計算書" in everything.stdout
    exported = yosan("export", "--ledger", ledger).rows()
    assert {r["statement"] for r in exported} == {"pl", "cf"}
    asked = yosan("report", "bs", "--ledger", ledger)
    assert asked.exit_code == 0 and "予定貸借対照表" in asked.stdout


def test_a_hidden_row_feeds_its_total_but_is_never_shown(tmp_path):
    ledger = small(tmp_path)
    before = yosan("report", "pl", "--format", "csv", "--unit", "yen", "--ledger", ledger).rows()
    other = '{ depth = 1, line = "雑収入" }'
    edit(ledger, "pl.toml", other, other.replace(" }", ", hidden = true }"))
    after = yosan("report", "pl", "--format", "csv", "--unit", "yen", "--ledger", ledger).rows()
    assert [r for r in before if r["科目"] != "雑収入"] == after
    total = next(r for r in after if r["科目"] == "営業外収益合計")
    assert total == next(r for r in before if r["科目"] == "営業外収益合計")
