"""The statement cache: a repeat report on an unchanged ledger without loading it.

After a full load the statements, the options and every problem are stored, one
entry per ledger (its absolute path), in ``$YOSAN_CACHE_DIR``, else
``$XDG_CACHE_HOME/yosan``, else ``~/.cache/yosan``.  An entry is used only when it
is verified in full, otherwise the ledger is loaded again:

- the SHA-256 of the content of every file the load read (``options["include"]``:
  the main file and every file included, however deep, the layouts and the
  ledgers a directive names; and every file the gate checked) is that of the
  bytes the load parsed, each opened as the gate opens it (a FIFO or a device put
  in a file's place is never opened: the entry then does not verify);
- every one of those paths leads where it led: to the same file (its resolved
  path) through the same symbolic links, each with the same target, so a
  retargeted link (a layouts folder, the budget an actual journal names) is a
  changed input even where the files it now leads to hold the same bytes;
- every ``include`` pattern still matches the same files (a new file matching a
  glob is a change);
- the fingerprint is the same: the project's version, the SHA-256 of the code
  of the whole package (rules, layouts, loader, tables, renderers), of every
  other plugin module the ledger names, Beancount's and Python's versions;
- the stored payload has the SHA-256 the entry's manifest gives, and unpickles.

The folder is made 0700 and each entry 0600; a folder or an entry owned by another
user or writable by others is never read nor written (an entry is unpickled).

A ledger that scans document folders (``option "documents"``) is never cached:
its entries depend on files no include names.  Deleting the folder clears the
cache; ``--no-cache`` bypasses it.
"""

from __future__ import annotations

import glob
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import pickle
import re
import sys
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from yosan_ledger.plugins.core.messages import _, reason
from yosan_ledger.plugins.core.sources import FileProblem, open_regular, read_regular
from yosan_ledger.reports.output import write_atomically

MAGIC = b"yosan-statement-cache 2\n"
PACKAGE = "yosan-ledger"
# The code whose output the cache holds, and whose printed output it replays: the
# whole package (the rules, their library and layouts, the loader, the tables and
# renderers).  A change to any of it is a new fingerprint.
_PACKAGES = ("yosan_ledger.load", "yosan_ledger.plugins", "yosan_ledger.reports")
_CODE = ("**/*.py", "**/*.toml", "**/templates/*")
_INCLUDE = re.compile(rb'^include\s+"((?:[^"\\]|\\.)*)"', re.MULTILINE)


def ledger_filename(path: Path | str) -> str:
    """A ledger's main file as the load and the statement cache name it."""
    return os.path.normpath(os.path.abspath(os.path.expanduser(str(path))))


def cache_dir() -> Path:
    explicit = os.environ.get("YOSAN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "yosan"


class UnsafeCache(Exception):
    """A cache folder or entry another user could have written: never read."""


def _check_private(status: os.stat_result, what: str) -> None:
    if status.st_uid != os.getuid():
        raise UnsafeCache(
            _("{what} belongs to another user (uid {uid})", what=what, uid=status.st_uid)
        )
    if status.st_mode & 0o022:
        raise UnsafeCache(
            _(
                "{what} is writable by other users (mode {mode:o})",
                what=what,
                mode=status.st_mode & 0o777,
            )
        )


def private_folder(*, create: bool) -> Path:
    """The cache folder, made 0700 if new (a ledger's figures are as private as its
    files); raises UnsafeCache for one owned by another user or writable by others,
    where a forged entry could be planted (an entry is unpickled, that is run)."""
    folder = cache_dir()
    if create:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _check_private(os.stat(folder), _("the statement cache folder {folder}", folder=folder))
    if os.stat(folder).st_mode & 0o077:
        os.chmod(folder, 0o700)  # ours, made by an earlier version: no one else reads it
    return folder


def unsafe_reason() -> str | None:
    """Why the cache folder is not used, if it exists and is not private."""
    try:
        private_folder(create=False)
    except UnsafeCache as error:
        return reason(error)
    except OSError:
        return None
    return None


def _read_private(path: Path) -> bytes:
    """A file of the cache, read only if the user owns it and no one else can write
    it (opened without following a link, then checked on the open file)."""
    private_folder(create=False)
    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(handle, "rb") as stream:
        _check_private(os.fstat(stream.fileno()), _("the cache entry {path}", path=path))
        return stream.read()


def entry_path(ledger: str) -> Path:
    """Where the entry of the ledger with this absolute main file lives."""
    name = hashlib.sha256(ledger.encode("utf-8")).hexdigest()[:32]
    return cache_dir() / f"{name}.statements"


def project_version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def tree_digest(folder: Path, patterns: Iterable[str] = _CODE) -> str:
    """SHA-256 of the code in a folder: each file's path in it and the SHA-256 of its
    content, one line each, so that a file renamed, moved or split, or content moved
    from one file to another, is a different digest."""
    digest = hashlib.sha256()
    found = sorted({path for pattern in patterns for path in folder.glob(pattern)})
    for path in found:
        if path.is_file():
            content = hashlib.sha256(path.read_bytes()).hexdigest()
            digest.update(f"{path.relative_to(folder).as_posix()}\0{content}\n".encode())
    return digest.hexdigest()


@cache
def _code_digest() -> str:
    parts = []
    for package in _PACKAGES:
        spec = importlib.util.find_spec(package)
        for folder in map(Path, spec.submodule_search_locations or ()):
            parts.append(f"{package} {tree_digest(folder)}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _plugin_digest(name: str) -> str | None:
    """SHA-256 of the code of a plugin the ledger names: the whole package it belongs
    to (its other modules are what it imports), else its one file."""
    top = name.partition(".")[0]
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return " ".join(tree_digest(Path(f), ("**/*.py",)) for f in spec.submodule_search_locations)
    return _file_digest(spec.origin) if spec.origin and os.path.isfile(spec.origin) else None


def fingerprint(plugins: Iterable[str]) -> str:
    """What, besides the ledger's files, the cached result depends on."""
    from beancount import __version__ as beancount_version

    from yosan_ledger.plugins.core import messages

    parts = [
        f"yosan-ledger {project_version()}",
        f"code {_code_digest()}",
        f"beancount {beancount_version}",
        f"python {sys.version_info[:3]}",
        # The errors kept are in the reader's language.
        f"language {messages.locale_language()}",
    ]
    for name in sorted(set(plugins)):
        if name.startswith(("beancount.", "yosan_ledger.")):
            continue  # Beancount's change with its version, the project's are the code above
        parts.append(f"plugin {name} {_plugin_digest(name) or 'missing'}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _file_digest(path: str) -> str | None:
    """SHA-256 of a regular file, opened as the gate opens it; None for anything else."""
    try:
        with open_regular(path) as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except (FileProblem, OSError):
        return None


def _links(path: str) -> list[str]:
    """The symbolic links met on the way to ``path``, each path through it."""
    found, current = [], ""
    for part in Path(path).parts:
        current = os.path.join(current, part)
        if os.path.islink(current):
            found.append(current)
    return found


def resolution(path: str) -> str:
    """Where a path leads: the file it resolves to, and each symbolic link on the
    way with its target.  Pointing a link elsewhere changes it, whatever the files
    there hold."""
    try:
        links = [f"{link} -> {os.readlink(link)}" for link in _links(path)]
        return "\n".join([os.path.realpath(path), *links])
    except OSError:
        return ""


def _digests(paths: list[str]) -> list[str | None]:
    """SHA-256 of each file, several at once (hashlib lets go of the GIL)."""
    if len(paths) < 2:
        return [_file_digest(p) for p in paths]
    try:
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            return list(pool.map(_file_digest, paths))
    except RuntimeError:  # no thread can start (a process or memory limit): one by one
        return [_file_digest(p) for p in paths]


def _include_patterns(files: Iterable[str]) -> dict[str, list[str]]:
    """Every ``include`` of the files, as Beancount resolves it (relative to the
    including file, globbed), with the files it matches now."""
    patterns: dict[str, list[str]] = {}
    for filename in files:
        try:
            text = read_regular(filename)
        except FileProblem:
            continue
        if filename.endswith(".toml"):  # a layout: a new file in its folder is a change
            pattern = os.path.join(os.path.dirname(filename), "*.toml")
            patterns[pattern] = _matches(pattern)
            continue
        for match in _INCLUDE.finditer(text):
            pattern = match.group(1).decode("utf-8", "replace")
            if not os.path.isabs(pattern):
                pattern = os.path.join(os.path.dirname(filename), pattern)
            patterns[pattern] = _matches(pattern)
    return patterns


def _matches(pattern: str) -> list[str]:
    return sorted(os.path.normpath(p) for p in glob.glob(pattern, recursive=True))


def _head(magic: bytes, header: dict[str, Any]) -> bytes:
    """What a file of the cache starts with: its kind (``magic``), then its header
    as one line of JSON; its body follows."""
    return magic + json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n"


def _parts(blob: bytes, magic: bytes) -> tuple[dict[str, Any], bytes]:
    """The header and the body of a file of the cache of that kind; raises for any
    other file."""
    if not blob.startswith(magic):
        raise ValueError(f"not a {magic.decode().strip()!r} file")
    header_end = blob.index(b"\n", len(magic))
    return json.loads(blob[len(magic) : header_end]), blob[header_end + 1 :]


def _entry(ledger: str) -> tuple[dict[str, Any], bytes]:
    """The manifest and the payload of the ledger's entry; raises if there is none."""
    return _parts(_read_private(entry_path(ledger)), MAGIC)


def verified_payload(ledger: str) -> bytes | None:
    """The ledger's entry, still to unpickle, or None unless every check holds."""
    try:
        manifest, payload = _entry(ledger)
        if manifest["ledger"] != ledger:
            return None
        if manifest["fingerprint"] != fingerprint(manifest["plugins"]):
            return None
        if hashlib.sha256(payload).hexdigest() != manifest["payload"]:
            return None
        for pattern, matched in manifest["globs"].items():
            if _matches(pattern) != matched:
                return None
        files = manifest["files"]
        if [resolution(f) for f in files] != [manifest["resolved"][f] for f in files]:
            return None
        if _digests(list(files)) != list(files.values()):
            return None
    except Exception:  # noqa: BLE001 - an entry that cannot be verified is not used
        return None
    return payload


_early: dict[str, Future[bytes | None]] = {}


def start_verifying(ledger: str) -> None:
    """Begin verifying the ledger's entry on another thread, while the command goes
    on importing pandas and the rest: hashing lets go of the GIL, so a large
    ledger's files are hashed on the second core in the meantime.  ``read`` takes
    the outcome (for that ledger only)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="yosan-cache")
    try:
        _early[ledger] = pool.submit(verified_payload, ledger)
    except RuntimeError:  # no thread can start: ``read`` verifies it in this one
        return
    pool.shutdown(wait=False)


def read(ledger: str) -> dict[str, Any] | None:
    """The cached result for the ledger, or None unless every check holds."""
    early = _early.pop(ledger, None)
    payload = early.result() if early is not None else verified_payload(ledger)
    if payload is None:
        return None
    try:
        result = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - an entry that does not unpickle is not used
        return None
    return result if isinstance(result, dict) else None


PRINTED_MAGIC = b"yosan-printed-output 2\n"


def _printed_path(ledger: str, key: str) -> Path:
    entry = entry_path(ledger)
    return entry.with_name(f"{entry.name}.{key}.printed")


def printed(ledger: str, key: str) -> str | None:
    """What a command (``key``: its arguments and working directory) printed from
    the ledger's entry, when that entry still verifies (the early verification's
    outcome, which stays for ``read``) and the kept text is the one written for
    this entry and this key, byte for byte (its header gives both and the text's
    SHA-256: a swapped, truncated or edited file is not printed); None otherwise."""
    early = _early.get(ledger)
    try:
        header, text = _parts(_read_private(_printed_path(ledger, key)), PRINTED_MAGIC)
        if header["key"] != key or header["text"] != hashlib.sha256(text).hexdigest():
            return None
        payload = early.result() if early is not None else verified_payload(ledger)
        if payload is None or hashlib.sha256(payload).hexdigest() != header["entry"]:
            return None
        return text.decode("utf-8")
    except Exception:  # noqa: BLE001 - an output that cannot be verified is not replayed
        return None


def store_printed(ledger: str, key: str, text: str) -> None:
    """Keep what the command printed, tied to the ledger's current entry (the one
    the command's load used or wrote); without an entry nothing is kept."""
    try:
        body = text.encode("utf-8")
        header = {
            "entry": _entry(ledger)[0]["payload"],
            "key": key,
            "text": hashlib.sha256(body).hexdigest(),
        }
        content = _head(PRINTED_MAGIC, header) + body
        private_folder(create=True)
        write_atomically(
            _printed_path(ledger, key), lambda stream: stream.write(content), mode=0o600
        )
    except Exception:  # noqa: BLE001 - no entry, read-only disk: nothing to replay later
        return


def write(
    ledger: str,
    options: dict,
    result: dict[str, Any],
    *,
    unchanged_since: int,
    read: dict[str, str] | None = None,
    inputs: Iterable[str] = (),
) -> None:
    """Store a load's result; a cache that cannot be written is no cache.  The
    entry keeps the SHA-256 of the bytes the load parsed (``read``, per file), not
    of the files as they are now: a file replaced during the load, even with an
    older modification time (``cp -p``, ``rsync -a``, a sync client), then no
    longer verifies.  A file the parser did not read (a layout, one only the gate
    read: ``inputs``) is hashed now, and nothing is stored when it, or a symbolic
    link on the way to any file, changed (its modification or status-change
    time) after ``unchanged_since`` (ns)."""
    if options.get("documents"):
        return
    files = sorted({*(options.get("include") or [ledger]), *inputs})
    plugins = [name for name, _ in options.get("plugin", ())]
    try:
        read = read or {}
        # A file the parser did not read (a layout) is hashed now, and only if it has
        # not changed since the load began.
        others = [f for f in files if f not in read]
        links = [link for f in files for link in _links(f)]
        for f in others:
            status = os.stat(f)
            if max(status.st_mtime_ns, status.st_ctime_ns) >= unchanged_since:
                return
        for link in links:
            status = os.lstat(link)
            if max(status.st_mtime_ns, status.st_ctime_ns) >= unchanged_since:
                return
        hashed = dict(zip(others, _digests(others), strict=True))
        digests = [read[f] if f in read else hashed[f] for f in files]
        if None in digests:
            return
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        manifest = {
            "ledger": ledger,
            "fingerprint": fingerprint(plugins),
            "plugins": plugins,
            "files": dict(zip(files, digests, strict=True)),
            "resolved": {f: resolution(f) for f in files},
            "globs": _include_patterns(files),
            "payload": hashlib.sha256(payload).hexdigest(),
        }
        head = _head(MAGIC, manifest)
        private_folder(create=True)
        write_atomically(
            entry_path(ledger),
            lambda stream: (stream.write(head), stream.write(payload)),
            mode=0o600,
        )
    except Exception:  # noqa: BLE001 - unpicklable plugin output, read-only disk …
        return


PARSED_MAGIC = b"yosan-parsed-file 1\n"


class ParsedFileCache:
    """Each file's parse (``yosan_ledger.load.parsing``), kept in the cache folder's
    ``parsed/`` beside the statements and trusted as they are: one entry per file
    (its absolute name), used only for the same bytes (their SHA-256), the same
    code that made it (the whole package, as for the statements: the builder is
    part of it), the same Beancount and Python, and a payload with the SHA-256
    its header gives."""

    def __init__(self) -> None:
        from beancount import __version__ as beancount_version

        from yosan_ledger.load import parsing

        self.fingerprint = (
            f"{parsing.FORMAT} code {_code_digest()} beancount {beancount_version} "
            f"python {sys.version}"
        )

    @staticmethod
    def path(filename: str) -> Path:
        name = hashlib.sha256(filename.encode("utf-8")).hexdigest()[:32]
        return cache_dir() / "parsed" / f"{name}.parsed"

    def get(self, filename: str, digest: str) -> bytes | None:
        try:
            path = self.path(filename)
            header, payload = _parts(_read_private(path), PARSED_MAGIC)
            _check_private(os.stat(path.parent), "the parsed-file cache folder")
            if (header["file"], header["digest"], header["fingerprint"]) != (
                filename,
                digest,
                self.fingerprint,
            ):
                return None
            if hashlib.sha256(payload).hexdigest() != header["payload"]:
                return None
        except Exception:  # noqa: BLE001 - an entry that cannot be verified is not used
            return None
        return payload

    def put(self, filename: str, digest: str, payload: bytes) -> None:
        try:
            header = {
                "file": filename,
                "digest": digest,
                "fingerprint": self.fingerprint,
                "payload": hashlib.sha256(payload).hexdigest(),
            }
            head = _head(PARSED_MAGIC, header)
            path = self.path(filename)
            private_folder(create=True)
            path.parent.mkdir(mode=0o700, exist_ok=True)
            _check_private(os.stat(path.parent), "the parsed-file cache folder")
            write_atomically(
                path, lambda stream: (stream.write(head), stream.write(payload)), mode=0o600
            )
        except Exception:  # noqa: BLE001 - a cache that cannot be written is no cache
            return
