"""The replicated blocks stream: the chain. Block N is stream sequence N.

Appends carry `Nats-Expected-Last-Sequence`: the stream leader accepts the block only if the stream
still ends where the cutter believes it does, so two cutters can never both append block N. The
loser gets BlockConflictError and must re-read the chain and step down.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from nats.aio.client import Client as NATS
from nats.js.errors import APIError, NotFoundError

from inzira.ordering.jetstream.config import OrderingConfig
from inzira.ordering.jetstream.errors import BlockConflictError, OrderingUnavailableError, PayloadTooLargeError
from inzira.ordering.jetstream.direct_reader import stream_reader
from inzira.ordering.jetstream.reader import LogEntry
from inzira.ordering.jetstream.timestamps import ms_from_datetime
from inzira.ordering.jetstream.retry import RetryPolicy, with_retries

EXPECTED_LAST_SEQ_HEADER = "Nats-Expected-Last-Sequence"
# "wrong last sequence: N" (10071), or without N (10164) when the conflict is with a write in flight.
_ERRS_WRONG_LAST_SEQUENCE = (10071, 10164)
# Consecutive failed reads before giving up; each one has already spent its own retry budget.
FOLLOW_FAILURES_MAX = 10
FOLLOW_BACKOFF_MAX_MS = 500


def _actual_last_seq(description: str) -> int | None:
    tail = description.rsplit(":", 1)[-1].strip()
    return int(tail) if tail.isdigit() else None


class BlockLog:
    def __init__(self, nc: NATS, cfg: OrderingConfig, policy: RetryPolicy | None = None) -> None:
        self._nc = nc
        self._cfg = cfg
        self._policy = policy or RetryPolicy()
        self._js = nc.jetstream(timeout=self._policy.attempt_timeout_s)
        self._reader = stream_reader(nc, cfg, cfg.blocks_stream, cfg.blocks_subject, self._policy)

    async def append_block(self, expected_last_seq: int, payload: bytes) -> int:
        """Appends a block after sequence `expected_last_seq` (0 for genesis); returns its sequence.

        Raises BlockConflictError when the stream has moved on, OrderingUnavailableError when the
        cluster cannot be reached within the retry budget.
        """
        if expected_last_seq < 0:
            raise ValueError("expected_last_seq must be >= 0")
        if len(payload) > self._cfg.max_payload_bytes:
            raise PayloadTooLargeError(len(payload), self._cfg.max_payload_bytes)
        headers = {EXPECTED_LAST_SEQ_HEADER: str(expected_last_seq)}
        attempts = 0

        async def attempt() -> int:
            nonlocal attempts
            attempts += 1
            ack = await self._js.publish(self._cfg.blocks_subject, payload, headers=dict(headers))
            return ack.seq

        try:
            return await with_retries("append block", self._policy, attempt)
        except APIError as err:
            if err.err_code not in _ERRS_WRONG_LAST_SEQUENCE:
                raise
            actual = _actual_last_seq(err.description or "")
            # An earlier attempt may have been stored although its ack was lost: then the block
            # right after `expected_last_seq` is ours, and the append did succeed.
            if attempts > 1 and await self._is_at(expected_last_seq + 1, payload):
                return expected_last_seq + 1
            raise BlockConflictError(expected_last_seq, actual) from err

    async def last_block(self) -> LogEntry | None:
        """The newest block (read from the stream leader), or None for an empty chain."""
        try:
            msg = await with_retries(
                "last block",
                self._policy,
                lambda: self._js.get_last_msg(self._cfg.blocks_stream, self._cfg.blocks_subject),
            )
        except NotFoundError:
            return None
        return LogEntry(msg.seq or 0, msg.data or b"", ms_from_datetime(msg.time))

    async def bounds(self) -> tuple[int, int]:
        """(first, last) sequence of the blocks the stream still holds; first is last + 1 when it holds none.

        With a retention limit (`blocks_max_msgs`) the first ones may be gone: a peer that needs an older
        block must start from a snapshot.
        """
        info = await with_retries(
            "blocks stream info", self._policy, lambda: self._js.stream_info(self._cfg.blocks_stream)
        )
        last = info.state.last_seq
        return max(1, info.state.first_seq, 0 if last else 1), last

    async def read_blocks(self, from_seq: int, max_count: int = 100, max_wait_ms: int = 100) -> list[LogEntry]:
        """Blocks with seq >= from_seq, in order; see LogReader.read for the waiting rules."""
        return await self._reader.read(from_seq, max_count, max_wait_ms)

    async def follow(self, from_seq: int, batch: int = 100, idle_wait_ms: int = 1_000) -> AsyncIterator[LogEntry]:
        """Every block from `from_seq` on, in order, as they are appended; for peers catching up.

        Runs until the caller stops iterating (wrap it in `contextlib.aclosing` so its consumer is
        released as soon as the caller breaks out). Survives server failures by re-reading from the
        next sequence; raises OrderingUnavailableError after FOLLOW_FAILURES_MAX failed reads in a row.
        """
        reader = stream_reader(self._nc, self._cfg, self._cfg.blocks_stream, self._cfg.blocks_subject, self._policy)
        next_seq = from_seq
        failures = 0
        try:
            while True:
                try:
                    entries = await reader.read(next_seq, batch, idle_wait_ms)
                except OrderingUnavailableError:
                    failures += 1
                    if failures >= FOLLOW_FAILURES_MAX:
                        raise
                    await asyncio.sleep(min(FOLLOW_BACKOFF_MAX_MS, 20 * 2 ** min(failures, 10)) / 1000)
                    continue
                failures = 0
                for entry in entries:
                    next_seq = entry.seq + 1
                    yield entry
        finally:
            await reader.close()

    async def close(self) -> None:
        await self._reader.close()

    async def stored_at_ms(self, seq: int) -> int:
        """The stream's own time for block entry ``seq`` (0 when it is gone)."""
        try:
            msg = await with_retries("read block", self._policy, lambda: self._js.get_msg(self._cfg.blocks_stream, seq))
        except NotFoundError:
            return 0
        return ms_from_datetime(msg.time)

    async def _is_at(self, seq: int, payload: bytes) -> bool:
        try:
            msg = await with_retries("read block", self._policy, lambda: self._js.get_msg(self._cfg.blocks_stream, seq))
        except NotFoundError:
            return False
        return msg.data == payload
