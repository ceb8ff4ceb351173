"""Japanese first: the command's help and messages follow the locale (LANG), the Fava
extension's follow Fava's language option, through the gettext catalog made with Babel
(plugins/core/locale); Fava opens on the budget's statements."""

from __future__ import annotations

import html
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

from tests.conftest import FY2016, ROOT, SMALL
from yosan_ledger.plugins.core.messages import LOCALE_DIR, _, translated

CASE = ROOT / "tests" / "corpus" / "no-segment-tag"
PROG = "python -m yosan_ledger.reports"  # as click names the command run by yosan_in
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
        ("ja_JP.UTF-8", "Beancount の予算元帳から、その様式が定める財務諸表"),
        ("C", "The statements of a Beancount budget ledger"),
        ("en_US.UTF-8", "The statements of a Beancount budget ledger"),
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
    for folder in ("load", "plugins", "reports"):
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


# Each family of messages on a real broken ledger or a bad command: the Japanese
# message under a Japanese locale and the English one under C, at the same file:line.


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line)


def both_languages(*args: str | Path, cwd: Path) -> dict[str, subprocess.CompletedProcess]:
    return {lang: yosan_in(lang, *args, cwd=cwd) for lang in ("ja_JP.UTF-8", "C")}


def test_a_layout_error_is_said_in_the_locales_language_at_its_line(tmp_path):
    main = small_ledger_with(tmp_path / "small", "")
    layout = main.parent / "layouts" / "pl.toml"
    layout.write_text(layout.read_text("utf-8").replace('kind = "flow"', 'kind = "flows"'), "utf-8")
    where = f"layouts/pl.toml:{line_of(layout, 'kind = ')}"
    said = both_languages("check", "--no-cache", "--ledger", "main.beancount", cwd=main.parent)
    assert said["ja_JP.UTF-8"].stderr.splitlines() == [
        f'{where}: 様式: pl.toml: `kind` は"balance", "flow", "cash" のいずれかで指定します'
        "（'flows' ではありません）",
        "main.beancount に誤りが 1 件あります",
    ]
    assert said["C"].stderr.splitlines() == [
        f'{where}: Layout: pl.toml: `kind` must be one of "balance", "flow", "cash", not \'flows\'',
        "1 error in main.beancount",
    ]
    assert {r.returncode for r in said.values()} == {1}


def test_revision_errors_are_said_in_the_locales_language_at_their_lines(tmp_path):
    main = small_ledger_with(
        tmp_path / "small",
        '\n2016-12-20 custom "yosan-revision" "12月補正"\n'
        '2016-12-21 custom "yosan-revision" "12月補正"\n'
        '2016-12-22 custom "yosan-revision" "当初"\n',
    )
    twice, original = line_of(main, "2016-12-21"), line_of(main, '"当初"')
    said = both_languages("check", "--no-cache", "--ledger", "main.beancount", cwd=main.parent)
    assert said["ja_JP.UTF-8"].stderr.splitlines()[:2] == [
        f"main.beancount:{twice}: 補正予算 '12月補正' が二度宣言されています",
        f"main.beancount:{original}: '当初' は当初予算を指します",
    ]
    assert said["C"].stderr.splitlines()[:2] == [
        f"main.beancount:{twice}: Revision '12月補正' is declared twice",
        f"main.beancount:{original}: '当初' names the original budget",
    ]


def test_settlement_note_errors_of_an_actual_journal_in_the_locales_language(tmp_path):
    folder = tmp_path / "kumiai"
    shutil.copytree(ROOT / "examples" / "kumiai", folder)
    journal = folder / "actuals" / "main.beancount"
    with journal.open("a", encoding="utf-8") as file:
        file.write('2028-03-31 custom "yosan-settlement-note" "cf" "人件費支出" "nosuch" "注記"\n')
        file.write('2028-03-31 custom "yosan-settlement-note" "cf" "ない行" "hall" "注記"\n')
    segment, row = line_of(journal, '"nosuch"'), line_of(journal, '"ない行"')
    said = both_languages("check", "--no-cache", "--ledger", "main.beancount", cwd=journal.parent)
    assert said["ja_JP.UTF-8"].stderr.splitlines() == [
        f"main.beancount:{segment}: 事業 'nosuch' はありません: "
        "hall, water, common, total のいずれかです",
        f"main.beancount:{row}: 財務諸表 'cf' に行 'ない行' はありません",
        "main.beancount に誤りが 2 件あります",
    ]
    assert said["C"].stderr.splitlines() == [
        f"main.beancount:{segment}: Unknown segment 'nosuch': one of hall, water, common, total",
        f"main.beancount:{row}: No row 'ない行' in statement 'cf'",
        "2 errors in main.beancount",
    ]


def test_execution_of_a_budget_is_refused_in_the_locales_language():
    said = both_languages("report", "execution", "--ledger", SMALL, cwd=ROOT)
    assert said["ja_JP.UTF-8"].stderr.splitlines() == [
        f"使い方: {PROG} report [OPTIONS] [STATEMENT|TABLE]",
        f"'{PROG} report --help' でヘルプを表示できます。",
        "",
        'エラー: execution は実績の仕訳帳で使います: custom "yosan-actuals" '
        '"path/to/budget/main.beancount" を宣言する元帳です',
    ]
    assert said["C"].stderr.splitlines()[-1] == (
        "Error: execution is for an actual journal: a ledger that declares "
        'custom "yosan-actuals" "path/to/budget/main.beancount"'
    )
    assert {r.returncode for r in said.values()} == {2}


def test_a_foreign_plugin_and_a_folder_as_output_are_refused_in_the_locales_language(tmp_path):
    main = small_ledger_with(tmp_path / "small", '\nplugin "someone.elses"\n')
    (main.parent / "out").mkdir()
    where = f"main.beancount:{line_of(main, 'someone.elses')}"
    trust = both_languages(
        "check", "--no-foreign-plugins", "--ledger", "main.beancount", cwd=main.parent
    )
    assert trust["ja_JP.UTF-8"].stderr.splitlines() == [
        f'{where}: プラグイン "someone.elses" は yosan-ledger のもの（yosan_ledger.plugins.…）でも '
        "Beancount のもの（beancount.…）でもありません。"
        "ほかから来た Python のコードが実行されるため、--no-foreign-plugins により拒否しました",
        "main.beancount に誤りが 1 件あります",
    ]
    assert trust["C"].stderr.splitlines() == [
        f'{where}: plugin "someone.elses" is neither one of yosan-ledger\'s '
        "(yosan_ledger.plugins.…) nor one of Beancount's (beancount.…); refused by "
        "--no-foreign-plugins, as it would run Python code from elsewhere",
        "1 error in main.beancount",
    ]
    output = both_languages("report", "-o", "out", "--ledger", "main.beancount", cwd=main.parent)
    assert output["ja_JP.UTF-8"].stderr.splitlines()[-1] == (
        "エラー: out はフォルダです。-o にはファイル名を指定してください"
    )
    assert output["C"].stderr.splitlines()[-1] == "Error: out is a folder; give -o a file name"
    assert {r.returncode for r in output.values()} == {2}
    assert sorted(p.name for p in (main.parent / "out").iterdir()) == []


def test_clicks_own_words_follow_the_locale():
    said = both_languages("report", "--bogus", cwd=ROOT)
    assert said["ja_JP.UTF-8"].stderr.splitlines() == [
        f"使い方: {PROG} report [OPTIONS] [STATEMENT|TABLE]",
        f"'{PROG} report --help' でヘルプを表示できます。",
        "",
        "エラー: オプション '--bogus' はありません。",
    ]
    assert said["C"].stderr.splitlines() == [
        f"Usage: {PROG} report [OPTIONS] [STATEMENT|TABLE]",
        f"Try '{PROG} report --help' for help.",
        "",
        "Error: No such option '--bogus'.",
    ]
    assert {r.returncode for r in said.values()} == {2}
    extra = yosan_in("ja_JP.UTF-8", "segments", "one", "two", cwd=ROOT).stderr
    assert extra.splitlines()[-1] == "エラー: 余分な引数があります（one two）"


@pytest.mark.parametrize(
    ("command", "japanese"),
    [
        (
            "report",
            [
                "この補正（補正予算）までを反映した予算",
                "実績の仕訳帳: この日までの財務諸表と表",
                "実績の仕訳帳: 4月から3月まで月ごとの列。",
                "予算を比べる表: 同じ元帳のこの版（当初または補正予算）と比べる。",
                "元帳のほかの表を表示する: overview (予算の概要), advances",
            ],
        ),
        ("export", ["postings.parquet: 財務諸表のもとになる仕訳を一行に一つ", "取引の摘要"]),
        ("new", ["年度（始まる年の西暦で。令和9年度は 2027）"]),
        ("rollover", ["翌年度の元帳を書く新しいフォルダ（既にあれば拒否）。"]),
        ("fava", ["待ち受けるアドレス。", "待ち受けるポート。"]),
    ],
)
def test_the_newer_options_help_is_japanese(command, japanese):
    shown = yosan_in("ja_JP.UTF-8", command, "--help", cwd=ROOT)
    assert shown.returncode == 0
    # The help is wrapped at the terminal's width, Japanese between two characters.
    text = "".join(shown.stdout.split())
    for words in [*japanese, "使い方:", "オプション:", "このヘルプを表示して終了する。"]:
        assert "".join(words.split()) in text, words
    english = yosan_in("C", command, "--help", cwd=ROOT).stdout
    assert "Usage:" in english and "Show this message and exit." in english
    assert not re.search(r"[\u3040-\u30ff]", english.split("Options:")[1].replace("合計", ""))


def test_click_words_are_clicks_own_messages_and_translated():
    """The listed words are still what click looks up (a new click that rewords one
    shows here), and every one of them, plurals too, is in the compiled catalog."""
    import click

    from yosan_ledger.reports.command import click_words

    clicks = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            Path(click.__file__).parent, keywords={"_": None, "ngettext": (1, 2)}
        )
    }
    plurals = [tuple(m) for m in clicks if isinstance(m, tuple)]
    listed = [*click_words.WORDS]
    # "required" reaches gettext through a variable (core.py: extra["required"]).
    indirect = {"required"}
    core = (Path(click.__file__).parent / "core.py").read_text("utf-8")
    assert all(f'extra["{word}"] = "{word}"' in core for word in indirect)
    assert listed and set(listed) - indirect <= clicks, set(listed) - indirect - clicks
    catalog = entries(read_mo(COMPILED.open("rb")))
    for word in listed:
        assert catalog.get(word), word
    listed_plurals = [p for p in plurals if p[0] in click_words.PLURALS]
    assert len(listed_plurals) == len(click_words.PLURALS)
    for plural in listed_plurals:
        assert all(catalog.get(plural)), plural


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ja",
            '様式: pl.toml: `kind` は"balance", "flow", "cash" のいずれかで指定します'
            "（'flows' ではありません）",
        ),
        ("en", 'Layout: pl.toml: `kind` must be one of "balance", "flow", "cash", not \'flows\''),
    ],
)
def test_fava_shows_a_layout_error_in_favas_language(tmp_path, language, expected):
    ledger = small_ledger_with(
        tmp_path / "small",
        f'\n2016-04-01 custom "fava-option" "language" "{language}"\n'
        '2016-04-01 custom "fava-extension" "yosan_ledger.reports.fava_ext"\n',
    )
    layout = ledger.parent / "layouts" / "pl.toml"
    layout.write_text(layout.read_text("utf-8").replace('kind = "flow"', 'kind = "flows"'), "utf-8")
    client = create_app([str(ledger)], load=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    page = client.get(f"/{slug}/extension/YosanStatements/").get_data(as_text=True)
    assert expected in html.unescape(page)


COMMANDS = ["", "report", "export", "check", "segments", "new", "rollover", "fava"]


@pytest.mark.parametrize("lang", ["ja_JP.UTF-8", "C"])
def test_every_help_fits_eighty_columns_and_speaks_of_the_users_ledger(lang):
    """Help lines, Japanese ones too (two columns a character), fit a terminal of 80
    columns; no help names the FY2016 ledger's keys or J-LIS's words."""
    import unicodedata

    def columns(line: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

    for command in COMMANDS:
        shown = yosan_in(lang, *([command] if command else []), "--help", cwd=ROOT)
        assert shown.returncode == 0, shown.stderr
        wide = [line for line in shown.stdout.splitlines() if columns(line) > 80]
        assert wide == [], (command, wide)
        for word in ("FY2016", "J-LIS", "jpki", "一般事業", "平成28", "機構"):
            assert word not in shown.stdout, (command, word)


def test_bean_check_prints_the_rules_messages_in_the_locales_language():
    for lang, expected in (
        ("ja_JP.UTF-8", "宣言されていない事業タグ #gamma があります"),
        ("C", "Unknown segment tag #gamma; the declared segments are #alpha, #beta"),
    ):
        env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
        env["LANG"] = lang
        done = subprocess.run(
            [sys.executable, "-m", "beancount.scripts.check", "main.beancount"],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT / "tests" / "corpus" / "unknown-segment-tag",
            check=False,
        )
        assert done.returncode == 1 and expected in done.stdout + done.stderr, lang


def test_favas_errors_page_follows_favas_language(tmp_path, monkeypatch):
    """A ledger whose fava-option "language" is ja shows the rules' messages in
    Japanese on Fava's own Errors page, whatever the server's locale; without the
    option, in the locale's language."""
    from fava.core import FavaLedger

    source = (ROOT / "tests" / "corpus" / "unknown-segment-tag" / "main.beancount").read_text(
        "utf-8"
    )
    source = source.replace("../../ledgers/", f"{ROOT}/tests/ledgers/")
    extension = '2016-04-01 custom "fava-extension" "yosan_ledger.reports.fava_ext"\n'
    japanese = tmp_path / "ja.beancount"
    japanese.write_text(
        source + extension + '2016-04-01 custom "fava-option" "language" "ja"\n', "utf-8"
    )
    plain = tmp_path / "plain.beancount"
    plain.write_text(source + extension, "utf-8")
    monkeypatch.setenv("LANGUAGE", "en")
    messages = [str(e.message) for e in FavaLedger(str(japanese)).errors]
    assert any("宣言されていない事業タグ #gamma があります" in m for m in messages), messages
    messages = [str(e.message) for e in FavaLedger(str(plain)).errors]
    assert any("Unknown segment tag #gamma" in m for m in messages), messages
