"""Transfers to Inzira parties: reserve on Inzira, commit with the fulfilment, tell the hub.

``POST /transfers`` names its quote through the condition. The gateway checks the transfer against that quote,
reserves the amount on Inzira (a pending transfer from its RWF position to the party's account, hashlocked
with the quote's condition, expiring with the Mojaloop transfer), commits it by revealing the fulfilment, and
only then sends ``PUT /transfers/{ID}`` COMMITTED with that fulfilment. A refusal on Inzira is a
``PUT .../error`` and the reservation never posts. The hub's later word (``PATCH``, or ``PUT .../error`` on
its own timeout) is recorded; when it says ABORTED for a transfer Inzira committed, the transfer is flagged
for reconciliation, never dropped.

A quote is paid at most once: the first transfer that passes the checks claims it, any other is refused
(5105), and a resend of the claiming transfer once the book pruned it is refused too (3208). COMMITTED and
ABORTED are terminal: a reservation or commit that lands after the hub aborted never overwrites the abort
(a late reservation is never committed and ends at its expiry; a commit that landed anyway is flagged for
reconciliation). A transfer that ends ABORTED while its reservation is still open on Inzira (a commit of ours
may be on its way, its verdict lost) is kept ``inzira_open``: the sweep looks at it again until the chain
ends the reservation (flagged if it posted), at most its expiry after it was made.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

import msgspec

from inzira.interop.mojaloop import fields
from inzira.interop.mojaloop.callbacks import HubClient
from inzira.interop.mojaloop.errors import ErrorCode, FspiopError
from inzira.interop.mojaloop.headers import Inbound
from inzira.interop.mojaloop.payee import Payee, digest
from inzira.interop.mojaloop.ports import PayeeLedger, Verdict
from inzira.interop.mojaloop.store import ABORTED, COMMITTED, RECEIVED, RESERVED, Store, TransferRecord
from inzira.interop.mojaloop.timefmt import iso_ms, parse_ms
from inzira.interop.mojaloop.transfer_checks import check_terms, not_fulfillable, quote_named

# Inzira's reservation lasts at most this, whatever expiration the payer FSP chose: the gateway commits within
# seconds, and cannot void its own hashlock, so a far expiration would lock its position until then.
RESERVE_HOLD_MS_MAX = 300_000

# Inzira ledger codes -> what the hub is told
_LEDGER_TO_FSPIOP = {3303: ErrorCode.TRANSFER_EXPIRED, 3300: ErrorCode.TRANSFER_EXPIRED,
                     4001: ErrorCode.PAYEE_FSP_INSUFFICIENT_LIQUIDITY, 5400: ErrorCode.PAYEE_BLOCKED,
                     4400: ErrorCode.PAYEE_BLOCKED}
HUB_COMMITTED_ABORTED = "the hub committed a transfer Inzira aborted: pay the payee off-ledger"
log = logging.getLogger(__name__)


class PayeeTransfers:
    def __init__(self, payee: Payee, store: Store, ledger: PayeeLedger, hub: HubClient,
                 clock_ms: Callable[[], int]) -> None:
        self.payee = payee
        self.store = store
        self.ledger = ledger
        self.hub = hub
        self.clock_ms = clock_ms
        # Told of each transfer Inzira committed (the merchants' side records it as a payment); never raises.
        self.on_committed: Callable[[TransferRecord], None] | None = None

    async def post_transfer(self, inbound: Inbound, body: dict[str, Any]) -> None:
        transfer_id = body["transferId"]
        value, code = fields.amount(body, "amount")
        now_ms = self.clock_ms()
        record = TransferRecord(
            transfer_id=transfer_id, digest=digest(body), payer_fsp=inbound.source, quote_id="",
            amount_minor=fields.to_minor(value, code) or 0, currency=code, condition=body["condition"],
            expires_at_ms=parse_ms(body["expiration"]) or 0, state=RECEIVED, created_at_ms=now_ms,
            updated_at_ms=now_ms, version=f"{inbound.version[0]}.{inbound.version[1]}")
        claimed = self.store.quote_by_condition(record.condition)
        if claimed is not None and claimed.transfer_id == transfer_id and self.store.transfer(transfer_id) is None:
            # Its quote names it, its record is gone: a transfer the book pruned (retention.py), never paid again.
            error = FspiopError(ErrorCode.TRANSFER_ID_NOT_FOUND, f"transfer {transfer_id} ended and is no longer "
                                "kept here: ask the hub for its state")
            await self.hub.put_error(f"/transfers/{transfer_id}", "transfers", inbound.version, inbound.source, error)
            return
        stored = self.store.add_transfer(record)
        if stored is not record:
            if stored.digest != record.digest:
                error = FspiopError(ErrorCode.MODIFIED_REQUEST, f"transfer {transfer_id} was sent before with "
                                    "another body")
                await self.hub.put_error(f"/transfers/{transfer_id}", "transfers", inbound.version, inbound.source,
                                         error)
                return
            await self.answer(stored)  # a resend: the transfer as it now stands
            return
        try:
            record = self._check(record, body, now_ms)
        except FspiopError as error:
            await self._abort(record, error)
            return
        await self._settle(record)

    def _check(self, record: TransferRecord, body: dict[str, Any], now_ms: int) -> TransferRecord:
        quote = quote_named(self.store, record, body, self.payee.settings.fsp_id)
        record = self._put(record, quote_id=quote.quote_id)
        check_terms(record, body, quote, self.payee, now_ms)
        # No await since the quote was read: on the gateway's one loop, no other transfer can claim it between.
        self.store.put_quote(msgspec.structs.replace(quote, transfer_id=record.transfer_id))
        return record

    async def _settle(self, record: TransferRecord) -> None:
        quote = self.store.quote(record.quote_id)
        try:
            party = None if quote is None else await self.payee.parties.find(quote.party_type, quote.party_id)
        except FspiopError as error:
            await self._abort(record, error)
            return
        if party is None:
            await self._abort(record, FspiopError(ErrorCode.PARTY_NOT_FOUND, "Inzira no longer serves the payee"))
            return
        hold_until_ms = min(record.expires_at_ms, self.clock_ms() + RESERVE_HOLD_MS_MAX)
        verdict = await self.ledger.reserve(record.transfer_id, party, record.amount_minor, record.currency,
                                            _unb64(record.condition), hold_until_ms)
        if verdict is None:
            return  # no verdict in time: the sweep settles it when the transfer expires
        if not verdict.ok:
            await self._abort(record, _refusal(verdict))
            return
        reserved = self._advance(record, RESERVED, pending_id=verdict.pending_id.hex())
        if reserved is None:  # the hub aborted while Inzira reserved: never committed, it ends at its expiry
            await self.ledger.abort(verdict.pending_id)
            stored = self.store.transfer(record.transfer_id)
            if stored is not None:
                self._put(stored, pending_id=verdict.pending_id.hex(), inzira_open=True)
            return
        await self._commit(reserved, verdict.pending_id)

    async def _commit(self, record: TransferRecord, pending_id: bytes) -> None:
        fulfilment = self._fulfilment_of(record)
        if fulfilment is None:  # never reveals anything: the reservation ends at its expiry
            await self._abort(record, not_fulfillable(record.quote_id))
            return
        verdict = await self.ledger.commit(pending_id, _unb64(fulfilment))
        if verdict is None:
            return  # the sweep asks the ledger, and commits again while there is time
        if verdict.ok:
            await self._committed(record, fulfilment)
        elif self.ledger.state(pending_id) == COMMITTED:  # an earlier commit of ours landed meanwhile
            await self._committed(record, fulfilment)
        else:
            await self._abort(record, _refusal(verdict))

    def _fulfilment_of(self, record: TransferRecord) -> str | None:
        """Recomputed from the packet kept with the quote (kept while its transfer is open); None when the
        gateway cannot (a quote agreed before the fulfilment was bound to its packet)."""
        quote = self.store.quote(record.quote_id)
        fulfilment = None if quote is None else self.payee.fulfilment_of(quote.ilp_packet)
        return None if fulfilment is None else _b64(fulfilment)

    async def _committed(self, record: TransferRecord, fulfilment: str) -> None:
        committed = self._advance(record, COMMITTED, fulfilment=fulfilment,
                                  completed_timestamp=iso_ms(self.clock_ms()))
        if committed is not None:
            if self.on_committed is not None:
                self.on_committed(committed)
            await self.answer(committed)
            return
        stored = self.store.transfer(record.transfer_id)
        if stored is not None and stored.state == ABORTED:
            self._posted_after_abort(stored)

    def _posted_after_abort(self, stored: TransferRecord) -> None:
        """Inzira committed a transfer that ended ABORTED here: flagged once, no longer watched."""
        reconcile = stored.reconcile
        if not reconcile:
            reconcile = (f"Inzira committed after the transfer ended ABORTED (hub: {stored.hub_state or 'silent'}): "
                         "recover the payment from the payee")
            log.error("transfer %s: %s", stored.transfer_id, reconcile)
        self._put(stored, reconcile=reconcile, inzira_open=False)

    async def _abort(self, record: TransferRecord, error: FspiopError) -> None:
        aborted = self._advance(record, ABORTED, error_code=int(error.code), error_description=error.description)
        if aborted is not None:
            await self.answer(aborted)

    def _advance(self, record: TransferRecord, state: str, **changes: Any) -> TransferRecord | None:
        """``record`` moved to ``state``; None when it already ended (COMMITTED and ABORTED are terminal)."""
        stored = self.store.transfer(record.transfer_id)
        if stored is not None and stored.state in (COMMITTED, ABORTED):
            return None
        base = record if stored is None else stored
        if state == ABORTED:
            changes["inzira_open"] = self._open_on_inzira(base)
            if base.hub_state == COMMITTED and not base.reconcile:  # the hub's word came first: flagged as after
                changes["reconcile"] = HUB_COMMITTED_ABORTED
                log.error("transfer %s: %s", base.transfer_id, HUB_COMMITTED_ABORTED)
        return self._put(base, state=state, **changes)

    def _open_on_inzira(self, record: TransferRecord) -> bool:
        """Whether ``record``'s reservation, if it has one, is not ended on Inzira yet."""
        return bool(record.pending_id) and self.ledger.state(bytes.fromhex(record.pending_id)) != ABORTED

    async def answer(self, record: TransferRecord) -> None:
        """Tell the payer FSP where the transfer stands (nothing while Inzira has not decided yet)."""
        path = f"/transfers/{record.transfer_id}"
        version = _version(record.version)
        if record.state == COMMITTED:
            body = {"fulfilment": record.fulfilment, "completedTimestamp": record.completed_timestamp,
                    "transferState": COMMITTED}
            await self.hub.put(path, "transfers", version, record.payer_fsp, body)
        elif record.state == ABORTED:
            error = FspiopError(ErrorCode(record.error_code), record.error_description)
            await self.hub.put_error(path, "transfers", version, record.payer_fsp, error)

    async def get_transfer(self, inbound: Inbound, transfer_id: str) -> None:
        stored = self.store.transfer(transfer_id)
        path = f"/transfers/{transfer_id}"
        if stored is None or stored.payer_fsp != inbound.source:
            error = FspiopError(ErrorCode.TRANSFER_ID_NOT_FOUND, f"no transfer {transfer_id} from {inbound.source}")
            await self.hub.put_error(path, "transfers", inbound.version, inbound.source, error)
        elif stored.state in (RECEIVED, RESERVED):
            await self.hub.put(path, "transfers", inbound.version, inbound.source, {"transferState": stored.state})
        else:
            await self.answer(msgspec.structs.replace(stored, version=f"{inbound.version[0]}.{inbound.version[1]}"))

    async def hub_outcome(self, transfer_id: str, hub_state: str, detail: str) -> None:
        """The hub's final word (PATCH, or an error callback): recorded, reconciled when it disagrees."""
        stored = self.store.transfer(transfer_id)
        if stored is None:
            log.warning("the hub reported %s for transfer %s, unknown here", hub_state, transfer_id)
            return
        if hub_state == ABORTED and stored.state in (RECEIVED, RESERVED):
            if stored.pending_id:
                await self.ledger.abort(bytes.fromhex(stored.pending_id))
            self._put(stored, state=ABORTED, hub_state=hub_state, error_code=int(ErrorCode.PAYEE_ERROR),
                      error_description=f"aborted by the hub: {detail}"[:128],
                      inzira_open=self._open_on_inzira(stored))
            return
        reconcile = stored.reconcile
        if hub_state == ABORTED and stored.state == COMMITTED:
            reconcile = f"the hub aborted after Inzira committed ({detail}): recover the payment from the payee"
        elif hub_state == COMMITTED and stored.state == ABORTED:
            reconcile = HUB_COMMITTED_ABORTED
        if reconcile != stored.reconcile:
            log.error("transfer %s: %s", transfer_id, reconcile)
        self._put(stored, hub_state=hub_state, reconcile=reconcile[:256])

    async def sweep(self) -> int:
        """Settle transfers the ledger answered late, and those that expired; end the watch of transfers whose
        reservation Inzira has ended: how many changed."""
        changed = self._watch_inzira()
        for record in self.store.open_transfers():
            pending_id = bytes.fromhex(record.pending_id)
            on_ledger = self.ledger.state(pending_id) if pending_id else ""
            if on_ledger == RESERVED and self.clock_ms() < record.expires_at_ms:
                await self._commit(record, pending_id)  # the last commit got no verdict: once more
            elif on_ledger == COMMITTED:
                fulfilment = self._fulfilment_of(record)
                if fulfilment is None:  # the hub cannot be given it: aborted there, and flagged just below
                    await self._abort(record, not_fulfillable(record.quote_id))
                await self._committed(record, fulfilment or "")
            elif on_ledger == ABORTED or (not on_ledger and self.clock_ms() >= record.expires_at_ms):
                # Without a pending id the reservation, if it ever landed, expires with the transfer.
                await self._abort(record, FspiopError(ErrorCode.TRANSFER_EXPIRED, "the transfer expired"))
            else:
                continue
            changed += 1
        return changed

    def _watch_inzira(self) -> int:
        """Transfers ended while their reservation was open, looked at again: posted on Inzira, flagged for
        reconciliation; ended there, no longer watched; still reserved, again at the next sweep."""
        ended = 0
        for record in self.store.inzira_open_transfers():
            on_ledger = self.ledger.state(bytes.fromhex(record.pending_id)) if record.pending_id else ABORTED
            if on_ledger == COMMITTED:
                self._posted_after_abort(record)
            elif on_ledger == ABORTED:
                self._put(record, inzira_open=False)
            else:
                continue
            ended += 1
        return ended

    def _put(self, record: TransferRecord, **changes: Any) -> TransferRecord:
        updated = msgspec.structs.replace(record, updated_at_ms=self.clock_ms(), **changes)
        self.store.put_transfer(updated)
        return updated


def _refusal(verdict: Verdict) -> FspiopError:
    code = _LEDGER_TO_FSPIOP.get(verdict.code, ErrorCode.PAYEE_FSP_REJECTED_TRANSACTION)
    detail = f": {verdict.detail}" if verdict.detail else ""
    return FspiopError(code, f"Inzira refused it (ledger code {verdict.code}{detail})")


def _version(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor or 0)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
