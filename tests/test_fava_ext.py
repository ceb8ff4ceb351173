"""The Fava extension without a browser: segment selection, drill-down filters, escaping,
reloading.  The browser tests (test_fava_browser.py) drive the same pages in Chromium."""

from __future__ import annotations

import os
import shutil
import time
from html import escape
from pathlib import Path

import pytest
from beancount.core import data
from fava.application import create_app
from fava.core import FavaLedger

from tests.conftest import FY2016, SMALL, yosan
from tests.fava_support import IMAGE, SCRIPT, markup_ledger
from yosan_ledger.plugins.core import results
from yosan_ledger.plugins.core.budget import TOTAL
from yosan_ledger.reports.fava_ext.drill import journal_filter
from yosan_ledger.reports.fava_ext.pages import Place, select_segment

KEYS = ["alpha", "beta"]


def place(**args: str) -> Place:
    return Place("/l/extension/X/", "/l/", args)


@pytest.mark.parametrize(
    ("args", "segment", "ambiguous", "ignored"),
    [
        ({}, TOTAL, False, False),
        ({"filter": "#alpha"}, "alpha", False, False),
        ({"filter": " #beta "}, "beta", False, False),
        ({"filter": "#alpha 事業費"}, "alpha", False, True),
        ({"filter": '#alpha any(account:"^Assets")'}, "alpha", False, True),
        ({"filter": "#alpha", "time": "2016"}, "alpha", False, True),
        ({"filter": "#alpha", "account": "Assets"}, "alpha", False, True),
        ({"filter": "#other"}, TOTAL, False, True),
        ({"filter": "#alpha #beta"}, TOTAL, True, False),
        ({"filter": "#alpha, #beta"}, TOTAL, True, False),
        ({"filter": "-#alpha"}, TOTAL, True, False),
        ({"filter": "(#alpha)"}, TOTAL, True, False),
        ({"filter": '#alpha "unclosed'}, TOTAL, True, True),  # Fava cannot read it either
    ],
)
def test_statements_follow_one_segment_tag_of_favas_filter(args, segment, ambiguous, ignored):
    selection = select_segment(place(**args), KEYS)
    assert (selection.segment, selection.ambiguous, selection.ignored) == (
        segment,
        ambiguous,
        ignored,
    )


def test_switches_keep_favas_filters_and_drop_the_fetch_flag():
    here = place(filter="#alpha", time="2016", partial="true")
    assert here.here(unit="million") == "/l/extension/X/?filter=%23alpha&time=2016&unit=million"
    assert here.here(filter=None) == "/l/extension/X/?time=2016"


@pytest.fixture(scope="module")
def fy2016() -> FavaLedger:
    return FavaLedger(str(FY2016))


NEGATIVE_ROOTS = ("Liabilities", "Equity", "Income")


def figure_from_journal(row, transactions: list[data.Transaction], accounts: set[str]) -> int:
    """A row's figure in yen, from the transactions its journal link lists: the sum of
    their postings to the row's accounts, signed as the statement shows it."""

    def total(sign_of) -> int:
        return sum(
            sign_of(p.account) * int(p.units.number)
            for entry in transactions
            for p in entry.postings
            if p.account in accounts
        )

    if row.statement == "bs":  # net income closes into 積立金: PL accounts count negated
        return total(lambda account: 1 if account.startswith("Assets") else -1)
    if row.statement == "pl":
        return total(lambda account: -1 if account.startswith(NEGATIVE_ROOTS) else 1)
    cash_in = total(lambda account: 1)
    return row.sign * (cash_in if row.basis == "opening" else -cash_in)


def test_each_figure_links_to_the_journal_that_makes_it(fy2016: FavaLedger):
    """For every line of the three statements, in every segment and the total, the
    transactions Fava's own filters select for the figure's link add up to the figure."""
    statements = results.statements(fy2016.all_entries)
    nonzero_checked = 0
    for layout in statements.layouts:
        for row in layout.value_rows():
            if row.kind == "total":
                continue  # a total's journal is its lines' journals together
            accounts = set(statements.accounts[row.ref])
            for column in statements.columns:
                expected = statements.figure(row.ref, column)
                journal = journal_filter(statements, row.ref, column)
                if journal is None:
                    assert expected == 0, row.ref
                    continue
                filtered = fy2016.get_filtered(**journal.params())
                transactions = [e for e in filtered.entries if isinstance(e, data.Transaction)]
                got = figure_from_journal(row, transactions, accounts)
                assert got == expected, (row.ref, column, journal)
                nonzero_checked += expected != 0
    lines = [r for layout in statements.layouts for r in layout.value_rows() if r.kind != "total"]
    nonzero = sum(int((statements.figures[r.statement].loc[r.key] != 0).sum()) for r in lines)
    assert nonzero_checked == nonzero > 200


def test_flow_rows_of_the_plan_leave_non_cash_transactions_out(fy2016: FavaLedger):
    statements = results.statements(fy2016.all_entries)
    journal = journal_filter(statements, "cf:資金支出/事業費", "general")
    narrations = {
        e.narration
        for e in fy2016.get_filtered(**journal.params()).entries
        if isinstance(e, data.Transaction)
    }
    assert narrations and not any("減価償却" in n for n in narrations)


def test_ledger_text_is_escaped_in_every_page(tmp_path: Path):
    ledger = markup_ledger(tmp_path / "markup")
    app = create_app([str(ledger)], load=True)
    client = app.test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    for name in (
        "YosanStatements?statement=bs&",
        "YosanStatements?statement=cf&",
        "YosanVerification?",
    ):
        for query in ("", "by_segment=1"):
            path, _, ask = name.partition("?")
            page = client.get(f"/{slug}/extension/{path}/?{ask}{query}").get_data(as_text=True)
            assert SCRIPT not in page and IMAGE not in page
            assert escape(SCRIPT) in page and escape(IMAGE) in page  # there, as text
    line = f"/{slug}/extension/YosanStatements/line?ref=pl:営業外収益/雑収入&filter=%23alpha"
    page = client.get(line).get_data(as_text=True)
    assert SCRIPT not in page
    assert f"雑収入{escape(SCRIPT)}" in page  # the narration
    assert f"note: {escape(SCRIPT)}" in page  # the account's metadata


def test_line_page_answers_only_for_a_row_the_ledger_declares(tmp_path: Path):
    ledger = markup_ledger(tmp_path / "markup")
    client = create_app([str(ledger)], load=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    base = f"/{slug}/extension/YosanStatements/line"
    assert client.get(f"{base}?ref=pl:営業外収益/雑収入").status_code == 200
    assert client.get(f"{base}?ref=bs:流動資産/現金及び預金").status_code == 200
    assert client.get(f"{base}?ref=xx:流動資産/現金及び預金").status_code == 404
    assert client.get(f"{base}?ref=pl:金塊").status_code == 404
    assert client.get(f"{base}").status_code == 404


def test_pages_follow_a_changed_ledger(tmp_path: Path):
    """Fava reloads a changed file on the next request; the pages show the new load."""
    folder = tmp_path / "small"
    folder.mkdir()
    for source in SMALL.parent.glob("*.beancount"):
        (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    shutil.copytree(SMALL.parent / "layouts", folder / "layouts")
    main = folder / "main.beancount"
    main.write_text(
        main.read_text(encoding="utf-8")
        + '2016-04-01 custom "fava-extension" "yosan_ledger.reports.fava_ext"\n',
        encoding="utf-8",
    )
    app = create_app([str(main)], load=True, poll_watcher=True)
    client = app.test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    url = f"/{slug}/extension/YosanVerification/"
    assert "✗" not in client.get(url).get_data(as_text=True)

    text = main.read_text(encoding="utf-8").replace(
        '"資産合計" "alpha" 2995 "千円"', '"資産合計" "alpha" 2996 "千円"'
    )
    main.write_text(text, encoding="utf-8")
    later = time.time() + 5  # past the mtime Fava saw, whatever the file system's clock
    os.utime(main, (later, later))
    page = client.get(url).get_data(as_text=True)
    assert "✗" in page and "2,996" in page and "2,995" in page


def test_yosan_fava_needs_a_ledger(tmp_path: Path):
    result = yosan("fava", "--ledger", tmp_path / "missing.beancount")
    assert result.exit_code == 1 and result.exception is None
    assert "missing.beancount: no such ledger" in result.stderr


def test_yosan_fava_options():
    text = yosan("fava", "--help").stdout
    for option in ("--host", "127.0.0.1", "--port", "5000", "--read-only", "--ledger"):
        assert option in text


def test_by_segment_drops_the_segment_filter_and_a_segment_says_it_narrows_fava(tmp_path):
    ledger = markup_ledger(tmp_path / "markup")
    client = create_app([str(ledger)], load=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    base = f"/{slug}/extension/YosanStatements/"
    page = client.get(f"{base}?statement=bs&filter=%23alpha").get_data(as_text=True)
    # The 事業別 switch shows every segment: it leaves no segment tag in Fava's filter.
    switch = next(line for line in page.splitlines() if "事業別</a>" in line)
    assert "by_segment=1" in switch and "filter=" not in switch
    assert "Fava のほかのページ（仕訳帳、残高、損益など）もこの事業に絞り込まれています" in page
    whole = client.get(f"{base}?statement=bs").get_data(as_text=True)
    assert "絞り込まれています" not in whole
    by_segment = client.get(f"{base}?statement=bs&by_segment=1&filter=%23alpha")
    assert "にかかわらず全事業を表示しています" in by_segment.get_data(as_text=True)


def test_yosan_fava_serves_favas_entries_from_its_own_load_and_reloads_an_edit(
    tmp_path, monkeypatch
):
    """`yosan fava` loads through yosan's load (kept parses, files parsed ahead):
    Fava gets the entries and errors it gets from Beancount, and after a file is
    edited, the edit."""
    import fava.core

    from benchmarks import generate
    from yosan_ledger.load import internals
    from yosan_ledger.reports.fava_ext import load

    monkeypatch.setenv("YOSAN_CACHE_DIR", str(tmp_path / "cache"))
    generate.main(["200", str(tmp_path / "ledger")])
    main = tmp_path / "ledger" / "main.beancount"
    monkeypatch.setattr(*internals.fava_loader(), load.load_uncached)
    ledger = fava.core.FavaLedger(str(main))
    expected_entries, expected_errors, _ = internals.beancounts_load(str(main))
    assert ledger.all_entries == expected_entries
    assert [e.message for e in ledger.load_errors] == [e.message for e in expected_errors]
    assert list((tmp_path / "cache" / "parsed").iterdir()), "no parse was kept"
    edited = max((tmp_path / "ledger").rglob("*.beancount"), key=lambda p: p.stat().st_size)
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text + '\n2016-09-09 note Assets:Cash "編集"\n', encoding="utf-8")
    ledger.load_file()
    notes = [e for e in ledger.all_entries if type(e).__name__ == "Note"]
    assert any(n.comment == "編集" for n in notes)
    assert ledger.all_entries == internals.beancounts_load(str(main))[0]


ROOT = FY2016.parent.parent


@pytest.mark.parametrize(
    ("ledger", "pages"),
    [
        (
            FY2016,
            [
                "平成28年度予算（案）",
                "予定前受金及び累積前受金",
                "債務負担行為",
                "予算の概要",
                "公表値の照合",
            ],
        ),
        (
            ROOT / "examples" / "revision" / "main.beancount",
            [
                "平成28年度予算（案）",
                "補正予算",
                "予定前受金及び累積前受金",
                "債務負担行為",
                "予算の概要",
                "公表値の照合",
            ],
        ),
        (ROOT / "examples" / "kumiai" / "main.beancount", ["令和9年度予算（例）", "債務負担行為"]),
        (
            ROOT / "examples" / "kumiai" / "actuals" / "main.beancount",
            ["令和9年度予算（例）", "予算執行状況", "決算報告書"],
        ),
    ],
    ids=["fy2016", "revision", "kumiai", "kumiai-actuals"],
)
def test_fava_lists_the_pages_a_ledger_has_the_statements_first(ledger, pages):
    """Fava's sidebar holds a page only where it applies (補正予算 for a budget with
    revisions, 予算執行状況 and 決算報告書 for an actual journal, 公表値の照合 for
    published figures), the budget's statements first."""
    fava = FavaLedger(str(ledger))
    titles = [e.report_title for e in fava.extensions.extension_details if e.report_title]
    assert titles == pages


def test_the_error_box_lists_the_root_cause_first(tmp_path: Path):
    """A mistyped account: Beancount's error at its line comes before the rules'
    errors it sets off (a dozen balance checks per segment), as the command prints them."""
    from tests.conftest import copy_ledger

    main = copy_ledger(tmp_path / "ledger")
    segment = main.parent / "segments" / "general.beancount"
    text = segment.read_text(encoding="utf-8")
    assert "613-雑収入" in text
    segment.write_text(text.replace("613-雑収入", "613-雑収人", 1), encoding="utf-8")
    client = create_app([str(main)], load=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    page = client.get(f"/{slug}/extension/YosanStatements/").get_data(as_text=True)
    box = page[page.index('class="yosan-errors"') :]
    items = [escape_free(item) for item in box.split("<li")[1:]]
    assert "613-雑収人" in items[0] and "segments/general.beancount:" in items[0]
    assert "上のエラーから生じた可能性があります" in items[1]
    command = yosan("check", "--ledger", main, "--no-cache").stderr.splitlines()
    assert "613-雑収人" in command[0] and "segments/general.beancount:" in command[0]
    # The rules' error names the account meant, in the command as in Fava's box.
    assert any("(did you mean" in line and "613-雑収入?)" in line for line in command)
    assert "613-雑収入" in box


def escape_free(html: str) -> str:
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html))


FAVA_PAGES = ("income_statement/", "balance_sheet/", "journal/", "errors/", "editor/")
EXTENSION_PAGES = (  # the pages the small ledger has (a budget without revisions)
    "extension/YosanStatements/",
    "extension/YosanStatements/line?ref=pl:%E9%9B%91%E5%8F%8E%E5%85%A5",
)


def _small_with_extension(folder: Path) -> Path:
    folder.mkdir()
    for source in SMALL.parent.glob("*.beancount"):
        shutil.copy(source, folder / source.name)
    shutil.copytree(SMALL.parent / "layouts", folder / "layouts")
    main = folder / "main.beancount"
    with open(main, "a", encoding="utf-8") as stream:
        stream.write('2016-04-01 custom "fava-extension" "yosan_ledger.reports.fava_ext"\n')
    return main


@pytest.mark.parametrize("broken", ["an engine that raises", "a layout that raises"])
def test_an_error_in_the_extension_never_breaks_favas_pages(broken, tmp_path, monkeypatch):
    """Issue 24: a layout error made every page of Fava 500, its Errors page too
    (the extension's title in Fava's sidebar raised).  Fava's pages work on; the
    extension's pages say what went wrong."""
    main = _small_with_extension(tmp_path / "small")
    if broken == "an engine that raises":

        def raising(*args, **kwargs):
            raise RuntimeError("the engine failed")

        monkeypatch.setattr(results, "statements_of", raising)
    else:  # today a TypeError inside the layout's reader
        pl = main.parent / "layouts" / "pl.toml"
        text = pl.read_text(encoding="utf-8")
        assert "rows = [" in text
        pl.write_text(text.replace("rows = [", 'rows = [1, "x",', 1), encoding="utf-8")
    client = create_app([str(main)], load=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    for page in (*FAVA_PAGES, *EXTENSION_PAGES):
        response = client.get(f"/{slug}/{page}")
        assert response.status_code == 200, page
    if broken == "an engine that raises":
        for page in EXTENSION_PAGES:
            text = client.get(f"/{slug}/{page}").get_data(as_text=True)
            assert "RuntimeError: the engine failed" in text, page
