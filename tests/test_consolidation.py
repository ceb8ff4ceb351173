"""`yosan consolidate`: the example town (examples/town, its settlement of 令和9年度), its
特別会計 and its 衛生組合 consolidated (examples/consolidation, figures made up), every
figure against a table worked out by hand, in every format; the errors of a declaration
and of ledgers that do not agree; an output that would replace an input refused; the
process pool and Spark give the same figures; DuckDB and Spark SQL run the one
combination query and agree."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.conftest import ROOT, passes_bean_check_and_fava, require, yosan
from yosan_ledger.plugins.core.units import UNITS
from yosan_ledger.reports.command.cli import consolidate as consolidate_command
from yosan_ledger.reports.consolidation import engines
from yosan_ledger.reports.consolidation.combine import COMBINATION, combine_with_duckdb
from yosan_ledger.reports.consolidation.dataset import write_dataset
from yosan_ledger.reports.consolidation.declaration import SCOPES, read_declaration
from yosan_ledger.reports.consolidation.run import (
    ConsolidationFailed,
    consolidate,
    ledger_works,
)
from yosan_ledger.reports.consolidation.tables import consolidation_tables
from yosan_ledger.reports.loading.ledger import load_ledger

EXAMPLES = ROOT / "examples"
EXAMPLE = EXAMPLES / "consolidation"
DECLARATION = EXAMPLE / "consolidation.toml"
TOWN = "../town/actuals/main.beancount"  # as the declaration names the town's journal
KUMIAI = "kumiai/actuals/main.beancount"
M = 1_000_000

# The hand table, in yen: (単純合算, 相殺消去, the scope's figure) per line, worked out from
# the journals' text (examples/town/actuals/*.beancount, whose settlement tests/test_town.py
# checks, and examples/consolidation/kumiai/actuals/journal.beancount).
#
# さくら町 一般会計 (ippan), 収入済額 and 支出済額 by 項, closing period included:
#   町民税 352,500,000 + 固定資産税 254,500,000 = 地方税 607,000,000; 地方交付税 3 × 320M =
#   960M; 国庫補助金 40M; 繰越金 80M; 雑入 1,234,567 + 765,433 = 2M; 町債 30M: 1,719M.
#   議会費 58M; 総務管理費 355,845,678 + 徴税費 51,400,000 = 総務費 407,245,678; 社会福祉費
#   562M (扶助費 412M and the 繰出金 to the 国保 2 × 75M = 150M, its hidden row); 清掃費 (the
#   衛生組合's 負担金) 2 × 30M = 60M; 道路橋りょう費 70M; 公債費 479,876,543; 予備費 0:
#   1,637,122,221.  差引 81,877,779.
# 国民健康保険特別会計 (kokuho): 国民健康保険税 180M; 県補助金 490M; 他会計繰入金 150M;
#   繰越金 25M: 845M.  総務管理費 12M; 療養諸費 824M: 836M.  差引 9M.
#   The town's 歳計現金 at the settlement: 81,877,779 + 9,000,000 = 90,877,779.
# さくら地区衛生組合 (eisei), taken at 40% (2/5): 負担金 さくら町 2 × 30M = 60M → 24M and the
#   others 2 × 45M = 90M → 36M; 手数料 10,876,545 + 11,111,110 = 21,987,655 → 8,795,062;
#   opening cash (its 繰越金) 50M → 20M; 衛生費: 人件費 2 × 27.5M + 物件費 34,567,890 +
#   35,308,655 + 施設 30M = 154,876,545 → 61,950,618; 公債費: 利息 4M + 償還 25M = 29M →
#   11.6M.  Cash: 50M + 171,987,655 − 183,876,545 = 38,111,110 → 15,244,444.
#   Its balance sheet: 施設 800M + 30M − 40M (減価償却) = 790M → 316M; 組合債 300M − 25M =
#   275M → 110M; 資本金 400M → 160M; 剰余金 150M + 3,111,110 (171,987,655 − 168,876,545)
#   = 153,111,110 → 61,244,444.
# Eliminations: 繰出金 ↔ 繰入金 150M (both at 100%) off 民生費 and 繰入金 wherever both 会計
#   are; the 負担金 60M at the smaller share, 40%: 24M off 衛生費 and 分担金及び負担金, in 連結.
JUNKEI_IPPAN = {
    "地方税": (607 * M, 0, 607 * M),
    "地方交付税": (960 * M, 0, 960 * M),
    "分担金及び負担金": (0, 0, 0),
    "使用料及び手数料": (0, 0, 0),
    "国庫支出金": (40 * M, 0, 40 * M),
    "都道府県支出金": (0, 0, 0),
    "繰入金": (0, 0, 0),
    "繰越金": (80 * M, 0, 80 * M),
    "諸収入": (2 * M, 0, 2 * M),
    "地方債": (30 * M, 0, 30 * M),
    "歳入合計": (1_719 * M, 0, 1_719 * M),
    "議会費": (58 * M, 0, 58 * M),
    "総務費": (407_245_678, 0, 407_245_678),
    "民生費": (562 * M, 0, 562 * M),  # the 繰出金 stays: 一般会計等 does not hold the 国保
    "衛生費": (60 * M, 0, 60 * M),
    "土木費": (70 * M, 0, 70 * M),
    "公債費": (479_876_543, 0, 479_876_543),
    "歳出合計": (1_637_122_221, 0, 1_637_122_221),
    "歳入歳出差引": (81_877_779, 0, 81_877_779),
}
JUNKEI_WHOLE = {
    "地方税": (787 * M, 0, 787 * M),  # + 国民健康保険税 180M
    "地方交付税": (960 * M, 0, 960 * M),
    "分担金及び負担金": (0, 0, 0),
    "使用料及び手数料": (0, 0, 0),
    "国庫支出金": (40 * M, 0, 40 * M),
    "都道府県支出金": (490 * M, 0, 490 * M),
    "繰入金": (150 * M, -150 * M, 0),
    "繰越金": (105 * M, 0, 105 * M),  # 80M + 25M
    "諸収入": (2 * M, 0, 2 * M),
    "地方債": (30 * M, 0, 30 * M),
    "歳入合計": (2_564 * M, -150 * M, 2_414 * M),
    "議会費": (58 * M, 0, 58 * M),
    "総務費": (419_245_678, 0, 419_245_678),  # + 12M
    "民生費": (1_386 * M, -150 * M, 1_236 * M),  # 562M + 療養諸費 824M
    "衛生費": (60 * M, 0, 60 * M),  # the 負担金 to the 組合, outside 全体
    "土木費": (70 * M, 0, 70 * M),
    "公債費": (479_876_543, 0, 479_876_543),
    "歳出合計": (2_473_122_221, -150 * M, 2_323_122_221),
    "歳入歳出差引": (90_877_779, 0, 90_877_779),  # the 歳計現金 of both 会計
}
JUNKEI_CONSOLIDATED = {
    **JUNKEI_WHOLE,
    "分担金及び負担金": (60 * M, -24 * M, 36 * M),  # 24M + 36M: the town's share taken off
    "使用料及び手数料": (8_795_062, 0, 8_795_062),
    "繰越金": (125 * M, 0, 125 * M),  # + 20M
    "歳入合計": (2_652_795_062, -174 * M, 2_478_795_062),
    "衛生費": (121_950_618, -24 * M, 97_950_618),  # 60M + 61,950,618
    "公債費": (491_476_543, 0, 491_476_543),  # + 11.6M
    "歳出合計": (2_546_672_839, -174 * M, 2_372_672_839),
    "歳入歳出差引": (106_122_223, 0, 106_122_223),  # 90,877,779 + 15,244,444
}
BS_CONSOLIDATED = {
    "現金預金": (106_122_223, 0, 106_122_223),  # 90,877,779 + 15,244,444
    "固定資産": (316 * M, 0, 316 * M),
    "資産合計": (422_122_223, 0, 422_122_223),
    "地方債等": (110 * M, 0, 110 * M),
    "負債合計": (110 * M, 0, 110 * M),
    "純資産": (312_122_223, 0, 312_122_223),  # 90,877,779 + 160M + 61,244,444
    "純資産合計": (312_122_223, 0, 312_122_223),
    "負債及び純資産合計": (422_122_223, 0, 422_122_223),
}
HAND = {
    ("一般会計等", "junkei"): JUNKEI_IPPAN,
    ("全体", "junkei"): JUNKEI_WHOLE,
    ("連結", "junkei"): JUNKEI_CONSOLIDATED,
    ("連結", "bs"): BS_CONSOLIDATED,
}
TITLES = {"junkei": "歳入歳出純計", "bs": "貸借対照表"}
# Lines only some entities have: not printed where all three figures are 0 (hide_zero).
HIDDEN_WHEN_ZERO = {"分担金及び負担金", "使用料及び手数料", "都道府県支出金", "繰入金"}


def printed(table: dict[str, tuple[int, int, int]]) -> dict[str, tuple[int, int, int]]:
    return {
        line: values
        for line, values in table.items()
        if not (line in HIDDEN_WHEN_ZERO and not any(values))
    }


def by_title() -> dict[str, dict[str, tuple[int, int, int]]]:
    """The hand table as printed, by the title of each table: 歳入歳出純計（連結） …"""
    return {f"{TITLES[statement]}（{scope}）": printed(t) for (scope, statement), t in HAND.items()}


@pytest.fixture(scope="module")
def example():
    return consolidate(read_declaration(DECLARATION), engines.in_process, cache=False)


def test_the_consolidated_figures_are_the_hand_table(example):
    layouts = example.declaration.layouts
    assert set(example.figures.frames) == set(HAND)
    for (scope, statement), expected in HAND.items():
        frame = example.figures.frames[(scope, statement)]
        labels = {layouts[statement].find(key).label: key for key in frame.index}
        assert set(labels) == set(expected), (scope, statement)
        for label, values in expected.items():
            assert tuple(frame.loc[labels[label]]) == values, (scope, statement, label)
    assert not example.figures.rounded


# The town's 款 (of either 会計) and the junkei line each feeds (the declaration maps 項).
BY_KAN = {
    "町税": "地方税",
    "国民健康保険税": "地方税",
    "地方交付税": "地方交付税",
    "国庫支出金": "国庫支出金",
    "県支出金": "都道府県支出金",
    "繰入金": "繰入金",
    "繰越金": "繰越金",
    "諸収入": "諸収入",
    "町債": "地方債",
    "議会費": "議会費",
    "総務費": "総務費",
    "民生費": "民生費",
    "保険給付費": "民生費",
    "衛生費": "衛生費",
    "土木費": "土木費",
    "公債費": "公債費",
    "予備費": None,  # left out: 0 in any settlement
}


def test_the_towns_part_is_its_settlement(example):
    """Another path to the town's side: in 一般会計等 and 全体 each line's 単純合算 is the
    settlement's 収入済額 or 支出済額 of the 款 it takes (plugins/core/settlement.py, per
    account, not the statements the consolidation reads), and the 全体's elimination is
    the 繰出金 節's 支出済額, which is the 国保's 繰入金 収入済額."""
    from yosan_ledger.plugins.core.settlement import settlement

    journal = load_ledger(EXAMPLES / "town" / "actuals" / "main.beancount", cache=False)
    settled = settlement(journal.entries)
    members = {"一般会計等": ("ippan",), "全体": ("ippan", "kokuho")}
    for scope, segments in members.items():
        expected: dict[str, int] = {}
        for segment in segments:
            for side, column in (("Income", "received"), ("Expenses", "paid")):
                rows = settled.rows(segment, side, 1)
                for row in rows[rows["section"] == ""].itertuples():
                    line = BY_KAN.get(row.label)
                    if line is not None:
                        expected[line] = expected.get(line, 0) + int(getattr(row, column))
        frame = example.figures.frames[(scope, "junkei")]
        layout = example.declaration.layouts["junkei"]
        lines = [row for row in map(layout.find, frame.index) if row.kind == "line"]
        assert {row.label for row in lines} >= set(expected)
        for row in lines:
            assert frame.loc[row.key, "simple_sum"] == expected.get(row.label, 0), (scope, row)
    details = settled.rows("ippan", "Expenses", 4)
    transfer = int(details[details["label"] == "繰出金"].iloc[0]["paid"])
    revenue = settled.rows("kokuho", "Income", 2)
    received = int(revenue[revenue["label"] == "他会計繰入金"].iloc[0]["received"])
    assert transfer == received == 150 * M
    frame = example.figures.frames[("全体", "junkei")]
    assert frame.loc["歳出/民生費", "eliminations"] == -transfer


def figures_of_text(text: str) -> dict[str, dict[str, tuple[int, int, int]]]:
    """Each table's rows as the text (or pdftotext) shows them: label, three figures."""
    found: dict[str, dict[str, tuple[int, int, int]]] = {}
    titles = set(by_title())
    current = None
    number = r"(▲?[\d,]+)"
    for line in text.splitlines():
        stripped = line.strip().strip("\f")
        if stripped in titles:
            current = found.setdefault(stripped, {})
            continue
        match = re.fullmatch(rf"[\s　]*(\S+)\s+{number}\s+{number}\s+{number}\s*", line)
        if match and current is not None:
            values = [int(v.replace("▲", "-").replace(",", "")) for v in match.groups()[1:]]
            current[match.group(1).lstrip("　")] = tuple(values)
    return found


class Rows(HTMLParser):
    """Each table's rows of figures, by the table's title (its <h2>)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, dict[str, tuple[int, ...]]] = {}
        self.title: str | None = None
        self.cells: list[str] | None = None
        self.text: str | None = None
        self.heading = False

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3"):
            self.heading, self.text = True, ""
        elif tag == "tr" and "data-ref" in dict(attrs):
            self.cells = []
        elif tag in ("td", "th") and self.cells is not None:
            self.text = ""

    def handle_data(self, data):
        if self.text is not None:
            self.text += data

    def handle_endtag(self, tag):
        if self.heading and tag in ("h1", "h2", "h3"):
            if self.text.strip() in by_title():
                self.title = self.text.strip()
            self.heading, self.text = False, None
        elif tag in ("td", "th") and self.cells is not None:
            self.cells.append(self.text.strip())
            self.text = None
        elif tag == "tr" and self.cells is not None:
            label, *values = self.cells
            if len(values) == 3 and all(values) and self.title:  # not a heading
                figures = tuple(int(v.replace("▲", "-").replace(",", "")) for v in values)
                self.tables.setdefault(self.title, {})[label] = figures
            self.cells = None


def test_every_format_prints_the_hand_table(tmp_path):
    expected = by_title()
    args = ["consolidate", DECLARATION, "--unit", "yen", "--no-cache"]
    text = yosan(*args)
    assert text.exit_code == 0, text.stderr
    assert figures_of_text(text.stdout) == expected

    csv = yosan(*args, "--format", "csv")
    assert csv.exit_code == 0, csv.stderr
    rows = csv.rows()
    assert list(rows[0]) == [
        "scope",
        "statement",
        "section",
        "line",
        "simple_sum",
        "eliminations",
        "consolidated",
        "unit",
    ]
    from_csv: dict[str, dict[str, tuple[int, ...]]] = {}
    for row in rows:
        title = f"{TITLES[row['statement']]}（{row['scope']}）"
        values = (row["simple_sum"], row["eliminations"], row["consolidated"])
        from_csv.setdefault(title, {})[row["line"]] = tuple(map(int, values))
    assert from_csv == expected

    html = tmp_path / "c.html"
    assert yosan(*args, "-o", html).exit_code == 0
    parser = Rows()
    parser.feed(html.read_text(encoding="utf-8"))
    assert parser.tables == expected

    xlsx = tmp_path / "c.xlsx"
    assert yosan(*args, "-o", xlsx).exit_code == 0
    book = openpyxl.load_workbook(xlsx)
    from_book = {}
    for sheet in book.worksheets:
        cells = [[c.value for c in row] for row in sheet.iter_rows()]
        title = next(v for row in cells for v in row if v in expected)
        from_book[title] = {
            row[0].strip().lstrip("　"): tuple(row[1:4])
            for row in cells
            if row[0] and all(isinstance(v, int) for v in row[1:4])
        }
    assert from_book == expected

    pdf = tmp_path / "c.pdf"
    made = yosan(*args, "-o", pdf)
    if made.exit_code != 0:
        require(f"the PDF cannot be made here: {made.stderr}")
    pdftotext = shutil.which("pdftotext")
    require(None if pdftotext else "pdftotext is missing: apt-get install poppler-utils")
    read = subprocess.run([pdftotext, "-layout", pdf, "-"], capture_output=True, text=True)
    assert figures_of_text(read.stdout) == expected


def test_a_unit_rounds_each_figure_on_its_own_and_says_so():
    result = yosan("consolidate", DECLARATION, "--scope", "連結", "--unit", "million")
    assert result.exit_code == 0, result.stderr
    tables = figures_of_text(result.stdout)
    # 121,950,618 − 24,000,000 = 97,950,618 yen: 122, ▲24, 98 百万円, each rounded on its own
    assert tables["歳入歳出純計（連結）"]["衛生費"] == (122, -24, 98)
    assert tables["歳入歳出純計（連結）"]["使用料及び手数料"] == (9, 0, 9)  # 8,795,062 yen
    assert set(tables) == {"歳入歳出純計（連結）", "貸借対照表（連結）"}
    assert "単純合算と相殺消去の和が連結の額と一致しない場合がある" in result.stdout


def test_the_process_pool_gives_the_same_figures(example):
    pooled = consolidate(read_declaration(DECLARATION), engines.on_processes(2), cache=False)
    for key, frame in example.figures.frames.items():
        assert pooled.figures.frames[key].equals(frame), key


def spark_or_skip():
    """A local Spark of two cores, where pyspark and Java are installed (in CI they are)."""
    missing = None
    if importlib.util.find_spec("pyspark") is None:
        missing = "pyspark is not installed: pip install -e '.[spark]'"
    elif shutil.which("java") is None:
        missing = "Java is not installed: apt-get install default-jre-headless"
    require(missing)
    return engines.spark_session("local[2]")


def test_spark_runs_the_per_ledger_step_and_its_sql_agrees_with_duckdb(example, tmp_path):
    session = spark_or_skip()
    declaration = read_declaration(DECLARATION)
    on_spark = consolidate(declaration, engines.on_spark("local[2]"), cache=False)
    for key, frame in example.figures.frames.items():
        assert on_spark.figures.frames[key].equals(frame), key
    # The one query, on the same dataset, in Spark SQL and in DuckDB.
    from yosan_ledger.reports.consolidation.combine import combine_with_spark

    results = engines.in_process(ledger_works(declaration, cache=False))
    write_dataset([r for result in results for r in result.rows], tmp_path / "dataset")
    by_duckdb = combine_with_duckdb(tmp_path / "dataset")
    by_spark = combine_with_spark(session, tmp_path / "dataset")
    assert by_spark == by_duckdb
    assert by_duckdb[("連結", "junkei", "歳出/衛生費")] == (
        121_950_618 * 5,  # in fifths of a yen: the shares' common denominator is 5
        -24 * M * 5,
        97_950_618 * 5,
    )


def test_the_command_runs_on_a_local_spark_cluster():
    spark_or_skip()
    result = yosan("consolidate", DECLARATION, "--cluster", "local[2]", "--unit", "yen")
    assert result.exit_code == 0, result.stderr
    assert figures_of_text(result.stdout) == by_title()


def test_the_dataset_is_partitioned_by_scope_and_entity(tmp_path):
    dataset = tmp_path / "dataset"
    assert yosan("consolidate", DECLARATION, "--dataset", dataset).exit_code == 0
    files = sorted(str(p.relative_to(dataset)) for p in dataset.rglob("*.parquet"))
    assert files == [
        "scope=一般会計等/entity=ippan/figures.parquet",
        "scope=全体/entity=kokuho/figures.parquet",
        "scope=連結/entity=eisei/figures.parquet",
    ]
    # The 組合's own figure, before its share: 組合債 275,000,000 yen of its balance sheet.
    amount = duckdb.sql(
        f"SELECT amount, weight FROM read_parquet('{dataset}/**/*.parquet', "
        "hive_partitioning = true) WHERE entity = 'eisei' AND kind = 'line' "
        "AND statement = 'bs' AND line = '負債の部/地方債等'"
    ).fetchall()
    assert amount == [(275 * M, 2)]  # 2/5 of the common denominator 5
    again = yosan("consolidate", DECLARATION, "--dataset", dataset)
    assert again.exit_code == 2 and "exists" in again.stderr
    nowhere = yosan("consolidate", DECLARATION, "--dataset", tmp_path / "no" / "dataset")
    assert nowhere.exit_code == 2 and "there is no folder" in nowhere.stderr


@pytest.mark.parametrize("ledger", ["kumiai/main.beancount", KUMIAI])
def test_the_examples_ledgers_say_they_are_made_up_and_pass_bean_check_and_fava(ledger):
    path = EXAMPLE / ledger
    assert "MADE-UP FIGURES" in path.read_text(encoding="utf-8").splitlines()[0]
    text = passes_bean_check_and_fava(path, "YosanStatements/?by_segment=1")
    assert 'class="yosan-errors"' not in text
    first = DECLARATION.read_text(encoding="utf-8").splitlines()[0]
    assert "MADE-UP FIGURES" in first


def test_the_scopes_of_the_command_are_the_declarations():
    scope = next(p for p in consolidate_command.params if p.name == "scope")
    assert tuple(scope.type.choices) == SCOPES
    assert "SELECT" in COMBINATION


# Errors -------------------------------------------------------------------------------


def copy_example(tmp_path: Path) -> Path:
    """A copy of the example and of the town it reads (../town), side by side as they are."""
    for name in ("consolidation", "town"):
        shutil.copytree(
            EXAMPLES / name,
            tmp_path / "examples" / name,
            ignore=shutil.ignore_patterns("*.picklecache"),
        )
    return tmp_path / "examples" / "consolidation"


def edited(tmp_path: Path, old: str, new: str, file: str = "consolidation.toml") -> Path:
    """The copy's declaration, ``file`` (relative to it) edited: its first ``old`` made ``new``."""
    folder = copy_example(tmp_path)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder / "consolidation.toml"


def failed(declaration: Path, tmp_path: Path) -> list[str]:
    """Every error line of a run that must fail: exit 1, no traceback, nothing written."""
    output = tmp_path / "out.xlsx"
    result = yosan("consolidate", declaration, "--no-cache", "-o", output)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.exception is None and "Traceback" not in result.stderr
    assert not output.exists()
    lines = result.stderr.splitlines()
    assert re.fullmatch(r"\d+ errors? in .*consolidation\.toml", lines[-1]), lines[-1]
    return lines[:-1]


def line_of(declaration: Path, text: str) -> int:
    lines = declaration.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


@pytest.mark.parametrize(
    "target",
    [
        "consolidation.toml",
        "layouts/junkei.toml",
        "kumiai/actuals/journal.beancount",
        "kumiai/layouts/cf.toml",
        "../town/actuals/main.beancount",
        "../town/accounts.beancount",
    ],
    ids=["declaration", "layout", "ledger-include", "ledgers-layout", "ledger", "budgets-include"],
)
def test_an_output_that_is_an_input_is_refused_and_nothing_is_written(tmp_path, target):
    """As `yosan report` refuses -o main.beancount: the declaration, its layouts and every
    file any ledger reads (a journal's include, the budget it names, their layouts)."""
    declaration = copy_example(tmp_path) / "consolidation.toml"
    path = (declaration.parent / target).resolve()
    before = path.read_bytes()
    dataset = tmp_path / "dataset"
    result = yosan("consolidate", declaration, "--format", "csv", "-o", path, "--dataset", dataset)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert f"-o {path} is {path}, a file the consolidation reads" in result.stderr
    assert path.read_bytes() == before
    assert not dataset.exists()


def test_the_declarations_own_files_are_refused_before_any_ledger_loads(tmp_path):
    """A broken ledger would fail the run (exit 1): -o naming the declaration is refused
    first, without loading it."""
    declaration = edited(
        tmp_path,
        "  Income:6-収益:63-ごみ処理手数料\n",
        "  Income:6-収益:63-ごみ処理手数料   -1 JPY\n",
        "kumiai/actuals/journal.beancount",
    )
    result = yosan("consolidate", declaration, "--format", "csv", "-o", declaration)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "a file the consolidation reads" in result.stderr
    assert "does not balance" not in result.stderr


def test_a_hard_link_to_an_input_is_refused(tmp_path):
    declaration = copy_example(tmp_path) / "consolidation.toml"
    journal = declaration.parent / "kumiai" / "actuals" / "journal.beancount"
    link = tmp_path / "figures.csv"
    link.hardlink_to(journal)
    before = journal.read_bytes()
    result = yosan("consolidate", declaration, "-o", link)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert f"-o {link} is {journal}, a file the consolidation reads" in result.stderr
    assert journal.read_bytes() == before


def test_an_output_beside_the_inputs_is_written(tmp_path):
    declaration = copy_example(tmp_path) / "consolidation.toml"
    output = declaration.parent / "連結.csv"
    result = yosan("consolidate", declaration, "--unit", "yen", "-o", output)
    assert result.exit_code == 0, result.stderr
    assert "衛生費" in output.read_text(encoding="utf-8")


def test_a_mismatched_pair_names_both_ledgers_and_the_difference(tmp_path):
    """The 組合 books 20,000,000 yen of the town's second 30,000,000: the pair is 10,000,000
    apart."""
    declaration = edited(
        tmp_path,
        "  Assets:1-流動資産:11-現金預金               30000000 JPY\n"
        "  Income:6-収益:61-さくら町負担金",
        "  Assets:1-流動資産:11-現金預金               20000000 JPY\n"
        "  Income:6-収益:61-さくら町負担金",
        "kumiai/actuals/journal.beancount",
    )
    [error] = failed(declaration, tmp_path)
    where = line_of(declaration, 'name = "衛生組合への負担金')
    assert error == (
        f"{declaration}:{where - 1}: elimination '衛生組合への負担金（負担金の支出 ↔ 収入）' "
        f"does not match: ippan ({TOWN}) budget:清掃費 is 60,000,000 yen, "
        f"eisei ({KUMIAI}) cf:さくら町負担金収入 is 50,000,000 yen "
        "(difference +10,000,000)"
    )


def test_an_unmapped_line_names_the_ledger_the_line_the_figure_and_the_statement(tmp_path):
    declaration = edited(tmp_path, '"budget:療養諸費" = "民生費"\n', "")
    [error] = failed(declaration, tmp_path)
    where = line_of(declaration, "[correspondence.town.junkei.lines]")
    assert error == (
        f"{declaration}:{where}: entity 'kokuho' ({TOWN}): "
        "'budget:保険給付費/療養諸費' is 824,000,000 yen and feeds no line of junkei: map it "
        "under [correspondence.town.junkei.lines], or leave it out"
    )


def test_a_row_taken_twice_would_count_twice(tmp_path):
    declaration = edited(
        tmp_path,
        '"budget:町民税" = "地方税"\n',
        '"budget:町民税" = "地方税"\n"budget:町税計" = "地方税"\n',
    )
    errors = failed(declaration, tmp_path)
    # 町税計 takes 町民税 and 固定資産税 again, for each 会計 (kokuho's are 0, but taken too).
    assert len(errors) == 4
    assert any(
        f"entity 'kokuho' ({TOWN}): 'budget:町税計' and 'budget:町民税' both take "
        "'budget:町税/町民税' into junkei: its figure would count twice" in e
        for e in errors
    ), errors


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        (
            'scope = "全体"',
            'scope = "全部"',
            'scope = "全部"',
            'entities[1]: `scope` must be one of "一般会計等", "全体", "連結", not \'全部\'',
        ),
        (
            'share = "40%"',
            'share = "140%"',
            'share = "140%"',
            "entities[2]: `share` must be a share above 0 and at most 1",
        ),
        ('share = "40%"', "share = 0.4", "share = 0.4", "`share` must be a share"),
        (
            'correspondence = "kumiai"',
            'corespondence = "kumiai"',
            "corespondence",
            "entities[2]: unknown key `corespondence`; allowed here: key, name, ledger",
        ),
        (
            '"cf:施設整備費支出" = "衛生費"',
            '"cf:施設整備費支出" = "清掃費"',
            '"cf:施設整備費支出"',
            "'清掃費' is no line of 歳入歳出純計 (junkei): one of 地方税, 地方交付税",
        ),
        (
            '"cf:組合債償還金" = "公債費"',
            '"cf:組合債償還金" = "歳出合計"',
            '"cf:組合債償還金"',
            "'歳出合計' is no line of 歳入歳出純計",
        ),
        (
            '"cf:手数料収入" = "使用料及び手数料"',
            '"手数料収入" = "使用料及び手数料"',
            '"手数料収入" =',
            "'手数料収入': name a row of the entity's ledger as \"statement:row\"",
        ),
        (
            '"連結" = ["junkei", "bs"]',
            '"連結" = ["junkei", "pl"]',
            '"連結" =',
            "'pl' is no consolidated statement: one of junkei, bs",
        ),
        (
            '{ entity = "eisei", row = "cf:さくら町負担金収入" }',
            '{ entity = "eisel", row = "cf:さくら町負担金収入" }',
            '"eisel"',
            "elimination '衛生組合への負担金（負担金の支出 ↔ 収入）': no entity 'eisel'",
        ),
        (
            f'ledger = "{KUMIAI}"',
            'ledger = "kumiai/actuals/main.bean"',
            'ledger = "kumiai/actuals/main.bean"',
            "entity 'eisei': no such ledger: kumiai/actuals/main.bean (relative to this file)",
        ),
        (
            'key = "kokuho"',
            'key = "ippan"',
            'key = "ippan"\nname = "国民',
            "entity 'ippan' is declared twice",
        ),
        (
            '"cf:手数料収入" = "使用料及び手数料"',
            '"cf:手数料収入" = 5',
            '"cf:手数料収入" = 5',
            "correspondence.kumiai.junkei.lines: `cf:手数料収入` must be a text in quotes, not 5",
        ),
        (
            "[correspondence.kumiai.bs.lines]",
            "[correspondence.kumiai.bs.line]",
            "[correspondence.kumiai.bs.line]",
            "correspondence.kumiai.bs: unknown key `line`; allowed here: lines, leave_out",
        ),
    ],
    ids=[
        "unknown-scope",
        "share-above-one",
        "share-a-float",
        "unknown-key",
        "unknown-line",
        "a-total-as-line",
        "row-without-statement",
        "unknown-statement",
        "unknown-entity",
        "no-such-ledger",
        "entity-twice",
        "a-figure-for-a-line",
        "lines-misspelt",
    ],
)
def test_the_declaration_is_checked_at_the_line_of_each_value(tmp_path, old, new, at, message):
    declaration = edited(tmp_path, old, new)
    [error] = failed(declaration, tmp_path)
    text = declaration.read_text(encoding="utf-8")
    where = text[: text.index(at)].count("\n") + 1
    assert error.startswith(f"{declaration}:{where}: "), error
    assert message in error


def test_what_only_the_ledger_knows_is_said_at_the_declarations_line(tmp_path):
    declaration = edited(tmp_path, '"budget:町民税" = "地方税"', '"budget:町県民税" = "地方税"')
    errors = failed(declaration, tmp_path)
    where = line_of(declaration, '"budget:町県民税"')
    assert (
        f"{declaration}:{where}: entity 'ippan' ({TOWN}): 歳入歳出予算 (budget) "
        "has no row '町県民税'"
    ) in errors
    # and 町民税 is then a row with a figure that feeds no line of junkei
    assert any(
        f"entity 'ippan' ({TOWN}): 'budget:町税/町民税' is 352,500,000 yen" in e for e in errors
    ), errors


def test_an_unknown_segment_names_the_ledgers_segments(tmp_path):
    declaration = edited(tmp_path, 'segment = "kokuho"', 'segment = "kokumin"')
    [error] = failed(declaration, tmp_path)
    where = line_of(declaration, 'segment = "kokumin"')
    assert error == (
        f"{declaration}:{where}: entity 'kokuho': {TOWN} has no segment "
        "'kokumin': one of ippan, kokuho"
    )


def test_a_ledger_with_errors_fails_the_consolidation_with_its_own(tmp_path):
    declaration = edited(
        tmp_path,
        "  Income:6-収益:63-ごみ処理手数料\n",
        "  Income:6-収益:63-ごみ処理手数料   -1 JPY\n",
        "kumiai/actuals/journal.beancount",
    )
    errors = failed(declaration, tmp_path)
    assert any(
        "kumiai/actuals/journal.beancount" in e and "does not balance" in e for e in errors
    ), errors


def test_a_correspondence_onto_the_wrong_side_breaks_the_layouts_check(tmp_path):
    declaration = edited(tmp_path, '"bs:組合債" = "地方債等"', '"bs:組合債" = "現金預金"')
    [error] = failed(declaration, tmp_path)
    # 422,122,223 + 110,000,000 of 組合債 on the assets' side, and off the other
    assert error.endswith(
        "貸借対照表 (連結, simple_sum): 資産合計 is 532,122,223 yen but 負債及び純資産合計 is "
        "312,122,223 yen: a correspondence feeds a line of the wrong side"
    )
    assert "layouts/bs.toml:" in error


def test_a_pair_whose_rows_share_no_statement_eliminates_nothing(tmp_path):
    declaration = edited(
        tmp_path,
        '{ entity = "eisei", row = "cf:さくら町負担金収入" }',
        '{ entity = "eisei", row = "pl:さくら町負担金" }',  # the same 60,000,000 yen
    )
    [error] = failed(declaration, tmp_path)
    assert "feed no consolidated statement in common; it would eliminate nothing" in error


def test_a_share_below_one_is_exact_until_each_figure_is_rounded(tmp_path):
    """At 1/7, the 組合's figures are fractions of a yen: each consolidated figure is the
    exact sum rounded half-up on its own, worked out here from the ledgers' own figures."""
    declaration = edited(tmp_path, 'share = "40%"', 'share = "1/7"')
    result = consolidate(read_declaration(declaration), engines.in_process, cache=False)
    town = load_ledger(declaration.parent / TOWN, cache=False).statements
    kumiai = load_ledger(declaration.parent / KUMIAI, cache=False).statements

    def rounded(value: Fraction) -> int:
        whole = int(abs(value) + Fraction(1, 2))
        return whole if value >= 0 else -whole

    cash = town.figure("cash:歳計現金") + Fraction(kumiai.figure("bs:現金預金"), 7)
    assets = cash + Fraction(kumiai.figure("bs:施設"), 7)
    frame = result.figures.frames[("連結", "bs")]
    assert frame.loc["資産の部/現金預金", "consolidated"] == rounded(cash)  # 96,322,223.29
    assert frame.loc["資産の部/資産合計", "consolidated"] == rounded(assets)
    balanced = frame.loc["負債及び純資産合計", "consolidated"]
    assert balanced == frame.loc["資産の部/資産合計", "consolidated"]
    # The members' 負担金 at 1/7, less the town's (paid at 1, received at 1/7) at 1/7:
    # 21,428,571.43 − 8,571,428.57 = 12,857,142.86, each rounded on its own.
    received = Fraction(kumiai.figure("cf:さくら町負担金収入"), 7)
    others = Fraction(kumiai.figure("cf:その他負担金収入"), 7)
    paid = Fraction(town.figure("budget:清掃費", "ippan"), 7)
    contributions = result.figures.frames[("連結", "junkei")].loc["歳入/分担金及び負担金"]
    assert tuple(contributions) == (
        rounded(received + others),
        -rounded(paid),
        rounded(received + others - paid),
    )
    assert tuple(contributions) == (21_428_571, -8_571_429, 12_857_143)  # 1 yen apart
    assert result.figures.rounded
    [table] = [
        t for t in consolidation_tables(result, UNITS["yen"], scope="連結") if t.statement == "bs"
    ]
    assert "持分割合を乗じて円未満を四捨五入" in table.notes[-1]


def test_an_unreadable_declaration_is_one_line(tmp_path):
    path = tmp_path / "consolidation.toml"
    path.write_text('title = "x"\n[scopes\n', encoding="utf-8")
    [error] = failed(path, tmp_path)
    assert error.startswith(f"{path}:2: not valid TOML")
    missing = yosan("consolidate", tmp_path / "none.toml")
    assert missing.exit_code == 1 and "no such declaration" in missing.stderr


def test_consolidate_fails_cleanly_without_raising_in_the_library(tmp_path):
    declaration = edited(tmp_path, '"budget:療養諸費" = "民生費"\n', "")
    with pytest.raises(ConsolidationFailed) as failure:
        consolidate(read_declaration(declaration), engines.in_process, cache=False)
    assert len(failure.value.issues) == 1


# The benchmark's ledgers ----------------------------------------------------------------


def test_the_benchmarks_ledgers_consolidate_to_the_sums_of_their_postings(tmp_path):
    """benchmarks/consolidate.py: every generated ledger loads clean, and the
    consolidation adds them up as a sum taken straight from the parsed postings
    (Beancount's parser, no plugin) says: 1/2 for the 連結 entities, and each 繰出金
    of an even entity eliminated against the next one's 繰入金 at 1/2 in 連結."""
    from beancount.parser import parser

    from benchmarks import consolidate as bench

    count = 7  # an odd count: the last 繰出金 goes outside the consolidation
    transactions = bench.generate(count, tmp_path / "ledgers", seed=5)
    assert transactions == sum(bench.SIZES[:count])
    result = consolidate(
        read_declaration(tmp_path / "ledgers" / "consolidation.toml"),
        engines.on_processes(2),
        cache=False,
    )
    posted: list[dict[str, int]] = []
    for index in range(count):
        path = tmp_path / "ledgers" / "entities" / bench.entity_key(index) / "main.beancount"
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("; MADE-UP FIGURES")
        entries, errors, _options = parser.parse_file(str(path))
        assert not errors
        sums: dict[str, int] = {}
        for entry in entries:
            postings = getattr(entry, "postings", ())
            given = [int(p.units.number) for p in postings if hasattr(p.units, "number")]
            for posting in postings:  # the one left without an amount balances the others
                amount = int(posting.units.number) if hasattr(posting.units, "number") else None
                amount = -sum(given) if amount is None else amount
                sums[posting.account] = sums.get(posting.account, 0) + amount
        posted.append(sums)
    shares = [Fraction(1, 2) if bench.scope_of(i) == "連結" else 1 for i in range(count)]
    half = Fraction(1, 2)

    def yen(value: Fraction) -> int:
        return int(value + half) if value >= 0 else -int(-value + half)

    for scope in SCOPES:
        members = [
            i for i in range(count) if SCOPES.index(bench.scope_of(i)) <= SCOPES.index(scope)
        ]
        frame = result.figures.frames[(scope, "junkei")]
        taxes = sum(-shares[i] * posted[i].get(bench.REVENUE["税"], 0) for i in members)
        assert frame.loc["歳入/地方税", "simple_sum"] == yen(taxes), scope
        paid = sum(shares[i] * posted[i].get(bench.TRANSFER_OUT, 0) for i in members)
        eliminated = sum(
            min(shares[i], shares[i + 1]) * posted[i][bench.TRANSFER_OUT]
            for i in range(0, count - 1, 2)
            if i in members and i + 1 in members
        )
        assert tuple(frame.loc["歳出/繰出金"]) == (
            yen(paid),
            -yen(eliminated),
            yen(paid - eliminated),
        )


def test_ledgers_of_different_years_are_not_added_up():
    import dataclasses
    import datetime

    from yosan_ledger.reports.consolidation.run import _agreement

    declaration = read_declaration(DECLARATION)
    results = engines.in_process(ledger_works(declaration, cache=False))
    assert _agreement(declaration, results) == []
    kumiai = next(r for r in results if r.ledger == declaration.entity("eisei").ledger)
    later = dataclasses.replace(
        kumiai.budget, start=datetime.date(2028, 4, 1), end=datetime.date(2029, 3, 31)
    )
    moved = [dataclasses.replace(r, budget=later) if r is kumiai else r for r in results]
    [issue] = _agreement(declaration, moved)
    assert issue.lineno == declaration.entity("eisei").place.lineno
    assert str(issue.message) == (
        f"entity 'eisei' ({KUMIAI}): its year 2028-04-01 – 2029-03-31 is not that "
        "of 'ippan' (2027-04-01 – 2028-03-31); a consolidation adds up one year"
    )


def test_a_sum_beyond_int64_is_an_error_never_a_wrapped_figure():
    from yosan_ledger.reports.consolidation.combine import consolidated_figures

    declaration = read_declaration(DECLARATION)
    huge = 5 * 2**63  # parts of a yen: 2**63 yen, one more than int64 holds
    figures, issues = consolidated_figures(
        declaration, {("連結", "bs", "資産の部/現金預金"): (huge, 0, huge)}
    )
    assert [str(i.message) for i in issues][:1] == [
        "貸借対照表 (連結): 現金預金 adds up to more than a statement can hold"
    ]
