"""The Fava pages in a real browser: `yosan fava` on a local port, Debian's Chromium
driven by Playwright.  Figures are compared with the published ones in the ledger.

Runs in CI (.ci/run installs chromium and playwright); elsewhere it is skipped only
when Chromium or Playwright is missing.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from beancount.core import data

from tests.conftest import CASH, FY2016, FY2016_LAYOUTS, copy_ledger, require
from tests.fava_support import IMAGE, SCRIPT, Fava, fava_server, markup_ledger
from yosan_ledger.reports.loading.ledger import load_ledger

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PAGES = list(FY2016_LAYOUTS.by_statement)  # the statements, each a view of one page
CHECKS = "YosanVerification"
WAIT_MS = 30_000


def shown(number: int) -> str:
    """How a published table prints a figure: 1,234 or ▲1,234."""
    return f"▲{-number:,}" if number < 0 else f"{number:,}"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "playwright is not installed (pip install -e '.[test]')"
    if missing is None and not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (apt-get install chromium)"
    require(missing)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    yield tab
    context.close()


@pytest.fixture(scope="module")
def fy2016_fava(browser) -> Iterator[Fava]:
    with fava_server(FY2016) as fava:
        yield fava


@pytest.fixture(scope="module")
def fy2016():
    return load_ledger(FY2016)


@pytest.fixture(scope="module")
def published(fy2016) -> dict[tuple[str, str, str], int]:
    """(row ref, segment) → the figure as published, in 千円."""
    layouts = FY2016_LAYOUTS
    figures = {}
    for entry in fy2016.entries:
        if isinstance(entry, data.Custom) and entry.type == "yosan-published":
            statement, key, segment, number, unit = (v.value for v in entry.values)
            assert unit == "千円"
            figures[layouts.find(statement, key).ref, segment] = int(number)
    return figures


def open_page(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("article .yosan")


def statement_cells(page) -> dict[tuple[str, str], str]:
    """(row ref, column) → the text of every figure in the page's statement table."""
    return {
        (ref, column): text
        for ref, column, text in page.evaluate(
            """() => {
              const table = document.querySelector('table.yosan-statement');
              const columns = [...table.querySelectorAll('thead th[data-column]')]
                .map(th => th.dataset.column);
              const cells = [];
              for (const tr of table.querySelectorAll('tbody tr[data-ref]')) {
                [...tr.querySelectorAll('td.num')].forEach((td, i) =>
                  cells.push([tr.dataset.ref, columns[i], td.innerText.trim()]));
              }
              return cells;
            }"""
        )
    }


@pytest.mark.parametrize("name", list(PAGES))
def test_segment_tables_show_every_published_figure(page, fy2016_fava, published, name):
    statement = name
    open_page(page, fy2016_fava.statement(name, "by_segment=1"))
    cells = statement_cells(page)
    expected = {key: n for key, n in published.items() if key[0].startswith(f"{statement}:")}
    assert expected
    wrong = {key: (cells.get(key), shown(n)) for key, n in expected.items()}
    wrong = {key: pair for key, pair in wrong.items() if pair[0] != pair[1]}
    assert not wrong
    assert page.locator("h2").inner_text().endswith("（事業別）")


def test_balance_sheet_of_the_whole_body(page, fy2016_fava, published):
    open_page(page, fy2016_fava.statement("bs"))
    cells = statement_cells(page)
    assets = published["bs:資産の部/資産合計", "total"]
    assert assets == 48_809_401  # the example of the issue, as transcribed
    assert cells["bs:資産の部/資産合計", "total"] == "48,809,401"
    total_row = page.locator('tr[data-ref="bs:資産の部/資産合計"]')
    assert total_row.evaluate("tr => getComputedStyle(tr.cells[1]).fontWeight") == "700"
    assert page.locator("text=（単位：千円）").count() == 1


def test_loss_making_segment_follows_favas_tag_filter(page, fy2016_fava, published):
    """Typing the segment's tag into Fava's own filter narrows the statement to it."""
    open_page(page, fy2016_fava.statement("pl"))
    box = page.locator("header input").nth(2)
    box.fill("#jpki")
    box.press("Enter")
    if "filter=" not in page.url:  # Enter took the autocomplete suggestion first
        box.press("Enter")
    page.wait_for_url(re.compile(r"filter=%23jpki"))
    page.wait_for_selector("h2:has-text('公的個人認証サービス事業')")
    cells = statement_cells(page)
    net_income = published["pl:当期純利益", "jpki"]
    assert net_income < 0
    assert cells["pl:当期純利益", "jpki"] == shown(net_income) == "▲134,569"

    page.locator(".yosan-switches a", has_text="事業別").click()
    page.wait_for_url(re.compile(r"by_segment=1"))
    page.wait_for_selector("h2:has-text('事業別')")
    open_page(page, fy2016_fava.statement("bs", "filter=%23jpki"))
    reserve = published["bs:利益剰余金/積立金", "jpki"]
    assert statement_cells(page)["bs:利益剰余金/積立金", "jpki"] == shown(reserve) == "▲12,798"


def test_unit_switch(page, fy2016_fava, published):
    open_page(page, fy2016_fava.statement("bs", "filter=%23jpki"))
    page.locator(".yosan-switches a", has_text="百万円").click()
    page.wait_for_selector("text=（単位：百万円）")
    cells = statement_cells(page)

    def millions(thousands: int) -> str:
        rounded = (Decimal(abs(thousands)) / 1000).quantize(Decimal(1), ROUND_HALF_UP)
        return shown(int(rounded) if thousands >= 0 else -int(rounded))

    for ref in ("bs:資産の部/資産合計", "bs:利益剰余金/積立金", "bs:流動資産/現金及び預金"):
        assert cells[ref, "jpki"] == millions(published[ref, "jpki"])
    page.locator(".yosan-switches a", has_text="合計").first.click()
    page.wait_for_selector("h2:text-is('予定貸借対照表')")
    assert statement_cells(page)["bs:資産の部/資産合計", "total"] == "48,809"


def test_a_figure_opens_the_transactions_behind_it(page, fy2016_fava, fy2016):
    """A figure opens the list of its postings, and from there Fava's journal of the
    same transactions; both are compared with the ledger read independently."""
    open_page(page, fy2016_fava.statement("bs", "filter=%23jpki"))
    page.locator('tr[data-ref="bs:流動資産/現金及び預金"] td.num a').click()
    page.wait_for_url(re.compile(r"/line\?"))
    page.wait_for_selector("table.yosan-postings")
    postings = [
        (cells[1], cells[2], cells[3].replace(",", ""), cells[4].replace(",", ""))
        for cells in page.evaluate(
            """() => [...document.querySelectorAll('table.yosan-postings tbody tr')]
                 .map(tr => [...tr.cells].map(td => td.innerText.trim()))"""
        )
    ]
    transactions = [
        entry
        for entry in fy2016.entries
        if isinstance(entry, data.Transaction)
        and "jpki" in entry.tags
        and any(p.account == CASH for p in entry.postings)
    ]
    expected = [
        (
            entry.narration,
            CASH,
            str(int(p.units.number)) if p.units.number > 0 else "",
            str(-int(p.units.number)) if p.units.number < 0 else "",
        )
        for entry in transactions
        for p in entry.postings
        if p.account == CASH
    ]
    assert len(expected) > 3
    assert sorted(postings) == sorted(expected)

    page.locator("a", has_text="Fava の仕訳帳で開く").click()
    page.wait_for_url(re.compile(r"/journal/"))
    rows = page.locator("ol.journal li.transaction")
    rows.first.wait_for()
    listed = sorted(
        row.locator(".description").first.inner_text().replace("#jpki", "").strip()
        for row in rows.all()
    )
    assert listed == sorted(entry.narration for entry in transactions)


def test_published_figures_page(page, fy2016_fava, published):
    open_page(page, fy2016_fava.extension(CHECKS))
    count = len(published)
    summary = page.locator(".yosan-summary").inner_text()
    assert summary == f"公表値 {count:,} 件のうち、一致 {count:,} 件、不一致 0 件"
    assert page.locator("table.yosan-checks td.match").count() == count
    assert page.locator("table.yosan-checks td.mismatch").count() == 0


def test_a_broken_published_figure_shows_at_its_line(page, browser, tmp_path):
    """Edit a published figure while Fava runs: the checks page marks it ✗ on the next
    load, and Fava's Errors page names its file and line."""
    ledger = copy_ledger(tmp_path / "ledger").parent
    bs = ledger / "published" / "bs.beancount"
    lines = bs.read_text(encoding="utf-8").splitlines(keepends=True)
    (index,) = [i for i, line in enumerate(lines) if '"資産合計" "total"' in line]
    number = int(re.search(r'"total" (\d+)', lines[index]).group(1))
    with fava_server(ledger / "main.beancount") as fava:
        open_page(page, fava.extension(CHECKS))
        assert page.locator("table.yosan-checks td.mismatch").count() == 0

        lines[index] = lines[index].replace(f'"total" {number} ', f'"total" {number + 1} ')
        bs.write_text("".join(lines), encoding="utf-8")
        deadline = time.monotonic() + 30
        while page.locator("table.yosan-checks td.mismatch").count() == 0:
            assert time.monotonic() < deadline, "Fava did not reload the changed ledger"
            time.sleep(0.5)
            open_page(page, fava.extension(CHECKS))
        where = f"published/bs.beancount:{index + 1}"
        mismatch = page.locator("table.yosan-checks tr.mismatch").first.inner_text()
        assert "資産合計" in mismatch and where in mismatch
        assert shown(number + 1) in mismatch and shown(number) in mismatch

        page.goto(fava.url("errors/"))
        row = page.locator("article table tbody tr", has_text="資産合計").first
        cells = row.locator("td").all_inner_texts()
        assert cells[0].endswith("published/bs.beancount")
        assert cells[1] == str(index + 1)
        # In Fava's language (the ledger's fava-option "language" "ja"), as its pages.
        assert f"公表値 {number + 1:,} 千円、元帳からは {number:,} 千円" in cells[2]


def test_ledger_markup_is_shown_as_text(page, browser, tmp_path):
    """Markup in the title, a segment name, a narration, an account's metadata and a
    published figure: every page shows it as text and runs none of it."""
    ledger = markup_ledger(tmp_path / "markup")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with fava_server(ledger, "--read-only") as fava:
        pages = [(fava.statement, key) for key in PAGES] + [(fava.extension, CHECKS)]
        for address, name in pages:
            for query in ("", "by_segment=1", "filter=%23beta"):
                open_page(page, address(name, query))
                text = page.locator("article").inner_text()
                assert SCRIPT in text and IMAGE in text, (name, query)  # title, errors
                assert page.evaluate("window.__yosan_xss") is None
        open_page(page, fava.statement("bs", "by_segment=1"))
        assert IMAGE in page.locator("table.yosan-statement thead").inner_text()

        open_page(page, fava.statement("pl", "filter=%23alpha"))
        page.locator('tr[data-ref="pl:営業外収益/雑収入"] td.num a').click()
        page.wait_for_url(re.compile(r"/line\?"))
        page.wait_for_selector("table.yosan-postings")
        assert f"雑収入{SCRIPT}" in page.locator("table.yosan-postings").inner_text()
        assert f"note: {SCRIPT}" in page.locator(".yosan-accounts").inner_text()
        assert page.evaluate("window.__yosan_xss") is None
        page.reload()  # the same page loaded whole, not through Fava's router
        page.wait_for_selector("table.yosan-postings")
        assert f"雑収入{SCRIPT}" in page.locator("table.yosan-postings").inner_text()
        assert page.evaluate("window.__yosan_xss") is None

        page.goto(fava.url("errors/"))
        page.locator("article table").wait_for()
        assert SCRIPT in page.locator("article").inner_text()
        assert page.evaluate("window.__yosan_xss") is None
        assert not dialogs

        request = urllib.request.Request(fava.url("api/source"), data=b"{}", method="PUT")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 401  # --read-only reached Fava


FAVA_CORPUS = [
    "no-segment-tag",
    "two-segment-tags",
    "fractional-yen",
    "after-fiscal-year",
    "published-mismatch",
    "plan-cash-disagrees",
    "account-no-line",
]


@pytest.mark.parametrize("case", FAVA_CORPUS)
def test_fava_shows_the_corpus_errors_at_their_lines(page, browser, case):
    """The broken ledgers of tests/corpus: Fava's Errors page lists each error the
    `yosan` command prints, at the same file and line."""
    folder = Path(__file__).parent / "corpus" / case
    expected = [
        line.split(": ", 1)
        for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
        if not line.startswith("and ")  # the command's announcement of what follows
    ]
    with fava_server(folder / "main.beancount") as fava:
        page.goto(fava.url("errors/"))
        page.wait_for_selector("article table tbody tr")
        rows = [
            row.locator("td").all_inner_texts()
            for row in page.locator("article table tbody tr").all()
        ]
    for where, message in expected:
        filename, line = where.rsplit(":", 1)
        assert any(
            cells[0].endswith(filename) and cells[1] == line and message in cells[2]
            for cells in rows
        ), (where, message, rows)


def test_the_version_switch_and_the_revision_table(page, browser):
    """The revision example (made-up revisions on FY2016): the statements page switches
    between the original and the revised budget, and the 補正予算 page shows 補正前の額,
    補正額 and 補正後の額."""
    example = FY2016.parent.parent / "examples" / "revision" / "main.beancount"
    with fava_server(example) as fava:
        open_page(page, fava.statement("pl"))
        cells = statement_cells(page)
        grant = "pl:営業収益/個人番号カード等関連交付金"
        assert cells[grant, "total"] == "34,268,527"  # both revisions: the budget in force
        page.locator("nav.yosan-versions a", has_text="当初予算").click()
        page.wait_for_url(re.compile("revision="))
        page.wait_for_selector("table.yosan-statement")
        assert statement_cells(page)[grant, "total"] == "33,068,527"  # as published
        assert "当初予算" in page.locator(".yosan-heading").inner_text()

        open_page(page, fava.extension("YosanSupplementaryBudget", "statement=pl"))
        page.locator("nav.yosan-versions a", has_text="12月補正").click()
        page.wait_for_url(re.compile("revision="))
        page.wait_for_selector("table.yosan-statement")
        headers = page.locator("table.yosan-statement thead").inner_text()
        assert "補正前の額" in headers and "補正額" in headers and "補正後の額" in headers
        row = page.locator(f'tr[data-ref="{grant}"]').inner_text()
        assert "33,068,527" in row and "1,200,000" in row and "34,268,527" in row


def test_execution_follows_fava_filters_and_opens_postings(page, browser):
    """The actual journal example: 予算執行状況 through the end of Fava's time filter, for
    the segment in Fava's filter, each 執行額 opening its postings."""
    actuals = FY2016.parent.parent / "examples" / "kumiai" / "actuals" / "main.beancount"
    with fava_server(actuals) as fava:
        open_page(page, fava.extension("YosanStatusOfExecution", "statement=pl&time=2027-05"))
        salaries = 'tr[data-ref="pl:費用/人件費"]'
        assert "1,830" in page.locator(salaries).inner_text()  # hall 1,500 + water 330
        open_page(
            page,
            fava.extension("YosanStatusOfExecution", "statement=pl&time=2027-05&filter=%23hall"),
        )
        row = page.locator(salaries).inner_text()
        assert "10,200" in row and "1,500" in row and "14.7" in row
        assert "令和9年5月31日現在" in page.locator(".yosan-heading").inner_text()
        page.locator(f"{salaries} td.num a").first.click()
        page.wait_for_url(re.compile(r"/line\?"))
        page.wait_for_selector("table.yosan-postings")
        listed = page.locator("table.yosan-postings").inner_text()
        assert "4月分給与" in listed and "5月分給与" in listed and "6月分給与" not in listed


# What a table may not do at 1400 and 1024 px: hide columns with no scroll bar in view.
CUT = """() => {
  const article = document.querySelector('article');
  const problems = [];
  for (const table of article.querySelectorAll('table')) {
    for (let box = table.parentElement; box; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (box.scrollWidth > box.clientWidth + 1 && style.overflowX !== 'visible') {
        const bottom = box.getBoundingClientRect().bottom;
        const name = `${box.tagName}.${box.className}`;
        if (!['auto', 'scroll'].includes(style.overflowX)) problems.push(`${name} clips`);
        else if (bottom > window.innerHeight + 1) problems.push(`${name}: scroll bar off screen`);
      }
      if (box === article) break;
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth) problems.push('the window scrolls');
  return problems;
}"""
# Scrolled to its far right and half down, a table keeps its header in view, a statement
# its labels too (the published figures are a list: it has none to keep).
FROZEN = """() => {
  const article = document.querySelector('article');
  const table = article.querySelector('table.yosan-table');
  const body = table.querySelectorAll('tbody tr');
  body[Math.floor(body.length / 2)].scrollIntoView({block: 'center'});
  article.scrollLeft = article.scrollWidth;
  const box = article.getBoundingClientRect();
  const inside = r => r.left >= box.left - 1 && r.top >= box.top - 1 && r.bottom < box.bottom;
  const head = table.querySelector('thead th:last-child').getBoundingClientRect();
  const statement = table.matches('.yosan-statement');
  const labels = [...table.querySelectorAll('tbody th')].map(th => th.getBoundingClientRect())
    .filter(r => r.top > head.bottom && r.bottom < box.bottom);
  return {
    scrolls: article.scrollLeft > 0,
    header: inside(head),
    labels: !statement || (labels.length > 0 && labels.every(inside)
      && inside(table.querySelector('thead th').getBoundingClientRect())),
  };
}"""


def yosan_pages(fava: Fava, examples: dict[str, Fava]) -> list[str]:
    """Every page of the extension that shows a table: each statement by segment and
    in total, the published figures, 補正予算 by segment, 予算執行状況 by month."""
    revision, actuals = examples["revision"], examples["actuals"]
    return [
        *(fava.statement(key, "by_segment=1") for key in PAGES),
        fava.statement("bs"),
        fava.extension(CHECKS),
        *(
            revision.extension("YosanSupplementaryBudget", f"statement={key}&by_segment=1")
            for key in PAGES
        ),
        *(
            actuals.extension("YosanStatusOfExecution", f"statement={key}&time=2027-05")
            for key in ("bs", "pl")
        ),
        actuals.extension("YosanStatusOfExecution", "statement=pl&filter=%23hall"),
    ]


@pytest.fixture(scope="module")
def examples(browser) -> Iterator[dict[str, Fava]]:
    root = FY2016.parent.parent / "examples"
    with (
        fava_server(root / "revision" / "main.beancount") as revision,
        fava_server(root / "kumiai" / "actuals" / "main.beancount") as actuals,
    ):
        yield {"revision": revision, "actuals": actuals}


@pytest.mark.parametrize("width", [1400, 1024])
def test_no_column_is_cut(browser, fy2016_fava, examples, width):
    """At 1400 px every table fits; at 1024 px the segment tables scroll with Fava's
    article, whose scroll bar is in the window, the labels and header frozen."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    try:
        for url in yosan_pages(fy2016_fava, examples):
            open_page(tab, url)
            assert tab.evaluate(CUT) == [], url
            scrolls = tab.evaluate(
                "() => { const a = document.querySelector('article');"
                " return a.scrollWidth > a.clientWidth; }"
            )
            if width >= 1400:
                assert not scrolls, f"{url} is wider than the window"
            elif scrolls:
                assert tab.evaluate(FROZEN) == {"scrolls": True, "header": True, "labels": True}, (
                    url
                )
        open_page(tab, fy2016_fava.statement("bs", "by_segment=1"))
        assert width >= 1400 or tab.evaluate(FROZEN)["scrolls"]  # the case above happened
    finally:
        context.close()


def test_segment_headers_break_between_phrases(page, fy2016_fava, fy2016):
    """A segment's name in a column header wraps, but never inside a phrase, and its
    text is the name as the ledger gives it."""
    open_page(page, fy2016_fava.statement("bs", "by_segment=1"))
    headers = page.evaluate(
        """() => [...document.querySelectorAll('table.yosan-statement thead th[data-column]')]
          .map(th => {
            const phrases = [...th.querySelectorAll('.yosan-phrase')];
            return {
              text: th.textContent,
              lines: new Set(phrases.map(s => Math.round(s.getBoundingClientRect().top))).size,
              split: phrases.filter(s => s.getClientRects().length > 1).map(s => s.textContent),
            };
          })"""
    )
    names = {s.name for s in fy2016.statements.segments}
    assert {h["text"] for h in headers} == names | {"合計"}
    assert [h["split"] for h in headers] == [[] for _ in headers]
    assert max(h["lines"] for h in headers) >= 2  # the check above had wrapped names to check
