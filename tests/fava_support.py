"""Fava for the tests: a server started with `yosan fava`, and a ledger full of markup."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

ROOT = Path(__file__).resolve().parent.parent
SMALL_DIR = ROOT / "tests" / "ledgers" / "small"
STARTUP_SECONDS = 120

# Markup in the ledger: a page that executes any of it sets window.__yosan_xss.
SCRIPT = "<script>window.__yosan_xss = 1</script>"
IMAGE = "<img src=x onerror=window.__yosan_xss=2>"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Fava:
    base: str  # http://127.0.0.1:PORT
    slug: str  # the ledger's part of every URL

    def url(self, page: str, query: str = "") -> str:
        return f"{self.base}/{quote(self.slug)}/{page}" + (f"?{query}" if query else "")

    def extension(self, name: str, query: str = "") -> str:
        return self.url(f"extension/{name}/", query)

    def statement(self, key: str, query: str = "") -> str:
        """The statements page showing the statement ``key``."""
        return self.extension(
            "YosanStatements", "&".join(filter(None, [f"statement={key}", query]))
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _first_redirect(base: str) -> str | None:
    """Where Fava's / sends the browser (the ledger's default page), once it answers."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(f"{base}/", timeout=5)
    except urllib.error.HTTPError as error:
        if error.code in (301, 302, 303, 307, 308):
            return error.headers["Location"]
        raise
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None
    return None


@contextmanager
def fava_server(ledger: Path, *extra: str) -> Iterator[Fava]:
    """`yosan fava` on a free local port; always stopped on the way out."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "yosan_ledger.reports", "fava", "--ledger", str(ledger)]
    process = subprocess.Popen(
        [*command, "--port", str(port), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        location = None
        while location is None:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"yosan fava exited with {process.returncode}:\n{output}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"yosan fava did not answer on {base} in time")
            location = _first_redirect(base)
            if location is None:
                time.sleep(0.25)
        slug = unquote(location.strip("/").split("/")[0])
        yield Fava(base, slug)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def markup_ledger(folder: Path) -> Path:
    """The small test ledger with markup where the ledger holds text: the title, a
    segment's name, a narration, two accounts' metadata (one a wrong statement line)
    and a published figure's row.  The figures are those of the small ledger."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("main.beancount", "accounts.beancount"):
        shutil.copy(SMALL_DIR / name, folder / name)
    shutil.copytree(SMALL_DIR / "layouts", folder / "layouts", dirs_exist_ok=True)
    main = folder / "main.beancount"
    text = main.read_text(encoding="utf-8")
    replacements = {
        'option "title" "テスト機構 予算"': f'option "title" "テスト機構{SCRIPT}"',
        '"beta" "乙事業" "3"': f'"beta" "乙事業{IMAGE}" "3"',
        '2016-12-01 * "雑収入"': f'2016-12-01 * "雑収入{SCRIPT}"',
        'include "accounts.beancount"': 'include "accounts.beancount"\n'
        '2016-04-01 custom "fava-extension" "yosan_ledger.reports.fava_ext"\n'
        f'2016-03-31 open Assets:19-仮勘定  JPY\n  line: "{SCRIPT}"\n'
        f'2017-03-31 custom "yosan-published" "bs" "{IMAGE}" "alpha" 1 "千円"',
    }
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    main.write_text(text, encoding="utf-8")
    accounts = folder / "accounts.beancount"
    text = accounts.read_text(encoding="utf-8")
    assert text.count('  line: "雑収入"\n') == 1
    text = text.replace('  line: "雑収入"\n', f'  line: "雑収入"\n  note: "{SCRIPT}"\n')
    accounts.write_text(text, encoding="utf-8")
    return main
