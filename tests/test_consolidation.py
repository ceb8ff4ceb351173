"""`yosan consolidate`: the example town, its 特別会計 and its 衛生組合 consolidated
(examples/consolidation, figures made up), every figure against a table worked out
by hand, in every format; the errors of a declaration and of ledgers that do not
agree; the process pool and Spark give the same figures; DuckDB and Spark SQL run
the one combination query and agree."""

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

EXAMPLE = ROOT / "examples" / "consolidation"
DECLARATION = EXAMPLE / "consolidation.toml"

# The hand table, in 百万円 (every figure of the example is whole millions of yen):
# (単純合算, 相殺消去, the scope's figure) per line.
#
# さくら町 一般会計 (ippan): 歳入 町民税 1,200, 固定資産税 800, 地方交付税 1,500, 国庫負担金
# 300, 町債 200 (4,000); 歳出 総務管理費 1,200, 社会福祉費 1,600, 衛生組合負担金 400,
# 公債費 350, 衛生組合貸付金 100, 国保繰出金 250 (3,900); 歳計現金 100 + 100 = 200.
# 国民健康保険特別会計 (kokuho): 国民健康保険税 300, 国庫負担金 450, 一般会計繰入金 250
# (1,000); 総務管理費 30, 療養諸費 950 (980); 歳計現金 20 + 20 = 40.
# さくら地区衛生組合 (eisei), taken at 40%: 負担金 さくら町 400 and others 600, 手数料 100,
# 借入金 100 from the town; 人件費 300, 物件費 450, 利息 10, 施設 250, 組合債償還 150;
# 減価償却 120 (no cash).  At 40%: 160 + 240, 40, 40; 120, 180, 4, 100, 60.
# Its balance sheet at 40%: 現金預金 90 → 36, 施設 2,130 → 852, 組合債 650 → 260,
# 借入金 100 → 40, 出資金 1,000 → 400, 剰余金 250 + 220 = 470 → 188.
# Eliminations: 繰出金 ↔ 繰入金 250 (both at 100%) wherever both 会計 are; 負担金 400 and
# 貸付金 100 at the smaller share, 40%: 160 and 40, in 連結 only.
JUNKEI_IPPAN = {
    "地方税": (2_000, 0, 2_000),  # 1,200 + 800
    "地方交付税": (1_500, 0, 1_500),
    "国庫支出金": (300, 0, 300),
    "繰入金": (0, 0, 0),
    "地方債": (200, 0, 200),
    "歳入合計": (4_000, 0, 4_000),
    "総務費": (1_200, 0, 1_200),
    "民生費": (1_600, 0, 1_600),
    "衛生費": (400, 0, 400),
    "公債費": (350, 0, 350),
    "諸支出金": (100, 0, 100),
    "繰出金": (250, 0, 250),  # to the 特別会計, which 一般会計等 does not hold
    "歳出合計": (3_900, 0, 3_900),
    "歳入歳出差引": (100, 0, 100),
}
JUNKEI_WHOLE = {
    "地方税": (2_300, 0, 2_300),  # + 国民健康保険税 300
    "地方交付税": (1_500, 0, 1_500),
    "国庫支出金": (750, 0, 750),  # 300 + 450
    "繰入金": (250, -250, 0),
    "地方債": (200, 0, 200),
    "歳入合計": (5_000, -250, 4_750),
    "総務費": (1_230, 0, 1_230),
    "民生費": (2_550, 0, 2_550),  # 1,600 + 療養諸費 950
    "衛生費": (400, 0, 400),
    "公債費": (350, 0, 350),
    "諸支出金": (100, 0, 100),
    "繰出金": (250, -250, 0),
    "歳出合計": (4_880, -250, 4_630),
    "歳入歳出差引": (120, 0, 120),
}
SHIKIN_WHOLE = {
    "人件費支出": (0, 0, 0),
    "物件費等支出": (1_230, 0, 1_230),  # 総務管理費 1,200 + 30
    "支払利息支出": (0, 0, 0),
    "補助金等支出": (400, 0, 400),  # 負担金 to the 組合, outside 全体
    "社会保障給付支出": (2_550, 0, 2_550),
    "他会計への繰出支出": (250, -250, 0),
    "業務支出合計": (4_430, -250, 4_180),
    "税収等収入": (3_800, 0, 3_800),  # 1,200 + 800 + 1,500 + 300
    "国県等補助金収入": (750, 0, 750),
    "使用料及び手数料収入": (0, 0, 0),
    "その他の収入": (250, -250, 0),
    "業務収入合計": (4_800, -250, 4_550),
    "業務活動収支": (370, 0, 370),
    "公共施設等整備費支出": (0, 0, 0),
    "貸付金支出": (100, 0, 100),
    "投資活動支出合計": (100, 0, 100),
    "投資活動収支": (-100, 0, -100),
    "地方債等償還支出": (350, 0, 350),
    "財務活動支出合計": (350, 0, 350),
    "地方債等発行収入": (200, 0, 200),
    "借入金収入": (0, 0, 0),
    "財務活動収入合計": (200, 0, 200),
    "財務活動収支": (-150, 0, -150),
    "本年度資金収支額": (120, 0, 120),  # 100 + 20: the two 会計's 歳入歳出差引
}
SHIKIN_CONSOLIDATED = {
    "人件費支出": (120, 0, 120),
    "物件費等支出": (1_410, 0, 1_410),  # 1,230 + 180
    "支払利息支出": (4, 0, 4),
    "補助金等支出": (400, -160, 240),
    "社会保障給付支出": (2_550, 0, 2_550),
    "他会計への繰出支出": (250, -250, 0),
    "業務支出合計": (4_734, -410, 4_324),
    "税収等収入": (3_800, 0, 3_800),
    "国県等補助金収入": (750, 0, 750),
    "使用料及び手数料収入": (40, 0, 40),
    "その他の収入": (650, -410, 240),  # 繰入金 250 + 負担金 (160 + 240); less 250 and 160
    "業務収入合計": (5_240, -410, 4_830),
    "業務活動収支": (506, 0, 506),
    "公共施設等整備費支出": (100, 0, 100),
    "貸付金支出": (100, -40, 60),
    "投資活動支出合計": (200, -40, 160),
    "投資活動収支": (-200, 40, -160),
    "地方債等償還支出": (410, 0, 410),  # 350 + 60
    "財務活動支出合計": (410, 0, 410),
    "地方債等発行収入": (200, 0, 200),
    "借入金収入": (40, -40, 0),
    "財務活動収入合計": (240, -40, 200),
    "財務活動収支": (-170, -40, -210),
    "本年度資金収支額": (136, 0, 136),  # 120 + 40% of the 組合's 40
}
BS_CONSOLIDATED = {
    "現金預金": (276, 0, 276),  # 200 + 40 + 36
    "固定資産": (852, 0, 852),
    "資産合計": (1_128, 0, 1_128),
    "地方債等": (260, 0, 260),
    "借入金": (40, 0, 40),
    "負債合計": (300, 0, 300),
    "純資産": (828, 0, 828),  # 100 + 100 + 20 + 20 + 400 + 188
    "純資産合計": (828, 0, 828),
    "負債及び純資産合計": (1_128, 0, 1_128),
}
HAND = {
    ("一般会計等", "junkei"): JUNKEI_IPPAN,
    ("全体", "junkei"): JUNKEI_WHOLE,
    ("全体", "shikin"): SHIKIN_WHOLE,
    ("連結", "shikin"): SHIKIN_CONSOLIDATED,
    ("連結", "bs"): BS_CONSOLIDATED,
}
TITLES = {"junkei": "歳入歳出純計", "shikin": "資金収支計算書", "bs": "貸借対照表"}
MILLION = 1_000_000


def in_yen(table: dict[str, tuple[int, int, int]]) -> dict[str, tuple[int, int, int]]:
    return {label: tuple(v * MILLION for v in values) for label, values in table.items()}


def by_title() -> dict[str, dict[str, tuple[int, int, int]]]:
    """The hand table by the printed title of each table: 資金収支計算書（連結） …"""
    return {f"{TITLES[statement]}（{scope}）": in_yen(t) for (scope, statement), t in HAND.items()}


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
        for label, values in in_yen(expected).items():
            assert tuple(frame.loc[labels[label]]) == values, (scope, statement, label)
    assert not example.figures.rounded


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
    assert tables["資金収支計算書（連結）"]["補助金等支出"] == (400, -160, 240)
    assert set(tables) == {"資金収支計算書（連結）", "貸借対照表（連結）"}
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
    assert by_duckdb[("連結", "shikin", "業務支出/補助金等支出")] == (
        400 * MILLION * 5,  # in fifths of a yen: the shares' common denominator is 5
        -160 * MILLION * 5,
        240 * MILLION * 5,
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
    # The 組合's own figure, before its share: 借入金 100,000,000 yen of its balance sheet.
    amount = duckdb.sql(
        f"SELECT amount, weight FROM read_parquet('{dataset}/**/*.parquet', "
        "hive_partitioning = true) WHERE entity = 'eisei' AND kind = 'line' "
        "AND statement = 'bs' AND line = '負債の部/借入金'"
    ).fetchall()
    assert amount == [(100 * MILLION, 2)]  # 2/5 of the common denominator 5
    again = yosan("consolidate", DECLARATION, "--dataset", dataset)
    assert again.exit_code == 2 and "exists" in again.stderr
    nowhere = yosan("consolidate", DECLARATION, "--dataset", tmp_path / "no" / "dataset")
    assert nowhere.exit_code == 2 and "there is no folder" in nowhere.stderr


@pytest.mark.parametrize("ledger", ["town", "kumiai"])
def test_the_examples_ledgers_say_they_are_made_up_and_pass_bean_check_and_fava(ledger):
    path = EXAMPLE / ledger / "main.beancount"
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
    target = tmp_path / "consolidation"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("*.picklecache"))
    return target


def edited(tmp_path: Path, old: str, new: str, file: str = "consolidation.toml") -> Path:
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


def test_a_mismatched_pair_names_both_ledgers_and_the_difference(tmp_path):
    declaration = edited(
        tmp_path,
        "Expenses:04-衛生費:01-衛生組合負担金               400000000 JPY",
        "Expenses:04-衛生費:01-衛生組合負担金               390000000 JPY",
        "town/budget.beancount",
    )
    [error] = failed(declaration, tmp_path)
    where = line_of(declaration, 'name = "衛生組合への負担金')
    assert error == (
        f"{declaration}:{where - 1}: elimination '衛生組合への負担金（負担金の支出 ↔ 収入）' "
        "does not match: ippan (town/main.beancount) kessan:衛生組合負担金 is 390,000,000 yen, "
        "eisei (kumiai/main.beancount) cf:さくら町負担金収入 is 400,000,000 yen "
        "(difference -10,000,000)"
    )


def test_an_unmapped_line_names_the_ledger_the_line_the_figure_and_the_statement(tmp_path):
    declaration = edited(tmp_path, '"kessan:療養諸費" = "民生費"\n', "")
    [error] = failed(declaration, tmp_path)
    where = line_of(declaration, "[correspondence.town.junkei.lines]")
    assert error == (
        f"{declaration}:{where}: entity 'kokuho' (town/main.beancount): "
        "'kessan:保険給付費/療養諸費' is 950,000,000 yen and feeds no line of junkei: map it "
        "under [correspondence.town.junkei.lines], or leave it out"
    )


def test_a_row_taken_twice_would_count_twice(tmp_path):
    declaration = edited(
        tmp_path,
        '"kessan:町民税" = "地方税"\n',
        '"kessan:町民税" = "地方税"\n"kessan:町税計" = "地方税"\n',
    )
    errors = failed(declaration, tmp_path)
    # 町税計 takes 町民税 and 固定資産税 again, for each 会計 (kokuho's are 0, but taken too).
    assert len(errors) == 4
    assert any(
        "entity 'kokuho' (town/main.beancount): 'kessan:町税計' and 'kessan:町民税' both take "
        "'kessan:町税/町民税' into junkei: its figure would count twice" in e
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
            '"cf:施設整備費支出" = "公共施設等整備費支出"',
            '"cf:施設整備費支出" = "公共施設整備費支出"',
            '"cf:施設整備費支出"',
            "'公共施設整備費支出' is no line of 資金収支計算書 (shikin): one of 人件費支出",
        ),
        (
            '"cf:組合債償還金" = "地方債等償還支出"',
            '"cf:組合債償還金" = "財務活動支出合計"',
            '"cf:組合債償還金"',
            "'財務活動支出合計' is no line of 資金収支計算書",
        ),
        (
            '"cf:手数料収入" = "使用料及び手数料収入"',
            '"手数料収入" = "使用料及び手数料収入"',
            '"手数料収入" =',
            "'手数料収入': name a row of the entity's ledger as \"statement:row\"",
        ),
        (
            '"連結" = ["shikin", "bs"]',
            '"連結" = ["shikin", "pl"]',
            '"連結" =',
            "'pl' is no consolidated statement: one of junkei, shikin, bs",
        ),
        (
            '{ entity = "eisei", row = "cf:借入金収入" }',
            '{ entity = "eisel", row = "cf:借入金収入" }',
            '"eisel"',
            "elimination '衛生組合への貸付金（貸付金 ↔ 借入金）': no entity 'eisel'",
        ),
        (
            'ledger = "kumiai/main.beancount"',
            'ledger = "kumiai/main.bean"',
            'ledger = "kumiai/main.bean"',
            "entity 'eisei': no such ledger: kumiai/main.bean (relative to this file)",
        ),
        (
            'key = "kokuho"',
            'key = "ippan"',
            'key = "ippan"\nname = "国民',
            "entity 'ippan' is declared twice",
        ),
        (
            '"cf:手数料収入" = "使用料及び手数料収入"',
            '"cf:手数料収入" = 5',
            '"cf:手数料収入" = 5',
            "correspondence.kumiai.shikin.lines: `cf:手数料収入` must be a text in quotes, not 5",
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
    declaration = edited(
        tmp_path, '"kessan:町民税" = "税収等収入"', '"kessan:町県民税" = "税収等収入"'
    )
    errors = failed(declaration, tmp_path)
    where = line_of(declaration, '"kessan:町県民税"')
    assert (
        f"{declaration}:{where}: entity 'ippan' (town/main.beancount): 歳入歳出予算 (kessan) "
        "has no row '町県民税'"
    ) in errors
    # and, for each 会計, 町民税 is then a row with a figure that feeds no line of shikin
    assert any("'kessan:町税/町民税' is 1,200,000,000 yen" in e for e in errors)


def test_an_unknown_segment_names_the_ledgers_segments(tmp_path):
    declaration = edited(tmp_path, 'segment = "kokuho"', 'segment = "kokumin"')
    [error] = failed(declaration, tmp_path)
    where = line_of(declaration, 'segment = "kokumin"')
    assert error == (
        f"{declaration}:{where}: entity 'kokuho': town/main.beancount has no segment "
        "'kokumin': one of ippan, kokuho"
    )


def test_a_ledger_with_errors_fails_the_consolidation_with_its_own(tmp_path):
    declaration = edited(
        tmp_path,
        "  Income:6-収益:63-手数料収入\n",
        "  Income:6-収益:63-手数料収入   -1 JPY\n",
        "kumiai/budget.beancount",
    )
    errors = failed(declaration, tmp_path)
    assert any("kumiai/budget.beancount" in e and "does not balance" in e for e in errors), errors


def test_a_correspondence_onto_the_wrong_side_breaks_the_layouts_check(tmp_path):
    declaration = edited(tmp_path, '"bs:借入金" = "借入金"', '"bs:借入金" = "現金預金"')
    [error] = failed(declaration, tmp_path)
    assert error.endswith(
        "貸借対照表 (連結, simple_sum): 資産合計 is 1,168,000,000 yen but 負債及び純資産合計 is "
        "1,088,000,000 yen: a correspondence feeds a line of the wrong side"
    )
    assert "layouts/bs.toml:" in error


def test_a_pair_whose_rows_share_no_statement_eliminates_nothing(tmp_path):
    declaration = edited(
        tmp_path,
        '{ entity = "eisei", row = "cf:借入金収入" }',
        '{ entity = "eisei", row = "pl:手数料収入" }',
    )
    [error] = failed(declaration, tmp_path)
    assert "feed no consolidated statement in common; it would eliminate nothing" in error


def test_a_share_below_one_is_exact_until_each_figure_is_rounded(tmp_path):
    """At 1/7, the 組合's figures are fractions of a yen: each consolidated figure is the
    exact sum rounded half-up on its own, worked out here from the ledgers' own figures."""
    declaration = edited(tmp_path, 'share = "40%"', 'share = "1/7"')
    result = consolidate(read_declaration(declaration), engines.in_process, cache=False)
    town = load_ledger(declaration.parent / "town" / "main.beancount", cache=False).statements
    kumiai = load_ledger(declaration.parent / "kumiai" / "main.beancount", cache=False).statements

    def rounded(value: Fraction) -> int:
        whole = int(abs(value) + Fraction(1, 2))
        return whole if value >= 0 else -whole

    cash = town.figure("cash:歳計現金") + Fraction(kumiai.figure("bs:現金預金"), 7)
    assets = cash + Fraction(kumiai.figure("bs:施設"), 7)
    frame = result.figures.frames[("連結", "bs")]
    assert frame.loc["資産の部/現金預金", "consolidated"] == rounded(cash)  # 252,857,142.86
    assert frame.loc["資産の部/資産合計", "consolidated"] == rounded(assets)
    balanced = frame.loc["負債及び純資産合計", "consolidated"]
    assert balanced == frame.loc["資産の部/資産合計", "consolidated"]
    subsidy = result.figures.frames[("連結", "shikin")].loc["業務支出/補助金等支出"]
    assert tuple(subsidy) == (
        400 * MILLION,
        -rounded(Fraction(400 * MILLION, 7)),
        rounded(400 * MILLION - Fraction(400 * MILLION, 7)),
    )
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
    declaration = edited(tmp_path, '"kessan:療養諸費" = "民生費"\n', "")
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
    kumiai = next(r for r in results if r.ledger.parent.name == "kumiai")
    later = dataclasses.replace(
        kumiai.budget, start=datetime.date(2028, 4, 1), end=datetime.date(2029, 3, 31)
    )
    moved = [dataclasses.replace(r, budget=later) if r is kumiai else r for r in results]
    [issue] = _agreement(declaration, moved)
    assert issue.lineno == declaration.entity("eisei").place.lineno
    assert str(issue.message) == (
        "entity 'eisei' (kumiai/main.beancount): its year 2028-04-01 – 2029-03-31 is not that "
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
