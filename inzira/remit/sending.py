"""The sending FSP's side (EuroSend, SilkPay...): a transfer request -> compliance -> one atomic pending
hashlocked transfer on the ledger.

Idempotent on the sender's transfer id (a UUID, unique in the scheme as Mojaloop's are): the same request
again answers the transfer as it now stands; the same id with another body is 3106. A transfer is on disk
before any answer tells of it (held or refused ones too: a crash must not lose what a customer was told),
and its signed transaction before it is submitted, so a crash in between resubmits those very bytes
(reconciliation).

On chain the transfer is one batch, all of it or none, reserved until the receiving FSP commits:
  leg 0: <sender>:<cur>      -> imari-fx:<cur>       amount sent (what the FX provider converts)
  leg 1: imari-fx:rwf        -> <receiver FSP>:rwf    amount received (what the wallet is paid)
  leg 2: imari-fx:rwf        -> <receiver FSP>:fees-rwf   the receiving FSP's fee (when not zero)
with the FX provider's signed firm quote authorising legs 1-2, memo "remit:<quote id>", the receiving FSP's
condition, and an expiry. The sending FSP's own fee is charged to its customer in its own books and never
crosses the network, so it has no leg.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import msgspec

from inzira.ledger.codes import Code, describe
from inzira.ledger.encoding import CanonicalDecoder
from inzira.ledger.quotes import hold_until_max_ms
from inzira.ledger.records import Leg
from inzira.ledger.tx import SignedQuote, Transfer, decode_quote, decode_signed, tx_id_of
from inzira.node.custody import MemberPort
from inzira.remit import ledger_io
from inzira.remit.codes import RemitCode, RemitError, invalid
from inzira.remit.records import DecisionRecord, QuoteTerms, TransferRecord, TransferState
from inzira.remit.runtime import RemitRuntime
from inzira.remit.screening import Screening
from inzira.remit.settings import PAYOUT_CURRENCY, RemitSettings, fee_account, position_account
from inzira.remit.store.transfers import QuoteAlreadyUsed, TransferStore
from inzira.remit.transitions import Transitions

_decode_signed_quote = CanonicalDecoder(SignedQuote)
S = TransferState


@dataclass(frozen=True, slots=True)
class TransferRequest:
    transfer_id: str
    quote_id: str
    sender_id: str  # the customer's id at the sending FSP (limits and velocity count per customer)
    sender_name: str
    receiver_name: str  # as the customer knows the receiver: screened against the sanctions list
    expires_in_ms: int | None = None

    def digest(self, sending_fsp: str) -> bytes:
        return hashlib.sha256(msgspec.json.encode([sending_fsp, self.transfer_id, self.quote_id, self.sender_id,
                                                   self.sender_name, self.receiver_name, self.expires_in_ms])).digest()


class TransferDesk:
    def __init__(self, runtime: RemitRuntime, ports: Mapping[str, MemberPort], store: TransferStore,
                 transitions: Transitions, screening: Screening, settings: RemitSettings,
                 clock_ms: Callable[[], int]) -> None:
        self.runtime = runtime
        self.ports = ports  # the sending FSPs this service acts for: each signs its own transfers
        self.store = store
        self.transitions = transitions
        self.screening = screening
        self.settings = settings
        self.clock_ms = clock_ms

    def _terms(self, sender: str, request: TransferRequest) -> QuoteTerms:
        found = self.store.quote(request.quote_id)
        if found is None or found[0].sending_fsp != sender:
            raise RemitError(404, RemitCode.QUOTE_NOT_FOUND, f"no quote {request.quote_id} for {sender}")
        terms, used_by = found
        if used_by is not None:
            raise RemitError(409, Code.QUOTE_USED, f"quote {request.quote_id} was used by transfer {used_by}")
        if self.clock_ms() >= terms.expires_at_ms:
            raise RemitError(422, Code.QUOTE_EXPIRED, f"quote {request.quote_id} expired: ask for a new quote")
        if terms.sender_name and (request.sender_name, request.receiver_name) != (terms.sender_name,
                                                                                  terms.receiver_name):
            # the receiving FSP was told (and screened) the quote's names: the transfer is for those people
            raise invalid(f"quote {request.quote_id} was agreed for other sender and receiver names: give the "
                          "same names, or ask for a new quote")
        return terms

    def _ttl_ms(self, request: TransferRequest) -> int:
        ttl_ms = request.expires_in_ms or self.settings.transfer_ttl_ms
        if not self.settings.transfer_ttl_ms_min <= ttl_ms <= self.settings.transfer_ttl_ms_max:
            raise invalid(f"expires_in_ms must be {self.settings.transfer_ttl_ms_min}.."
                          f"{self.settings.transfer_ttl_ms_max}")
        return ttl_ms

    async def send(self, sender: str, request: TransferRequest) -> tuple[TransferRecord, bool]:
        """The transfer as it stands after this request, and whether this request created it."""
        if sender not in self.ports:
            raise RemitError(403, Code.PERMISSION, f"this remittance service does not act for {sender}")
        digest = request.digest(sender)
        existing = self.store.get(request.transfer_id)
        if existing is not None:
            if existing.request_hash != digest:
                raise RemitError(409, Code.MODIFIED_REQUEST,
                                 f"transfer {request.transfer_id} exists with another request body")
            await self.store.db.durable()  # a resend may overtake the first request's write to disk
            return existing, False
        ttl_ms = self._ttl_ms(request)
        terms = self._terms(sender, request)
        now_ms = self.clock_ms()
        decision = self.screening.decide(
            sending_fsp=sender, transfer_id=request.transfer_id, sender_id=request.sender_id,
            sender_name=request.sender_name, receiver_name=request.receiver_name,
            amount_minor=terms.amount_sent_minor, currency_code=terms.source_currency, now_ms=now_ms,
            holder_reasons=terms.holder_reasons)
        record = TransferRecord(
            transfer_id=request.transfer_id, sending_fsp=sender, receiving_fsp=terms.receiving_fsp,
            quote_id=terms.quote_id, request_hash=digest, state=S.RECEIVED, sender_id=request.sender_id,
            sender_name=request.sender_name, receiver_name=request.receiver_name, msisdn=terms.msisdn,
            source_currency=terms.source_currency, amount_sent_minor=terms.amount_sent_minor,
            amount_received_minor=terms.amount_received_minor, created_at_ms=now_ms, updated_at_ms=now_ms,
            expires_at_ms=0)
        raw: bytes | None = None
        if decision.outcome == "reject":
            record = msgspec.structs.replace(record, state=S.REJECTED, code=RemitCode.COMPLIANCE_REJECTED,
                                             reason=_reasons_text(decision))
        elif decision.outcome == "hold":
            record = msgspec.structs.replace(record, state=S.HELD)
        else:
            raw, record = self._signed(record, terms, now_ms + ttl_ms)
        try:
            self.transitions.create(record, decision, raw, _created_detail(record, decision))
        except (QuoteAlreadyUsed, sqlite3.IntegrityError):
            raced = self.store.get(request.transfer_id)  # a request with this id came in at the same time
            if raced is not None:
                if raced.request_hash == digest:
                    await self.store.db.durable()
                    return raced, False
                raise RemitError(409, Code.MODIFIED_REQUEST,
                                 f"transfer {request.transfer_id} exists with another request body") from None
            raise RemitError(409, Code.QUOTE_USED, f"quote {request.quote_id} was used by another transfer") from None
        # On disk before anyone hears of it: a held or refused transfer before the answer says so, a signed
        # transaction before the ledger can see it.
        await self.store.db.durable()
        if raw is None:
            return record, True
        return await self.reserve(record, raw), True

    def _signed(self, record: TransferRecord, terms: QuoteTerms, expires_at_ms: int) -> tuple[bytes, TransferRecord]:
        legs = [Leg(position_account(record.sending_fsp, terms.source_currency),
                    position_account(terms.fx_member, terms.source_currency), terms.amount_sent_minor,
                    terms.source_currency),
                Leg(position_account(terms.fx_member, PAYOUT_CURRENCY),
                    position_account(terms.receiving_fsp, PAYOUT_CURRENCY), terms.amount_received_minor,
                    PAYOUT_CURRENCY)]
        if terms.receiving_fee_minor:
            legs.append(Leg(position_account(terms.fx_member, PAYOUT_CURRENCY),
                            fee_account(terms.receiving_fsp, PAYOUT_CURRENCY), terms.receiving_fee_minor,
                            PAYOUT_CURRENCY))
        fx_quote = _decode_signed_quote(terms.fx_quote)
        # The ledger holds a quoted transfer at most its policy's grace past the quote: never ask for longer (with
        # the defaults, 10 min, the longest transfer_ttl_ms_max, nothing is cut).
        quote_ends_ms = decode_quote(fx_quote.body).expires_at_ms
        expires_at_ms = min(expires_at_ms, hold_until_max_ms(self.runtime.node.state, quote_ends_ms))
        # The receiving FSP pays out and holds the preimage: the hashlock is its, and only it may void.
        op = Transfer(tuple(legs), (fx_quote,), f"remit:{terms.quote_id}", expires_at_ms, terms.condition,
                      terms.receiving_fsp)
        raw = self.ports[record.sending_fsp].sign(op, f"remit:{record.transfer_id}")
        tx_id = tx_id_of(decode_signed(raw).body)
        return raw, msgspec.structs.replace(record, state=S.RECEIVED, expires_at_ms=expires_at_ms,
                                            reserve_tx_id=tx_id)

    async def reserve(self, record: TransferRecord, raw: bytes) -> TransferRecord:
        """Submit the stored transaction and record the ledger's verdict (or leave it to reconciliation)."""
        outcome = await ledger_io.submit(self.runtime, raw, self.settings.submit_timeout_ms / 1000)
        if outcome is None:
            return self.store.get(record.transfer_id) or record
        return self.apply_verdict(record.transfer_id, outcome.code, outcome.tx_id) or record

    def apply_verdict(self, transfer_id: str, code: int, tx_id: bytes) -> TransferRecord | None:
        if code in (Code.OK, Code.DUPLICATE):
            return self.transitions.advance(transfer_id, S.RESERVED, detail="funds reserved on the ledger",
                                            tx_id=tx_id)
        return self.transitions.advance(transfer_id, S.ABORTED, code=code, tx_id=tx_id,
                                        detail=f"the ledger refused the transfer: {describe(code)}")

    async def approve(self, officer: str, record: TransferRecord, note: str) -> TransferRecord:
        decision = DecisionRecord(record.transfer_id, record.sending_fsp, self.clock_ms(), "approve",
                                  f"officer:{officer}", note=note)
        found = self.store.quote(record.quote_id)
        terms = found[0] if found else None
        now_ms = self.clock_ms()
        if terms is None or now_ms >= terms.expires_at_ms:
            aborted = self.transitions.advance(record.transfer_id, S.ABORTED, code=Code.QUOTE_EXPIRED,
                                               detail="approved after the quote expired: quote again",
                                               decision=decision, step_name="APPROVED") or record
            await self.store.db.durable()  # the officer's decision is on disk before the answer tells of it
            return aborted
        raw, signed = self._signed(record, terms, now_ms + self.settings.transfer_ttl_ms)
        changes = {"expires_at_ms": signed.expires_at_ms, "reserve_tx_id": signed.reserve_tx_id}
        updated = self.transitions.advance(record.transfer_id, S.RECEIVED, detail=f"approved by {officer}",
                                           changes=changes, reserve_tx=raw, decision=decision,
                                           step_name="APPROVED")
        if updated is None or updated.state is not S.RECEIVED or updated.reserve_tx_id != signed.reserve_tx_id:
            return updated or record
        await self.store.db.durable()
        return await self.reserve(updated, raw)

    async def reject(self, officer: str, record: TransferRecord, note: str) -> TransferRecord:
        decision = DecisionRecord(record.transfer_id, record.sending_fsp, self.clock_ms(), "reject",
                                  f"officer:{officer}", note=note)
        rejected = self.transitions.advance(record.transfer_id, S.REJECTED, code=RemitCode.COMPLIANCE_REJECTED,
                                            detail=f"rejected by the compliance officer: {note}" if note else
                                            "rejected by the compliance officer", decision=decision) or record
        await self.store.db.durable()  # the officer's decision is on disk before the answer tells of it
        return rejected


def _reasons_text(decision: DecisionRecord) -> str:
    return "; ".join(r.message for r in decision.reasons)[:500]


def _created_detail(record: TransferRecord, decision: DecisionRecord) -> str:
    if record.state is S.HELD:
        return "held for a compliance officer: " + _reasons_text(decision)
    if record.state is S.REJECTED:
        return "refused by compliance: " + _reasons_text(decision)
    return "accepted; compliance passed"
