"""Writing output files and folders whole or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path
from typing import BinaryIO


def _folder_of(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _as_created(path: Path, mode: int) -> None:
    """Give a temporary file or folder (made private) the mode a new one would have."""
    os.chmod(path, mode & ~_umask())


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write to a temporary file beside ``path``, then rename it into place: a
    failure leaves neither a half-written file nor a damaged old one."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=_folder_of(path)
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
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
        raise FileExistsError(f"{path} exists; a new folder is written, nothing is replaced")
    temporary = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=_folder_of(path)))
    try:
        write(temporary)
        _as_created(temporary, 0o777)
        os.rename(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


class ForeignDirectory(Exception):
    """The target folder holds files this export did not write; it is left alone."""


def write_directory_atomically(
    path: Path, write: Callable[[Path], None], *, owned: Collection[str]
) -> None:
    """Fill a temporary folder beside ``path``, then rename it into place.

    A failure while writing leaves the old folder as it was.  An existing folder
    is replaced only if it holds nothing but files named in ``owned`` (an earlier
    export), so a mistyped ``-o`` never deletes someone's work; it is moved aside,
    the new folder renamed in, and the old one removed.  Readers see the old
    folder or the new one, except for the instant between the two renames.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ForeignDirectory(f"{path} is a file; the export writes a folder")
    if path.is_dir():
        foreign = sorted(p.name for p in path.iterdir() if p.name not in owned)
        if foreign:
            raise ForeignDirectory(
                f"{path} holds files the export did not write ({', '.join(foreign[:3])}"
                f"{' …' if len(foreign) > 3 else ''}); give a new or an export's folder"
            )
    temporary = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=_folder_of(path)))
    try:
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
