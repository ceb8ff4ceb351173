"""The budget as a limit: each act of a year's execution the law does not allow is an
error at its line.  Each test edits one line of a copy of the town's journal
(examples/town, made-up figures), which loads clean as it stands, and expects the
errors that edit makes, at its file and line, and no other."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, yosan
from yosan_ledger.reports.loading.ledger import load_ledger

TOWN = ROOT / "examples" / "town"
KUMIAI = ROOT / "examples" / "kumiai"
ROAD = "Expenses:08-土木費:02-道路橋りょう費:02-道路新設改良費:14-工事請負費"
WELFARE = "Expenses:03-民生費:01-社会福祉費:01-社会福祉総務費:19-扶助費"
SUPPLIES = "Expenses:02-総務費:01-総務管理費:01-一般管理費:10-需用費"
TAX = "Income:01-町税:01-町民税:01-個人:01-現年課税分"
ARREARS = "Income:01-町税:01-町民税:01-個人:02-滞納繰越分"


def edited(tmp_path: Path, changes: list[tuple[str, str, str]], source: Path = TOWN) -> list:
    """A copy of the town with each (file, old, new) made; its journal's problems."""
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    for name, old, new in changes:
        path = folder / name
        text = path.read_text("utf-8")
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new), "utf-8")
    journal = folder / "actuals" / "main.beancount"
    return load_ledger(journal, cache=False).problems


def line_of(tmp_path: Path, name: str, text: str, source: Path = TOWN) -> int:
    lines = (tmp_path / source.name / name).read_text("utf-8").splitlines()
    (found,) = [n for n, line in enumerate(lines, start=1) if text in line]
    return found


def where(problems: list) -> list[tuple[str, int, str]]:
    return [(Path(p.filename).name, p.lineno, p.message) for p in problems]


def test_the_town_loads_clean():
    assert load_ledger(TOWN / "actuals" / "main.beancount", cache=False).problems == []


def test_a_commitment_beyond_the_budget_of_its_day_is_refused(tmp_path):
    """The road contract made before the 12月補正: the line then holds 100,000千円."""
    contract = f'2027-12-20 custom "yosan-obligation" "R9-001" {ROAD}'
    problems = edited(
        tmp_path,
        [("actuals/ippan.beancount", contract, contract.replace("2027-12-20", "2027-07-01"))],
    )
    line = line_of(tmp_path, "actuals/ippan.beancount", '"R9-001" Expenses')
    assert where(problems) == [
        (
            "ippan.beancount",
            line,
            f"Obligation of 120,000,000 yen on {ROAD} (一般会計) exceeds its 予算現額 of "
            "100,000,000 yen on 2027-07-01: 0 yen is already committed, 20,000,000 yen over",
        )
    ]


def test_a_payment_without_an_obligation_commits_at_once(tmp_path):
    """扶助費 in March: 305,000千円 paid, 413,000千円 (with the 予備費充用); 110,000千円 more is
    2,000千円 too much."""
    payment = f"  {WELFARE}    107000000 JPY"
    problems = edited(
        tmp_path, [("actuals/ippan.beancount", payment, payment.replace("107000000", "110000000"))]
    )
    line = line_of(tmp_path, "actuals/ippan.beancount", '"扶助費 3月支給"')
    assert where(problems) == [
        (
            "ippan.beancount",
            line,
            f"Payment of 110,000,000 yen on {WELFARE} (一般会計) exceeds its 予算現額 of "
            "413,000,000 yen on 2028-03-15: 305,000,000 yen is already committed, "
            "2,000,000 yen over",
        )
    ]


def test_without_the_reserve_the_payment_it_made_room_for_is_refused(tmp_path):
    use = '2028-02-10 custom "yosan-transfer" Expenses:14-予備費'
    problems = edited(
        tmp_path, [("actuals/ippan.beancount", use, use.replace("2028-02-10", "2028-03-20"))]
    )
    line = line_of(tmp_path, "actuals/ippan.beancount", '"扶助費 3月支給"')
    assert [(name, n) for name, n, _m in where(problems)] == [("ippan.beancount", line)]
    assert "exceeds its 予算現額 of 410,000,000 yen on 2028-03-15" in problems[0].message


def test_a_transfer_between_kan_is_forbidden(tmp_path):
    """流用 from 総務費 to 民生費: refused, so 役務費 lacks the 2,000千円 it would have given,
    and its December payment is refused in turn."""
    transfer = f"{SUPPLIES} Expenses:02-総務費:01-総務管理費:01-一般管理費:11-役務費 2000000 JPY"
    problems = edited(
        tmp_path, [("actuals/ippan.beancount", transfer, f"{SUPPLIES} {WELFARE} 2000000 JPY")]
    )
    transfer_line = line_of(tmp_path, "actuals/ippan.beancount", f"{SUPPLIES} {WELFARE}")
    got = where(problems)
    assert got[0] == (
        "ippan.beancount",
        transfer_line,
        "流用 between 款 is not allowed (地方自治法第220条第2項): "
        f"{SUPPLIES} is under 総務費, {WELFARE} under 民生費",
    )
    # Refused, it gives 役務費 nothing: the payment of 12月 it made room for is refused too.
    payment = line_of(tmp_path, "actuals/ippan.beancount", '2027-12-20 * "郵便料・通信運搬費"')
    assert [(n, m.split(" yen")[0]) for _f, n, m in got[1:]] == [(payment, "Payment of 6,500,000")]


def test_a_transfer_between_kou_needs_the_budgets_leave(tmp_path):
    """給料 may move between 項 (予算第4条); 需用費 may not."""
    salaries = (
        "Expenses:02-総務費:01-総務管理費:01-一般管理費:02-給料 "
        "Expenses:02-総務費:02-徴税費:02-賦課徴収費:02-給料 1500000 JPY"
    )
    budget = '2027-03-10 custom "yosan-item-transfers" "給料" "職員手当等" "共済費"'
    problems = edited(tmp_path, [("main.beancount", budget, budget.replace('"給料" ', ""))])
    line = line_of(tmp_path, "actuals/ippan.beancount", salaries)
    messages = where(problems)
    assert messages[0] == (
        "ippan.beancount",
        line,
        "流用 between 項 (総務管理費 → 徴税費) is allowed only for the 節 the budget names "
        '(custom "yosan-item-transfers": 共済費、職員手当等); '
        "Expenses:02-総務費:01-総務管理費:01-一般管理費:02-給料 → "
        "Expenses:02-総務費:02-徴税費:02-賦課徴収費:02-給料",
    )
    # Without it, 徴税費's 給料 cannot pay its March salaries.
    assert len(messages) == 2 and messages[1][2].startswith("Payment of 13,900,000 yen")


def test_a_transfer_into_the_reserve_or_from_a_line_too_short(tmp_path):
    transfer = f'2027-11-20 custom "yosan-transfer" {SUPPLIES}'
    problems = edited(
        tmp_path,
        [
            (
                "actuals/ippan.beancount",
                "Expenses:02-総務費:01-総務管理費:01-一般管理費:11-役務費 2000000 JPY",
                "Expenses:02-総務費:01-総務管理費:01-一般管理費:11-役務費 30000000 JPY",
            ),
        ],
    )
    line = line_of(tmp_path, "actuals/ippan.beancount", transfer)
    got = where(problems)
    assert got[0] == (
        "ippan.beancount",
        line,
        f"The transfer of 30,000,000 yen from {SUPPLIES} (一般会計) leaves it less than is "
        "committed on 2027-11-20: 予算現額 40,000,000 yen, 22,145,678 yen committed",
    )
    reserve = edited(
        tmp_path / "reserve",
        [
            (
                "actuals/ippan.beancount",
                f"Expenses:14-予備費:01-予備費:01-予備費 {WELFARE}",
                f"{WELFARE} Expenses:14-予備費:01-予備費:01-予備費",
            )
        ],
    )
    assert reserve[0].message.startswith("A transfer into the reserve (予備費)")


def test_a_receipt_beyond_what_is_assessed(tmp_path):
    assessment = f'2027-06-01 custom "yosan-assessment" {TAX}'
    problems = edited(
        tmp_path,
        [("actuals/ippan.beancount", assessment, assessment.replace("2027-06-01", "2027-07-01"))],
    )
    line = line_of(tmp_path, "actuals/ippan.beancount", '"町民税（個人）第1期"')
    assert where(problems) == [
        (
            "ippan.beancount",
            line,
            f"Receipt of 100,000,000 yen on {TAX} (一般会計) exceeds what is assessed and not "
            "yet received on 2027-06-30: assessed 0 yen, received 0 yen, written off 0 yen; "
            '100,000,000 yen over (an assessment is custom "yosan-assessment"; a receipt '
            'assessed when received says assessment: "随時")',
        )
    ]


def test_a_write_off_beyond_what_is_outstanding(tmp_path):
    """12,000千円 assessed, 4,800千円 received by 3/31: 7,200千円 outstanding."""
    write_off = f'custom "yosan-write-off" {ARREARS} 1250000 JPY'
    problems = edited(
        tmp_path, [("actuals/ippan.beancount", write_off, write_off.replace("1250000", "8000000"))]
    )
    line = line_of(tmp_path, "actuals/ippan.beancount", '"yosan-write-off"')
    assert where(problems)[0][:2] == ("ippan.beancount", line)
    assert problems[0].message.startswith(
        f"Write-off of 8,000,000 yen on {ARREARS} (一般会計) exceeds what is assessed and not "
        "yet received on 2028-03-31: assessed 12,000,000 yen, received 4,800,000 yen"
    )


def test_a_payment_beyond_its_obligation(tmp_path):
    payment = f"  {ROAD}  22000000 JPY"
    problems = edited(
        tmp_path, [("actuals/ippan.beancount", payment, payment.replace("22000000", "80000000"))]
    )
    line = line_of(tmp_path, "actuals/ippan.beancount", '"町道桜通線改良工事 中間前払金"')
    messages = where(problems)
    assert messages[0] == (
        "ippan.beancount",
        line,
        "Payment of 80,000,000 yen on obligation 'R9-001' exceeds what is left of it on "
        "2028-03-30: 120,000,000 yen committed, 48,000,000 yen paid, 8,000,000 yen over",
    )


def test_a_payment_naming_no_known_obligation_or_paying_early(tmp_path):
    problems = edited(
        tmp_path, [("actuals/ippan.beancount", '  obligation: "R9-050"', '  obligation: "R9-051"')]
    )
    line = line_of(tmp_path, "actuals/ippan.beancount", 'obligation: "R9-051"') - 1
    assert ("ippan.beancount", line) in [(f, n) for f, n, _m in where(problems)]
    assert any(
        "pays obligation 'R9-051', which no custom \"yosan-obligation\" makes" in p.message
        for p in problems
    )
    early = edited(
        tmp_path / "early",
        [
            (
                "actuals/ippan.beancount",
                '2027-12-20 custom "yosan-obligation" "R9-001"',
                '2028-01-20 custom "yosan-obligation" "R9-001"',
            )
        ],
    )
    assert any(
        "pays obligation 'R9-001' before it is made (2028-01-20)" in p.message for p in early
    )


def test_the_closing_period_holds_only_the_years_receipts_and_payments(tmp_path):
    problems = edited(
        tmp_path,
        [
            (
                "actuals/ippan.beancount",
                '2028-04-25 * "3月分光熱水費"\n  obligation: "R9-050"\n',
                '2028-04-25 * "3月分光熱水費"\n',
            ),
            (
                "actuals/ippan.beancount",
                '2028-04-28 * "固定資産税 現年度分の出納整理期間中の収納"\n',
                '2028-04-28 * "固定資産税 現年度分の出納整理期間中の収納"\n  assessment: "随時"\n',
            ),
        ],
    )
    got = {(n, m.split(",")[0]) for _f, n, m in where(problems)}
    assert got == {
        (
            line_of(tmp_path, "actuals/ippan.beancount", '2028-04-25 * "3月分光熱水費"'),
            "A payment dated 2028-04-25",
        ),
        (
            line_of(
                tmp_path, "actuals/ippan.beancount", "固定資産税 現年度分の出納整理期間中の収納"
            ),
            "A receipt assessed when received (随時) dated 2028-04-28 belongs to the year it "
            "is received in",
        ),
    }


def test_a_payment_after_the_closing_period_is_outside_the_year(tmp_path):
    problems = edited(
        tmp_path,
        [
            (
                "actuals/ippan.beancount",
                '2028-05-20 * "町民税（個人）滞納繰越分の収納"',
                '2028-06-01 * "町民税（個人）滞納繰越分の収納"',
            )
        ],
    )
    line = line_of(tmp_path, "actuals/ippan.beancount", '2028-06-01 * "町民税')
    assert where(problems) == [
        (
            "ippan.beancount",
            line,
            "Transaction dated 2028-06-01 lies outside the fiscal year 2027-04-01 .. 2028-03-31 "
            "and its closing period (出納整理期間), which ends 2028-05-31",
        )
    ]


def test_an_obligation_in_the_closing_period_is_refused(tmp_path):
    obligation = '2028-03-20 custom "yosan-obligation" "R9-050"'
    problems = edited(
        tmp_path,
        [("actuals/ippan.beancount", obligation, obligation.replace("2028-03-20", "2028-04-02"))],
    )
    got = where(problems)
    line = line_of(tmp_path, "actuals/ippan.beancount", '"R9-050" Expenses')
    assert got[0] == (
        "ippan.beancount",
        line,
        "an obligation (支出負担行為) dated 2028-04-02, in the closing period: the year's are "
        "made by its last day, 2028-03-31",
    )
    assert len(got) == 2 and 'which no custom "yosan-obligation" makes' in got[1][2]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "50000000 JPY Income:14",
            "90000000 JPY Income:14",
            f"The carry-over of 90,000,000 yen exceeds what {ROAD} has not spent: 予算現額 "
            "150,000,000 yen, paid 70,000,000 yen, carried over already 0 yen",
        ),
        (
            f'"繰越明許費" {ROAD} 50000000 JPY',
            f'"事故繰越" {ROAD} 60000000 JPY',
            f"事故繰越 of 60,000,000 yen exceeds what {ROAD} committed and did not pay "
            "(50,000,000 yen): 事故繰越 carries an obligation of the year",
        ),
        (
            "国庫補助金 20000000 JPY Income:20",
            "国庫補助金 25000000 JPY Income:20",
            "Funds not yet received of 25,000,000 yen on "
            "Income:14-国庫支出金:02-国庫補助金:03-土木費国庫補助金: its 予算現額 less what it "
            "received leaves 20,000,000 yen",
        ),
    ],
    ids=["beyond-unspent", "accident-beyond-unpaid", "funds-beyond-unreceived"],
)
def test_a_carry_over_takes_only_what_is_unspent(tmp_path, old, new, message):
    problems = edited(tmp_path, [("actuals/ippan.beancount", old, new)])
    line = line_of(tmp_path, "actuals/ippan.beancount", '"yosan-carryover"')
    assert where(problems) == [("ippan.beancount", line, message)]


def test_a_carry_over_the_budget_does_not_allow(tmp_path):
    problems = edited(
        tmp_path,
        [
            (
                "revision.beancount",
                "Expenses:08-土木費:02-道路橋りょう費 60000000 JPY",
                "Expenses:08-土木費:02-道路橋りょう費 40000000 JPY",
            )
        ],
    )
    assert [p.message for p in problems] == [
        "繰越明許費 '町道桜通線改良事業' allows 40,000,000 yen; with this carry-over of "
        "50,000,000 yen its carry-overs come to 50,000,000 yen"
    ]
    problems = edited(
        tmp_path / "none",
        [
            (
                "revision.beancount",
                "Expenses:08-土木費:02-道路橋りょう費 60000000 JPY",
                "Expenses:02-総務費 60000000 JPY",
            )
        ],
    )
    assert problems[0].message.startswith(f"No 繰越明許費 of the budget covers {ROAD}")


def test_a_revision_below_what_is_committed_is_reported_at_the_journals_budget(tmp_path):
    cut = (
        '2027-12-15 * "一般会計 扶助費の減額"\n'
        f"  {WELFARE}  -250000000 JPY\n"
        "  Expenses:14-予備費:01-予備費:01-予備費  250000000 JPY\n\n"
        "poptag #ippan\n"
    )
    problems = edited(tmp_path, [("revision.beancount", "poptag #ippan\n", cut)])
    directive = line_of(tmp_path, "actuals/main.beancount", '"yosan-actuals"')
    assert (
        "main.beancount",
        directive,
        "The budget's revision '令和9年度12月補正予算（例）' (2027-12-15) leaves "
        f"{WELFARE} (一般会計) a 予算現額 of 160,000,000 yen, below the 200,000,000 yen "
        "already committed",
    ) in where(problems)


def test_acts_belong_in_the_actual_journal_of_a_local_government(tmp_path):
    """An obligation in a budget ledger; an assessment in the journal of a budget that is
    no local government's."""
    folder = tmp_path / "town"
    shutil.copytree(TOWN, folder)
    budget = folder / "budget.beancount"
    budget.write_text(
        budget.read_text("utf-8")
        + f'\n2027-05-01 custom "yosan-obligation" "X" {ROAD} 1000 JPY\n  segment: "ippan"\n',
        "utf-8",
    )
    result = yosan("check", "--ledger", folder / "main.beancount", "--no-cache")
    assert result.exit_code == 1
    assert (
        "an obligation (支出負担行為) belongs in an actual journal (a ledger with "
        'custom "yosan-actuals"), not in a budget' in result.stderr
    )
    kumiai = tmp_path / "kumiai"
    shutil.copytree(KUMIAI, kumiai)
    journal = kumiai / "actuals" / "journal.beancount"
    journal.write_text(
        journal.read_text("utf-8")
        + '\n2027-05-01 custom "yosan-assessment" Income:7-収益:71-使用料収入 1000 JPY\n'
        '  segment: "hall"\n',
        "utf-8",
    )
    problems = load_ledger(kumiai / "actuals" / "main.beancount", cache=False).problems
    assert [p.message for p in problems] == [
        "an assessment (調定) is made in the actual journal of a local government's budget; "
        'this journal\'s budget declares no custom "yosan-local-government"'
    ]


def test_a_corporate_budgets_lines_are_its_limits(tmp_path):
    """The 組合's journal: a payment beyond the budget of its statement line (物件費 of
    会館事業, 4,300千円 a year) is refused, naming the line."""
    folder = tmp_path / "kumiai"
    shutil.copytree(KUMIAI, folder)
    journal = folder / "actuals" / "journal.beancount"
    text = journal.read_text("utf-8")
    journal.write_text(
        text + '\n2027-06-30 * "大規模修繕（予算超過）" #hall\n'
        "  Expenses:8-費用:82-物件費                 4000000 JPY\n"
        "  Assets:1-流動資産:11-現金預金\n",
        "utf-8",
    )
    problems = load_ledger(folder / "actuals" / "main.beancount", cache=False).problems
    lines = journal.read_text("utf-8").splitlines()
    line = next(n for n, t in enumerate(lines, start=1) if "大規模修繕" in t)
    assert where(problems) == [
        (
            "journal.beancount",
            line,
            "Payment of 4,000,000 yen on 予定損益計算書 物件費 (会館運営事業) exceeds its 予算現額 "
            "of 4,300,000 yen on 2027-06-30: 320,000 yen is already committed, "
            "20,000 yen over",
        )
    ]


def test_a_line_is_an_account_with_none_below_it(tmp_path):
    """An account opened under another would be both a 目 (a sum) and a line."""
    folder = tmp_path / "town"
    shutil.copytree(TOWN, folder)
    accounts = folder / "accounts.beancount"
    accounts.write_text(
        accounts.read_text("utf-8")
        + "2027-03-31 open Expenses:02-総務費:01-総務管理費:01-一般管理費  JPY\n"
        '  line: "総務管理費"\n',
        "utf-8",
    )
    result = yosan("check", "--ledger", folder / "main.beancount", "--no-cache")
    assert result.exit_code == 1
    assert (
        "Expenses:02-総務費:01-総務管理費:01-一般管理費:02-給料 is opened under "
        "Expenses:02-総務費:01-総務管理費:01-一般管理費, another account" in result.stderr
    )


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        (
            '2027-06-01 custom "yosan-assessment" "町民税" 100 JPY\n  segment: "ippan"\n',
            'Malformed: custom "yosan-assessment" Income:… AMOUNT JPY ["摘要"] '
            '(segment: "key" below)',
        ),
        (
            f'2027-06-01 custom "yosan-assessment" {TAX} 100 JPY\n',
            'The directive names no segment: segment: "key" below it',
        ),
        (
            f'2027-06-01 custom "yosan-assessment" {TAX} 100.5 JPY\n  segment: "ippan"\n',
            "100.5 JPY: an amount is whole JPY",
        ),
        (
            f'2027-06-01 custom "yosan-obligation" "X-1" {TAX} 100 JPY\n  segment: "ippan"\n',
            f"{TAX} is not an account of 歳出 (Expenses)",
        ),
        (
            f'2027-06-01 custom "yosan-write-off" {TAX} -100 JPY\n  segment: "ippan"\n',
            "-100 JPY: the amount is positive",
        ),
        (
            f'2027-06-01 custom "yosan-carryover" "継続費" {ROAD} 100 JPY\n  segment: "ippan"\n',
            "A carry-over is 繰越明許費 or 事故繰越, not '継続費'",
        ),
        (
            f'2027-06-01 custom "yosan-transfer" {ROAD} {ROAD} 100 JPY\n  segment: "ippan"\n',
            f"A transfer from {ROAD} to itself",
        ),
    ],
    ids=["shape", "segment", "fraction", "side", "sign", "kind", "itself"],
)
def test_a_malformed_act_is_an_error_at_its_line(tmp_path, directive, message):
    problems = edited(
        tmp_path, [("actuals/ippan.beancount", "poptag #ippan\n", f"{directive}\npoptag #ippan\n")]
    )
    first = directive.splitlines()[0]
    line = line_of(tmp_path, "actuals/ippan.beancount", first)
    assert where(problems) == [("ippan.beancount", line, message)]


def test_the_closing_period_is_at_most_two_months(tmp_path):
    declaration = 'custom "yosan-local-government" 2028-05-31'
    folder = tmp_path / "town"
    shutil.copytree(TOWN, folder)
    main = folder / "main.beancount"
    main.write_text(
        main.read_text("utf-8").replace(declaration, declaration.replace("05-31", "06-30")),
        "utf-8",
    )
    result = yosan("check", "--ledger", main, "--no-cache")
    assert result.exit_code == 1
    assert (
        "The closing period ends 2028-06-30: it follows the year's last day (2028-03-31) by "
        "at most two months (地方自治法第235条の5: 5月31日)" in result.stderr
    )
