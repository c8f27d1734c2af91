"""Typed failures of the JetStream ordering layer, so callers can react without parsing messages."""

from __future__ import annotations


class OrderingError(Exception):
    """Base of every error raised on purpose by this package."""


class OrderingUnavailableError(OrderingError):
    """The cluster did not answer within the bounded retries (no quorum, no leader, no connection)."""


class PayloadTooLargeError(OrderingError, ValueError):
    def __init__(self, size_bytes: int, limit_bytes: int) -> None:
        super().__init__(f"payload of {size_bytes} bytes exceeds the limit of {limit_bytes} bytes")
        self.size_bytes = size_bytes
        self.limit_bytes = limit_bytes


class TxQuotaExceededError(OrderingError):
    """The transactions stream holds as many messages of this member as its quota allows (per-subject limit).

    Not retried: it clears only as this member's old messages age out of the stream.
    """


class StreamConfigMismatchError(OrderingError):
    """A stream or bucket already exists with settings other than the ones asked for."""


class BlockConflictError(OrderingError):
    """Someone else appended first: the blocks stream no longer ends at `expected_last_seq`.

    The caller must re-read the chain (`last_block()`) and stop cutting blocks. `actual_last_seq` is
    the stream's end when the server said so, None when the conflict was with an append in flight.
    """

    def __init__(self, expected_last_seq: int, actual_last_seq: int | None) -> None:
        where = "elsewhere" if actual_last_seq is None else f"at {actual_last_seq}"
        super().__init__(f"blocks stream ends {where}, not at {expected_last_seq}")
        self.expected_last_seq = expected_last_seq
        self.actual_last_seq = actual_last_seq


class LeaseLostError(OrderingError):
    """The lease changed hands (or was released) since this holder last wrote it."""
