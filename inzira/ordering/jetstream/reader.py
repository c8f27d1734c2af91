"""Reads one stream in sequence order from a cursor; shared by the tx log and the block log.

Why an ephemeral pull consumer (ack none, memory, R1), driven by our own pull requests:
- per-message direct gets cost one request per message: too slow for thousands of txs per second;
- a push/ordered consumer streams at its own pace into a client buffer, while a pull asks for at
  most `max_count` messages (and READ_BYTES_MAX bytes) when the reader is ready: bounded memory;
- nats-py's `fetch` hands messages over one awaited `next_msg` at a time (about 3,500 msgs/s here);
  a subscription callback filling a deque reads several times faster;
- the consumer holds no state we need: the cursor lives here, so when the consumer vanishes with its
  server (no answer to a pull well after it expired, or a "consumer deleted" status) or a hole shows
  up, the reader drops it and creates a new one at the cursor (`consumers.py`). Nothing is skipped,
  nothing is handed out twice.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass
from typing import NamedTuple

import nats.errors
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from inzira.ordering.jetstream.consumers import Consumers
from inzira.ordering.jetstream.errors import OrderingUnavailableError
from inzira.ordering.jetstream.retry import RetryPolicy
from inzira.ordering.jetstream.timestamps import ms_from_ack_subject

READ_COUNT_MAX = 10_000
READ_WAIT_MS_MAX = 60_000
READ_BYTES_MAX = 64 * 1024 * 1024  # per pull; above any single message (8 MiB at most)
PULLS_PER_READ_MAX = 8  # a pull normally lasts until it is answered or expires: one or two suffice
ANSWER_SLACK_MS = 1_000  # a pull's end status normally comes at its expiry; this long after, it never will
RECONNECT_CHECK_MS = 100  # while waiting for a pull's answer, look this often whether the client reconnected
WAIT_SLICES_MAX = (READ_WAIT_MS_MAX + ANSWER_SLACK_MS) // RECONNECT_CHECK_MS + 1
# 409 statuses that only end a pull; any other 409 (consumer deleted, leadership change) ends the consumer.
_PULL_ENDED_409 = {"Batch Completed", "Message Size Exceeds MaxBytes"}


class LogEntry(NamedTuple):
    seq: int  # stream sequence, 1-based
    payload: bytes
    ts_ms: int  # when the stream stored it, by the stream's own clock (see timestamps.py); 0 if unknown


@dataclass(slots=True)
class _Pull:
    """The one pull request outstanding at a time; its replies come to `<inbox>.<token>`."""

    token: str
    batch: int
    lingering: bool  # waits for new messages until it expires; else answers at once (no_wait)
    answer_by_s: float  # monotonic time after which silence means the consumer is gone
    reconnects: int  # the client's reconnect count when the pull was sent
    received: int = 0
    done: bool = False


class LogReader:
    """In-order reads of `stream` starting anywhere; not safe for concurrent use by several tasks."""

    def __init__(self, nc: NATS, stream: str, subject: str, policy: RetryPolicy | None = None) -> None:
        self._nc = nc
        self._stream = stream
        policy = policy or RetryPolicy()
        self._consumers = Consumers(nc.jetstream(timeout=policy.attempt_timeout_s), stream, subject, policy)
        self._consumer = ""
        self._sub: Subscription | None = None
        self._inbox = ""
        self._generation = 0  # bumped on every reset, so late callbacks of an old consumer are ignored
        self._pulls_sent = 0
        self._pull: _Pull | None = None
        self._buffer: deque[LogEntry] = deque()
        self._arrived = asyncio.Event()  # an entry came in
        self._ended = asyncio.Event()  # the outstanding pull is over, or the consumer broke
        self._cursor = 0  # next sequence to hand out
        self._expected_seq = 0  # next sequence to accept from the consumer
        self._fresh = False  # nothing delivered since the consumer was created
        self._broken = False  # the consumer must be replaced before the next pull

    async def read(self, from_seq: int, max_count: int, max_wait_ms: int) -> list[LogEntry]:
        """Up to `max_count` entries with seq >= from_seq, in order and without holes.

        Returns after one round trip with everything available (up to `max_count`); if nothing is,
        waits up to `max_wait_ms` more and returns the first entries to arrive. An empty list means
        nothing new, or a consumer being replaced after a failure: just call again.
        Entries removed by retention limits are skipped, which shows as a jump in `seq`.
        Raises OrderingUnavailableError when the cluster cannot serve the read.
        """
        if from_seq < 1:
            raise ValueError("from_seq starts at 1")
        if not 1 <= max_count <= READ_COUNT_MAX:
            raise ValueError(f"max_count must be in 1..{READ_COUNT_MAX}")
        if not 1 <= max_wait_ms <= READ_WAIT_MS_MAX:
            raise ValueError(f"max_wait_ms must be in 1..{READ_WAIT_MS_MAX}")
        if self._sub is None or from_seq != self._cursor or (self._broken and not self._buffer):
            await self._reset(from_seq)
        if not self._buffer:
            await self._wait_for_entries(max_count, max_wait_ms)
        taken = [self._buffer.popleft() for _ in range(min(max_count, len(self._buffer)))]
        if taken:
            self._cursor = taken[-1].seq + 1
        return taken

    async def close(self) -> None:
        await self._drop()
        await self._consumers.wait_deleted()

    async def _wait_for_entries(self, max_count: int, max_wait_ms: int) -> None:
        """Fills the buffer: everything available now, else the first entries that arrive in time.

        A no-wait pull returns what the stream has right away, then an end status; only when it
        found nothing does a lingering pull (expiring at the deadline) wait for new entries. At most
        one pull is outstanding at a time, so the buffer never holds more than one pull's worth.
        """
        deadline_s = time.monotonic() + max_wait_ms / 1000
        probed = False
        for _ in range(PULLS_PER_READ_MAX):
            pull = self._pull
            if self._broken or (self._buffer and (pull is None or pull.done or pull.lingering)):
                return
            if pull is None or pull.done:
                remaining_ms = int((deadline_s - time.monotonic()) * 1000)
                if probed and remaining_ms <= 0:
                    return
                pull = await self._send_pull(max_count, remaining_ms if probed else None)
                probed = True
            now_s = time.monotonic()
            if now_s > pull.answer_by_s:
                self._broken = True  # no end status long after expiry: the consumer or its server is gone
                return
            # A lingering pull hands out its first arrivals; a no-wait pull is awaited to its end.
            event = self._arrived if pull.lingering else self._ended
            event.clear()
            if self._broken or pull.done or (pull.lingering and self._buffer):
                continue  # answered while the request was being sent
            until_s = deadline_s if pull.lingering else pull.answer_by_s
            if not await self._wait(event, until_s, pull) and pull.lingering:
                return

    async def _wait(self, event: asyncio.Event, until_s: float, pull: _Pull) -> bool:
        """Wait for `event` until `until_s`; False on time-out. Looks up every RECONNECT_CHECK_MS whether the
        client reconnected meanwhile: then the pull, or replies to it, died with the old connection, and
        the consumer is replaced now rather than after the pull's answer time (seconds later)."""
        for _ in range(WAIT_SLICES_MAX):
            remaining_s = until_s - time.monotonic()
            if remaining_s <= 0:
                return False
            try:
                await asyncio.wait_for(event.wait(), min(remaining_s, RECONNECT_CHECK_MS / 1000))
                return True
            except asyncio.TimeoutError:
                if self._nc.stats["reconnects"] != pull.reconnects:
                    self._broken = True
                    return True
        return False

    async def _send_pull(self, max_count: int, expires_ms: int | None) -> _Pull:
        """A no-wait pull when `expires_ms` is None, else one that lingers that long."""
        self._pulls_sent += 1
        token = str(self._pulls_sent)
        answer_by_s = time.monotonic() + ((expires_ms or 0) + ANSWER_SLACK_MS) / 1000
        pull = self._pull = _Pull(token, max_count, expires_ms is not None, answer_by_s, self._nc.stats["reconnects"])
        request: dict[str, object] = {"batch": max_count, "max_bytes": READ_BYTES_MAX}
        if expires_ms is None:
            request["no_wait"] = True  # and no "expires": with one, the server would linger anyway
        else:
            request["expires"] = expires_ms * 1_000_000
        self._ended.clear()
        try:
            await self._nc.publish(
                f"$JS.API.CONSUMER.MSG.NEXT.{self._stream}.{self._consumer}",
                json.dumps(request).encode(),
                reply=f"{self._inbox}.{token}",
            )
        except nats.errors.Error as err:
            self._broken = True
            raise OrderingUnavailableError(f"pull from {self._stream}: {err!r}") from err
        return pull

    async def _on_msg(self, generation: int, msg: Msg) -> None:
        if generation != self._generation or self._broken:
            return
        pull = self._pull
        mine = pull is not None and msg.subject.rsplit(".", 1)[-1] == pull.token
        status = msg.headers.get("Status") if msg.headers else None
        if status == "100":
            return  # idle heartbeat: we never ask for them
        if status is not None:
            description = msg.headers.get("Description", "") if msg.headers else ""
            if status == "503" or (status == "409" and description not in _PULL_ENDED_409):
                self._broken = True  # no responders or consumer deleted: it is gone
            if mine and pull is not None:
                pull.done = True
        else:
            self._accept(msg)
            if mine and pull is not None:
                pull.received += 1
                pull.done = pull.received >= pull.batch
        if self._broken or (pull is not None and pull.done):
            self._ended.set()
        self._arrived.set()

    def _accept(self, msg: Msg) -> None:
        seq = msg.metadata.sequence.stream
        if seq < self._expected_seq:
            return  # already delivered
        if seq > self._expected_seq and not self._fresh:
            # A hole after delivery started means messages were dropped on the way (slow
            # consumer); a fresh consumer starts exactly at the cursor, so only it may jump
            # (over messages that retention removed).
            self._broken = True
            return
        self._buffer.append(LogEntry(seq, msg.data, ms_from_ack_subject(msg.reply or "")))
        self._expected_seq = seq + 1
        self._fresh = False

    async def _reset(self, from_seq: int) -> None:
        await self._drop()
        self._generation += 1
        generation = self._generation
        self._inbox = self._nc.new_inbox()

        async def on_msg(msg: Msg) -> None:
            await self._on_msg(generation, msg)

        try:
            sub = await self._nc.subscribe(
                f"{self._inbox}.*",
                cb=on_msg,
                pending_msgs_limit=2 * READ_COUNT_MAX,
                pending_bytes_limit=2 * READ_BYTES_MAX,
            )
        except nats.errors.Error as err:
            raise OrderingUnavailableError(f"subscribe for {self._stream}: {err!r}") from err
        try:
            consumer = await self._consumers.create(from_seq)
        except BaseException:
            await self._unsubscribe(sub)
            raise
        self._sub = sub
        self._consumer = consumer
        self._cursor = self._expected_seq = from_seq
        self._fresh = True
        self._broken = False

    async def _drop(self) -> None:
        sub, self._sub = self._sub, None
        self._buffer.clear()
        self._pull = None
        if sub is not None:
            await self._unsubscribe(sub)
        consumer, self._consumer = self._consumer, ""
        if consumer:
            self._consumers.delete(consumer)

    @staticmethod
    async def _unsubscribe(sub: Subscription) -> None:
        try:
            await sub.unsubscribe()
        except nats.errors.Error:
            pass  # connection closed or reconnecting: nothing left to release here
