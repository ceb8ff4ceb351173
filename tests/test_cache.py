"""The statement cache answers exactly what a full load would, and only while
every file of the ledger, every include and the project are unchanged."""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from beancount import loader

from benchmarks import generate
from tests.conftest import FY2016, ROOT, SMALL, copy_ledger, yosan
from yosan_ledger.load import steps
from yosan_ledger.reports.command import cli, replay
from yosan_ledger.reports.loading import cache as statement_cache
from yosan_ledger.reports.loading.ledger import LoadedLedger, load_ledger
from yosan_ledger.reports.tables.kinds import needs


def same(a: LoadedLedger, b: LoadedLedger) -> None:
    """Two loads give the same problems, statements and options."""
    assert a.problems == b.problems
    assert (a.statements is None) == (b.statements is None)
    if a.statements is not None:
        assert a.statements.budget == b.statements.budget
        assert a.statements.segments == b.statements.segments
        assert a.statements.failures == b.statements.failures
        assert a.statements.unexplained == b.statements.unexplained
        assert a.statements.ambiguous == b.statements.ambiguous
        assert a.statements.mismatches == b.statements.mismatches
        assert a.statements.accounts == b.statements.accounts
        assert a.statements.figures.keys() == b.statements.figures.keys()
        for name, frame in a.statements.figures.items():
            assert frame.equals(b.statements.figures[name]), name
            assert list(frame.dtypes) == list(b.statements.figures[name].dtypes)
        for name, frame in a.statements.account_figures.items():
            assert frame.equals(b.statements.account_figures[name]), name
        for name in ("advances", "commitments"):
            if name in a.results and name in b.results:
                assert a.results[name].layout == b.results[name].layout
                assert a.results[name].frame.equals(b.results[name].frame), name
    assert a.options.get("title") == b.options.get("title")
    assert a.options.get("include") == b.options.get("include")


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    """A generated ledger whose segment files sit two includes deep:
    main.beancount → books.beancount → segments/<key>.beancount."""
    folder = tmp_path / "nested"
    generate.main(["150", str(folder)])
    main = folder / "main.beancount"
    text = main.read_text(encoding="utf-8")
    includes = [line for line in text.splitlines() if line.startswith('include "segments/')]
    (folder / "books.beancount").write_text("\n".join(includes) + "\n", encoding="utf-8")
    for line in includes:
        text = text.replace(line + "\n", "")
    main.write_text(text + 'include "books.beancount"\n', encoding="utf-8")
    return main


def load_twice(path: Path) -> tuple[LoadedLedger, LoadedLedger]:
    first = load_ledger(path, needs=needs())
    again = load_ledger(path, needs=needs())
    return first, again


def test_a_repeat_load_is_answered_from_the_cache_with_the_same_result(nested):
    uncached = load_ledger(nested, cache=False)
    first, again = load_twice(nested)
    assert not first.from_cache and again.from_cache
    assert uncached.problems == [] and uncached.statements is not None
    same(uncached, first)
    same(uncached, again)


def test_the_fy2016_export_is_the_same_from_the_cache():
    uncached = yosan("export", "--unit", "yen", "--ledger", FY2016, "--no-cache")
    first = yosan("export", "--unit", "yen", "--ledger", FY2016)
    cached = yosan("export", "--unit", "yen", "--ledger", FY2016)
    assert uncached.exit_code == first.exit_code == cached.exit_code == 0
    assert load_ledger(FY2016).from_cache
    assert uncached.stdout == first.stdout == cached.stdout
    assert len(cached.rows()) > 700


def test_a_cached_run_reports_exactly_the_errors_of_an_uncached_one(nested, monkeypatch):
    segment = nested.parent / "segments" / "jpki.beancount"
    text = segment.read_text(encoding="utf-8")
    # Three errors of three plugins: an unknown tag, a fractional yen, a date
    # outside the fiscal year (and Beancount's own: the unbalanced transaction).
    text = text.replace('* "未収金の回収"\n', '* "未収金の回収" #nosuch\n', 1)
    text = text.replace(" JPY\n", ".5 JPY\n", 1)
    text = text.replace("2016-04-", "2018-04-", 1)
    segment.write_text(text, encoding="utf-8")
    uncached = yosan("check", "--ledger", nested, "--no-cache")
    first = yosan("check", "--ledger", nested)
    cached = yosan("check", "--ledger", nested)
    assert uncached.exit_code == first.exit_code == cached.exit_code == 1
    assert uncached.stderr == first.stderr == cached.stderr
    for expected in ("Unknown segment tag #nosuch", "Fractional yen", "outside the fiscal year"):
        assert expected in cached.stderr
    assert load_ledger(nested).from_cache
    # Paths are shown relative to the working directory of the run, cached or not.
    monkeypatch.chdir(nested.parent)
    here = yosan("check", "--ledger", "main.beancount")
    assert here.stderr == yosan("check", "--ledger", "main.beancount", "--no-cache").stderr
    assert "segments/jpki.beancount:" in here.stderr


def test_a_one_character_edit_two_includes_deep_invalidates_it(nested):
    load_twice(nested)
    segment = nested.parent / "segments" / "lgwan.beancount"
    text = segment.read_text(encoding="utf-8")
    first_amount = text.index(" JPY\n")
    digit = text[first_amount - 1]
    edited = text[: first_amount - 1] + str((int(digit) + 1) % 10) + text[first_amount:]
    segment.write_text(edited, encoding="utf-8")
    after = load_ledger(nested)
    assert not after.from_cache
    assert any("does not balance" in p.message for p in after.problems)
    same(after, load_ledger(nested, cache=False))
    assert load_ledger(nested).from_cache


def test_an_edit_that_changes_no_figure_still_invalidates_it(nested):
    load_twice(nested)
    segment = nested.parent / "segments" / "general.beancount"
    text = segment.read_text(encoding="utf-8")
    segment.write_text(text.replace("未払金の支払", "未払金の支拂", 1), encoding="utf-8")
    assert not load_ledger(nested).from_cache


def test_a_new_include_invalidates_it(nested):
    load_twice(nested)
    extra = nested.parent / "extra.beancount"
    extra.write_text(
        'pushtag #general\n2016-06-01 * "雑収入の受取"\n'
        "  Assets:11-流動資産:111-現金及び預金  1000 JPY\n"
        "  Income:61-営業外収益:613-雑収入  -1000 JPY\npoptag #general\n",
        encoding="utf-8",
    )
    books = nested.parent / "books.beancount"
    books.write_text(books.read_text(encoding="utf-8") + 'include "extra.beancount"\n', "utf-8")
    after = load_ledger(nested)
    assert not after.from_cache
    assert str(extra) in after.options["include"]
    same(after, load_ledger(nested, cache=False))


def test_a_new_file_matching_an_include_glob_invalidates_it(nested):
    books = nested.parent / "books.beancount"
    books.write_text(books.read_text(encoding="utf-8") + 'include "more/*.beancount"\n', "utf-8")
    (nested.parent / "more").mkdir()
    (nested.parent / "more" / "a.beancount").write_text("; nothing yet\n", encoding="utf-8")
    load_twice(nested)
    assert load_ledger(nested).from_cache
    (nested.parent / "more" / "b.beancount").write_text(
        '2016-04-01 custom "yosan-segment" "extra" "追加事業" "1"\n', encoding="utf-8"
    )
    after = load_ledger(nested)
    assert not after.from_cache
    assert "extra" in [s.key for s in after.statements.segments]


def test_another_project_version_invalidates_it(nested, monkeypatch):
    load_twice(nested)
    assert load_ledger(nested).from_cache
    monkeypatch.setattr(statement_cache, "project_version", lambda: "99.0.0")
    assert not load_ledger(nested).from_cache
    assert load_ledger(nested).from_cache  # stored again under the new version


def test_a_change_to_the_plugins_code_invalidates_it(nested, monkeypatch):
    load_twice(nested)
    monkeypatch.setattr(statement_cache, "_code_digest", lambda: "edited")
    assert not load_ledger(nested).from_cache


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b[:-10] + bytes(10), id="payload bytes changed"),
        pytest.param(lambda b: b.replace(b'"files": {', b'"files": {"x": "y", ', 1), id="manifest"),
        pytest.param(lambda b: b"garbage", id="garbage"),
        pytest.param(lambda b: b"", id="empty"),
    ],
)
def test_a_cache_entry_that_cannot_be_verified_is_not_used(nested, damage):
    expected = load_ledger(nested, cache=False)
    load_ledger(nested)
    entry = statement_cache.entry_path(str(nested))
    entry.write_bytes(damage(entry.read_bytes()))
    after = load_ledger(nested)
    assert not after.from_cache
    same(after, expected)


def test_an_unreadable_cache_entry_is_not_used(nested):
    load_ledger(nested)
    entry = statement_cache.entry_path(str(nested))
    entry.unlink()
    entry.mkdir()  # a folder where the entry should be: unreadable as a file
    after = load_ledger(nested)
    assert not after.from_cache and after.problems == []


def test_no_cache_bypasses_it(nested, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the statement cache was used")

    monkeypatch.setattr(statement_cache, "read", fail)
    monkeypatch.setattr(statement_cache, "write", fail)
    result = yosan("export", "--ledger", nested, "--no-cache")
    assert result.exit_code == 0, result.stderr
    assert yosan("report", "bs", "--ledger", nested, "--no-cache").exit_code == 0


def test_a_copied_ledger_has_its_own_entry(nested, tmp_path):
    load_twice(nested)
    copy = tmp_path / "copy"
    shutil.copytree(nested.parent, copy)
    jpki = copy / "segments" / "jpki.beancount"
    jpki.write_text(jpki.read_text(encoding="utf-8").replace("#jpki", "#lgwan"), "utf-8")
    after = load_ledger(copy / "main.beancount")
    assert not after.from_cache
    assert all("jpki" not in p.filename for p in after.problems)
    jpki_cash = after.statements.figure("bs:現金及び預金", "jpki")
    assert jpki_cash == 0 != load_ledger(nested).statements.figure("bs:現金及び預金", "jpki")


@pytest.mark.parametrize(
    "command",
    [
        ("export", "--format", "xlsx"),
        ("report", "--by-segment", "--format", "html"),
        ("report", "advances", "--by-segment"),
        ("report", "commitments", "--by-segment"),
        ("report", "overview"),
    ],
    ids=lambda c: "-".join(c),
)
def test_every_schedule_comes_from_the_cache_without_a_load(command, tmp_path, monkeypatch):
    uncached = tmp_path / "uncached"
    cached = tmp_path / "cached"
    args = ("--ledger", FY2016, "--unit", "yen") if command[0] == "export" else ("--ledger", FY2016)
    assert yosan(*command, *args, "--no-cache", "-o", uncached).exit_code == 0
    assert yosan(*command, *args, "-o", tmp_path / "first").exit_code == 0  # fills the cache

    def no_load(*_args, **_kwargs):
        raise AssertionError("the ledger was loaded in full")

    monkeypatch.setattr(steps, "load", no_load)
    result = yosan(*command, *args, "-o", cached)
    assert result.exit_code == 0, result.output
    if command[-1] != "xlsx":  # a workbook's zip records the time it was written
        assert cached.read_bytes() == uncached.read_bytes()
    else:
        assert cached.stat().st_size > 0


def test_entries_of_a_cached_ledger_load_on_demand(nested):
    load_ledger(nested)
    cached = load_ledger(nested)
    assert cached.from_cache
    assert cached.entries == load_ledger(nested, cache=False).entries


def test_pausing_the_collector_changes_no_result(nested):
    segment = nested.parent / "segments" / "resident_id.beancount"
    text = segment.read_text(encoding="utf-8")
    segment.write_text(text.replace("#resident_id", "#nosuch", 1), encoding="utf-8")
    paused = load_ledger(nested, cache=False, pause_collector=True)
    assert gc.isenabled()
    running = load_ledger(nested, cache=False, pause_collector=False)
    assert paused.problems and any("nosuch" in p.message for p in paused.problems)
    same(paused, running)
    assert paused.entries == running.entries
    fy_paused = load_ledger(FY2016, cache=False, pause_collector=True)
    same(fy_paused, load_ledger(FY2016, cache=False, pause_collector=False))


def test_the_pause_is_in_the_command(nested, monkeypatch):
    seen = []
    original = steps.load

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(steps, "load", spy)
    result = yosan("export", "--ledger", nested, "--no-cache")
    assert result.exit_code == 0
    assert seen == [False] and gc.isenabled()


def test_beancounts_own_cache_copied_with_a_ledger_is_not_believed(nested, tmp_path):
    # Beancount keeps a pickle beside a ledger that took over a second to load,
    # and checks it against the files it names: a copy's cache names the original.
    result = loader.load_file(str(nested))
    pickled = loader.get_cache_filename(loader.PICKLE_CACHE_FILENAME, str(nested))
    with open(pickled, "wb") as stream:
        pickle.dump(result, stream)
    copy = tmp_path / "copy"
    shutil.copytree(nested.parent, copy)
    assert (copy / Path(pickled).name).exists()
    jpki = copy / "segments" / "jpki.beancount"
    jpki.write_text(jpki.read_text(encoding="utf-8").replace("#jpki", "#nosuch"), "utf-8")
    after = load_ledger(copy / "main.beancount", cache=False)
    assert any("Unknown segment tag #nosuch" in p.message for p in after.problems)


def test_the_command_exits_with_its_code_and_whole_output(nested, tmp_path):
    # The command leaves without freeing the ledger object by object (os._exit).
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "yosan_ledger.reports", *map(str, args)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "YOSAN_CACHE_DIR": str(tmp_path / "cache")},
        )

    done = run("export", "--unit", "yen", "--ledger", nested)
    assert done.returncode == 0, done.stderr
    assert done.stdout == yosan("export", "--unit", "yen", "--ledger", nested).stdout
    assert run("report", "--ledger", tmp_path / "missing.beancount").returncode == 1
    assert run("report", "--no-such-option").returncode == 2


def command_context(args: list[str]):
    """The click context of a ``yosan`` command line, parsed as the command parses it."""
    group = cli.main.make_context("yosan", list(args))
    name, command, rest = cli.main.resolve_command(group, [*group.protected_args, *group.args])
    return command.make_context(name, rest, parent=group)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["report", "bs"], "ledger/main.beancount"),
        (["report", "--ledger", "tests/ledgers/small/main.beancount"], "tests/ledgers/small"),
        (["export", "--ledger=tests/ledgers/small/main.beancount"], "tests/ledgers/small"),
        (["check", "-l", "tests/ledgers/small/main.beancount"], "tests/ledgers/small"),
        (["segments", "-ltests/ledgers/small/main.beancount"], "tests/ledgers/small"),
        (["report", "--no-cache"], None),
    ],
)
def test_a_command_starts_verifying_the_ledger_it_names(args, expected, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("YOSAN_LEDGER", raising=False)
    statement_cache._early.clear()
    replay.start(command_context(args), replayable=False)
    started = list(statement_cache._early)
    statement_cache._early.clear()
    if expected is None:
        assert started == []
    else:
        wanted = os.path.abspath(
            expected if expected.endswith(".beancount") else expected + "/main.beancount"
        )
        assert started == [wanted]


def test_a_command_follows_yosan_ledger(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("YOSAN_LEDGER", "tests/ledgers/small/main.beancount")
    statement_cache._early.clear()
    replay.start(command_context(["report"]), replayable=False)
    assert list(statement_cache._early) == [str(SMALL)]
    statement_cache._early.clear()


def test_an_early_start_gives_the_same_answer_for_that_ledger_only(nested, tmp_path):
    other = copy_ledger(tmp_path / "other", nested)
    load_ledger(nested)
    statement_cache.start_verifying(str(other))  # a guess that names another ledger
    statement_cache.start_verifying(str(nested))
    hit = load_ledger(nested)
    assert hit.from_cache
    same(hit, load_ledger(nested, cache=False))
    assert not load_ledger(other).from_cache  # its early outcome: no entry yet


def test_the_command_answers_from_the_cache_after_an_early_start(nested):
    run = [sys.executable, "-m", "yosan_ledger.reports", "report", "bs", "--ledger", str(nested)]
    first = subprocess.run(run, capture_output=True, text=True, check=False)
    again = subprocess.run(run, capture_output=True, text=True, check=False)
    assert first.returncode == again.returncode == 0, first.stderr
    assert first.stdout == again.stdout and "資産合計" in again.stdout
    assert load_ledger(nested).from_cache


def run_yosan(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=False, env=env
    )


def test_a_repeated_command_is_replayed_without_pandas_until_the_ledger_changes(nested):
    command = [
        "-m",
        "yosan_ledger.reports",
        "report",
        "bs",
        "--by-segment",
        "--ledger",
        str(nested),
    ]
    first = run_yosan(*command)
    replayed = run_yosan("-X", "importtime", *command)
    assert first.returncode == replayed.returncode == 0, first.stderr
    assert replayed.stdout == first.stdout and "資産合計" in first.stdout
    assert "pandas" not in replayed.stderr  # the import log: pandas never loaded

    segment = nested.parent / "segments" / "jpki.beancount"
    text = segment.read_text(encoding="utf-8")
    added = (
        '\n2016-05-01 * "追加" #jpki\n'
        "  Assets:11-流動資産:111-現金及び預金  7000000 JPY\n"
        "  Income:41-営業収益:415-事業収入\n"
    )
    segment.write_text(text + added, encoding="utf-8")
    after = run_yosan("-X", "importtime", *command)
    assert "pandas" in after.stderr  # loaded again, not replayed
    uncached = run_yosan(*command, "--no-cache")
    assert after.returncode == uncached.returncode == 0, uncached.stderr
    assert after.stdout == uncached.stdout != first.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["report", "bs", "-o", "x.txt"],
        ["report", "bs", "--output=x.txt"],
        ["export", "-ox.csv"],
        ["report", "overview", "--against", str(FY2016)],
        ["report", "--no-foreign-plugins"],
        ["report", "--no-cache"],
    ],
)
def test_what_is_not_replayed(args):
    assert replay.replay_key(command_context(args)) is None


def test_the_replay_key_is_the_command_and_its_parameters_and_the_folder(tmp_path, monkeypatch):
    def key(*args):
        return replay.replay_key(command_context(list(args)))

    first = key("report", "bs")
    assert first and first == key("report", "bs")
    assert first == key("report", "bs", "--ledger", "ledger/main.beancount")  # the default
    assert first != key("report", "pl")
    assert first != key("report", "bs", "--unit", "yen")
    monkeypatch.chdir(tmp_path)
    assert first != key("report", "bs")


def _printed_files(ledger: Path) -> list[Path]:
    entry = statement_cache.entry_path(statement_cache.ledger_filename(ledger))
    return sorted(entry.parent.glob(f"{entry.name}.*.printed"))


@pytest.mark.parametrize("damage", ["swapped", "truncated", "edited"])
def test_a_damaged_printed_output_is_not_replayed(nested, damage):
    """Defect 4 of issue 16: the text kept beside an entry is replayed only as written."""
    bs, pl = ("report", "bs", "--ledger", nested), ("report", "pl", "--ledger", nested)
    expected = yosan(*bs, "--no-cache").stdout
    assert yosan(*bs).stdout == expected and yosan(*pl).exit_code == 0
    files = {p: p.read_bytes() for p in _printed_files(nested)}
    assert len(files) == 2
    (bs_file,) = (p for p, blob in files.items() if "予定貸借対照表" in blob.decode())
    (pl_file,) = (p for p in files if p != bs_file)
    if damage == "swapped":
        bs_file.write_bytes(files[pl_file])
    elif damage == "truncated":
        bs_file.write_bytes(files[bs_file][: len(files[bs_file]) // 2])
    else:
        bs_file.write_bytes(files[bs_file].replace("資産合計".encode(), "資産総計".encode()))
    assert yosan(*bs).stdout == expected


def test_a_file_replaced_during_the_load_with_an_older_mtime_does_not_poison_it(
    nested, monkeypatch
):
    """Defect 5 of issue 16: the entry keeps the hashes of what the load read."""
    segment = nested.parent / "segments" / "jpki.beancount"
    text = segment.read_text(encoding="utf-8")
    added = (
        '\n2016-05-01 * "追加" #jpki\n'
        "  Assets:11-流動資産:111-現金及び預金  7000000 JPY\n"
        "  Income:41-営業収益:415-事業収入\n"
    )
    original_load = steps.load

    def load_then_replace(*args, **kwargs):
        found = original_load(*args, **kwargs)
        # as `cp -p` or `rsync -a` would: new content, the old modification time
        before = segment.stat()
        segment.write_text(text + added, encoding="utf-8")
        os.utime(segment, ns=(before.st_atime_ns, before.st_mtime_ns - 10**9))
        return found

    monkeypatch.setattr(steps, "load", load_then_replace)
    stale = load_ledger(nested)
    monkeypatch.setattr(steps, "load", original_load)
    again = load_ledger(nested)
    assert not again.from_cache
    same(again, load_ledger(nested, cache=False))
    assert stale.statements.figure("bs:現金及び預金") + 7_000_000 == again.statements.figure(
        "bs:現金及び預金"
    )


def test_the_code_digest_follows_content_renames_and_splits(tmp_path):
    """Defect 6 of issue 16: a renderer renamed, split or its code moved is another key."""
    code = tmp_path / "code"
    (code / "rendering").mkdir(parents=True)
    (code / "rendering" / "text.py").write_text("A = 1\nB = 2\n")
    (code / "rendering" / "view.py").write_text("C = 3\n")
    first = statement_cache.tree_digest(code)
    assert statement_cache.tree_digest(code) == first
    (code / "rendering" / "view.py").rename(code / "rendering" / "views.py")
    renamed = statement_cache.tree_digest(code)
    (code / "rendering" / "text.py").write_text("A = 1\n")
    (code / "rendering" / "views.py").write_text("B = 2\nC = 3\n")
    moved = statement_cache.tree_digest(code)
    (code / "rendering" / "text.py").write_text("A = 1\nB = 2\n")
    (code / "rendering" / "views.py").write_text("")
    (code / "rendering" / "csv_export.py").write_text("C = 3\n")
    split = statement_cache.tree_digest(code)
    assert len({first, renamed, moved, split}) == 4


def test_an_edit_to_a_foreign_plugins_package_invalidates_it(nested, tmp_path, monkeypatch):
    """Defect 6 of issue 16: a plugin's code is its whole package, not the file named."""
    package = tmp_path / "modules" / "tplug"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "from tplug.impl import run\n__plugins__ = ('run',)\n", encoding="utf-8"
    )
    (package / "impl.py").write_text(
        "def run(entries, options):\n    return entries, []\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "modules"))
    nested.write_text(nested.read_text(encoding="utf-8") + 'plugin "tplug"\n', encoding="utf-8")
    load_twice(nested)
    assert load_ledger(nested).from_cache
    (package / "impl.py").write_text(
        "def run(entries, options):\n    return entries, []  # edited\n", encoding="utf-8"
    )
    assert not load_ledger(nested).from_cache


def test_the_cache_is_private(nested, tmp_path, monkeypatch):
    """Defect 11 of issue 16: a 0700 ledger's figures were cached 0644 in a 0755 folder."""
    monkeypatch.setenv("YOSAN_CACHE_DIR", str(tmp_path / "fresh" / "yosan"))
    monkeypatch.setattr(os, "umask", lambda mask: 0o022)  # the usual umask
    load_twice(nested)
    assert yosan("report", "bs", "--ledger", nested).exit_code == 0
    assert yosan("report", "bs", "--ledger", nested).exit_code == 0
    folder = tmp_path / "fresh" / "yosan"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert any(f.suffix == ".printed" for f in files) and any(
        f.suffix == ".statements" for f in files
    )
    assert {stat.S_IMODE(f.stat().st_mode) for f in files if f.is_file()} == {0o600}
    parsed = list((folder / "parsed").iterdir())
    assert parsed, "each file's parse is kept too"
    assert stat.S_IMODE((folder / "parsed").stat().st_mode) == 0o700
    assert {stat.S_IMODE(f.stat().st_mode) for f in parsed} == {0o600}


@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o775])
def test_a_cache_folder_others_can_write_is_not_used(nested, tmp_path, monkeypatch, mode):
    """Defect 10 of issue 16: another user could swap an entry for a pickle, or plant
    a forged printed output, in a shared folder."""
    folder = tmp_path / "shared"
    folder.mkdir()
    monkeypatch.setenv("YOSAN_CACHE_DIR", str(folder))
    load_twice(nested)
    assert load_ledger(nested).from_cache
    folder.chmod(mode)
    assert not load_ledger(nested).from_cache
    result = yosan("report", "bs", "--ledger", nested)
    assert result.exit_code == 0
    assert "the statement cache is not used" in result.stderr
    assert "writable by other users" in result.stderr


def test_a_cache_entry_others_can_write_is_not_unpickled(nested, tmp_path, monkeypatch):
    load_twice(nested)
    entry = statement_cache.entry_path(str(nested))
    entry.chmod(0o666)
    assert not load_ledger(nested).from_cache


KUMIAI = ROOT / "examples" / "kumiai"


def _kumiai_budget(folder: Path) -> Path:
    shutil.copytree(KUMIAI, folder, ignore=shutil.ignore_patterns("actuals", "*.picklecache"))
    return folder / "main.beancount"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _layouts_link(folder: Path) -> tuple[tuple[str, ...], Path, str]:
    """A budget whose layouts folder is a link, to layouts_a, then layouts_b (another
    title of its income statement)."""
    main = _kumiai_budget(folder / "budget")
    layouts = folder / "budget" / "layouts"
    layouts.rename(folder / "budget" / "layouts_a")
    shutil.copytree(folder / "budget" / "layouts_a", folder / "budget" / "layouts_b")
    _replace(
        folder / "budget" / "layouts_b" / "pl.toml", 'title = "予定損益計算書"', 'title = "改"'
    )
    layouts.symlink_to("layouts_a")
    return ("report", "pl", "--ledger", str(main)), layouts, "layouts_b"


def _budget_link(folder: Path) -> tuple[tuple[str, ...], Path, str]:
    """An actual journal naming ../budget/main.beancount, budget a link to one budget,
    then to another (会館使用料 doubled)."""
    _kumiai_budget(folder / "budget_a")
    _kumiai_budget(folder / "budget_b")
    _replace(folder / "budget_b" / "segments" / "hall.beancount", "12000000 JPY", "24000000 JPY")
    shutil.copytree(KUMIAI / "actuals", folder / "journal")
    journal = folder / "journal" / "main.beancount"
    _replace(journal, '"../main.beancount"', '"../budget/main.beancount"')
    _replace(journal, '"../layouts"', '"../budget/layouts"')
    _replace(journal, 'include "../accounts.beancount"', 'include "../budget/accounts.beancount"')
    _replace(journal, 'include "../segments.beancount"', 'include "../budget/segments.beancount"')
    (folder / "budget").symlink_to("budget_a")
    return ("report", "execution", "--ledger", str(journal)), folder / "budget", "budget_b"


def _comparison_link(folder: Path) -> tuple[tuple[str, ...], Path, str]:
    """A budget comparing itself with previous/main.beancount, previous a link to one
    budget, then to another with an error (a transaction in no segment)."""
    main = _kumiai_budget(folder / "budget")
    _replace(
        main,
        'custom "yosan-layouts" "layouts"\n',
        'custom "yosan-layouts" "layouts"\n'
        '2027-02-20 custom "yosan-comparison" "前年度" "../previous/main.beancount"\n',
    )
    _kumiai_budget(folder / "previous_a")
    broken = _kumiai_budget(folder / "previous_b")
    with open(broken, "a", encoding="utf-8") as stream:
        stream.write('\n2027-05-01 * "事業なし"\n  Expenses:8-費用:82-物件費  1 JPY\n')
        stream.write("  Assets:1-流動資産:11-現金預金\n")
    (folder / "previous").symlink_to("previous_a")
    return ("check", "--ledger", str(main)), folder / "previous", "previous_b"


@pytest.mark.parametrize(
    "linked",
    [_layouts_link, _budget_link, _comparison_link],
    ids=["the layouts folder", "the budget folder an actual journal names", "the comparison"],
)
def test_a_retargeted_link_is_a_changed_input(linked, tmp_path):
    """Issue 24: with a link pointed elsewhere, the cached run (and the printed-output
    replay) gave the old figures, exit 0; it now gives what a full load gives."""
    command, link, other = linked(tmp_path)
    first = yosan(*command)
    assert first.exit_code == 0, first.stderr
    assert yosan(*command).stdout == first.stdout  # answered from the cache, or replayed
    link.unlink()
    link.symlink_to(other)
    after = yosan(*command)
    uncached = yosan(*command, "--no-cache")
    assert (after.exit_code, after.stdout, after.stderr) == (
        uncached.exit_code,
        uncached.stdout,
        uncached.stderr,
    )
    assert (after.exit_code, after.stdout, after.stderr) != (
        first.exit_code,
        first.stdout,
        first.stderr,
    )


def test_a_fifo_in_place_of_any_input_never_hangs_a_cached_run(tmp_path):
    """Issue 24: once an entry existed, a FIFO put in the place of a file hung the
    command (hashing it to verify the entry); --no-cache refused it."""
    main = _kumiai_budget(tmp_path / "budget")
    assert yosan("report", "pl", "--ledger", main).exit_code == 0
    for name in ("segments/water.beancount", "layouts/statements.toml"):
        path = tmp_path / "budget" / name
        saved = path.read_bytes()
        path.unlink()
        os.mkfifo(path)
        run = [sys.executable, "-m", "yosan_ledger.reports", "report", "pl", "--ledger", str(main)]
        done = subprocess.run(run, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 1, done.stderr
        assert f"{name}: a FIFO, not a regular file" in done.stderr
        path.unlink()
        path.write_bytes(saved)


def test_kept_parses_are_keyed_on_the_packages_code(nested, monkeypatch):
    """Issue 24: a parse kept by an older builder (an upgrade, a branch switch) was
    taken back by a changed one; the code's digest is now part of their key."""
    first = statement_cache.ParsedFileCache()
    monkeypatch.setattr(statement_cache, "_code_digest", lambda: "another version of the code")
    assert statement_cache.ParsedFileCache().fingerprint != first.fingerprint
    load_ledger(nested, cache=True)  # keeps the parses under the other code's key
    monkeypatch.undo()
    kept = statement_cache.ParsedFileCache()
    filename = str(nested)
    digest = hashlib.sha256(nested.read_bytes()).hexdigest()
    assert kept.get(filename, digest) is None


def test_a_table_is_computed_when_asked_and_then_kept(tmp_path: Path):
    """A load computes the results the command asks for, not every table's; a cache
    entry without one asked for is a miss, and the full load keeps what the entry held
    with what is asked now: neither is computed on every load, nor lost."""
    ledger = copy_ledger(tmp_path / "ledger")
    plain = load_ledger(ledger)
    assert not plain.from_cache and "advances" not in plain.results
    asked = load_ledger(ledger, needs=needs("advances"), known=needs())
    assert not asked.from_cache and "advances" in asked.results  # the entry lacked it
    both = load_ledger(ledger, needs=needs("overview"), known=needs())
    assert not both.from_cache and {"advances", "overview"} <= both.results.keys()
    again = load_ledger(ledger, needs=needs("advances", "overview"), known=needs())
    assert again.from_cache and again.results["advances"].frame.equals(
        asked.results["advances"].frame
    )
