from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

# The tests read the messages in English whatever the machine's locale (the command
# follows LANG; test_japanese.py runs it under ja_JP.UTF-8 and C).  Set before the
# command is imported: its help is read then.
os.environ["LANGUAGE"] = "en"

from yosan_ledger.plugins.core.layout import read_layouts  # noqa: E402
from yosan_ledger.reports.command.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FY2016_LAYOUTS = read_layouts(ROOT / "ledger" / "layouts")
SMALL = ROOT / "tests" / "ledgers" / "small" / "main.beancount"
FY2016 = ROOT / "ledger" / "main.beancount"
ACCOUNTS = ROOT / "tests" / "ledgers" / "small" / "accounts.beancount"

HEADER = f"""\
option "operating_currency" "JPY"
2016-02-01 custom "yosan-budget" "テスト予算" 2016-04-01 2017-03-31
2016-04-01 custom "yosan-segment" "alpha" "甲事業" "1"
2016-04-01 custom "yosan-segment" "beta" "乙事業" "2"
plugin "yosan_ledger.plugins.all"
include "{ACCOUNTS}"
"""

CASH = "Assets:11-流動資産:111-現金及び預金"
RECEIVABLE = "Assets:11-流動資産:112-未収金"
REVENUE = "Income:41-営業収益:415-事業収入"
CAPITAL = "Equity:31-地方公共団体出資金"
BONUS_PROVISION = "Liabilities:21-流動負債:216-賞与引当金"


@pytest.fixture(autouse=True)
def no_beancount_cache_beside_the_project_ledgers():
    """Beancount's loader, which some tests call, leaves its pickle cache beside a
    ledger whenever a load takes over a second (a busy machine), and
    `yosan check --no-foreign-plugins` rightly refuses the ledger then."""
    yield
    for folder in ("ledger", "examples"):
        for cache in (ROOT / folder).rglob(".*.picklecache"):
            cache.unlink(missing_ok=True)


@pytest.fixture(scope="session", autouse=True)
def no_pickle_cache_beside_the_ledgers():
    """Beancount's loader (bean-check, Fava) would leave a .picklecache beside every
    ledger a test opens with it, the project's own included; tests that are about
    that cache turn it back on."""
    saved = os.environ.get("BEANCOUNT_DISABLE_LOAD_CACHE")
    os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
    yield
    if saved is None:
        del os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"]
    else:
        os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = saved


@pytest.fixture(scope="session", autouse=True)
def statement_cache_dir(tmp_path_factory):
    """The statement cache of the test run, away from the user's own."""
    folder = tmp_path_factory.mktemp("yosan-cache")
    saved = os.environ.get("YOSAN_CACHE_DIR")
    os.environ["YOSAN_CACHE_DIR"] = str(folder)
    yield folder
    if saved is None:
        del os.environ["YOSAN_CACHE_DIR"]
    else:
        os.environ["YOSAN_CACHE_DIR"] = saved


@pytest.fixture
def make_ledger(tmp_path: Path):
    """Write a ledger: the test header, then `body`; returns the main file's path."""

    def make(body: str, *, header: str = HEADER, name: str = "main.beancount") -> Path:
        path = tmp_path / name
        path.write_text(header + body, encoding="utf-8")
        return path

    return make


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str, exception: BaseException | None):
        self.exit_code, self.stdout, self.stderr, self.exception = (
            exit_code,
            stdout,
            stderr,
            exception,
        )

    def rows(self) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.stdout)))


def yosan(*args: str | Path) -> Result:
    """Run the `yosan` command in-process."""
    runner = CliRunner()
    result = runner.invoke(main, [str(a) for a in args], catch_exceptions=True)
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return Result(result.exit_code, result.stdout, result.stderr, exception)


def copy_ledger(destination: Path, source: Path = FY2016) -> Path:
    """A copy of a ledger's folder to edit; returns the copy's main file.

    Beancount's load cache (.main.beancount.picklecache) is left behind: it names
    the original files, so a copy holding it would load the original ledger."""
    shutil.copytree(source.parent, destination, ignore=shutil.ignore_patterns("*.picklecache"))
    return destination / source.name


def require(missing: str | None) -> None:
    """Skip a test that needs a system package this machine lacks — except in CI,
    where .ci/run installs every one and a missing package is a failure."""
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{missing}: .ci/run should have installed it")
    pytest.skip(missing)


def passes_bean_check_and_fava(ledger: Path, page: str) -> str:
    """Check a ledger with bean-check (a process of its own) and open one of the
    extension's pages in Fava (its test client); the page's HTML."""
    import subprocess
    import sys

    from fava.application import create_app

    done = subprocess.run(
        [sys.executable, "-m", "beancount.scripts.check", str(ledger)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    client = create_app([str(ledger)], load=True).test_client()
    slug = client.get("/").headers["Location"].split("/")[1]
    response = client.get(f"/{slug}/extension/{page}")
    assert response.status_code == 200
    return response.get_data(as_text=True)
