"""After a restart: every payment, refund and top-up still ``submitted`` is settled from the chain.

A record is stored with its signed transaction before that transaction leaves, so the chain has the answer:
in a block, its verdict is written back as it would have been; not in a block and past its deadline, it can
never be (the ledger refuses a transaction after its deadline), so it failed; otherwise it is sent again
(the same bytes: the ledger's idempotency makes a second copy harmless) and settles when its verdict comes.

"Past its deadline" is the time of the last stored block, read before the transaction is looked up: a block
stored between the two reads may hold it, and a later one's time proves nothing about the lookup made before.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from inzira.ledger.codes import Code
from inzira.ordering.outcome import Outcome
from inzira.qr.ledger_port import LedgerPort
from inzira.qr.rejected import Rejected
from inzira.qr.settlement import SettleJob, Settlement
from inzira.qr.store.reader import StoreReader

RECOVERY_RECORDS_MAX = 100_000  # per table and start; more would mean a service down far too long
WRITE_TIMEOUT_S = 60.0


def recover(reader: StoreReader, port: LedgerPort, settlement: Settlement,
            settlers: dict[str, Callable[[str], SettleJob[Any]]],
            track: Callable[[str, str, "Future[Any]"], None]) -> dict[str, int]:
    """Settle what a previous run left in flight; returns how many records were settled or sent again."""
    counts = {"settled": 0, "resent": 0}
    node = port.node
    for table, settler in settlers.items():
        rows = reader.all(f"SELECT id, tx_id, raw_tx, tx_expires_at_ms FROM {table} WHERE status = 'submitted' "
                          "ORDER BY created_at_ms LIMIT ?", (RECOVERY_RECORDS_MAX,))
        for record_id, tx_id, raw, expires_at_ms in rows:
            settle = settler(record_id)
            stored_ms = node.tip.timestamp_ms  # before the lookup: every block up to this one is searched
            location = node.locate([tx_id]).get(tx_id)
            if location is not None:
                outcome = Outcome(tx_id, location.code, location.at, location.height, location.index)
            elif stored_ms >= expires_at_ms:  # no block at or after its deadline may hold it
                outcome = Outcome(tx_id, Code.EXPIRED)
            else:
                verdict = port.submit(raw)
                if isinstance(verdict, Rejected):
                    continue  # the ledger is not taking transactions: the next start tries again
                result: Future[Any] = Future()
                settlement.follow(verdict, settle, result)
                track(table, record_id, result)
                counts["resent"] += 1
                continue
            settlement.writer.settle(lambda tx, s=settle, o=outcome: s(tx, o)).result(WRITE_TIMEOUT_S)
            counts["settled"] += 1
    return counts
