"""The soak's chain on disk: encoded blocks appended to an unnamed temporary file and read back in order,
so that a run of a million transactions does not hold its blocks in memory."""

from __future__ import annotations

import tempfile
from typing import Iterator

_HEAD_BYTES = 20  # height (8 bytes), ordering-log time (8), length of the encoded block (4)


class ChainFile:
    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="inzira-soak-")
        self.blocks = 0
        self.bytes = 0

    def append(self, height: int, log_ms: int, encoded: bytes) -> None:
        self._file.write(height.to_bytes(8, "big") + log_ms.to_bytes(8, "big") + len(encoded).to_bytes(4, "big"))
        self._file.write(encoded)
        self.blocks += 1
        self.bytes += len(encoded)

    def records(self) -> Iterator[tuple[int, bytes, int]]:
        """(height, encoded block, ordering-log time), in the order written; a snapshot of what is there now."""
        self._file.flush()
        end = self._file.tell()
        self._file.seek(0)
        try:
            while self._file.tell() < end:
                head = self._file.read(_HEAD_BYTES)
                height, log_ms = int.from_bytes(head[:8], "big"), int.from_bytes(head[8:16], "big")
                data = self._file.read(int.from_bytes(head[16:], "big"))
                position = self._file.tell()
                yield height, data, log_ms
                self._file.seek(position)
        finally:
            self._file.seek(end)

    def close(self) -> None:
        self._file.close()
