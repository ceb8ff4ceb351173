"""Every ledger brings its own statements: layouts with the ledger, `yosan new`,
`yosan rollover`, and nothing of one particular body left in the package."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from fava.application import create_app

from tests.conftest import (
    ACCOUNTS,
    FY2016,
    FY2016_LAYOUTS,
    HEADER,
    ROOT,
    copy_ledger,
    passes_bean_check_and_fava,
    yosan,
)

OPENING = """
2016-03-31 * "前期末残高" #alpha
  Assets:11-流動資産:111-現金及び預金  1000 JPY
  Equity:31-地方公共団体出資金
"""

PACKAGE_FOLDERS = (ROOT / "plugins", ROOT / "reports")
STARTER = ROOT / "reports" / "ledgers" / "starter"


def export_rows(ledger: Path, *args: str) -> dict[tuple[str, str, str, str], int]:
    result = yosan("export", "--unit", "yen", "--ledger", ledger, "--no-cache", *args)
    assert result.exit_code == 0, result.stderr
    return {
        (r["statement"], r["section"], r["line"], r["segment"]): int(r["amount"])
        for r in result.rows()
    }


def test_a_ledger_without_layouts_is_told_how_to_add_them(make_ledger):
    # The FY2016 chart, without the small ledger's accounts file that names layouts.
    header = HEADER.replace(str(ACCOUNTS), str(ROOT / "ledger" / "accounts.beancount"))
    ledger = make_ledger(OPENING, header=header)
    result = yosan("check", "--ledger", ledger)
    assert result.exit_code == 1
    assert "The ledger names no statement layouts" in result.stderr
    assert 'custom "yosan-layouts" "layouts"' in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_a_reference_to_a_missing_row_is_an_error_at_its_toml_line(tmp_path):
    ledger = copy_ledger(tmp_path / "books")
    cf = ledger.parent / "layouts" / "cf.toml"
    text = cf.read_text(encoding="utf-8")
    cf.write_text(text.replace('of = ["bs:保証金"]', 'of = ["bs:保証金の預け"]'), "utf-8")
    lineno = next(
        n for n, line in enumerate(cf.read_text("utf-8").splitlines(), 1) if "保証金の預け" in line
    )
    result = yosan("check", "--ledger", ledger, "--no-cache")
    assert result.exit_code == 1
    assert f"layouts/cf.toml:{lineno}: Layout: no row 'bs:保証金の預け' to refer to" in (
        result.stderr
    )
    assert "internal error" not in result.stderr


def test_an_edited_layout_is_a_change_for_the_statement_cache(tmp_path):
    ledger = copy_ledger(tmp_path / "books")
    assert yosan("report", "pl", "--ledger", ledger).exit_code == 0  # fills the cache
    pl = ledger.parent / "layouts" / "pl.toml"
    pl.write_text(pl.read_text("utf-8").replace("予定損益計算書", "予定損益計算書（改）"), "utf-8")
    result = yosan("report", "pl", "--ledger", ledger)
    assert result.exit_code == 0 and "予定損益計算書（改）" in result.stdout


def test_a_new_statement_line_in_one_ledger_leaves_another_alone(tmp_path):
    """What the package layouts could not do: next year's ledger adds a line."""
    ledger = copy_ledger(tmp_path / "books")
    pl = ledger.parent / "layouts" / "pl.toml"
    text = pl.read_text("utf-8")
    text = text.replace(
        '{ depth = 1, line = "補助金等収入" },',
        '{ depth = 1, line = "補助金等収入" },\n  { depth = 1, line = "交付事業費補助金" },',
    ).replace('"補助金等収入"]', '"補助金等収入", "交付事業費補助金"]')
    pl.write_text(text, "utf-8")
    accounts = ledger.parent / "accounts.beancount"
    accounts.write_text(
        accounts.read_text("utf-8")
        + "2016-03-31 open Income:41-営業収益:419-交付事業費補助金  JPY\n"
        + '  line: "交付事業費補助金"\n',
        "utf-8",
    )
    assert yosan("check", "--ledger", ledger, "--no-cache").exit_code == 0
    assert "交付事業費補助金" in yosan("report", "pl", "--ledger", ledger).stdout
    assert "交付事業費補助金" not in yosan("report", "pl", "--ledger", FY2016).stdout


def test_yosan_new_writes_a_ledger_that_passes_check(tmp_path):
    folder = tmp_path / "books"
    result = yosan("new", folder, "--year", "2027")
    assert result.exit_code == 0, result.stderr
    main = folder / "main.beancount"
    assert main.read_text("utf-8").startswith("; A NEW LEDGER FROM `yosan new`")
    assert '"令和9年度予算（案）" 2027-04-01 2028-03-31' in main.read_text("utf-8")
    assert yosan("check", "--ledger", main, "--no-cache").exit_code == 0
    report = yosan("report", "--ledger", main, "--unit", "yen")
    assert "予定貸借対照表" in report.stdout and "1,100,000" in report.stdout  # 現金預金
    again = yosan("new", folder)
    assert again.exit_code == 1 and "exists" in again.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "accounts.beancount",
        "layouts",
        "main.beancount",
        "segments",
        "segments.beancount",
    ]


def bean_format_leaves_alone(folder: Path) -> list[str]:
    """The ledger files of ``folder`` that bean-format would change."""
    changed = []
    for path in sorted(folder.rglob("*.beancount")):
        done = subprocess.run(
            [sys.executable, "-m", "beancount.scripts.format", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        if done.stdout != path.read_text("utf-8"):
            changed.append(path.name)
    return changed


def comments(folder: Path) -> str:
    return "".join(
        line
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        for line in path.read_text("utf-8").splitlines(keepends=True)
        if line.startswith((";", "#"))
    )


def test_yosan_new_fills_an_empty_folder_aligned_and_says_what_next(tmp_path, monkeypatch):
    """An existing empty folder (made for the ledger, or the current one) is filled;
    bean-format would change nothing; the last line says what to do next."""
    folder = tmp_path / "books"
    folder.mkdir()
    result = yosan("new", folder, "--year", "2027")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "accounts.beancount",
        "layouts",
        "main.beancount",
        "segments",
        "segments.beancount",
    ]
    assert bean_format_leaves_alone(folder) == []
    last = result.stderr.splitlines()[-1]
    main = folder / "main.beancount"
    assert last.startswith("Next: ") and last.endswith(f"yosan check --ledger {main}")
    assert yosan("check", "--ledger", main, "--no-cache").exit_code == 0
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    assert yosan("new", ".", "--year", "2027").exit_code == 0
    assert (here / "main.beancount").is_file() and not list(here.glob(".yosan-new*"))
    (here / "notes.txt").write_text("mine", "utf-8")
    refused = yosan("new", ".", "--year", "2027")
    assert refused.exit_code == 1 and "exists" in refused.stderr


@pytest.mark.parametrize("year", ["0", "1926", "9999"])
def test_yosan_new_refuses_a_year_no_era_names(tmp_path, year):
    result = yosan("new", tmp_path / "books", "--year", year)
    assert result.exit_code == 2 and "1927<=x<=9998" in result.stderr
    assert "internal error" not in result.stderr and not (tmp_path / "books").exists()


def test_new_and_rollover_write_their_comments_in_the_locales_language(tmp_path):
    from tests.test_japanese import yosan_in

    for lang, words, other in (
        ("ja_JP.UTF-8", "数値は仮のもの", "placeholders"),
        ("C", "placeholders", "数値は仮のもの"),
    ):
        folder = tmp_path / f"new-{lang}"
        done = yosan_in(lang, "new", folder, "--year", "2027")
        assert done.returncode == 0, done.stderr
        written = comments(folder)
        assert words in written and other not in written, lang
        assert ("次に" if lang.startswith("ja") else "Next:") in done.stderr.splitlines()[-1]
    japanese = comments(tmp_path / "new-ja_JP.UTF-8")
    assert "`yosan rollover` は年度の損益をこの行の勘定に繰り越す" in japanese  # a layout's
    rolled = tmp_path / "fy2017-ja"
    done = yosan_in("ja_JP.UTF-8", "rollover", "--ledger", FY2016, "-o", rolled)
    assert done.returncode == 0, done.stderr
    assert "yosan rollover が平成28年度予算（案）の main.beancount から繰り越した" in comments(
        rolled
    ).replace("\n; ", "")
    assert "前期末残高。yosan rollover が繰り越したもの" in comments(rolled)
    assert done.stderr.splitlines()[-1].startswith("次に")
    assert bean_format_leaves_alone(rolled) == []


@pytest.fixture(scope="module")
def rolled(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("rollover") / "fy2017"
    result = yosan("rollover", "--ledger", FY2016, "-o", folder)
    assert result.exit_code == 0, result.stderr
    return folder / "main.beancount"


def test_rollover_carries_the_closing_balance_sheet_line_for_line(rolled):
    before = {k: v for k, v in export_rows(FY2016).items() if k[0] == "bs"}
    after = {k: v for k, v in export_rows(rolled).items() if k[0] == "bs"}
    assert before == after
    assert len(before) == 8 * len(FY2016_LAYOUTS["bs"].value_rows())  # 7 segments + total


def test_rollover_opens_the_cash_plan_with_last_years_closing_cash(rolled):
    before, after = export_rows(FY2016), export_rows(rolled)
    for segment in ("general", "jpki", "total"):
        closing = before["cf", "", "当期末現金及び預金", segment]
        assert after["cf", "", "前期末現金及び預金", segment] == closing
        assert after["cf", "", "当期末現金及び預金", segment] == closing


def test_rollover_writes_next_years_budget_and_compares_with_this_one(rolled):
    text = rolled.read_text("utf-8")
    assert '"平成29年度予算（案）" 2017-04-01 2018-03-31' in text
    assert 'custom "yosan-comparison" "28年度"' in text
    jpki = (rolled.parent / "segments" / "jpki.beancount").read_text("utf-8")
    assert jpki.count("pushtag #jpki") == 1 and "poptag #jpki" in jpki
    assert '2017-03-31 * "前期末残高"' in jpki
    # The year's result is closed into 積立金: no income-statement account opens.
    assert "Income:" not in jpki and "Expenses:" not in jpki


def test_the_rolled_ledger_passes_check_bean_check_and_fava(rolled):
    result = yosan("check", "--ledger", rolled, "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert "48,809,401" in passes_bean_check_and_fava(rolled, "YosanStatements/?statement=bs")


def test_rollover_never_replaces_a_folder(tmp_path):
    existing = tmp_path / "fy2017"
    existing.mkdir()
    result = yosan("rollover", "--ledger", FY2016, "-o", existing)
    assert result.exit_code == 1 and "exists" in result.stderr
    assert list(existing.iterdir()) == []


def test_fava_pages_answer_on_a_ledger_naming_no_plugin(tmp_path):
    """Defect: HTTP 500 (weak reference to FavaLedger) on a ledger with no plugin line."""
    ledger = copy_ledger(tmp_path / "books")
    main = ledger.read_text("utf-8").replace('plugin "yosan_ledger.plugins.all"\n', "")
    ledger.write_text(main, "utf-8")
    client = create_app([str(ledger)], load=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    for page in ("YosanStatements/?statement=pl", "YosanVerification/"):
        response = client.get(f"/{slug}/extension/{page}")
        assert response.status_code == 200, page
    assert "51,814,967" in client.get(f"/{slug}/extension/YosanStatements/?statement=pl").get_data(
        as_text=True
    )


def test_segments_accepts_what_check_accepts(tmp_path):
    """Defect: `yosan segments` passed --no-cache's value as foreign_plugins."""
    ledger = copy_ledger(tmp_path / "books")
    (ledger.parent / "my_rule.py").write_text("__plugins__ = ()\n", "utf-8")
    ledger.write_text(
        'option "insert_pythonpath" "TRUE"\nplugin "my_rule"\n' + ledger.read_text("utf-8"),
        "utf-8",
    )
    assert yosan("check", "--ledger", ledger).exit_code == 0
    for args in ((), ("--no-cache",)):
        result = yosan("segments", "--ledger", ledger, *args)
        assert result.exit_code == 0, result.stderr
        assert "jpki\t公的個人認証サービス事業" in result.stdout


def body_words() -> set[str]:
    """Words of the FY2016 body: its name, its segments, and its statement lines that
    no other ledger (the starter, the examples) uses."""
    words = {"機構", "J-LIS", "地方公共団体情報システム", "住基", "個人番号", "本人確認"}
    elsewhere = " ".join(
        p.read_text("utf-8")
        for folder in (STARTER / "layouts", ROOT / "examples")
        for p in folder.rglob("*.toml")
    )
    starter = (STARTER / "segments.beancount").read_text("utf-8")
    for path in (ROOT / "ledger" / "layouts").glob("*.toml"):
        raw = tomllib.loads(path.read_text("utf-8"))
        labels = {r.get("line") or r.get("total") or r.get("heading") for r in raw.get("rows", ())}
        labels.add(raw.get("title"))
        words |= {w for w in labels if w and len(w) >= 6 and f'"{w}"' not in elsewhere}
    for line in (ROOT / "ledger" / "segments.beancount").read_text("utf-8").splitlines():
        if "yosan-segment" in line and line.split('"')[5] not in starter:
            words.add(line.split('"')[5])
    return words


def test_no_word_of_one_body_is_left_in_the_package():
    words = body_words()
    assert {"個人番号カード等関連交付金", "公的個人認証サービス事業"} <= words
    found = []
    for folder in PACKAGE_FOLDERS:
        for path in folder.rglob("*"):
            if not path.is_file() or STARTER in path.parents or "__pycache__" in path.parts:
                continue
            text = path.read_text("utf-8", errors="ignore")
            found += [(str(path.relative_to(ROOT)), w) for w in sorted(words) if w in text]
    assert not found
