"""Reads one stream in sequence order with batched direct gets (NATS >= 2.11, ADR-31): no consumer.

Why, beside the consumer-based `LogReader`: a direct get is answered by any replica of the stream (the
`_sys_` queue group of `$JS.API.DIRECT.GET.<stream>`), so reading needs neither the stream's leader nor
the JetStream meta leader, which creating a consumer does. When a server dies, a reader whose consumer
lived there must create another, and that waits for a new meta leader (a Raft election, 4-9 s) if the
dead server held it; a direct reader simply asks again and another replica answers.

One request fetches up to `max_count` messages (and DIRECT_BYTES_MAX bytes), then an end-of-batch status.
A replica may lag a little behind the leader: then it answers with fewer messages, or none, and the next
poll goes to whichever replica the queue group picks. Nothing is skipped or handed out twice: the cursor
is the caller's `from_seq`.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import nats.errors
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from inzira.ordering.jetstream.config import OrderingConfig
from inzira.ordering.jetstream.errors import OrderingUnavailableError
from inzira.ordering.jetstream.reader import READ_COUNT_MAX, READ_WAIT_MS_MAX, LogEntry, LogReader
from inzira.ordering.jetstream.timestamps import ms_from_rfc3339
from inzira.ordering.jetstream.retry import RetryPolicy

DIRECT_BYTES_MAX = 8 * 1024 * 1024  # per batch: several full blocks, bounded memory
POLL_MIN_MS = 10  # nothing new yet: ask again after this, doubling up to POLL_MAX_MS
POLL_MAX_MS = 200
POLLS_PER_READ_MAX = 10_000  # bounds a read's loop; its time is bounded by max_wait_ms anyway
_SEQUENCE_HEADER = "Nats-Sequence"
_TIME_HEADER = "Nats-Time-Stamp"


@dataclass(slots=True)
class _Batch:
    """The replies to one request, collected until the end-of-batch status."""

    from_seq: int
    contiguous: bool  # every sequence from the first on (an unfiltered stream without deletions)
    entries: list[LogEntry] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    error: str = ""


class DirectReader:
    """In-order reads of `stream` starting anywhere; not safe for concurrent use by several tasks."""

    def __init__(self, nc: NATS, stream: str, subject: str, policy: RetryPolicy | None = None,
                 filtered: bool = False) -> None:
        self._nc = nc
        self._stream = stream
        self._subject = subject
        self._filtered = filtered  # read only `subject` (a wildcard) out of a stream holding others too
        self._policy = policy or RetryPolicy()
        self._sub: Subscription | None = None
        self._inbox = ""
        self._requests = 0
        self._batch: _Batch | None = None

    async def read(self, from_seq: int, max_count: int, max_wait_ms: int) -> list[LogEntry]:
        """Up to `max_count` entries with seq >= from_seq, in order and without holes.

        Returns as soon as some are available; otherwise polls until `max_wait_ms` has passed and returns
        an empty list. Entries removed by retention limits are skipped, which shows as a jump in `seq`.
        Raises OrderingUnavailableError when no replica answers within the retry budget.
        """
        if from_seq < 1:
            raise ValueError("from_seq starts at 1")
        if not 1 <= max_count <= READ_COUNT_MAX:
            raise ValueError(f"max_count must be in 1..{READ_COUNT_MAX}")
        if not 1 <= max_wait_ms <= READ_WAIT_MS_MAX:
            raise ValueError(f"max_wait_ms must be in 1..{READ_WAIT_MS_MAX}")
        deadline_s = time.monotonic() + max_wait_ms / 1000
        pause_ms = POLL_MIN_MS
        for _ in range(POLLS_PER_READ_MAX):
            entries = await self._fetch(from_seq, max_count)
            remaining_s = deadline_s - time.monotonic()
            if entries or remaining_s <= 0:
                return entries
            await asyncio.sleep(min(pause_ms / 1000, remaining_s))
            pause_ms = min(2 * pause_ms, POLL_MAX_MS)
        return []

    async def close(self) -> None:
        sub, self._sub = self._sub, None
        if sub is not None:
            try:
                await sub.unsubscribe()
            except nats.errors.Error:
                pass  # connection closed or reconnecting: nothing left to release

    async def _fetch(self, from_seq: int, max_count: int) -> list[LogEntry]:
        """One batch, asked again (of whichever replica answers) until the retry budget is spent."""
        deadline_s = time.monotonic() + self._policy.deadline_ms / 1000
        backoff_s = self._policy.backoff_initial_ms / 1000
        last = "no answer"
        for _ in range(self._policy.attempts_max):
            batch = await self._request(from_seq, max_count)
            try:
                await asyncio.wait_for(batch.done.wait(), self._policy.attempt_timeout_s)
            except asyncio.TimeoutError:
                last = "no end of batch in time"
            if batch.entries:
                return batch.entries  # a batch cut short (a server died mid-way) is still a good prefix
            if batch.done.is_set() and not batch.error:
                return []
            last = batch.error or last
            remaining_s = deadline_s - time.monotonic()
            if remaining_s <= 0:
                break
            await asyncio.sleep(min(backoff_s, remaining_s))
            backoff_s = min(2 * backoff_s, self._policy.backoff_max_ms / 1000)
        raise OrderingUnavailableError(f"direct get from {self._stream}: {last}")

    async def _request(self, from_seq: int, max_count: int) -> _Batch:
        if self._sub is None:
            self._inbox = self._nc.new_inbox()
            try:
                self._sub = await self._nc.subscribe(f"{self._inbox}.*", cb=self._on_msg,
                                                     pending_msgs_limit=2 * READ_COUNT_MAX,
                                                     pending_bytes_limit=2 * DIRECT_BYTES_MAX)
            except nats.errors.Error as err:
                raise OrderingUnavailableError(f"subscribe for {self._stream}: {err!r}") from err
        self._requests += 1
        batch = self._batch = _Batch(from_seq, not self._filtered)
        request: dict[str, object] = {"seq": from_seq, "batch": max_count, "max_bytes": DIRECT_BYTES_MAX}
        if self._filtered:
            request["next_by_subj"] = self._subject
        try:
            await self._nc.publish(f"$JS.API.DIRECT.GET.{self._stream}", json.dumps(request).encode(),
                                   reply=f"{self._inbox}.{self._requests}")
        except nats.errors.Error as err:
            batch.error = repr(err)
            batch.done.set()
        return batch

    async def _on_msg(self, msg: Msg) -> None:
        batch = self._batch
        if batch is None or batch.done.is_set() or msg.subject.rsplit(".", 1)[-1] != str(self._requests):
            return  # a late reply to an earlier request
        headers = msg.headers or {}
        status = headers.get("Status")
        if status is not None:
            if status not in ("204", "404"):  # 204: end of batch; 404: nothing at or after from_seq
                batch.error = f"status {status} {headers.get('Description', '')}".strip()
            batch.done.set()
            return
        seq_text = headers.get(_SEQUENCE_HEADER, "")
        seq = int(seq_text) if seq_text.isdigit() else 0
        previous = batch.entries[-1].seq if batch.entries else batch.from_seq - 1
        expected_next = seq == previous + 1 or not batch.entries  # the first may jump over removed entries
        if seq <= previous or (batch.contiguous and not expected_next):
            batch.done.set()  # out of order or a hole: keep the good prefix, ask again from there
            return
        batch.entries.append(LogEntry(seq, msg.data, ms_from_rfc3339(headers.get(_TIME_HEADER, ""))))


def stream_reader(nc: NATS, cfg: OrderingConfig, stream: str, subject: str, policy: RetryPolicy | None = None,
                  filtered: bool = False) -> LogReader | DirectReader:
    """The reader the network's configuration asks for (`direct_reads`): both read the same way."""
    if cfg.direct_reads:
        return DirectReader(nc, stream, subject, policy, filtered)
    return LogReader(nc, stream, subject, policy)
