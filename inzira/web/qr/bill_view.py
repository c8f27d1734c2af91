"""A bill as the POS screen shows it: the panel (QR and countdown, or PAID) rendered by the server, both in
the page and in each live frame, so the script only swaps it in."""

from __future__ import annotations

import time
from typing import Any

from inzira.web.rendering import ENV

FINAL_STATUSES = ("paid", "expired")
PANEL_TEMPLATE = "qr/bill_status.html"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def bill_context(bill: dict[str, Any], payment: dict[str, Any] | None) -> dict[str, Any]:
    status = "paid" if payment is not None else str(bill["status"])
    # The countdown runs from what is left now by the server's clock: the browser's clock may be off.
    expires_in_ms = max(0, int(bill["expires_at_ms"]) - now_ms())
    return {"bill": bill, "payment": payment, "status": status, "final": status in FINAL_STATUSES,
            "expires_in_ms": expires_in_ms}


def panel_html(bill: dict[str, Any], payment: dict[str, Any] | None) -> str:
    return ENV.get_template(PANEL_TEMPLATE).render(bill_context(bill, payment))
