"""What the card acquirer's word on a payment session means for a card top-up's record.

A top-up moves on only on the acquirer's answer when asked (never a callback's claims), and only when that
answer is about this very payment: its session, the top-up's id as reference, its amount and currency. Kept
apart from ``card_topups``, which asks and then writes what the answer means.
"""

from __future__ import annotations

from inzira.qr.card_acquirer import AcquirerSession
from inzira.qr.records import DECLINED, EXPIRED, REFUNDED, TIMED_OUT, CardTopUp

# The acquirer's final answers other than "authorized", and the status each gives the record.
FINAL_STATUSES = {"declined": DECLINED, "timed_out": TIMED_OUT, "expired": EXPIRED, "refunded": REFUNDED}


def mismatch(card: CardTopUp, session: AcquirerSession) -> str | None:
    """Why the acquirer's session is not this top-up's payment, or None."""
    if card.session_id is not None and session.id != card.session_id:
        return f"the acquirer answered session {session.id}, not {card.session_id}"
    if session.reference != card.id:
        return f"the acquirer's session is for {session.reference}, not {card.id}"
    if (session.amount_minor, session.currency) != (card.amount_minor, card.currency):
        return (f"the acquirer's session is for {session.amount_minor} {session.currency}, not "
                f"{card.amount_minor} {card.currency}")
    return None
