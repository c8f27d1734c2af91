"""The regulator's aggregates: volumes by corridor (source currency -> RWF, sending FSP -> receiving FSP)."""

from __future__ import annotations

from typing import Any

from inzira.remit.store.db import Db

CORRIDORS_MAX = 1_000


def corridor_volumes(db: Db, since_ms: int, until_ms: int) -> list[dict[str, Any]]:
    rows = db.rows(
        "SELECT source_currency, sending_fsp, receiving_fsp, state, count(*), sum(amount_sent_minor),"
        " sum(amount_received_minor) FROM transfers WHERE created_at_ms >= ? AND created_at_ms < ?"
        " GROUP BY source_currency, sending_fsp, receiving_fsp, state ORDER BY 1, 2, 3 LIMIT ?",
        (since_ms, until_ms, CORRIDORS_MAX * 8))
    corridors: dict[tuple[str, str, str], dict[str, Any]] = {}
    for currency, sending, receiving, state, count, sent, received in rows:
        key = (currency, sending, receiving)
        entry = corridors.get(key)
        if entry is None:
            if len(corridors) >= CORRIDORS_MAX:
                continue
            entry = corridors[key] = {"source_currency": currency, "target_currency": "RWF", "sending_fsp": sending,
                                      "receiving_fsp": receiving, "transfers": 0, "by_state": {},
                                      "committed_sent_minor": 0, "committed_received_minor": 0}
        entry["transfers"] += count
        entry["by_state"][state] = count
        if state == "COMMITTED":
            entry["committed_sent_minor"] += sent
            entry["committed_received_minor"] += received
    return list(corridors.values())
