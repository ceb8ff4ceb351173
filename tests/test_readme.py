"""The README as a newcomer uses it: every command line of its `sh` blocks runs as
written, in order, from the root of a copy of the repository (as a fresh clone is),
in the environment the first command makes; `.ci/run` runs that first command and the
tests as the README writes them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)

FIRST = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/yosan report"
SERVER = "a server: it runs until stopped (tests/test_fava_browser.py starts `yosan fava`)"
BENCHMARK = "the benchmark: half an hour and more"
# Lines not run here, and why; keep this short.
NOT_RUN = {
    FIRST: "makes .venv and installs into it: .ci/run runs it on a fresh machine",
    ".venv/bin/python -m pytest": "the tests themselves: .ci/run runs it",
    "yosan fava": SERVER,
    "yosan fava --port 5001 --read-only": SERVER,
    "yosan fava --host 0.0.0.0": SERVER,
    "apt-get install hledger": "needs root and the network",
    "just bench": BENCHMARK,
    "just bench --million --skip fava hledger": BENCHMARK,
    "python benchmarks/bench.py --write-readme": BENCHMARK + ", and it rewrites the README",
    ".ci/beancount-parity": "installs the project and a Beancount release: .ci/run runs it",
}


def commands(text: str) -> list[str]:
    """Each command line of the `sh` blocks, without its comment, in order."""
    found = []
    for block in BLOCK.findall(text):
        for line in block.splitlines():
            command = re.sub(r"\s+#\s.*$", "", line).strip()
            if command and not command.startswith("#"):
                found.append(command)
    return found


def first_commands(text: str) -> list[str]:
    return commands(BLOCK.search(text)[0])


def fresh_copy(destination: Path) -> Path:
    """The repository's files as a clone has them: what git tracks, and nothing built."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False
    ).stdout
    if not listed:  # not a git checkout: everything but what a run leaves behind
        shutil.copytree(
            ROOT, destination, ignore=shutil.ignore_patterns(".venv", "build", "*.egg-info")
        )
        return destination
    for name in listed.decode("utf-8").split("\0"):
        if name and ((ROOT / name).is_file() or (ROOT / name).is_symlink()):
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target, follow_symlinks=False)
    return destination


def test_ci_runs_the_readmes_first_commands():
    """The first command makes the environment it installs into (a Debian Python
    refuses `pip install`), the second tests in it; CI runs both as written."""
    first, second = first_commands(README.read_text(encoding="utf-8"))
    assert first.startswith("python3 -m venv .venv && .venv/bin/pip install")
    assert second == ".venv/bin/python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert first in ci and second in ci
    assert not [line for line in ci if re.match(r"\s*(python3 -m )?pip install", line)]


def test_ci_watches_beancounts_private_api():
    """The README's parity run against the newest Beancount is a step of CI."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert "bash .ci/beancount-parity" in ci
    assert ".ci/beancount-parity" in commands(README.read_text(encoding="utf-8"))


def test_every_readme_command_runs_as_written(tmp_path):
    """In a copy of the repository, with the environment's programs first on PATH (as
    after `. .venv/bin/activate`), each line exits 0; a line that reused a folder an
    earlier line made, or left out the --ledger its example needs, would not."""
    listed = commands(README.read_text(encoding="utf-8"))
    unknown = set(NOT_RUN) - set(listed)
    assert not unknown, f"NOT_RUN names lines the README no longer has: {unknown}"
    clone = fresh_copy(tmp_path / "clone")
    environment = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        "YOSAN_CACHE_DIR": str(tmp_path / "cache"),
    }
    environment.pop("YOSAN_LEDGER", None)
    ran = 0
    for command in listed:
        if command in NOT_RUN:
            continue
        if command.split()[0] == "just" and shutil.which("just") is None:
            pytest.fail(f"{command}: just is not installed; list the line or install it")
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=clone,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"{command}\n{done.stderr[-2000:]}"
        ran += 1
    assert ran >= 40
