"""Bad input fails with a message naming file and line, a non-zero exit, no traceback
and no output file.  The cases are the folders of tests/corpus (see its README)."""

from __future__ import annotations

import pytest

from tests.conftest import CAPITAL, CASH, HEADER, REVENUE, ROOT, yosan

OPENING = f"""
2016-03-31 * "前期末残高" #alpha
  {CASH}  1000 JPY
  {CAPITAL}
"""

CORPUS = ROOT / "tests" / "corpus"
CASES = sorted(path for path in CORPUS.iterdir() if path.is_dir())


def test_the_corpus_covers_enough_cases():
    assert len([c for c in CASES if not (c / "skip.txt").exists()]) >= 40
    listed = (CORPUS / "README.md").read_text(encoding="utf-8")
    for case in CASES:
        assert (case / "main.beancount").is_file(), case.name
        assert (case / "expected.txt").is_file(), case.name
        assert f"| `{case.name}` |" in listed, f"{case.name} is not in tests/corpus/README.md"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("command", ["check", "report", "export"])
def test_bad_input_is_reported_at_its_line(case, command, tmp_path, monkeypatch):
    """Every error of the case, exactly, as file:line: message; exit 1; nothing written."""
    skip = case / "skip.txt"
    if skip.exists():
        pytest.skip(skip.read_text(encoding="utf-8").strip())
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    monkeypatch.chdir(case)
    output = tmp_path / "out.csv"
    args = [command, "--ledger", "main.beancount"]
    if command != "check":
        args += ["--output", output]
    result = yosan(*args)
    assert result.exit_code == 1, result.stderr
    assert result.exception is None
    assert "Traceback" not in result.stderr
    # Beancount's own errors come first, then "and N errors … that may follow from it:".
    count = len([line for line in expected if not line.startswith("and ")])
    summary = f"{count} error{'s' if count != 1 else ''} in main.beancount"
    assert result.stderr.splitlines() == [*expected, summary]
    assert result.stdout == ""
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []


def test_missing_ledger(tmp_path):
    result = yosan("report", "--ledger", tmp_path / "nothing.beancount")
    assert result.exit_code == 1
    assert "nothing.beancount: no such ledger" in result.stderr


def test_a_failed_run_keeps_the_old_output(make_ledger, tmp_path):
    output = tmp_path / "statements.txt"
    output.write_text("yesterday's statements", encoding="utf-8")
    ledger = make_ledger(OPENING + f'2016-05-01 * "収益"\n  {CASH} 1 JPY\n  {REVENUE}\n')
    assert yosan("report", "--ledger", ledger, "--output", output).exit_code == 1
    assert output.read_text(encoding="utf-8") == "yesterday's statements"


def test_unknown_segment_option(make_ledger):
    result = yosan("report", "bs", "--segment", "gamma", "--ledger", make_ledger(OPENING))
    assert result.exit_code == 2
    assert "'gamma' is not a segment of this ledger: alpha (甲事業), beta (乙事業)" in result.stderr


def test_a_clean_ledger_passes(make_ledger):
    result = yosan("check", "--ledger", make_ledger(OPENING))
    assert result.exit_code == 0, result.stderr


def test_every_rule_holds_for_a_ledger_that_names_only_some_plugins(make_ledger):
    # Bean-check and Fava run only the plugins a ledger names; `yosan` runs the rest.
    header = HEADER.replace('plugin "yosan_ledger.plugins.yen"\n', "").replace(
        'plugin "yosan_ledger.plugins.segments"\n', ""
    )
    body = OPENING + f'2016-05-01 * "収益"  ; «here»\n  {CASH} 1000.5 JPY\n  {REVENUE}\n'
    ledger = make_ledger(body, header=header)
    lines = ledger.read_text(encoding="utf-8").splitlines()
    marked = next(n for n, line in enumerate(lines, start=1) if "«here»" in line)
    result = yosan("check", "--ledger", ledger)
    assert result.exit_code == 1
    assert f"{ledger}:{marked}: Transaction has no segment tag" in result.stderr
    assert f"{ledger}:{marked + 1}: Fractional yen 1000.5" in result.stderr
