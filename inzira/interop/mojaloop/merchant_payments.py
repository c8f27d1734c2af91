"""eKash payments to Inzira merchants (``BUSINESS`` payees), handed to the QR service once Inzira committed them,
so the merchant's POS, live feed and statement show them like any other payment (``inzira.qr.external``).

The payer is what the quote's transaction (in its ILP packet) names: the payer FSP and the payer's identifier,
which the QR service masks. A payment the ledger does not show as posted to the merchant is not recorded, and
said so in the log: the transfer itself stands, as committed on Inzira.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future

from inzira.interop.mojaloop import ilp
from inzira.interop.mojaloop.store import Store, TransferRecord
from inzira.qr.external import IncomingPayment, NotRecorded

log = logging.getLogger(__name__)

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
