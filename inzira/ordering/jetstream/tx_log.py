"""The replicated transactions stream: members publish, the block cutter reads in order.

A member publishes on its own subject (`OrderingConfig.member_tx_subject`), the only one its NATS user may
publish transactions on; the stream takes every member's subject, and readers read the whole stream. Each
member's subject has a quota (the stream's per-subject limit): past it, TxQuotaExceededError.

Each transaction is published with header `Nats-Msg-Id` = its id in hex, so JetStream drops a resend
of the same id inside the duplicate window and answers with the first copy's sequence. That makes
publishing safe to retry after a timeout. Beyond the window the ledger's own transaction index is
the authority on duplicates.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from nats.aio.client import Client as NATS
from nats.js.api import PubAck

from inzira.ordering.jetstream.config import TX_ID_BYTES_MAX, OrderingConfig
from inzira.ordering.jetstream.errors import OrderingError, PayloadTooLargeError, TxQuotaExceededError
from inzira.ordering.jetstream.direct_reader import stream_reader
from inzira.ordering.jetstream.reader import LogEntry
from inzira.ordering.jetstream.retry import RetryPolicy, is_quota_exceeded, is_transient, with_retries

MSG_ID_HEADER = "Nats-Msg-Id"
IN_FLIGHT_MAX = 4_000  # nats-py's own cap on pending async publishes
BATCH_ITEMS_MAX = 1_000_000


@dataclass(frozen=True, slots=True)
class Published:
    seq: int  # the transaction's sequence in the tx stream
    duplicate: bool  # the id was already in the stream (perhaps from our own timed-out attempt)


class TxLog:
    def __init__(self, nc: NATS, cfg: OrderingConfig, policy: RetryPolicy | None = None, *, member: str) -> None:
        """`member`: whose transactions subject this log publishes on (the connection's own member)."""
        self._cfg = cfg
        self._subject = cfg.member_tx_subject(member)
        self._policy = policy or RetryPolicy()
        self._js = nc.jetstream(timeout=self._policy.attempt_timeout_s)
        self._reader = stream_reader(nc, cfg, cfg.tx_stream, cfg.tx_subjects, self._policy)

    async def publish_tx(self, tx_id: bytes, payload: bytes) -> Published:
        """Appends one transaction; retried within the policy's budget while the cluster recovers.

        Raises PayloadTooLargeError, TxQuotaExceededError, OrderingUnavailableError, nats' APIError for
        other refusals such as a full stream, or nats' ConnectionClosedError once the client gave up
        reconnecting.
        """
        headers = self._headers(tx_id, payload)
        try:
            ack = await with_retries(
                "publish tx",
                self._policy,
                lambda: self._js.publish(self._subject, payload, headers=dict(headers)),
            )
        except Exception as err:
            if is_quota_exceeded(err):
                raise self._quota_error() from err
            raise
        return Published(ack.seq, bool(ack.duplicate))

    async def publish_txs_many(
        self, items: Sequence[tuple[bytes, bytes]], max_in_flight: int = 256
    ) -> list[Published]:
        """Publishes (tx_id, payload) pairs with up to `max_in_flight` acks outstanding.

        Pipelining hides the round trip to the stream leader and its quorum, which is what limits
        one-at-a-time publishing. Results come back in input order. A publish that times out or meets
        a leader election is retried on its own with `publish_tx` (safe thanks to the msg id).
        Raises like `publish_tx`; after an exception some items may be in the stream already, and
        calling again with the same items is safe inside the duplicate window.
        """
        if not 1 <= max_in_flight <= IN_FLIGHT_MAX:
            raise ValueError(f"max_in_flight must be in 1..{IN_FLIGHT_MAX}")
        if len(items) > BATCH_ITEMS_MAX:
            raise ValueError(f"at most {BATCH_ITEMS_MAX} items per call")
        headers = [self._headers(tx_id, payload) for tx_id, payload in items]
        results: list[Published | None] = [None] * len(items)
        retry_indexes: list[int] = []
        window: deque[tuple[int, float, asyncio.Future[PubAck]]] = deque()
        try:
            for index, (_, payload) in enumerate(items):
                if len(window) >= max_in_flight:
                    await self._settle(window.popleft(), results, retry_indexes)
                try:
                    future = await self._js.publish_async(self._subject, payload, headers=headers[index])
                except Exception as err:
                    if not is_transient(err):
                        raise
                    retry_indexes.append(index)
                    continue
                window.append((index, time.monotonic() + self._policy.attempt_timeout_s, future))
            while window:
                await self._settle(window.popleft(), results, retry_indexes)
        except Exception as err:
            if is_quota_exceeded(err):
                raise self._quota_error() from err
            raise
        finally:
            for _, _, future in window:
                future.cancel()
        if retry_indexes:
            await self._publish_each(items, retry_indexes, results, max_in_flight)
        done = [r for r in results if r is not None]
        if len(done) != len(items):
            raise OrderingError(f"{len(items) - len(done)} publishes have no outcome")
        return done

    async def read_txs(self, from_seq: int, max_count: int = 1_000, max_wait_ms: int = 100) -> list[LogEntry]:
        """Transactions with seq >= from_seq, in order, for the block cutter.

        Served by a cursor-driven pull consumer (reader.py says why); see LogReader.read for the
        waiting rules. Not for concurrent use: one reader per TxLog.
        """
        return await self._reader.read(from_seq, max_count, max_wait_ms)

    async def last_seq(self) -> int:
        """The sequence of the newest message the stream holds (0 while it holds none)."""
        info = await with_retries(
            "transactions stream info", self._policy, lambda: self._js.stream_info(self._cfg.tx_stream)
        )
        return info.state.last_seq

    async def close(self) -> None:
        await self._reader.close()

    def _quota_error(self) -> TxQuotaExceededError:
        return TxQuotaExceededError(f"{self._subject} holds as many messages as its quota allows "
                                    f"({self._cfg.tx_msgs_per_member_max}); wait until older ones age out")

    def _headers(self, tx_id: bytes, payload: bytes) -> dict[str, str]:
        if not 1 <= len(tx_id) <= TX_ID_BYTES_MAX:
            raise ValueError(f"tx_id must be 1..{TX_ID_BYTES_MAX} bytes")
        if len(payload) > self._cfg.max_payload_bytes:
            raise PayloadTooLargeError(len(payload), self._cfg.max_payload_bytes)
        return {MSG_ID_HEADER: tx_id.hex()}

    async def _publish_each(
        self,
        items: Sequence[tuple[bytes, bytes]],
        indexes: list[int],
        results: list[Published | None],
        max_in_flight: int,
    ) -> None:
        """Publishes items[i] for i in `indexes` with retries, up to `max_in_flight` at a time."""
        pending = iter(indexes)

        async def worker() -> None:
            for index in pending:
                results[index] = await self.publish_tx(*items[index])

        workers = [asyncio.create_task(worker()) for _ in range(min(max_in_flight, len(indexes)))]
        try:
            await asyncio.gather(*workers)
        except BaseException:
            # One failure decides the call: stop the other workers rather than leave them running.
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            raise

    @staticmethod
    async def _settle(
        entry: tuple[int, float, asyncio.Future[PubAck]], results: list[Published | None], retry_indexes: list[int]
    ) -> None:
        index, deadline, future = entry
        try:
            if future.done():
                # Not via wait_for: that always yields to the loop, and every yield lets the client
                # flush one small write instead of a batch, which cuts throughput several times.
                ack = future.result()
            else:
                # The deadline is counted from the send, so a stalled window drains in one timeout.
                ack = await asyncio.wait_for(future, max(0.0, deadline - time.monotonic()))
        except Exception as err:
            if not is_transient(err):
                raise
            retry_indexes.append(index)
            return
        results[index] = Published(ack.seq, bool(ack.duplicate))

