"""How many bills a merchant may leave unpaid: every bill is a row of ``qr.db`` for good, so a POS token (or a
stolen one) that makes bills without end would fill the disk.

Counted inside the store job that inserts the bill, so concurrent requests of one merchant count one after the
other (the store has one writer). What counts: the merchant's bills made in the 24 hours before now that are not
paid (open, being paid, or expired unpaid). A paid bill is business, bounded by what visitors pay; an expired
one is not, so a short bill life does not free a place: the cap bounds the rows a merchant adds in a day, not
only those open at once.
"""

from __future__ import annotations

from typing import Any, Protocol

from inzira.qr.codes import QrCode
from inzira.qr.rejected import Rejected, rejected, seconds_until
from inzira.qr.settings import DAY_MS, QrSettings


class Executes(Protocol):
    def execute(self, sql: str, params: tuple[Any, ...] = ...) -> Any: ...


# The index bills_unpaid serves it; LIMIT bounds the rows read, whatever the merchant left behind.
_UNPAID = ("SELECT count(*), min(created_at_ms) FROM (SELECT created_at_ms FROM bills WHERE merchant_id = ? "
           "AND status != 'paid' AND created_at_ms > ? ORDER BY created_at_ms LIMIT ?)")


def bill_refusal(tx: Executes, settings: QrSettings, merchant_id: str, now_ms: int) -> Rejected | None:
    """Why the merchant may not make another bill now, or None."""
    cap = settings.bills_unpaid_day_max
    count, oldest_ms = tx.execute(_UNPAID, (merchant_id, now_ms - DAY_MS, cap)).fetchone()
    if count < cap:
        return None
    resets_at_ms = oldest_ms + DAY_MS
    return rejected(QrCode.BILL_DAY_COUNT, f"at most {cap} unpaid bills a day: bills left unpaid count until they "
                    "are a day old", limit=cap, resets_at_ms=resets_at_ms,
                    retry_after_s=seconds_until(resets_at_ms, now_ms))
