"""The cause comes first: one typo in an amount unbalances its transaction, and the
budget's rules then find the segment's statements and the published figures off;
the unbalanced transaction is the first line printed, and the rest are announced
as what may follow from it."""

from __future__ import annotations

from tests.conftest import FY2016, copy_ledger, yosan

TYPO_FILE = "segments/jpki.beancount"
TYPO_LINE = 30  # -63000000 JPY → -6300000 JPY
TRANSACTION_LINE = 26


def test_one_typo_prints_the_unbalanced_transaction_first(tmp_path, monkeypatch):
    main = copy_ledger(tmp_path / "ledger", FY2016)
    segment = main.parent / TYPO_FILE
    lines = segment.read_text(encoding="utf-8").splitlines(keepends=True)
    assert "-63000000 JPY" in lines[TYPO_LINE - 1]
    lines[TYPO_LINE - 1] = lines[TYPO_LINE - 1].replace("-63000000 JPY", "-6300000 JPY")
    segment.write_text("".join(lines), encoding="utf-8")
    monkeypatch.chdir(main.parent)
    result = yosan("check", "--ledger", "main.beancount", "--no-cache")
    assert result.exit_code == 1
    printed = result.stderr.splitlines()
    assert printed[0] == (
        f"{TYPO_FILE}:{TRANSACTION_LINE}: Transaction does not balance: (56700000 JPY)"
    )
    follow = len(printed) - 3  # the cause, the announcement, the count
    assert printed[1] == (
        f"and {follow} errors of the budget's rules that may follow from it (fix the above first):"
    )
    assert printed[-1] == f"{follow + 1} errors in main.beancount"
    # What follows is the rules' findings, each still at its file and line.
    assert all(":" in line and "does not balance" not in line for line in printed[2:-1])
    assert any("published -12,798 千円" in line for line in printed[2:-1])
