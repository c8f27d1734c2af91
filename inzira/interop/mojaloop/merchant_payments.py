"""eKash payments to Inzira merchants (``BUSINESS`` payees), handed to the QR service once Inzira committed them,
so the merchant's POS, live feed and statement show them like any other payment (``inzira.qr.external``).

The payer is what the quote's transaction (in its ILP packet) names: the payer FSP and the payer's identifier,
which the QR service masks. A payment the ledger does not show as posted to the merchant is not recorded, and
said so in the log: the transfer itself stands, as committed on Inzira.

A payment committed just before the process stopped may not have reached the QR service: ``replay`` hands
over again every transfer committed in the last ``REPLAY_WINDOW_MS`` when the gateway starts (the QR service
records each Mojaloop transfer once, so what it has is not doubled).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future

from inzira.interop.mojaloop import ilp
from inzira.interop.mojaloop.store import COMMITTED, PAGE_ROWS_MAX, Store, TransferRecord
from inzira.qr.external import IncomingPayment, NotRecorded

log = logging.getLogger(__name__)
REPLAY_WINDOW_MS = 7 * 24 * 3_600_000  # as long as the QR service keeps its events
REPLAY_PAGES_MAX = 1_000  # at most PAGE_ROWS_MAX transfers each

Record = Callable[[IncomingPayment], "Future[str | None]"]


def payer_id_of(ilp_packet: str) -> str:
    """The payer's identifier in the quote's transaction, or "" when the packet names none."""
    try:
        transaction = ilp.read_packet(ilp_packet).transaction
    except ilp.IlpError:
        return ""
    payer = transaction.get("payer")
    info = payer.get("partyIdInfo") if isinstance(payer, dict) else None
    value = info.get("partyIdentifier") if isinstance(info, dict) else None
    return value if isinstance(value, str) else ""


def merchant_feed(store: Store, record: Record) -> Callable[[TransferRecord], None]:
    """The ``PayeeTransfers.on_committed`` hook: committed payments to merchants go to ``record``."""

    def committed(transfer: TransferRecord) -> None:
        quote = store.quote(transfer.quote_id)
        if quote is None or quote.party_type != "BUSINESS" or not transfer.pending_id:
            return
        incoming = IncomingPayment(transfer.transfer_id, transfer.payer_fsp, payer_id_of(quote.ilp_packet) or "?",
                                   quote.party_id, transfer.amount_minor, transfer.currency,
                                   bytes.fromhex(transfer.pending_id))
        try:
            record(incoming).add_done_callback(lambda done: _logged(done, transfer.transfer_id))
        except NotRecorded as exc:
            log.error("eKash transfer %s is not recorded as a merchant payment: %s", transfer.transfer_id, exc)
        except Exception:  # the store is closing or full: the transfer stands, only its POS line is missing
            log.exception("eKash transfer %s could not be recorded as a merchant payment", transfer.transfer_id)

    return committed


def _logged(done: "Future[str | None]", transfer_id: str) -> None:
    if done.exception() is not None:
        log.error("eKash transfer %s: its merchant payment was not stored", transfer_id, exc_info=done.exception())


def replay(store: Store, committed: Callable[[TransferRecord], None], from_ms: int, to_ms: int) -> int:
    """Hand ``committed`` every transfer received in [from_ms, to_ms) that is committed: how many."""
    handed = 0
    after: tuple[int, str] | None = None
    for _ in range(REPLAY_PAGES_MAX):
        page = store.received_page(from_ms, to_ms, after, PAGE_ROWS_MAX)
        for transfer in page:
            if transfer.state == COMMITTED:
                committed(transfer)
                handed += 1
        if len(page) < PAGE_ROWS_MAX:
            return handed
        after = (page[-1].created_at_ms, page[-1].transfer_id)
    log.error("eKash merchant payments: more than %d pages to replay; the rest is not", REPLAY_PAGES_MAX)
    return handed
