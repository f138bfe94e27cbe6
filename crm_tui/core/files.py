"""Files written whole or not at all: what we write goes to a temporary file in the same folder (0600), is fsynced,
then renamed over the final name. Whatever happens part-way, SIGKILL and a full disk included, the final name holds
the old file or the whole new one; a symlink at the final name is replaced, never followed.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

PARTIAL_SUFFIX = ".partial"
STALE_PARTIAL_SECONDS = 3600


class AtomicTextFile:
    """A text file under a temporary name beside `path` until `commit` renames it to `path`; `discard` drops it.
    With `replace` False, an existing `path` is a FileExistsError before anything is written."""

    def __init__(self, path: Path, replace: bool = True) -> None:
        if not path.parent.is_dir():
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
        if not replace and (path.exists() or path.is_symlink()):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
        self.path = path
        handle, self.temporary = _temporary_beside(path)
        self.stream: TextIO = os.fdopen(handle, "w", encoding="utf-8", newline="")

    def commit(self) -> None:
        try:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()
            os.replace(self.temporary, self.path)
        except BaseException:
            self.discard()
            raise
        sync_folder(self.path.parent)

    def discard(self) -> None:
        self.stream.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temporary)


@contextlib.contextmanager
def atomic_text_file(path: Path, replace: bool = True) -> Iterator[TextIO]:
    """A text stream whose content becomes `path` when the block ends without an exception."""
    file = AtomicTextFile(path, replace)
    try:
        yield file.stream
    except BaseException:
        file.discard()
        raise
    file.commit()


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """An empty temporary file beside `path` (0600), for a writer that wants a name rather than a stream (SQLite's
    online backup): renamed over `path` when the block ends without an exception, removed otherwise."""
    handle, temporary = _temporary_beside(path)
    os.close(handle)
    try:
        yield Path(temporary)
        _sync_file(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    sync_folder(path.parent)


def _temporary_beside(path: Path) -> tuple[int, str]:
    drop_stale_partials(path.parent, path.name)
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=PARTIAL_SUFFIX, dir=path.parent)


def drop_stale_partials(folder: Path, name: str | None = None) -> None:
    """Remove what a writer killed part-way (kill -9, a power cut) left in `folder` under a temporary name (of the
    file `name`, or of any file): those not written to for an hour. A writer at work touches its file all the time,
    so its file is never taken."""
    cutoff = time.time() - STALE_PARTIAL_SECONDS
    pattern = f".{glob.escape(name)}.*{PARTIAL_SUFFIX}" if name else f".*{PARTIAL_SUFFIX}"
    for partial in folder.glob(pattern):
        with contextlib.suppress(OSError):
            if partial.is_file() and not partial.is_symlink() and partial.lstat().st_mtime < cutoff:
                partial.unlink()


def _sync_file(name: str | Path) -> None:
    descriptor = os.open(name, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable: fsync the folder itself (where the system allows it)."""
    with contextlib.suppress(OSError):
        _sync_file(folder)
