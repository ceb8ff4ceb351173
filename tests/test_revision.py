"""補正予算: the example's two revisions (examples/revision, made-up figures on the
published FY2016 budget), checked against sums taken straight from the revisions'
postings, not from the engine."""

from __future__ import annotations

import csv
import io
import shutil
import unicodedata
from collections import defaultdict

import pytest
from beancount import loader
from beancount.core import data
from fava.application import create_app

from tests.conftest import FY2016_LAYOUTS, ROOT, yosan

EXAMPLE = ROOT / "examples" / "revision" / "main.beancount"
DECEMBER = "平成28年度12月補正予算（例）"
FEBRUARY = "平成28年度2月補正予算（例）"
NEGATIVE = ("Liabilities", "Equity", "Income")


def revision_rows(*args: str) -> list[dict[str, str]]:
    result = yosan(
        "report", "revision", "--format", "csv", "--unit", "yen", "--ledger", EXAMPLE, *args
    )
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.fixture(scope="module")
def postings_by_revision() -> dict[tuple[str, str, str, str], int]:
    """(revision, statement, line key, segment) → the revision's postings to the
    accounts naming that line, shown as the statement shows them (independent of
    the engine: Beancount's parse, the accounts' `line` metadata, the sign by root)."""
    entries, errors, _ = loader.load_file(str(EXAMPLE))
    line_of = {e.account: e.meta["line"] for e in entries if isinstance(e, data.Open)}
    sums: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for entry in entries:
        if not isinstance(entry, data.Transaction) or "revision" not in entry.meta:
            continue
        (segment,) = entry.tags
        for posting in entry.postings:
            statement = "pl" if posting.account.startswith(("Income", "Expenses")) else "bs"
            row = FY2016_LAYOUTS.find(statement, line_of[posting.account])
            sign = -1 if posting.account.startswith(NEGATIVE) else 1
            amount = sign * int(posting.units.number)
            for column in (segment, "total"):
                sums[entry.meta["revision"], statement, row.key, column] += amount
    return sums


@pytest.mark.parametrize("revision", [DECEMBER, FEBRUARY])
def test_each_change_is_the_revisions_own_postings(revision, postings_by_revision):
    rows = revision_rows("--revision", revision)
    checked = 0
    for row in rows:
        before, change, after = int(row["before"]), int(row["change"]), int(row["after"])
        assert after == before + change, row
        if row["statement"] in ("bs", "pl"):
            key = f"{row['section']}/{row['line']}" if row["section"] else row["line"]
            layout_row = FY2016_LAYOUTS.find(row["statement"], key)
            if layout_row.kind == "line" and not layout_row.terms:
                expected = postings_by_revision.get(
                    (revision, row["statement"], layout_row.key, row["segment"]), 0
                )
                assert change == expected, row
                checked += expected != 0
    assert checked >= 4  # each revision moves at least two lines in a segment and the total


def test_every_row_of_every_segment_is_in_the_csv():
    rows = revision_rows()
    lines = sum(len([r for r in lay.value_rows() if not r.hide_zero]) for lay in FY2016_LAYOUTS)
    assert len(rows) == lines * 8
    header = ["statement", "section", "line", "segment", "before", "change", "after", "unit"]
    assert list(rows[0]) == header and {r["unit"] for r in rows} == {"円"}


def test_a_second_revision_starts_from_the_firsts_result():
    december = {
        (r["statement"], r["section"], r["line"], r["segment"]): r
        for r in revision_rows("--revision", DECEMBER)
    }
    for row in revision_rows("--revision", FEBRUARY):
        first = december[row["statement"], row["section"], row["line"], row["segment"]]
        assert row["before"] == first["after"]


def test_the_original_is_the_published_budget_and_the_last_is_in_force():
    def figures(*args: str) -> dict[tuple[str, ...], str]:
        result = yosan("export", "--unit", "yen", "--ledger", EXAMPLE, *args)
        assert result.exit_code == 0, result.stderr
        return {tuple(list(r.values())[:4]): r["amount"] for r in result.rows()}

    published = yosan("export", "--unit", "yen", "--ledger", ROOT / "ledger" / "main.beancount")
    fy2016 = {tuple(list(r.values())[:4]): r["amount"] for r in published.rows()}
    assert figures("--revision", "当初") == fy2016
    latest = figures()
    assert latest == figures("--revision", FEBRUARY) != fy2016
    last = {
        (r["statement"], r["section"], r["line"], r["segment"]): r["after"] for r in revision_rows()
    }
    assert {k: v for k, v in latest.items()} == last


def test_the_published_checks_hold_with_revisions_and_a_revised_figure_is_checked(tmp_path):
    assert yosan("check", "--ledger", EXAMPLE, "--no-cache").exit_code == 0
    folder = tmp_path / "repo"
    shutil.copytree(
        ROOT / "ledger", folder / "ledger", ignore=shutil.ignore_patterns("*.picklecache")
    )
    (folder / "examples" / "revision").mkdir(parents=True)
    example = folder / "examples" / "revision" / "main.beancount"
    text = EXAMPLE.read_text("utf-8").replace("34268527", "34268528")
    example.write_text(text, "utf-8")
    result = yosan("check", "--ledger", example, "--no-cache")
    assert result.exit_code == 1
    lineno = next(n for n, line in enumerate(text.splitlines(), 1) if "34268528" in line)
    assert (
        f"{example}:{lineno}: {DECEMBER}: 予定損益計算書 "
        "営業収益/個人番号カード等関連交付金 (合計): published 34,268,528 千円, "
        "the ledger gives 34,268,527 千円 (difference -1)"
    ) in result.stderr
    assert result.stderr.count("\n") == 2  # that error and the count


def test_a_transaction_of_an_undeclared_revision_is_an_error_at_its_line(tmp_path):
    folder = tmp_path / "repo"
    shutil.copytree(
        ROOT / "ledger", folder / "ledger", ignore=shutil.ignore_patterns("*.picklecache")
    )
    (folder / "examples" / "revision").mkdir(parents=True)
    example = folder / "examples" / "revision" / "main.beancount"
    text = EXAMPLE.read_text("utf-8").replace(
        'pushmeta revision: "平成28年度2月補正予算（例）"', 'pushmeta revision: "3月補正"'
    )
    example.write_text(text, "utf-8")
    result = yosan("check", "--ledger", example, "--no-cache")
    assert result.exit_code == 1
    assert "revision '3月補正' is not declared" in result.stderr


def test_reports_say_which_version_they_show():
    assert "当初予算" in yosan("report", "pl", "--revision", "当初", "--ledger", EXAMPLE).stdout
    shown = yosan("report", "pl", "--ledger", EXAMPLE).stdout
    assert f"{FEBRUARY}による補正後" in shown
    refused = yosan("report", "pl", "--revision", "9月補正", "--ledger", EXAMPLE)
    assert refused.exit_code == 2 and "no version of this budget" in refused.stderr
    plain = yosan("report", "revision", "--ledger", ROOT / "ledger" / "main.beancount")
    assert plain.exit_code == 2 and "no revision to show" in plain.stderr


def test_the_overview_compares_two_versions_of_one_ledger():
    result = yosan(
        "report", "overview", "--ledger", EXAMPLE, "--against-revision", "当初", "--format", "csv"
    )
    assert result.exit_code == 0, result.stderr
    rows = {r["科目"]: r for r in result.rows()}
    # 12月 +1,200 百万円 of 交付金 and 2月 +50 of 事業収入: 営業収益 +1,250 百万円.
    assert rows["営業収益"]["増減"] == "1250"
    assert list(result.rows()[0])[3] == "当初予算"


def test_the_revision_table_in_every_format(tmp_path):
    for suffix in ("xlsx", "pdf", "html"):
        out = tmp_path / f"revision.{suffix}"
        result = yosan("report", "revision", "--by-segment", "--ledger", EXAMPLE, "-o", out)
        assert result.exit_code == 0, result.stderr
        assert out.stat().st_size > 1000
    text = yosan(
        "report",
        "revision",
        "--revision",
        DECEMBER,
        "--segment",
        "mynumber_card",
        "--ledger",
        EXAMPLE,
    ).stdout
    assert "補正前の額" in text and "1,200,000" in text and "32,966,527" in text


def test_fava_switches_versions_and_shows_the_revision_table():
    client = create_app([str(EXAMPLE)], load=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    base = f"/{slug}/extension"
    original = client.get(f"{base}/YosanStatements/?statement=pl&revision=当初").get_data(
        as_text=True
    )
    assert "当初予算" in original and "33,068,527" in original
    revised = client.get(f"{base}/YosanStatements/?statement=pl").get_data(as_text=True)
    assert "34,268,527" in revised and f"{FEBRUARY}による補正後" in revised
    table = client.get(
        f"{base}/YosanSupplementaryBudget/?statement=pl&revision={DECEMBER}"
    ).get_data(as_text=True)
    assert "補正前の額" in table and "1,200,000" in table and "33,068,527" in table


def test_a_budget_without_revisions_has_no_revision_page_in_fava(tmp_path):
    from fava.core import FavaLedger

    ledger = FavaLedger(str(ROOT / "ledger" / "main.beancount"))
    titles = [e.report_title for e in ledger.extensions.extension_details]
    assert "補正予算" not in titles and "予算執行状況" not in titles
    client = create_app([str(ROOT / "ledger" / "main.beancount")], load=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    assert client.get(f"/{slug}/extension/YosanSupplementaryBudget/").status_code == 404


def test_fava_statements_page_of_a_plain_budget_has_no_version_switch():
    client = create_app([str(ROOT / "ledger" / "main.beancount")], load=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    page = client.get(f"/{slug}/extension/YosanStatements/").get_data(as_text=True)
    assert "yosan-versions" not in page.replace(".yosan-versions", "")


COMPOSED = "12月補正（ガス料金）"  # ガ: one character in NFC, カ and a combining ゙ in NFD
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)


def test_a_revision_named_decomposed_is_the_one_declared_composed(make_ledger):
    """Issue 24: `--revision` typed in NFD (as some systems send it) was refused with
    two names that look identical; a transaction's `revision:` in NFD was "not
    declared".  Names are compared in NFC."""
    from tests.conftest import CAPITAL, CASH, REVENUE

    assert DECOMPOSED != COMPOSED
    ledger = make_ledger(
        f'2016-03-31 * "前期末残高" #alpha\n  {CASH}  1000000 JPY\n  {CAPITAL}\n'
        f'2016-12-01 custom "yosan-revision" "{COMPOSED}"\n'
        f'2016-12-01 * "増額" #alpha\n  revision: "{DECOMPOSED}"\n'
        f"  {CASH}  300000 JPY\n  {REVENUE}\n"
    )
    assert yosan("check", "--ledger", ledger).exit_code == 0
    for args in (
        ("report", "pl", "--revision"),
        ("report", "revision", "--revision"),
        ("export", "--revision"),
    ):
        composed = yosan(*args, COMPOSED, "--ledger", ledger)
        decomposed = yosan(*args, DECOMPOSED, "--ledger", ledger)
        assert composed.exit_code == decomposed.exit_code == 0, decomposed.stderr
        assert decomposed.stdout == composed.stdout
    overview = yosan("report", "overview", "--against-revision", DECOMPOSED, "--ledger", ledger)
    assert "is no version" not in overview.stderr


def test_a_revision_asked_for_shows_its_combining_characters(make_ledger):
    """Two names that differ by a combining mark print differently: as code points."""
    from tests.conftest import CAPITAL, CASH

    ledger = make_ledger(
        f'2016-03-31 * "前期末残高" #alpha\n  {CASH}  1000000 JPY\n  {CAPITAL}\n'
        '2016-12-01 custom "yosan-revision" "12月補正"\n'
    )
    result = yosan("report", "pl", "--revision", "12月補正\u3099", "--ledger", ledger)
    assert result.exit_code == 2 and result.exception is None
    assert "'12月補正\\u3099' is no version of this budget: 当初, 12月補正" in result.stderr
