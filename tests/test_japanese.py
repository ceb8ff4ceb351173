"""Japanese first: the command's help and messages follow the locale (LANG), the Fava
extension's follow Fava's language option, through the gettext catalog made with Babel
(plugins/core/locale); Fava opens on the budget's statements."""

from __future__ import annotations

import io
import os
import pickle
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from fava.application import create_app
from fava.core import FavaLedger

from tests.conftest import FY2016, ROOT
from yosan_ledger.plugins.core.messages import LOCALE_DIR, _, translated

CASE = ROOT / "tests" / "corpus" / "no-segment-tag"
CATALOG = LOCALE_DIR / "ja" / "LC_MESSAGES" / "yosan.po"
COMPILED = LOCALE_DIR / "ja" / "LC_MESSAGES" / "yosan.mo"
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def yosan_in(lang: str, *args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The command in a process of its own: help texts are read when it starts."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    env["LANG"] = lang
    return subprocess.run(
        [sys.executable, "-m", "yosan_ledger.reports", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )


def test_check_speaks_japanese_under_a_japanese_locale():
    result = yosan_in("ja_JP.UTF-8", "check", "--no-cache", "--ledger", "main.beancount", cwd=CASE)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "main.beancount:13: 取引に事業タグがありません。#alpha, #beta のいずれかを付けてください",
        "main.beancount に誤りが 1 件あります",
    ]


def test_check_speaks_english_under_the_c_locale():
    result = yosan_in("C", "check", "--no-cache", "--ledger", "main.beancount", cwd=CASE)
    assert result.returncode == 1
    expected = (CASE / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert result.stderr.splitlines() == [*expected, "1 error in main.beancount"]


def test_beancounts_own_errors_are_shown_in_japanese_too():
    case = ROOT / "tests" / "corpus" / "unbalanced-transaction"
    result = yosan_in("ja_JP.UTF-8", "check", "--no-cache", "--ledger", "main.beancount", cwd=case)
    first, announcement = result.stderr.splitlines()[:2]
    assert first == "main.beancount:13: 取引の貸借が一致しません: (100 JPY)"
    assert announcement.startswith("ほかに、上の誤りから生じた可能性のある予算の規則の誤りが")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ja_JP.UTF-8", "Beancount の予算元帳から財務諸表"),
        ("C", "Statements of a Beancount budget ledger"),
        ("en_US.UTF-8", "Statements of a Beancount budget ledger"),
    ],
)
def test_help_follows_the_locale(lang, expected):
    result = yosan_in(lang, "--help")
    assert result.returncode == 0 and expected in result.stdout
    report = yosan_in(lang, "report", "--help").stdout
    assert ("元帳のメインファイル" in report) == lang.startswith("ja")


def test_every_message_of_the_code_has_a_japanese_translation():
    catalog = read_po(CATALOG.open("rb"))
    translations = {m.id: m.string for m in catalog if m.id}
    found = set()
    for folder in ("plugins", "reports"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, keywords={"_": None, "localized": None}
        ):
            found.add(message)
    assert found, "no message found in the code"
    untranslated = sorted(m for m in found if not translations.get(m))
    assert untranslated == [], "run `just translations` and translate these"
    # Every placeholder of the English text, format and all, is in the Japanese one.
    for message in found:
        for placeholder in re.findall(r"\{\w+[^}]*\}", message):
            assert placeholder in translations[message], (message, placeholder)


def test_the_compiled_catalog_is_the_translations():
    written = io.BytesIO()
    write_mo(written, read_po(CATALOG.open("rb")))
    compiled = read_mo(COMPILED.open("rb"))
    again = read_mo(io.BytesIO(written.getvalue()))
    assert entries(compiled) == entries(again)


def entries(catalog: Iterable) -> dict:
    """id → translation; a plural's ids and forms (lists in a read .mo) as tuples."""

    def frozen(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {frozen(m.id): frozen(m.string) for m in catalog if m.id}


def test_a_message_is_its_english_text_and_survives_a_pickle():
    message = _("Segment {key!r} is declared twice", key="alpha")
    assert message == "Segment 'alpha' is declared twice"
    assert translated(message, "ja") == "事業 'alpha' が二度宣言されています"
    assert translated(message, None) == message
    assert translated(pickle.loads(pickle.dumps(message)), "ja") == translated(message, "ja")


def small_ledger_with(folder: Path, extra: str) -> Path:
    small = ROOT / "tests" / "ledgers" / "small"
    folder.mkdir()
    for name in ("main.beancount", "accounts.beancount"):
        shutil.copy(small / name, folder / name)
    shutil.copytree(small / "layouts", folder / "layouts")
    main = folder / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return main


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", "取引に事業タグがありません"), ("en", "Transaction has no segment tag")],
)
def test_the_fava_pages_show_errors_in_favas_language(tmp_path, language, expected):
    ledger = small_ledger_with(
        tmp_path / "small",
        f'\n2016-04-01 custom "fava-option" "language" "{language}"\n'
        '2016-04-01 custom "fava-extension" "yosan_ledger.reports.fava_ext"\n'
        '2016-06-01 * "タグのない取引"\n'
        "  Assets:11-流動資産:111-現金及び預金  1000 JPY\n"
        "  Income:41-営業収益:415-事業収入\n",
    )
    client = create_app([str(ledger)], load=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    page = client.get(f"/{slug}/extension/YosanStatements/?statement=pl").get_data(as_text=True)
    assert expected in page


def test_fava_opens_on_the_budgets_statements_with_japanese_separators():
    app = create_app([str(FY2016)], load=True)
    client = app.test_client()
    where = client.get("/").headers["Location"]
    assert where.endswith("/extension/YosanStatements/")
    page = client.get(where).get_data(as_text=True)
    assert "予定貸借対照表" in page and "48,809,401" in page
    ledger = FavaLedger(str(FY2016))
    assert ledger.fava_options.locale == "ja_JP"
    assert ledger.format_decimal(Decimal(-51814967000), "JPY") == "-51,814,967,000"
