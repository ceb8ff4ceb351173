"""The command as a new user meets it: a segment by key or name, units as printed,
an --as-of inside the year, an -o whose suffix says a format, the ledger found from a
folder inside it, and an error for each mistake, never an empty table or silence."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import FY2016, ROOT, yosan

KUMIAI = ROOT / "examples" / "kumiai" / "main.beancount"
ACTUALS = ROOT / "examples" / "kumiai" / "actuals" / "main.beancount"
SEGMENTS = "general (一般事業), resident_id (本人確認情報処理事業), jpki (公的個人認証サービス事業)"


@pytest.mark.parametrize(
    "args",
    [
        ("report", "bs", "--ledger", FY2016),
        ("report", "bs", "--format", "csv", "--ledger", FY2016),
        ("report", "advances", "--ledger", FY2016),
        ("report", "revision", "--ledger", ROOT / "examples" / "revision" / "main.beancount"),
        ("report", "execution", "--format", "csv", "--ledger", ACTUALS),
        ("report", "settlement", "--ledger", ACTUALS),
    ],
    ids=["statement", "csv", "schedule", "revision", "execution-csv", "settlement"],
)
def test_an_unknown_segment_is_a_usage_error_naming_the_segments(args):
    result = yosan(*args, "--segment", "nosuch")
    assert result.exit_code == 2, result.stdout
    assert "'nosuch' is not a segment of this ledger" in result.stderr
    assert result.stdout == "" and "internal error" not in result.stderr
    named = SEGMENTS if ACTUALS not in args else "hall (会館運営事業), water (簡易水道事業)"
    assert named in result.stderr


def test_a_segment_one_slip_away_is_named():
    result = yosan("report", "pl", "--segment", "jkpi", "--ledger", FY2016)
    assert result.exit_code == 2
    assert "'jkpi' is not a segment of this ledger; did you mean jpki?" in result.stderr
    named = yosan("report", "pl", "--segment", "公的個人認証サービス事行", "--ledger", FY2016)
    assert "did you mean 公的個人認証サービス事業?" in named.stderr


def test_a_segment_by_its_name_is_the_segment_by_its_key():
    by_key = yosan("report", "pl", "--segment", "jpki", "--ledger", FY2016)
    by_name = yosan("report", "pl", "--segment", "公的個人認証サービス事業", "--ledger", FY2016)
    assert by_key.exit_code == by_name.exit_code == 0, by_name.stderr
    assert by_name.stdout == by_key.stdout and "▲134,569" in by_name.stdout
    hall = yosan("report", "execution", "--segment", "会館運営事業", "--ledger", ACTUALS)
    assert hall.exit_code == 0 and "予算執行状況　貸借対照表（会館運営事業）" in hall.stdout


@pytest.mark.parametrize(
    ("printed", "key"), [("円", "yen"), ("千円", "thousand"), ("百万円", "million")]
)
def test_a_unit_as_printed_is_the_unit(printed, key):
    for command in (("report", "bs"), ("export",)):
        as_printed = yosan(*command, "--unit", printed, "--ledger", FY2016)
        by_key = yosan(*command, "--unit", key, "--ledger", FY2016)
        assert as_printed.exit_code == 0, as_printed.stderr
        assert as_printed.stdout == by_key.stdout and f"{printed}" in as_printed.stdout


def test_an_as_of_day_outside_the_year_is_refused():
    for day in ("2027-03-31", "2028-04-01", "2026-12-31"):
        result = yosan("report", "execution", "--as-of", day, "--ledger", ACTUALS)
        assert result.exit_code == 2 and result.stdout == ""
        assert f"{day} lies outside the fiscal year of the journal, 2027-04-01 to 2028-03-31" in (
            result.stderr
        )
    for day in ("2027-04-01", "2028-03-31"):  # the year's first and last days are in it
        result = yosan("report", "execution", "--as-of", day, "--ledger", ACTUALS)
        assert result.exit_code == 0, result.stderr


def test_by_month_is_for_the_execution_report():
    result = yosan("report", "settlement", "--by-month", "--ledger", ACTUALS)
    assert result.exit_code == 2 and result.stderr.splitlines()[-1] == (
        "Error: --by-month is not for `yosan report settlement`; it is for: execution"
    )


@pytest.mark.parametrize(
    ("args", "formats"),
    [
        (("report", "-o", "statements.xls"), "text (.txt), csv (.csv), xlsx (.xlsx)"),
        (("report", "-o", "statements.docx"), "html (.html .htm), pdf (.pdf)"),
        (("export", "-o", "figures.xls"), "csv (.csv), xlsx (.xlsx), parquet (a folder)"),
    ],
)
def test_an_output_suffix_no_format_has_is_refused(tmp_path, monkeypatch, args, formats):
    monkeypatch.chdir(tmp_path)
    result = yosan(*args, "--ledger", FY2016)
    assert result.exit_code == 2
    assert f"no format is written as .{args[-1].rpartition('.')[2]}" in result.stderr
    assert formats in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_parquet_file_name_is_told_to_be_a_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = yosan("export", "-o", "figs.parquet", "--ledger", FY2016)
    assert result.exit_code == 2 and "writes a folder of files" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_parquet_file_is_refused_and_a_suffix_known_or_a_format_given_writes(tmp_path):
    assert yosan("export", "-o", tmp_path / "figs.parquet", "--ledger", FY2016).exit_code == 2
    assert list(tmp_path.iterdir()) == []
    assert yosan("report", "-o", tmp_path / "a.TXT", "--ledger", FY2016).exit_code == 0
    given = yosan("report", "--format", "csv", "-o", tmp_path / "b.dat", "--ledger", FY2016)
    assert given.exit_code == 0 and (tmp_path / "b.dat").read_text("utf-8").startswith("statement")


def test_from_a_folder_inside_a_ledger_its_main_file_is_the_default(monkeypatch):
    monkeypatch.delenv("YOSAN_LEDGER", raising=False)
    monkeypatch.chdir(FY2016.parent / "segments")
    inside = yosan("report", "pl")
    assert inside.exit_code == 0, inside.stderr
    assert inside.stdout == yosan("report", "pl", "--ledger", FY2016).stdout
    monkeypatch.chdir(KUMIAI.parent / "segments")
    kumiai = yosan("report", "pl")
    assert kumiai.exit_code == 0, kumiai.stderr
    assert kumiai.stdout == yosan("report", "pl", "--ledger", KUMIAI).stdout


def test_only_a_main_file_that_includes_the_folder_is_taken(tmp_path, monkeypatch):
    monkeypatch.delenv("YOSAN_LEDGER", raising=False)
    shutil.copytree(KUMIAI.parent, tmp_path / "kumiai")
    monkeypatch.chdir(tmp_path / "kumiai" / "layouts")  # no file of the ledger is here
    assert yosan("report").exit_code == 1
    monkeypatch.chdir(tmp_path / "kumiai" / "segments")
    assert yosan("report", "pl").exit_code == 0
    (tmp_path / "main.beancount").write_text('include "other.beancount"\n', "utf-8")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = yosan("report")
    assert result.exit_code == 1 and "ledger/main.beancount: no such ledger" in result.stderr


@pytest.mark.parametrize(
    ("part", "main"),
    [
        (FY2016.parent / "segments" / "jpki.beancount", FY2016),
        (FY2016.parent / "accounts.beancount", FY2016),
        (KUMIAI.parent / "segments" / "hall.beancount", KUMIAI),
    ],
    ids=["segment", "accounts", "kumiai"],
)
def test_an_included_file_is_answered_with_the_main_file_to_give(part, main, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = yosan("check", "--ledger", part, "--no-cache")
    assert result.exit_code == 2
    shown = main.relative_to(ROOT)
    assert (
        f"{part} is a part of the ledger {shown}, which includes it: give --ledger {shown}"
        in result.stderr
    )


def test_a_ledger_of_one_segment_says_one_segment(tmp_path):
    assert yosan("new", tmp_path / "books").exit_code == 0
    result = yosan("check", "--ledger", tmp_path / "books" / "main.beancount", "--no-cache")
    assert result.exit_code == 0 and result.stderr.endswith("no errors (1 segment)\n")
    seven = yosan("check", "--ledger", FY2016)
    assert seven.stderr.endswith("no errors (7 segments)\n")
