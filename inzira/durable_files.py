"""Files that must survive a kill -9 or a power cut: each is whole or absent, never torn.

A write goes to a temporary file in the target's folder, created with the file's final mode (0600 for a
secret, from its first byte), synced to disk, renamed over the target; then the folder is synced, so the
rename itself survives a power cut. A kill at any step leaves the old file (or none) and at most a ``.tmp``
beside it that nothing reads: the next write of the same file replaces it, and the owner of a folder of
such files removes them at start (``remove_leftovers``).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

TMP_SUFFIX = ".tmp"
PUBLIC_MODE = 0o666  # less the umask, as a plain open() would make it
LEFTOVERS_MAX = 10_000


def sync_folder(folder: Path) -> None:
    """The folder's entries (a file just made, renamed or removed) are on disk."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_folder(folder: Path, mode: int = 0o777) -> None:
    """``folder`` (with ``mode``) and its missing parents, each one's entry synced in its own parent."""
    if folder.is_dir():
        return
    make_folder(folder.parent)
    try:
        folder.mkdir(mode=mode)
    except FileExistsError:  # made meanwhile by another process; a file there fails at the first write
        return
    sync_folder(folder.parent)


def _write_synced(fd: int, data: bytes) -> None:
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def write_durable(path: Path, data: bytes, mode: int = PUBLIC_MODE) -> None:
    """Replace ``path`` by ``data`` atomically and durably; the file has ``mode`` from its first byte. The
    folder must exist (``make_folder``): a mistyped output path is refused, not made."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    tmp.unlink(missing_ok=True)  # a leftover may have another mode: O_EXCL makes a fresh file with ours
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        _write_synced(fd, data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def create_private_once(path: Path, data: bytes) -> None:
    """Create ``path`` (mode 0600) holding ``data`` unless it exists; of processes racing, the first wins.

    The file appears whole (a hard link to a synced temporary file) or not at all, so a reader never sees it
    empty or short, and a kill while making it leaves it absent, to be made again at the next start."""
    if path.exists():
        return
    make_folder(path.parent, 0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=TMP_SUFFIX)  # 0600, unique
    try:
        _write_synced(fd, data)
        with contextlib.suppress(FileExistsError):  # another process made it first: theirs is kept
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    sync_folder(path.parent)


def remove_leftovers(folder: Path) -> int:
    """Remove the temporary files a kill left in ``folder`` (call only where no write can be under way)."""
    if not folder.is_dir():
        return 0
    removed = 0
    for leftover in folder.glob(f"*{TMP_SUFFIX}"):
        if removed >= LEFTOVERS_MAX:
            break
        leftover.unlink(missing_ok=True)
        removed += 1
    if removed:
        sync_folder(folder)
    return removed
