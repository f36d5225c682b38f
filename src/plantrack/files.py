"""The one atomic file writer: write beside the destination, fsync, rename over it, fsync the folder.

Reports, calendars, attachments, backups, restores, bundles and the demo database are all
written this way, so a reader never sees half a file and a crash leaves the old file or the
new one, never a mixture.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def default_mode() -> int:
    """What a new file gets under the current umask (mkstemp's private 0600 is not that)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
STORED_FILE = 0o400  # kept evidence: its owner reads it, nobody edits it


def private_folder(folder: Path) -> Path:
    """Make ``folder`` (and missing parents) if needed; a folder made here is its owner's only.
    A folder that already exists keeps its mode: the user may have opened it on purpose."""
    if not folder.is_dir():
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        os.chmod(folder, PRIVATE_FOLDER)  # mkdir's mode is filtered by the umask
    return folder


def write_private(dest: Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` atomically, readable and writable by its owner only (0600), in
    a folder made 0700 if it is made here (a secret key, say). The temporary file is private from
    its first byte (mkstemp makes it 0600), so the data is never readable by others on the way."""
    private_folder(dest.parent)
    write_bytes(dest, data, mode=PRIVATE_FILE)


def create_private(path: Path) -> bool:
    """Create ``path`` empty and owner-only (0600, less if the umask says so) unless something is
    already there (left as it is); True when it was made here. SQLite gives a database it creates
    0644 less the umask, and its -wal and -shm files copy the database's mode: a database file
    made first this way keeps all three private."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def commit(tmp: Path, dest: Path, mode: int | None = None, durable: bool = True) -> None:
    """Move a fully written ``tmp`` over ``dest`` (same folder): fsync, chmod, rename, fsync the folder.

    ``mode`` None gives the permissions any new file would get (the umask's). ``durable`` False
    skips the two fsyncs (for the thousands of pages of a site that can be built again: the
    rename still keeps a reader from ever seeing half a file).
    """
    if durable:
        fsync_file(tmp)
    os.chmod(tmp, default_mode() if mode is None else mode)
    os.replace(tmp, dest)
    if durable:
        fsync_folder(dest.parent)


@contextmanager
def replacing(dest: Path, mode: int | None = None, durable: bool = True) -> Iterator[Path]:
    """A temporary path beside ``dest`` to write; on success it becomes ``dest``, on failure it is removed."""
    import tempfile  # with shutil, about 5 ms that most commands never need

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        commit(tmp, dest, mode, durable)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(dest: Path, text: str, mode: int | None = None, durable: bool = True) -> None:
    with replacing(dest, mode, durable) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)


def write_bytes(dest: Path, data: bytes, mode: int | None = None, durable: bool = True) -> None:
    with replacing(dest, mode, durable) as tmp:
        tmp.write_bytes(data)


def copy(src: Path, dest: Path, mode: int | None = None) -> None:
    import shutil

    with replacing(dest, mode) as tmp:
        shutil.copyfile(src, tmp)
