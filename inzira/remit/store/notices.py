"""Who wants to hear what: webhook subscriptions, low-liquidity thresholds and the alerts raised."""

from __future__ import annotations

import json
from typing import Any

from inzira.remit.store.db import Db

ALERTS_PAGE_MAX = 500


class NoticeStore:
    def __init__(self, db: Db) -> None:
        self.db = db

    # --- webhooks ---

    def add_webhook(self, hook_id: str, member: str, url: str, at_ms: int, per_member_max: int) -> bool:
        """False when the member already has ``per_member_max`` subscriptions."""
        with self.db.tx() as db:
            (count,) = db.execute("SELECT count(*) FROM webhooks WHERE member = ?", (member,)).fetchone()
            if count >= per_member_max:
                return False
            db.execute("INSERT INTO webhooks VALUES (?, ?, ?, ?)", (hook_id, member, url, at_ms))
            return True

    def remove_webhook(self, hook_id: str, member: str) -> bool:
        with self.db.tx() as db:
            return db.execute("DELETE FROM webhooks WHERE id = ? AND member = ?", (hook_id, member)).rowcount == 1

    def webhooks(self, member: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, member, url, created_at_ms FROM webhooks"
        rows = self.db.rows(sql + " WHERE member = ? ORDER BY created_at_ms", (member,)) if member else \
            self.db.rows(sql + " ORDER BY created_at_ms")
        return [{"id": r[0], "member": r[1], "url": r[2], "created_at_ms": r[3]} for r in rows]

    # --- thresholds ---

    def set_threshold(self, account: str, member: str, threshold_minor: int, count_max: int) -> bool:
        """Set (or with 0 remove) an account's low-liquidity threshold; False when the member has ``count_max``
        set already (a bound per member: one opening accounts without end must not use up the others')."""
        with self.db.tx() as db:
            if threshold_minor == 0:
                db.execute("DELETE FROM thresholds WHERE account = ?", (account,))
                return True
            exists = db.execute("SELECT 1 FROM thresholds WHERE account = ?", (account,)).fetchone()
            (count,) = db.execute("SELECT count(*) FROM thresholds WHERE member = ?", (member,)).fetchone()
            if exists is None and count >= count_max:
                return False
            db.execute("INSERT OR REPLACE INTO thresholds VALUES (?, ?, ?)", (account, member, threshold_minor))
            return True

    def thresholds(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.db.rows("SELECT account, threshold_minor FROM thresholds")}

    # --- alerts ---

    def add_alert(self, member: str, at_ms: int, alert: dict[str, Any], kept_max: int) -> int:
        """Store an alert; only the member's ``kept_max`` latest are kept (a member can raise alerts without
        end, setting a threshold and removing it again)."""
        with self.db.tx() as db:
            cursor = db.execute("INSERT INTO alerts (member, at_ms, record) VALUES (?, ?, ?)",
                                (member, at_ms, json.dumps(alert).encode()))
            db.execute("DELETE FROM alerts WHERE member = ? AND id <= (SELECT id FROM alerts WHERE member = ? "
                       "ORDER BY id DESC LIMIT 1 OFFSET ?)", (member, member, kept_max))
            return int(cursor.lastrowid or 0)

    def alerts(self, member: str | None, limit: int) -> list[dict[str, Any]]:
        limit = min(limit, ALERTS_PAGE_MAX)
        if member is None:
            rows = self.db.rows("SELECT id, record FROM alerts ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self.db.rows("SELECT id, record FROM alerts WHERE member = ? ORDER BY id DESC LIMIT ?",
                                (member, limit))
        return [{"id": r[0], **json.loads(r[1])} for r in rows]
