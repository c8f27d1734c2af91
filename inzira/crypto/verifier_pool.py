"""A pool of worker processes that verify Ed25519 signatures on all cores.

Processes and threads live here, outside the ledger core: the core takes a signature check as a
function and never starts anything itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Sequence

from inzira.crypto.signatures import verify

WORKER_MODULE = "inzira.crypto.verify_worker"


def _verify_chunk(items: Sequence[tuple[bytes, bytes, bytes]]) -> list[bool]:
    return [verify(pk, msg, sig) for pk, msg, sig in items]


class Verifier:
    """Verifies many signatures on all cores, in worker processes.

    Processes rather than threads: libsodium runs outside the GIL, but each call needs the GIL to start and
    finish, and a busy Python thread (the ledger applying a block) would keep verifying threads waiting.
    The workers speak fixed-size records over pipes (see ``inzira.crypto.verify_worker``). Small batches, and
    messages that are not 32-byte digests, are checked inline.
    """

    INLINE_MAX = 64
    RECORD_BYTES = 128

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._procs: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()

    def _start(self) -> None:
        self._procs = [
            subprocess.Popen([sys.executable, "-m", WORKER_MODULE], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)
            for _ in range(self.workers)
        ]

    def verify_many(self, items: Sequence[tuple[bytes, bytes, bytes]]) -> list[bool]:
        """(public key, message, signature) triples -> one verdict each, in order."""
        if self.workers == 1 or len(items) <= self.INLINE_MAX:
            return _verify_chunk(items)
        # Only fixed-size records go to the workers; the rest (a key or signature of the wrong length, which
        # anyone may send, fails at once) is checked here, so one odd record does not cost the other cores.
        fixed = [len(pk) == 32 and len(m) == 32 and len(s) == 64 for pk, m, s in items]
        remote = [item for item, ok in zip(items, fixed) if ok]
        if not remote:
            return _verify_chunk(items)
        with self._lock:
            try:
                verdicts = iter(self._remote(remote))
            except (OSError, ValueError):
                self._stop()  # a worker died: check inline now, start fresh workers next time
                return _verify_chunk(items)
        return [next(verdicts) if ok else verify(*item) for item, ok in zip(items, fixed)]

    def _remote(self, items: Sequence[tuple[bytes, bytes, bytes]]) -> list[bool]:
        if not self._procs or any(p.poll() is not None for p in self._procs):
            self._stop()
            self._start()
        step = -(-len(items) // self.workers)
        chunks = [items[i : i + step] for i in range(0, len(items), step)]
        for proc, chunk in zip(self._procs, chunks):
            frame = b"".join(pk + m + s for pk, m, s in chunk)
            proc.stdin.write(len(chunk).to_bytes(4, "big") + frame)  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
        verdicts: list[bool] = []
        for proc, chunk in zip(self._procs, chunks):
            answer = proc.stdout.read(len(chunk))  # type: ignore[union-attr]
            if len(answer) != len(chunk):
                raise ValueError("verify worker closed its output")
            verdicts.extend(b == 1 for b in answer)
        return verdicts

    def _stop(self) -> None:
        for proc in self._procs:
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs = []

    def close(self) -> None:
        with self._lock:
            self._stop()
