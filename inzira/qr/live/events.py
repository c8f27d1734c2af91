"""Events: durable facts for the real-time channels, written in the same transaction as what they announce.

Every completed payment, refund and top-up adds rows to ``events`` (an outbox): one for the merchant's side
(merchant, bill, acquirer) and one for the wallet's side, each with only what that side may see. After the
commit they go to the open event streams and, for the merchant's side, to the acquirer's webhook. A stream
that reconnects, or falls behind, reads the rows it missed by ``seq`` (the event id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from inzira.qr.store.reader import StoreReader
from inzira.qr.store.writer import WriteTx

PAYMENT_COMPLETED = "payment.completed"
REFUND_COMPLETED = "refund.completed"
TOPUP_COMPLETED = "topup.completed"

# Which column an event stream follows: merchant, bill or wallet.
TOPIC_COLUMNS = {"m": "merchant_id", "b": "bill_id", "w": "wallet_id"}


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int
    kind: str
    merchant_id: str | None
    bill_id: str | None
    wallet_id: str | None
    acquirer: str | None
    at_ms: int
    data: bytes  # JSON object

    def topics(self) -> list[str]:
        pairs = (("m", self.merchant_id), ("b", self.bill_id), ("w", self.wallet_id))
        return [f"{kind}:{key}" for kind, key in pairs if key]

    def frame(self) -> bytes:
        """The server-sent event: ``id`` is the event's sequence number, ``event`` its kind."""
        return b'id: %d\nevent: %s\ndata: {"event_id":%d,"type":"%s","at_ms":%d,"data":%s}\n\n' % (
            self.seq, self.kind.encode(), self.seq, self.kind.encode(), self.at_ms, self.data)

    def webhook(self) -> dict[str, Any]:
        return {"id": f"evt_{self.seq}", "type": self.kind, "created_at_ms": self.at_ms, "acquirer": self.acquirer,
                "data": msgspec.json.decode(self.data)}


_COLUMNS = "seq, kind, merchant_id, bill_id, wallet_id, acquirer, at_ms, data"


@dataclass(frozen=True, slots=True)
class Draft:
    """An event to record: its kind, its data, and the streams (and acquirer) it goes to."""

    kind: str
    data: dict[str, Any]
    merchant_id: str | None = None
    bill_id: str | None = None
    wallet_id: str | None = None
    acquirer: str | None = None


class Outbox:
    """Writes events inside store jobs and announces them once they are committed."""

    def __init__(self, announce: Callable[[StoredEvent], None]) -> None:
        self._announce = announce

    def record(self, tx: WriteTx, at_ms: int, *drafts: Draft) -> None:
        rows = [(d.kind, d.merchant_id, d.bill_id, d.wallet_id, d.acquirer, at_ms, msgspec.json.encode(d.data))
                for d in drafts]
        # One statement for all: rows are numbered in the order written, so the sorted numbers match them.
        cursor = tx.execute(f"INSERT INTO events (kind, merchant_id, bill_id, wallet_id, acquirer, at_ms, data) "
                            f"VALUES {', '.join(['(?,?,?,?,?,?,?)'] * len(rows))} RETURNING seq",
                            tuple(value for row in rows for value in row))
        events = [StoredEvent(seq, *row) for seq, row in zip(sorted(r[0] for r in cursor.fetchall()), rows)]
        tx.after_commit(lambda: self._publish(events))

    def _publish(self, events: list[StoredEvent]) -> None:
        for event in events:
            self._announce(event)


def events_after(reader: StoreReader, topic: str, after_seq: int, limit: int) -> list[StoredEvent]:
    kind, _, key = topic.partition(":")
    column = TOPIC_COLUMNS[kind]
    rows = reader.all(f"SELECT {_COLUMNS} FROM events WHERE {column} = ? AND seq > ? ORDER BY seq LIMIT ?",
                      (key, after_seq, limit))
    return [StoredEvent(*row) for row in rows]


def last_seq(reader: StoreReader) -> int:
    row = reader.one("SELECT max(seq) FROM events", ())
    return row[0] or 0


def prune_job(before_ms: int, limit: int) -> Callable[[WriteTx], int]:
    """Delete those of the ``limit`` oldest events recorded before ``before_ms``: events are recorded in time
    order, so reading only the oldest rows finds them, at the same cost however large the table."""
    def job(tx: WriteTx) -> int:
        return tx.execute("DELETE FROM events WHERE seq IN (SELECT seq FROM (SELECT seq, at_ms FROM events "
                          "ORDER BY seq LIMIT ?) WHERE at_ms < ?)", (limit, before_ms)).rowcount

    return job
