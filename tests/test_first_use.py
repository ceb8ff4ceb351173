"""What a new user trips on: the ledger found from inside its folder, a folder -o
for the export, one CSV for all the statements."""

from __future__ import annotations

import csv
import io

import pandas as pd

from tests.conftest import FY2016, yosan


def test_inside_the_ledgers_folder_its_main_file_is_the_default(monkeypatch):
    monkeypatch.chdir(FY2016.parent)
    monkeypatch.delenv("YOSAN_LEDGER", raising=False)
    result = yosan("report", "pl")
    assert result.exit_code == 0, result.stderr
    assert "予定損益計算書" in result.stdout and "123,496" in result.stdout


def test_outside_any_ledger_the_default_is_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("YOSAN_LEDGER", raising=False)
    result = yosan("report")
    assert result.exit_code == 1
    assert "ledger/main.beancount: no such ledger" in result.stderr


def test_an_export_to_a_folder_is_the_parquet_folder(tmp_path):
    folder = tmp_path / "exp2"
    result = yosan("export", "-o", f"{folder}/", "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        ".yosan-export",
        "postings.parquet",
        "statements.parquet",
    ]
    figures = pd.read_parquet(folder / "statements.parquet")
    assert set(figures["unit"]) == {"千円"}


def test_an_export_to_an_existing_folder_is_the_parquet_folder(tmp_path):
    result = yosan("export", "-o", tmp_path, "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".yosan-export",
        "postings.parquet",
        "statements.parquet",
    ]


def test_all_the_statements_as_csv_are_one_table_with_a_statement_column():
    result = yosan("report", "--format", "csv", "--ledger", FY2016)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["statement", "section", "line", "金額", "unit"]
    assert all(row[0] != "statement" for row in rows[1:])  # one header row
    by_statement = {}
    for statement, _section, line, amount, unit in rows[1:]:
        assert unit == "千円"
        by_statement.setdefault(statement, {})[line] = int(amount)
    # Each statement's rows as `yosan report STATEMENT --format csv` prints them alone.
    for statement, lines in by_statement.items():
        alone = yosan("report", statement, "--format", "csv", "--ledger", FY2016)
        expected = {r[1]: int(r[2]) for r in list(csv.reader(io.StringIO(alone.stdout)))[1:]}
        assert lines == expected, statement
    assert len(by_statement) == 3
    assert by_statement[next(iter(by_statement))]["資産合計"] == 48_809_401


def test_each_just_recipe_has_a_one_line_description():
    """`just --list` shows only the comment line just above a recipe."""
    lines = (FY2016.parent.parent / "justfile").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line and not line[0].isspace() and line.rstrip().endswith(":") and "#" not in line:
            recipe = line.split()[0]
            assert lines[number - 1].startswith("# "), f"{recipe} has no description"
            assert not lines[number - 2].startswith("#"), f"{recipe}: description over 2 lines"
