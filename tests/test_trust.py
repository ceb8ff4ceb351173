"""Regression tests of the outside probe (issue 16): each case gave a wrong figure,
ran foreign code, lost a file or hid its cause.  Ledger cases that end in an error
are in tests/corpus; these are the rest."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from beancount import loader

from tests.conftest import CAPITAL, CASH, HEADER, SMALL, yosan
from yosan_ledger.plugins.core import results
from yosan_ledger.plugins.core.engine import compute_statements
from yosan_ledger.plugins.core.sums import LARGEST

BUILDING = "Assets:12-固定資産:121-有形固定資産:1211-建物"
WORK = "Expenses:51-営業費用:511-事業費:5111-業務経費"
WORK_DEPRECIATION = "Expenses:51-営業費用:511-事業費:5112-減価償却費"
ADMIN = "Expenses:51-営業費用:512-一般管理費:5121-管理経費"
PAYABLE = "Liabilities:21-流動負債:211-未払金"
REVENUE = "Income:41-営業収益:415-事業収入"

OPENING = f"""
2016-03-31 * "前期末残高" #alpha
  {CASH}  1000000 JPY
  {BUILDING}  500000 JPY
  {CAPITAL}
"""


def _statements(tmp_path, body: str, name: str = "main.beancount"):
    path = tmp_path / name
    path.write_text(HEADER + OPENING + body, encoding="utf-8")
    entries, errors, _ = loader.load_file(str(path))
    assert errors == [], errors
    return compute_statements(entries, results.layouts(entries))


def _plan(statements) -> dict[str, int]:
    return statements.figures["cf"]["total"].to_dict()


def test_a_compound_entry_counts_only_its_cash_part(tmp_path):
    """Defect 1: a payment and a depreciation charge as one 月次決算仕訳 give the same
    資金計画 as the two written apart."""
    compound = f"""
2016-05-31 * "5月分の支払と減価償却" #alpha
  {WORK}  100000 JPY
  {WORK_DEPRECIATION}  30000 JPY
  {BUILDING}  -30000 JPY
  {ADMIN}  20000 JPY
  {CASH}  -120000 JPY
2016-06-30 * "6月分の受入と計上" #alpha
  {CASH}  70000 JPY
  {REVENUE}  -90000 JPY
  {ADMIN}  20000 JPY
  {PAYABLE}  -5000 JPY
  {WORK_DEPRECIATION}  5000 JPY
"""
    apart = f"""
2016-05-31 * "5月分の支払" #alpha
  {WORK}  100000 JPY
  {ADMIN}  20000 JPY
  {CASH}  -120000 JPY
2016-05-31 * "5月分の減価償却" #alpha
  {WORK_DEPRECIATION}  30000 JPY
  {BUILDING}  -30000 JPY
2016-06-30 * "6月分の受入" #alpha
  {CASH}  70000 JPY
  {REVENUE}  -90000 JPY
  {ADMIN}  20000 JPY
2016-06-30 * "6月分の計上" #alpha
  {PAYABLE}  -5000 JPY
  {WORK_DEPRECIATION}  5000 JPY
"""
    got = _plan(_statements(tmp_path, compound, "compound.beancount"))
    expected = _plan(_statements(tmp_path, apart, "apart.beancount"))
    assert got == expected
    # worked by hand: 事業費 100,000 paid in May and 5,000 owed in June (当期末未払金);
    # no asset bought; 一般管理費 20,000 twice; 営業収益 90,000.
    assert got["資金支出/事業費"] == 105_000
    assert got["資金支出/固定資産取得費"] == 0
    assert got["資金支出/一般管理費"] == 40_000
    assert got["資金収入/営業収益"] == 90_000


def test_commitment_limits_whose_sum_leaves_int64_are_refused(make_ledger):
    """Defect 7: each limit is within 1,000兆円, but 10,000 of them would not be."""
    body = OPENING + "".join(
        f'2016-04-01 custom "yosan-commitment" "事項{n}" {LARGEST} JPY 2017-04-01 2018-03-31\n'
        '  segment: "alpha"\n'
        for n in range(1001)
    )
    ledger = make_ledger(body)
    result = yosan("report", "commitments", "--ledger", ledger)
    assert result.exit_code == 1
    assert "The limits up to '事項1000' add up to more than 1,000,000,000,000,000,000 yen" in (
        result.stderr
    )
    assert result.stderr.count("add up to more than") == 1


def test_output_keeps_an_existing_files_mode_and_writes_through_a_link(tmp_path):
    """Defect 14: -o kept neither a 0600 file's mode nor a symbolic link."""
    private = tmp_path / "private.csv"
    private.write_text("old", encoding="utf-8")
    private.chmod(0o600)
    assert yosan("report", "pl", "--ledger", SMALL, "-o", private).exit_code == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert "営業収益合計" in private.read_text(encoding="utf-8")
    target = tmp_path / "target.csv"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert yosan("report", "pl", "--ledger", SMALL, "-o", link).exit_code == 0
    assert link.is_symlink()
    assert "営業収益合計" in target.read_text(encoding="utf-8")


def test_output_to_a_fifo_or_a_dangling_link_is_refused(tmp_path):
    """Defect 14: renaming over a FIFO replaced it (its reader got nothing)."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    for path, why in ((fifo, "is a FIFO"), (dangling, "which does not exist")):
        result = yosan("report", "pl", "--ledger", SMALL, "-o", path)
        assert result.exit_code != 0 and result.exception is None
        assert why in result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert dangling.is_symlink() and not dangling.exists()


FORMULAS = f"""
2016-03-31 * "前期末残高" #alpha
  {CASH}  1000000 JPY
  {CAPITAL}
2016-04-01 custom "yosan-commitment" "=HYPERLINK(\\"x\\")" 1000 JPY 2017-04-01 2018-03-31
  segment: "alpha"
2016-04-01 custom "yosan-commitment" "@SUM(1+1)" 1000 JPY 2017-04-01 2018-03-31
  segment: "alpha"
"""


def test_ledger_text_never_becomes_a_formula(make_ledger, tmp_path):
    """Defect 13: a segment name or commitment item beginning with = + - @ was a live
    formula in the workbook and in the --excel-compatible CSV."""
    from openpyxl import load_workbook

    header = HEADER.replace('"alpha" "甲事業"', '"alpha" "=1+2"').replace(
        '"beta" "乙事業"', '"beta" "-2+3"'
    )
    ledger = make_ledger(FORMULAS, header=header)
    book = tmp_path / "out.xlsx"
    assert yosan("report", "commitments", "--ledger", ledger, "-o", book).exit_code == 0
    assert (
        yosan(
            "report", "bs", "--by-segment", "--ledger", ledger, "-o", book.with_name("bs.xlsx")
        ).exit_code
        == 0
    )
    cells = [
        cell
        for path in (book, book.with_name("bs.xlsx"))
        for sheet in load_workbook(path).worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert {'=HYPERLINK("x")', "@SUM(1+1)", "=1+2", "-2+3"} <= texts
    assert all(cell.data_type != "f" for cell in cells)

    result = yosan(
        "report", "commitments", "--excel-compatible", "--ledger", ledger, "--format", "csv"
    )
    assert result.exit_code == 0, result.stderr
    fields = [f for line in result.stdout.splitlines() for f in line.split(",")]
    assert not [f for f in fields if f.lstrip('"\ufeff').startswith(("=", "+", "@"))]
    assert "'@SUM(1+1)" in result.stdout
    segments = yosan(
        "report", "bs", "--by-segment", "--excel-compatible", "--format", "csv", "--ledger", ledger
    )
    assert "'=1+2" in segments.stdout and "'-2+3" in segments.stdout


def test_a_file_name_too_long_is_a_message(tmp_path):
    """Defect 16: -o with a 300-byte name was an internal error."""
    result = yosan("report", "pl", "--ledger", SMALL, "-o", tmp_path / ("長" * 100 + ".csv"))
    assert result.exit_code in (1, 2) and result.exception is None
    assert "the file name is too long (304 bytes" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_port_out_of_range_is_a_message():
    result = yosan("fava", "--port", "99999", "--ledger", SMALL)
    assert result.exit_code == 2 and result.exception is None
    assert "99999 is not in the range 1<=x<=65535" in result.stderr


def test_a_huge_sparse_include_is_named(make_ledger, tmp_path):
    """Defect 16: a 15 TB sparse file was a MemoryError naming no file."""
    huge = tmp_path / "huge.beancount"
    with open(huge, "wb") as stream:
        stream.truncate(15 * 2**40)
    ledger = make_ledger(OPENING + 'include "huge.beancount"\n')
    result = yosan("check", "--ledger", ledger)
    assert result.exit_code == 1 and result.exception is None
    assert "huge.beancount: a file of 16,492,674,416,640 bytes; a ledger file has at most" in (
        result.stderr
    )


def test_a_full_disk_on_standard_output_is_a_message(tmp_path):
    """Defect 16: standard output on a full disk was an internal error."""
    full = Path("/dev/full")
    if not full.exists():
        pytest.skip("no /dev/full")
    run = [sys.executable, "-m", "yosan_ledger.reports", "report", "pl", "--ledger", str(SMALL)]
    with open(full, "w") as stdout:
        done = subprocess.run(run, stdout=stdout, stderr=subprocess.PIPE, text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert "cannot write to standard output" in done.stderr and "Traceback" not in done.stderr


def test_ctrl_c_during_a_load_is_one_line_and_130(tmp_path):
    """Defect 16: Ctrl-C during a load printed a full traceback."""
    from benchmarks import generate

    generate.main(["200000", str(tmp_path / "big")])  # a load of several seconds
    run = [sys.executable, "-m", "yosan_ledger.reports", "check", "--no-cache", "--ledger"]
    process = subprocess.Popen(
        [*run, str(tmp_path / "big" / "main.beancount")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.5)  # into the load (imports take about a second), not past it
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "yosan: interrupted"
    assert "Traceback" not in stderr


def test_a_host_that_is_no_address_is_said_so():
    """Defect 17: `yosan fava --host 999.1.1.1` said the port was in use."""
    result = yosan("fava", "--host", "999.1.1.1", "--ledger", SMALL)
    assert result.exit_code == 2 and result.exception is None
    assert "'999.1.1.1' is not an address or a host name" in result.stderr


KUMIAI = Path(__file__).resolve().parent.parent / "examples" / "kumiai"


@pytest.mark.parametrize(
    ("ledger", "args", "output"),
    [
        ("main.beancount", ("report", "pl", "--format", "text"), "main.beancount"),
        ("main.beancount", ("report", "pl", "--format", "text"), "accounts.beancount"),
        ("main.beancount", ("report", "pl", "--format", "csv"), "layouts/pl.toml"),
        ("main.beancount", ("export", "--format", "csv"), "segments/hall.beancount"),
        ("main.beancount", ("report", "pl", "--format", "text"), "hard-link.txt"),
        ("main.beancount", ("report", "pl", "--format", "text"), "symbolic-link.txt"),
        ("main.beancount", ("export", "--format", "parquet"), "layouts/"),
        ("actuals/main.beancount", ("report", "execution", "--format", "csv"), "main.beancount"),
        ("actuals/main.beancount", ("report", "--format", "text"), "layouts/cf.toml"),
        (
            "main.beancount",
            ("report", "overview", "--against", "other/main.beancount", "--format", "text"),
            "other/segments/water.beancount",
        ),
    ],
)
def test_an_output_that_is_one_of_the_ledgers_inputs_is_refused(
    ledger, args, output, tmp_path, monkeypatch
):
    """Issue 24: `yosan report pl -o main.beancount` in a ledger's folder replaced the
    ledger with the statement, exit 0 (also accounts.beancount, layouts/pl.toml)."""
    folder = tmp_path / "kumiai"
    shutil.copytree(KUMIAI, folder)
    shutil.copytree(KUMIAI, folder / "other", ignore=shutil.ignore_patterns("actuals"))
    os.link(folder / "main.beancount", folder / "hard-link.txt")
    (folder / "symbolic-link.txt").symlink_to("segments/hall.beancount")
    monkeypatch.chdir(folder)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    result = yosan(*args, "--ledger", ledger, "-o", output)
    assert result.exit_code == 2, result.stderr
    assert result.exception is None and "Traceback" not in result.stderr
    assert "a file the ledger is read from" in result.stderr
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before


def _closed_stdout(*args: str | Path) -> subprocess.CompletedProcess:
    """The command started with its standard output closed (`yosan … >&-`)."""
    run = [sys.executable, "-m", "yosan_ledger.reports", *map(str, args)]
    return subprocess.run(
        run,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        preexec_fn=lambda: os.close(1),
        timeout=120,
    )


@pytest.mark.parametrize("cached", [False, True], ids=["loaded", "from the cache"])
def test_a_closed_standard_output_is_one_line(cached, make_ledger):
    """Issue 24: `yosan check >&-` and `yosan report >&-` printed a full traceback
    (Python gives the command no sys.stdout at all)."""
    ledger = make_ledger(OPENING)
    if cached:  # an entry and a printed output to replay
        assert yosan("report", "pl", "--ledger", ledger).exit_code == 0
        assert yosan("report", "pl", "--ledger", ledger).exit_code == 0
    check = _closed_stdout("check", "--ledger", ledger)
    assert check.returncode == 0, check.stderr
    assert check.stderr.splitlines() == [f"{ledger}: no errors (2 segments)"]
    for args in (("report", "pl"), ("export",), ("segments",)):
        printing = _closed_stdout(*args, "--ledger", ledger)
        assert printing.returncode == 1, args
        assert printing.stderr.splitlines() == [
            "Error: cannot write to standard output: [Errno 9] standard output is closed"
        ]


ESCAPE = "\x1b[31m"  # a terminal's escape sequence: red


def test_control_characters_in_ledger_text_reach_no_terminal_and_no_workbook(make_ledger, tmp_path):
    """Issue 24: control characters in a label made the workbook writer an internal
    error, TAB or LF in a segment's name forged lines in `yosan segments`, and text
    from the ledger sent escape sequences to the terminal.  They show as code points."""
    from openpyxl import load_workbook

    header = HEADER.replace('"alpha" "甲事業"', f'"alpha" "甲{ESCAPE}事業\a"').replace(
        '"beta" "乙事業"', '"beta" "乙\t事業\n二行目"'
    )
    header = f'option "title" "機構{ESCAPE}\a"\n' + header
    ledger = make_ledger(OPENING, header=header)

    listed = yosan("segments", "--ledger", ledger)
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "alpha\t甲\\u001b[31m事業\\u0007\t1",
        "beta\t乙\\u0009事業\\u000a二行目\t2",
    ]
    for args in (
        ("report", "bs", "--by-segment"),
        ("report", "bs", "--by-segment", "--format", "csv"),
    ):
        shown = yosan(*args, "--ledger", ledger)
        assert shown.exit_code == 0, shown.stderr
        assert "\x1b" not in shown.stdout and "\a" not in shown.stdout
        assert "\\u001b[31m" in shown.stdout and "\\u0007" in shown.stdout
    book = tmp_path / "bs.xlsx"
    done = yosan("report", "bs", "--by-segment", "--ledger", ledger, "-o", book)
    assert done.exit_code == 0 and done.exception is None, done.stderr
    texts = {c.value for s in load_workbook(book).worksheets for r in s.iter_rows() for c in r}
    assert "機構\\u001b[31m\\u0007" in texts
    refused = yosan("report", "bs", "--segment", "gamma", "--ledger", ledger)
    assert refused.exit_code == 2
    assert "\x1b" not in refused.stderr and "\n二行目" not in refused.stderr


def test_out_of_memory_is_said_in_one_line(make_ledger):
    """Issue 24: memory running out inside the rules was "plugin … failed:
    MemoryError" (and numpy's allocation errors), as if the ledger were wrong."""
    ledger = make_ledger(OPENING)
    program = (
        "import sys\n"
        "from yosan_ledger.plugins.core import results\n"
        "def out_of_memory(*args, **kwargs):\n"
        "    raise MemoryError\n"
        "results.statements_of = out_of_memory\n"
        "from yosan_ledger.reports.command.cli import run\n"
        "sys.argv = ['yosan', 'check', '--no-cache', '--ledger', sys.argv[1]]\n"
        "run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(ledger)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "yosan: out of memory (is a file of the ledger far larger than it should be?)"
    ]
