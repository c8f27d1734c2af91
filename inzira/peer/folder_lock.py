"""One process at a time runs a peer folder: an exclusive lock on ``peer.lock`` in it, held while the peer runs.

Two processes on one folder (`inzira network up` starting a member's peer while `inzira remit serve` runs it)
would both write its store and both cut blocks and sign checkpoints as that member. The lock is the kernel's
(``flock``), so a process killed with SIGKILL releases it; the file keeps the holder's pid, to name it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = "peer.lock"
PID_CHARS_MAX = 20


class PeerFolderBusyError(RuntimeError):
    """Another process runs the peer of this folder."""

    def __init__(self, folder: Path, pid: int | None) -> None:
        self.folder = folder
        self.pid = pid
        holder = f"process {pid}" if pid else "another process"
        super().__init__(f"{holder} already runs the peer in {folder} (it holds {folder / LOCK_FILE}); "
                         "stop it first: one folder, one running peer")


class FolderLock:
    """Held from ``take`` until ``release`` (or the process's end)."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    @classmethod
    def take(cls, folder: Path) -> "FolderLock":
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise PeerFolderBusyError(folder, holder_pid(folder)) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(fd)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor ends the flock
            self._fd = None


def holder_pid(folder: Path) -> int | None:
    """The pid written by the process that holds (or last held) the folder's lock, if readable."""
    try:
        text = (folder / LOCK_FILE).read_text()[:PID_CHARS_MAX].strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def is_held(folder: Path) -> bool:
    """Whether some process runs the peer of ``folder`` now (taking the lock for an instant if nobody does)."""
    try:
        lock = FolderLock.take(folder)
    except PeerFolderBusyError:
        return True
    except FileNotFoundError:
        return False
    lock.release()
    return False
