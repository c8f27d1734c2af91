"""A signature-verifying worker process (``python -m inzira.crypto.verify_worker``).

It reads frames from stdin: a 4-byte big-endian count n, then n records of 128 bytes (public key 32,
message 32, signature 64); it answers each frame with n bytes, 1 for a valid signature and 0 otherwise.
Every message Inzira signs is a 32-byte digest, which is what makes the records fixed-size.
"""

from __future__ import annotations

import sys

from inzira.crypto.signatures import verify

RECORD_BYTES = 128
FRAME_RECORDS_MAX = 100_000


def _read_exact(stream, size: int) -> bytes | None:
    data = stream.read(size)
    if len(data) != size:
        return None
    return data


def main() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        head = _read_exact(stdin, 4)
        if head is None:
            return
        count = int.from_bytes(head, "big")
        if count > FRAME_RECORDS_MAX:
            return
        body = _read_exact(stdin, count * RECORD_BYTES)
        if body is None:
            return
        verdicts = bytes(
            verify(body[i : i + 32], body[i + 32 : i + 64], body[i + 64 : i + 128])
            for i in range(0, len(body), RECORD_BYTES)
        )
        stdout.write(verdicts)
        stdout.flush()


if __name__ == "__main__":
    main()
