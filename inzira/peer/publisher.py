"""The publisher task: takes batches from the outbox and publishes them to the transactions stream.

Several batches go out at once (pipelined acknowledgements); while they are on their way new submissions
collect in the outbox for the next round. A batch the ordering service would not take within the retry
budget fails its tickets: those transactions were not ordered (the submitter may send them again safely,
the transaction id makes a resend harmless).
"""

from __future__ import annotations

import logging

import nats.errors

from inzira.ordering.jetstream import OrderingError, TxLog
from inzira.ordering.outcome import Stopped
from inzira.peer.inflight import Inflight
from inzira.peer.outbox import Outbox
from inzira.peer.tx_batch import batch_id, encode_batch

BATCHES_IN_FLIGHT_MAX = 16

log = logging.getLogger(__name__)


class Publisher:
    def __init__(self, outbox: Outbox, inflight: Inflight, tx_log: TxLog) -> None:
        self.outbox = outbox
        self.inflight = inflight
        self.tx_log = tx_log
        self.published_txs = 0
        self.failed_txs = 0

    async def run(self) -> None:
        while True:
            batches = await self.outbox.take(BATCHES_IN_FLIGHT_MAX)
            messages = []
            for batch in batches:
                keys = [key for key, _ in batch]  # each transaction's bytes' hash: resends are dropped
                messages.append((batch_id(keys), encode_batch([raw for _, raw in batch])))
            try:
                await self.tx_log.publish_txs_many(messages, max_in_flight=len(messages))
            except (OrderingError, nats.errors.Error) as exc:
                keys = [key for batch in batches for key, _ in batch]
                log.warning("could not publish %d transactions: %r", len(keys), exc)
                self.failed_txs += len(keys)
                self.inflight.fail(keys, Stopped(f"the ordering service did not take the transaction: {exc}"))
                continue
            self.published_txs += sum(len(batch) for batch in batches)
