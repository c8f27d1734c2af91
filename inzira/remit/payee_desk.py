"""A receiving FSP answering other members' deployments (Mojaloop's payee FSP): who holds a wallet at one of its
numbers, and the terms of a quote it agrees to, locked with its condition.

Its own deployment serves this (``inzira.remit.api.fsp``) to sending FSPs, each request signed by the caller's
member key. A quote's terms are kept in ``PayeeQuotes`` (on disk before the answer): when a reservation under
that quote appears in a block, the block watcher finds them there and ``PayoutFlow`` pays out only a
reservation that matches them exactly, once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

import msgspec

from inzira.api.codes import ApiCode
from inzira.buckets import Buckets
from inzira.ledger.codes import Code
from inzira.money import AMOUNT_MINOR_MAX
from inzira.node.node import Node
from inzira.remit.codes import RemitCode, RemitError, invalid
from inzira.remit.condition import b64url
from inzira.remit.fsp_wire import PayeeQuoteBody
from inzira.remit.parties import parse_number
from inzira.remit.payout import AccountHolder, Hashlock, PayoutError, PayoutRefusedError
from inzira.remit.phone import MASKED_NAME_CHARS_MAX, mask_name
from inzira.remit.receiving import ReceivingFsp
from inzira.remit.records import PayeeTerms
from inzira.remit.screening import Screening
from inzira.remit.settings import PAYOUT_CURRENCY, RemitSettings
from inzira.remit.store.payee_quotes import PayeeQuotes, TooManyQuotes
from inzira.remit.store.transfers import TransferStore

QUOTE_AHEAD_MS_MAX = 3_600_000  # a quote expires within the hour (the ledger's longest firm quote)
DAY_MS = 86_400_000
OnLoop = Callable[[Coroutine[Any, Any, Any]], Awaitable[Any]]


class PayeeDesk:
    def __init__(self, agents: Mapping[str, ReceivingFsp], screening: Screening, quotes: PayeeQuotes,
                 own: TransferStore, node: Node, settings: RemitSettings, clock_ms: Callable[[], int],
                 on_service_loop: OnLoop) -> None:
        """``own``: this service's own quotes, whose ids no other sending FSP may agree here."""
        self.agents = agents
        self.own = own
        self.node = node
        self.screening = screening
        self.quotes = quotes
        self.settings = settings
        self.clock_ms = clock_ms
        self.on_service_loop = on_service_loop  # the FSPs' adapters live on the service's loop
        self.allowance = Buckets(clock_ms, DAY_MS)  # one per sending FSP: bounded by the membership

    def _take(self, sender: str) -> None:
        """Count a request of ``sender``'s against its allowance, or refuse it (429, Retry-After). A sending FSP
        calling here directly, not after a directory look-up, would otherwise learn masked names without the
        directory operator's allowance."""
        per_day, burst = self.settings.fsp_requests_per_day, self.settings.fsp_requests_burst
        wait_s = self.allowance.take(sender, per_day, burst)
        if wait_s:
            raise RemitError(429, ApiCode.RATE_LIMITED, f"{sender} has used its look-ups and quotes here ({per_day} "
                             f"a day, {burst} at once); retry in {wait_s} s", headers={"Retry-After": str(wait_s)})

    def _agent(self, fsp: str) -> ReceivingFsp:
        agent = self.agents.get(fsp)
        if agent is None:
            raise RemitError(404, Code.NOT_FOUND, f"{fsp} pays out no wallets here")
        return agent

    async def _holder(self, fsp: str, msisdn: str) -> AccountHolder:
        try:
            holder = await self.on_service_loop(self._agent(fsp).lookup(msisdn))
        except PayoutError as exc:
            raise RemitError(503, RemitCode.PAYEE_UNAVAILABLE, f"{fsp} could not confirm the wallet: {exc}") from None
        if holder is None:
            raise RemitError(404, Code.PARTY_NOT_FOUND, f"{fsp} has no wallet for {msisdn}")
        if len(holder.name) > MASKED_NAME_CHARS_MAX:
            raise RemitError(503, RemitCode.PAYEE_UNAVAILABLE, f"{fsp} could not confirm the wallet: its operator "
                             f"named the holder in more than {MASKED_NAME_CHARS_MAX} characters")
        return holder

    async def lookup(self, fsp: str, sender: str, text: str) -> dict[str, Any]:
        """The wallet at a number: its holder's masked name, whether it can receive, and the holder's name
        screened here (the list entries it matches, never the name)."""
        self._take(sender)
        msisdn = parse_number(text)
        holder = await self._holder(fsp, msisdn)
        reasons = self.screening.holder_reasons(holder.name)
        return {"msisdn": msisdn, "fsp_id": fsp, "masked_name": mask_name(holder.name),
                "active": holder.active, "holder_reasons": msgspec.to_builtins(reasons)}

    async def quote(self, fsp: str, sender: str, body: PayeeQuoteBody) -> dict[str, Any]:
        """Agree to a quote's terms (or answer them again for a resend), locked with this FSP's condition; the
        originator's name, which travels with them (FATF R.16), is screened against this FSP's own list first."""
        agent = self._agent(fsp)
        msisdn = parse_number(body.msisdn)
        request_hash = hashlib.sha256(msgspec.json.encode([fsp, sender, body.model_dump()])).digest()
        kept = self.quotes.get(body.quote_id)
        if kept is not None:  # a resend: answered again, not counted
            return _answer(self._same(kept, request_hash))
        if self.own.quote(body.quote_id) is not None:
            # One namespace of ids: the operator's hashlock (eKash) and the payout flow find a quote by its id alone,
            # so agreeing an id of this service's own (public in its reservation's memo) would quote it anew there.
            raise RemitError(409, Code.MODIFIED_REQUEST, f"quote {body.quote_id} exists with other terms")
        self._take(sender)
        now_ms = self.clock_ms()
        if not now_ms < body.expires_at_ms <= now_ms + QUOTE_AHEAD_MS_MAX:
            raise invalid(f"expires_at_ms must be after now and at most {QUOTE_AHEAD_MS_MAX} ms ahead")
        schedule = self.settings.receiving_fee(fsp)
        received, fee = body.amount_received_minor, body.receiving_fee_minor
        if received + fee > AMOUNT_MINOR_MAX:  # the reservation's total: no amount the ledger takes
            raise invalid(f"amount_received_minor and receiving_fee_minor add up to more than {AMOUNT_MINOR_MAX}")
        sent = body.amount_type == "SEND"
        expected = schedule.net_of_fee(received + fee) if sent else (received, schedule.on(received))
        if (received, fee) != expected:
            raise RemitError(422, RemitCode.PAYEE_REJECTED, f"{fsp} charges {expected[1]} RWF minor units on this "
                             f"amount, not {fee}: quote again")
        listed = self.screening.hold_reason(body.sender_name)
        if listed is not None:  # no payout for a listed originator: refused before anything is kept or asked
            raise RemitError(422, RemitCode.COMPLIANCE_REJECTED, f"{fsp} refuses a remittance from this sender: "
                             f"its screening of the sender's name: {listed}")
        holder = await self._holder(fsp, msisdn)
        if not holder.active:
            raise RemitError(422, RemitCode.PAYEE_BLOCKED, f"the wallet at {msisdn} cannot receive money")
        lock = await self._operator_lock(agent, body, msisdn, sender)
        expires_at_ms = body.expires_at_ms
        if lock is not None:  # an operator with its own hashlock (eKash) takes its fee from what the wallet gets
            received, fee = lock.receive_minor, fee + lock.operator_fee_minor
            expires_at_ms = min(expires_at_ms, lock.expires_at_ms)
        terms = PayeeTerms(quote_id=body.quote_id, sending_fsp=sender, receiving_fsp=fsp, msisdn=msisdn,
                           currency=PAYOUT_CURRENCY, amount_received_minor=received, receiving_fee_minor=fee,
                           condition=b"", expires_at_ms=expires_at_ms, sender_name=body.sender_name,
                           receiver_name=body.receiver_name)
        # Bound to all of these terms: a quote id agreed again, once forgotten, gets another condition.
        terms = msgspec.structs.replace(terms, condition=lock.condition if lock is not None else agent.condition(terms))
        try:
            kept = self.quotes.put(terms, request_hash, now_ms, self.node.height)
        except TooManyQuotes:
            raise RemitError(503, ApiCode.BUSY, f"{sender} holds too many open quotes at {fsp}: "
                             "try again once some expire") from None
        await self.quotes.db.durable()  # kept before the sending FSP can reserve under it
        return _answer(self._same(kept, request_hash))

    @staticmethod
    def _same(kept: tuple[PayeeTerms, bytes], request_hash: bytes) -> PayeeTerms:
        if kept[1] != request_hash:
            raise RemitError(409, Code.MODIFIED_REQUEST, f"quote {kept[0].quote_id} exists with other terms")
        return kept[0]

    async def _operator_lock(self, agent: ReceivingFsp, body: PayeeQuoteBody, msisdn: str,
                             sender: str) -> Hashlock | None:
        try:
            return await self.on_service_loop(agent.hashlock(body.quote_id, msisdn, body.amount_received_minor,
                                                             body.amount_type == "RECEIVE", sender,
                                                             body.expires_at_ms, body.receiving_fee_minor))
        except PayoutRefusedError as exc:
            code = int(exc.code) if exc.code.isdigit() else int(RemitCode.PAYEE_REJECTED)
            raise RemitError(422, code, f"{agent.fsp} refused the quote: {exc.description}") from None
        except PayoutError as exc:
            raise RemitError(503, RemitCode.PAYEE_UNAVAILABLE, f"{agent.fsp} could not quote: {exc}") from None


def _answer(terms: PayeeTerms) -> dict[str, Any]:
    return {"quote_id": terms.quote_id, "condition": b64url(terms.condition),
            "amount_received_minor": terms.amount_received_minor, "receiving_fee_minor": terms.receiving_fee_minor,
            "currency": terms.currency, "expires_at_ms": terms.expires_at_ms}
