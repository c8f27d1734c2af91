"""Settlement with the hub: the gateway's net position against eKash for a settlement window, and a page of the
window's eKash transfers, each matched with its Inzira legs (reconcile.py).

Two sides. Payee: eKash payers paying Inzira parties; each transfer the gateway committed (and the hub did not
abort) is owed by the hub to the gateway, which already paid it out of its Inzira position. Payer: remittances
paid out through eKash; each eKash transfer committed is owed by the gateway to the hub. The net position per
currency is payee committed less payer committed: positive, the hub owes the gateway.

A transfer belongs to the window of the moment the gateway received it (payee) or sent it (payer), in UTC;
the window is [from_ms, to_ms). Totals come from the stores' aggregates over the whole window; the matched
transfers come a page at a time (payee side first, then payer), after an opaque cursor.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from inzira.interop.mojaloop import reconcile
from inzira.interop.mojaloop.ekash_book import SentTransfer
from inzira.interop.mojaloop.reconcile import ABORTED_GROUP, COMMITTED_GROUP, PENDING_GROUP
from inzira.interop.mojaloop.store import ABORTED, COMMITTED, PAGE_ROWS_MAX, Store, TransferRecord
from inzira.ledger.records import EXPIRED, PENDING, POSTED, VOIDED, PendingTransfer
from inzira.remit.records import TransferRecord as Remittance

WINDOW_MS_MAX = 31 * 24 * 3_600_000
DAY_MS = 24 * 3_600_000
PAGE_DEFAULT = 100
# side, then (after the first page of a side) the last row's time and id (base64url: any id fits)
CURSOR_RE = re.compile(r"^(payee|payer)(?:\.([0-9]{1,16})\.([A-Za-z0-9_-]{1,172}))?$")
PAYEE, PAYER = "payee", "payer"
_LEDGER_STATES = {PENDING: "RESERVED", POSTED: COMMITTED, VOIDED: ABORTED, EXPIRED: ABORTED}


class SettlementError(ValueError):
    """A window or cursor the report cannot take (the caller's mistake, not the stores')."""


class PayerBook(Protocol):
    """The payer side's records (the eKash route's ``state``): what settlement reads of them."""

    def sent_page(self, from_ms: int, to_ms: int, after: tuple[int, str] | None,
                  limit: int) -> list[SentTransfer]: ...

    def sent_totals(self, from_ms: int, to_ms: int) -> list[tuple[str, str, int, int]]: ...


@dataclass(frozen=True)
class Sources:
    payee: Store
    payer: PayerBook | None  # None: this gateway pays nothing out through eKash
    pending: Callable[[bytes], PendingTransfer | None]  # the ledger's pending transfer by id
    remittance: Callable[[str], Remittance | None]  # the remittance made on an Inzira quote id
    clock_ms: Callable[[], int]


def check_window(from_ms: int, to_ms: int) -> None:
    if not 0 <= from_ms < to_ms:
        raise SettlementError("the window must have from < to")
    if to_ms - from_ms > WINDOW_MS_MAX:
        raise SettlementError(f"the window is at most {WINDOW_MS_MAX // DAY_MS} days")


def day_of(now_ms: int) -> tuple[int, int]:
    """The UTC day holding ``now_ms``: the default window."""
    start = now_ms - now_ms % DAY_MS
    return start, start + DAY_MS


def parse_cursor(text: str) -> tuple[str, tuple[int, str] | None]:
    found = CURSOR_RE.fullmatch(text)
    if found is None:
        raise SettlementError("the cursor is not one this report gave")
    if found[2] is None:
        return found[1], None
    try:
        row_id = base64.urlsafe_b64decode(found[3] + "=" * (-len(found[3]) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise SettlementError("the cursor is not one this report gave") from None
    return found[1], (int(found[2]), row_id)


def _cursor(side: str, at_ms: int, row_id: str) -> str:
    return f"{side}.{at_ms}.{base64.urlsafe_b64encode(row_id.encode()).rstrip(b'=').decode()}"


def summary(sources: Sources, from_ms: int, to_ms: int) -> dict[str, Any]:
    """Counts and sums per side, group (committed, aborted, pending) and currency; the net position."""
    check_window(from_ms, to_ms)
    sides: dict[str, dict[str, dict[str, dict[str, int]]]] = {
        side: {COMMITTED_GROUP: {}, ABORTED_GROUP: {}, PENDING_GROUP: {}} for side in (PAYEE, PAYER)}
    for state, hub_state, currency, count, sum_minor in sources.payee.received_totals(from_ms, to_ms):
        _add(sides[PAYEE][_payee_group(state, hub_state)], currency, count, sum_minor)
    if sources.payer is not None:
        for state, currency, count, sum_minor in sources.payer.sent_totals(from_ms, to_ms):
            _add(sides[PAYER][_payer_group(state)], currency, count, sum_minor)
    net: dict[str, int] = {}
    for side, sign in ((PAYEE, 1), (PAYER, -1)):
        for currency, total in sides[side][COMMITTED_GROUP].items():
            net[currency] = net.get(currency, 0) + sign * total["sum_minor"]
    return {"from_ms": from_ms, "to_ms": to_ms, PAYEE: sides[PAYEE], PAYER: sides[PAYER], "net_minor": net}


def page(sources: Sources, from_ms: int, to_ms: int, cursor: str | None = None,
         limit: int = PAGE_DEFAULT) -> tuple[list[dict[str, Any]], str | None]:
    """Up to ``limit`` matched transfers after ``cursor``, and the cursor of the next page (None: the last)."""
    check_window(from_ms, to_ms)
    if not 1 <= limit <= PAGE_ROWS_MAX:
        raise SettlementError(f"limit must be 1..{PAGE_ROWS_MAX}")
    side, after = parse_cursor(cursor) if cursor else (PAYEE, None)
    now_ms = sources.clock_ms()
    items: list[dict[str, Any]] = []
    if side == PAYEE:
        rows = sources.payee.received_page(from_ms, to_ms, after, limit + 1)
        items = [_payee_item(sources, t, now_ms) for t in rows[:limit]]
        if len(rows) > limit:
            return items, _cursor(PAYEE, rows[limit - 1].created_at_ms, rows[limit - 1].transfer_id)
        after = None
    if sources.payer is not None:
        sent = sources.payer.sent_page(from_ms, to_ms, after, limit - len(items) + 1)
        room = limit - len(items)
        items += [_payer_item(sources, s, now_ms) for s in sent[:room]]
        if len(sent) > room:
            # A page the payee side filled exactly: the next one starts the payer side.
            return items, _cursor(PAYER, sent[room - 1].sent_at_ms, sent[room - 1].quote_id) if room else PAYER
    return items, None


def _payee_item(sources: Sources, t: TransferRecord, now_ms: int) -> dict[str, Any]:
    pending = sources.pending(bytes.fromhex(t.pending_id)) if t.pending_id else None
    inzira = _LEDGER_STATES.get(pending.status, "") if pending else ""
    expired = now_ms >= t.expires_at_ms + reconcile.EXPIRY_GRACE_MS
    reasons = reconcile.payee_reasons(t.state, t.hub_state, inzira, _amount(pending), (t.amount_minor, t.currency),
                                      expired)
    return {"side": PAYEE, "transfer_id": t.transfer_id, "state": t.state,
            "group": _payee_group(t.state, t.hub_state),
            "amount_minor": t.amount_minor, "currency": t.currency, "at_ms": t.created_at_ms,
            "expires_at_ms": t.expires_at_ms, "hub_state": t.hub_state, "counterparty_fsp": t.payer_fsp,
            "inzira": {"pending_id": t.pending_id, "state": inzira or "NONE", "remittance_id": ""},
            "reasons": [str(r) for r in reasons]}


def _payer_item(sources: Sources, s: SentTransfer, now_ms: int) -> dict[str, Any]:
    remittance = sources.remittance(s.quote_id)
    pending_id = remittance.reserve_tx_id if remittance else b""
    pending = sources.pending(pending_id) if pending_id else None
    inzira = _LEDGER_STATES.get(pending.status, "") if pending else ""
    received = (remittance.amount_received_minor, s.currency) if remittance else None
    reasons = reconcile.payer_reasons(s.state, inzira, received, (s.receive_amount_minor, s.currency),
                                      now_ms >= s.expires_at_ms + reconcile.EXPIRY_GRACE_MS)
    return {"side": PAYER, "transfer_id": s.transfer_id, "state": _payer_state(s.state), "group": _payer_group(s.state),
            "amount_minor": s.transfer_amount_minor, "currency": s.currency, "at_ms": s.sent_at_ms,
            "expires_at_ms": s.expires_at_ms, "hub_state": "", "counterparty_fsp": "",
            "inzira": {"pending_id": pending_id.hex(), "state": inzira or "NONE",
                       "remittance_id": remittance.transfer_id if remittance else ""},
            "reasons": [str(r) for r in reasons]}


def _amount(pending: PendingTransfer | None) -> tuple[int, str] | None:
    # The gateway's reservations have one leg (inzira_ledger.py).
    return None if pending is None else (pending.legs[0].amount_minor, pending.legs[0].currency)


def _payee_group(state: str, hub_state: str) -> str:
    if state == ABORTED or hub_state == ABORTED:
        return ABORTED_GROUP  # a hub abort after the fulfilment is not settled by the hub either
    return COMMITTED_GROUP if state == COMMITTED else PENDING_GROUP


def _payer_group(state: str) -> str:
    return {COMMITTED: COMMITTED_GROUP, ABORTED: ABORTED_GROUP}.get(state, PENDING_GROUP)


def _payer_state(state: str) -> str:
    return state if state in (COMMITTED, ABORTED) else "SENT"


def _add(group: dict[str, dict[str, int]], currency: str, count: int, sum_minor: int) -> None:
    total = group.setdefault(currency, {"count": 0, "sum_minor": 0})
    total["count"] += count
    total["sum_minor"] += sum_minor
