"""Writing output files and folders whole or not at all."""

from __future__ import annotations

import glob
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import BinaryIO

from yosan_ledger.plugins.core.messages import _
from yosan_ledger.plugins.core.sources import shown


def _folder_of(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _as_created(path: Path, mode: int) -> None:
    """Give a temporary file or folder (made private) the mode a new one would have."""
    os.chmod(path, mode & ~_umask())


class ForeignDirectory(Exception):
    """The target folder holds files this export did not write; it is left alone."""


class NotARegularFile(ForeignDirectory):
    """The output path names a device, a FIFO, a folder or a dangling link."""


def regular_target(path: Path) -> tuple[Path, int | None]:
    """Where a file written to ``path`` goes, and the mode an existing file there
    has: a symbolic link is written through, as the shell's ``>`` would, to the file
    it names; a device, FIFO, socket or folder is refused (renaming over it would
    replace it, not write to it)."""
    path = Path(path)
    try:
        link = os.path.islink(path)
        target = Path(os.path.realpath(path)) if link else path
        status = os.stat(target)
    except FileNotFoundError:
        _check_name(target)
        if link:
            raise NotARegularFile(
                _(
                    "{path} is a symbolic link to {target}, which does not exist; "
                    "give the path of a regular file",
                    path=path,
                    target=target,
                )
            ) from None
        return target, None
    except OSError as error:
        _check_name(path)
        raise NotARegularFile(
            _("{path}: cannot write there: {error}", path=path, error=error.strerror)
        ) from None
    mode = status.st_mode
    if stat.S_ISDIR(mode):
        raise NotARegularFile(_("{path} is a folder; give -o a file name", path=path))
    if not stat.S_ISREG(mode):
        kind = _("a FIFO") if stat.S_ISFIFO(mode) else _("not a regular file")
        kind = _("a device") if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else kind
        raise NotARegularFile(
            _(
                "{path} is {kind}; the output is written to regular files only",
                path=path,
                kind=kind,
            )
        )
    return target, stat.S_IMODE(mode)


def replaced_input(
    path: Path, inputs: Iterable[str], *, folder: bool = False
) -> tuple[str, bool] | None:
    """The input an output at ``path`` would replace, and whether the output holds it
    rather than is it; None for none.  The same file by its resolved path, through
    any symbolic link, or by its device and inode (a hard link); for a ``folder``
    output, a file it holds."""
    target = os.path.realpath(path)
    try:
        status = os.stat(target)
        same_file: tuple[int, int] | None = (status.st_dev, status.st_ino)
    except OSError:
        same_file = None
    for name in inputs:
        real = os.path.realpath(name)
        try:
            other = os.stat(real)
            identity: tuple[int, int] | None = (other.st_dev, other.st_ino)
        except OSError:
            identity = None
        if real == target or (same_file is not None and identity == same_file):
            return name, False
        if folder and os.path.commonpath([target, real]) == target:
            return name, True
    return None


def refuse_inputs(path: Path, inputs: Iterable[str], *, folder: bool = False) -> None:
    """Refuse an output that would replace one of the files a load read (the ledger,
    an include, a layout, a ledger it names), or a ``folder`` output that holds one
    (``replaced_input``).  Nothing is written yet."""
    found = replaced_input(path, inputs, folder=folder)
    if found is None:
        return
    name, held = found
    if held:
        raise ForeignDirectory(
            _(
                "-o {path} holds {file}, a file the ledger is read from; the output would "
                "replace it: give -o another folder",
                path=path,
                file=shown(name),
            )
        )
    raise ForeignDirectory(
        _(
            "-o {path} is {file}, a file the ledger is read from; the output would "
            "replace it: give -o another path",
            path=path,
            file=shown(name),
        )
    )


def _check_name(path: Path) -> None:
    """Refuse a path the system cannot create (a name over 255 bytes, a missing folder),
    before anything is written."""
    try:
        limit = os.pathconf(_folder_of(path), "PC_NAME_MAX")
    except OSError as error:
        raise NotARegularFile(
            _("{path}: cannot write there: {error}", path=path, error=error.strerror)
        ) from None
    # The temporary file beside it has a longer name: "." + name + ".XXXXXXXX.tmp".
    if len(os.fsencode(path.name)) + 14 > limit:
        raise NotARegularFile(
            _(
                "{path}: the file name is too long ({length} bytes; at most {largest} here)",
                path=path,
                length=len(os.fsencode(path.name)),
                largest=limit - 14,
            )
        )


def write_atomically(
    path: Path, write: Callable[[BinaryIO], None], *, mode: int | None = None
) -> None:
    """Write to a temporary file beside ``path``, then rename it into place: a
    failure leaves neither a half-written file nor a damaged old one.  The file
    keeps the mode of the one it replaces (a new one gets ``mode``, else what the
    umask gives); see ``regular_target`` for links and special files."""
    path, existing = regular_target(Path(path))
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=_folder_of(path)
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        if mode is not None:
            os.chmod(temporary, mode)
        elif existing is not None:
            os.chmod(temporary, existing)
        else:
            _as_created(Path(temporary), 0o666)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def create_directory_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Fill a temporary folder beside ``path``, then rename it to ``path``, which
    must not exist (``FileExistsError``): a new folder, whole or not at all."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise FileExistsError(
            _("{path} exists; a new folder is written, nothing is replaced", path=path)
        )
    temporary = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=_folder_of(path)))
    try:
        write(temporary)
        _as_created(temporary, 0o777)
        os.rename(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


# The file that marks a folder this tool wrote (an export), which it may replace.
MARKER = ".yosan-export"


def _is_export(folder: Path, owned: Collection[str]) -> bool:
    """A folder this tool wrote: its marker, and nothing but regular files it names."""
    if not (folder / MARKER).is_file() or folder.is_symlink():
        return False
    return all(
        p.name in owned and p.is_file() and not p.is_symlink()
        for p in folder.iterdir()
        if p.name != MARKER
    )


def _recover(path: Path, owned: Collection[str]) -> None:
    """Undo what a crashed export left beside ``path``: an earlier export moved
    aside (``.NAME.*.old``) is put back where no folder stands now, else removed;
    a half-written one (``.NAME.*.tmp``) is removed.  Only marked folders."""
    folder = _folder_of(path)
    for suffix in (".old", ".tmp"):
        leftovers = [
            p
            for p in folder.glob(f".{glob.escape(path.name)}.*{suffix}")
            if p.is_dir() and _is_export(p, owned)
        ]
        leftovers.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for leftover in leftovers:
            if suffix == ".old" and not path.exists() and not path.is_symlink():
                os.rename(leftover, path)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def write_directory_atomically(
    path: Path, write: Callable[[Path], None], *, owned: Collection[str]
) -> None:
    """Fill a temporary folder beside ``path``, then rename it into place.

    The folder is marked as this tool's (``MARKER``).  A failure while writing
    leaves the old folder as it was.  An existing folder is replaced only if it
    is marked and holds nothing but files named in ``owned`` (an earlier
    export), so a mistyped ``-o`` never deletes someone's work; it is moved
    aside, the new folder renamed in, and the old one removed.  Readers see the
    old folder or the new one, except for the instant between the two renames;
    a crash in that instant is undone on the next run (``_recover``).
    """
    path = Path(path)
    _recover(path, owned)
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise ForeignDirectory(_("{path} is not a folder; the export writes a folder", path=path))
    if path.is_dir() and not _is_export(path, owned):
        inside = sorted(p.name for p in path.iterdir())
        if inside:
            raise ForeignDirectory(
                _(
                    "{path} holds files this tool did not write ({files}); give a new folder "
                    "or an earlier export's",
                    path=path,
                    files=", ".join(inside[:3]) + (" …" if len(inside) > 3 else ""),
                )
            )
    temporary = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=_folder_of(path)))
    try:
        (temporary / MARKER).write_bytes(b"")
        write(temporary)
        _as_created(temporary, 0o777)
        if path.is_dir():
            old = Path(
                tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=_folder_of(path))
            )
            os.replace(path, old)  # onto the empty folder just made
            try:
                os.replace(temporary, path)
            except BaseException:
                os.replace(old, path)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
