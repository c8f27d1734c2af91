"""One process at a time runs a peer folder: an exclusive lock on ``peer.lock`` in it, held while the peer runs.

Two processes on one folder (`inzira network up` starting a member's peer while `inzira remit serve` runs it)
would both write its store and both cut blocks and sign checkpoints as that member. The lock is the kernel's
(a Linux open file description lock, ``F_OFD_SETLK``), so a process killed with SIGKILL releases it; the file
keeps the holder's pid, to name it. Unlike ``flock``, such a lock can be tested without being taken
(``F_OFD_GETLK``): looking whether a folder is held never makes a peer starting at that moment fail.
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct
from pathlib import Path

LOCK_FILE = "peer.lock"
PID_CHARS_MAX = 20
# struct flock (64-bit Linux): type, whence, start, length (0: to the end, whatever it grows to), pid (0 for OFD).
_FLOCK = struct.Struct("@hhqqi4x")
_WHOLE_FILE_WRITE = _FLOCK.pack(fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)


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
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, _WHOLE_FILE_WRITE)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES):  # the two answers POSIX allows for "held"
                raise PeerFolderBusyError(folder, holder_pid(folder)) from None
            raise
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(fd)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor of its open file description ends the lock
            self._fd = None


def holder_pid(folder: Path) -> int | None:
    """The pid written by the process that holds (or last held) the folder's lock, if readable."""
    try:
        with (folder / LOCK_FILE).open("rb") as file:
            text = file.read(PID_CHARS_MAX).decode("ascii", "replace").strip()  # not a pid: None below
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def is_held(folder: Path) -> bool:
    """Whether some process (this one included, through another ``take``) runs the peer of ``folder`` now.
    Only asks the kernel: the lock is never taken, the file never written."""
    try:
        fd = os.open(folder / LOCK_FILE, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        answer = fcntl.fcntl(fd, fcntl.F_OFD_GETLK, _WHOLE_FILE_WRITE)
    finally:
        os.close(fd)
    return _FLOCK.unpack(answer)[0] != fcntl.F_UNLCK
