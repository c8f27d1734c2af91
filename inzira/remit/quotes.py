"""Quotes (Mojaloop's agreement phase): the FX provider's firm quote (asked of its own quote service), the
receiving FSP's fee and hashlock condition, and the sending FSP's fee, bound together as one set of terms the
customer sees before sending.

"Send 200.00 EUR": the FX provider converts the 200.00 EUR; the receiving FSP's fee comes out of the RWF
delivered. "The receiver gets 300,000 RWF": the receiving fee is added to it and the FX provider is asked
what that gross costs in the source currency. Either way the sending FSP's fee is charged on top.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import msgspec

from inzira.fx.client import FxClient
from inzira.http import HttpProblem
from inzira.ledger.codes import Code
from inzira.ledger.encoding import encode
from inzira.money import AMOUNT_MINOR_MAX, MoneyError, currency
from inzira.node.node import Node
from inzira.remit.codes import RemitCode, RemitError, invalid
from inzira.remit.fsp_wire import PARTY_NAME_CHARS_MAX, shown_as_is
from inzira.remit.parties import Party
from inzira.remit.payout import Hashlock, PayoutError, PayoutRefusedError
from inzira.remit.receiving import ReceivingFsp
from inzira.remit.remote_receiving import RemoteReceivingFsp
from inzira.remit.records import QuoteTerms, Reason
from inzira.remit.settings import PAYOUT_CURRENCY, RemitSettings, position_account
from inzira.remit.store.transfers import TransferStore


OnLoop = Callable[[Coroutine[Any, Any, Any]], Awaitable[Any]]


class AmountType(StrEnum):
    SEND = "SEND"  # the amount is what the FX provider converts (the customer pays the sending fee on top)
    RECEIVE = "RECEIVE"  # the amount is what the receiver gets


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    amount_type: AmountType
    amount_minor: int
    currency: str
    source_currency: str  # the currency the customer pays in (equal to ``currency`` for SEND)
    # The originator's name and the receiver's (the travel rule): required for a receiving FSP at its own
    # deployment, which is told them; a transfer under the quote must carry the same.
    sender_name: str = ""
    receiver_name: str = ""


class QuoteDesk:
    def __init__(self, fx: FxClient, settings: RemitSettings, store: TransferStore, node: Node,
                 agents: dict[str, ReceivingFsp], clock_ms: Callable[[], int], on_service_loop: OnLoop,
                 remote: Mapping[str, RemoteReceivingFsp] | None = None) -> None:
        self.fx = fx
        self.on_service_loop = on_service_loop  # the FSPs' adapters live on the service's loop
        self.settings = settings
        self.store = store
        self.node = node
        self.agents = agents
        self.remote = remote or {}  # receiving FSPs reached at their own deployments: they keep the terms
        self.clock_ms = clock_ms
        self._fx_calls = asyncio.Semaphore(settings.fx_calls_max)  # past it, wait here, not in the HTTP pool

    def _check(self, sender: str, request: QuoteRequest) -> str:
        try:
            source = currency(request.source_currency).code
            asked = currency(request.currency).code
        except MoneyError as exc:
            raise invalid(str(exc)) from None
        if not 0 < request.amount_minor <= AMOUNT_MINOR_MAX:
            raise invalid("amount_minor must be a positive integer of minor units")
        expected = source if request.amount_type is AmountType.SEND else PAYOUT_CURRENCY
        if asked != expected:
            raise invalid(f"a {request.amount_type.value} amount is in {expected}, not {asked}")
        if source == PAYOUT_CURRENCY:
            raise invalid("remittances into Rwanda are sent from a foreign currency")
        if self.node.account(position_account(sender, source)) is None:
            raise invalid(f"{sender} holds no {source} position ({position_account(sender, source)})")
        names = (request.sender_name, request.receiver_name)
        for name in names:
            if len(name) > PARTY_NAME_CHARS_MAX or not shown_as_is(name):
                raise invalid(f"a name is at most {PARTY_NAME_CHARS_MAX} printable characters: no control, "
                              "format or line-break characters")
        if any(names) and not all(name.strip() for name in names):
            # a quote's names bind its transfer: one name alone (or a blank one) is a quote no transfer can use
            raise invalid("give both sender_name and receiver_name with the quote, or neither")
        return source

    async def quote(self, sender: str, party: Party, request: QuoteRequest,
                    holder_reasons: tuple[Reason, ...] = ()) -> QuoteTerms:
        source = self._check(sender, request)
        now_ms = self.clock_ms()
        fee_schedule = self.settings.receiving_fee(party.fsp)
        quote_id = str(uuid.uuid4())
        agent = self.agents.get(party.fsp) or self.remote[party.fsp]
        if party.fsp in self.remote and not (request.sender_name.strip() and request.receiver_name.strip()):
            raise invalid(f"{party.fsp} is told who sends (the travel rule, FATF R.16): give the sender's and the "
                          "receiver's names with the quote (sender_name, receiver_name)")
        lock: Hashlock | None = None
        try:
            if request.amount_type is AmountType.SEND:
                async with self._fx_calls:
                    fx = await self.fx.quote(sender, source, PAYOUT_CURRENCY, ttl_ms=self.settings.quote_ttl_ms,
                                             source_amount_minor=request.amount_minor)
                received_minor, fee_minor = fee_schedule.net_of_fee(fx.target_amount_minor)
                if received_minor > 0:
                    lock = await self._operator_lock(agent, quote_id, party, received_minor, False, sender,
                                                     fx.expires_at_ms, fee_minor, request)
            else:
                received_minor, fee_minor = request.amount_minor, fee_schedule.on(request.amount_minor)
                lock = await self._operator_lock(agent, quote_id, party, received_minor, True, sender,
                                                 now_ms + self.settings.quote_ttl_ms, fee_minor, request)
                operator_fee_minor = lock.operator_fee_minor if lock is not None else 0
                async with self._fx_calls:
                    fx = await self.fx.quote(sender, source, PAYOUT_CURRENCY, ttl_ms=self.settings.quote_ttl_ms,
                                             target_amount_minor=received_minor + fee_minor + operator_fee_minor)
        except HttpProblem as exc:
            raise RemitError(exc.status, exc.code, f"no quote: {exc.detail}") from None
        expires_at_ms = fx.expires_at_ms
        if lock is not None:
            # An operator with its own hashlock (eKash) takes its fee from what the wallet receives; the
            # customer sees it as part of the receiving fee.
            received_minor, fee_minor = lock.receive_minor, fee_minor + lock.operator_fee_minor
            expires_at_ms = min(expires_at_ms, lock.expires_at_ms)
        if received_minor <= 0:
            raise invalid("the amount does not cover the receiving FSP's fee")
        terms = QuoteTerms(
            quote_id=quote_id, sending_fsp=sender, receiving_fsp=party.fsp, fx_member=fx.fx, msisdn=party.msisdn,
            masked_name=party.masked_name, source_currency=source, amount_sent_minor=fx.source_amount_minor,
            sending_fee_minor=self.settings.sending_fee(sender, source).on(fx.source_amount_minor),
            target_currency=PAYOUT_CURRENCY, gross_target_minor=fx.target_amount_minor,
            receiving_fee_minor=fee_minor, amount_received_minor=received_minor, rate=str(fx.rate),
            mid_rate=str(fx.mid_rate), margin_percent=str(fx.margin_percent), fx_margin_minor=fx.fx_margin_minor,
            rates_as_of=fx.rates_as_of, condition=lock.condition if lock is not None else b"",
            fx_quote=encode(fx.signed), created_at_ms=now_ms, expires_at_ms=expires_at_ms,
            holder_reasons=holder_reasons, sender_name=request.sender_name, receiver_name=request.receiver_name)
        if lock is None:  # this service's own receiving FSP: its hashlock binds the terms just set
            terms = msgspec.structs.replace(terms, condition=agent.condition(terms.payee_terms()))
        self.store.put_quote(terms)
        await self.store.db.durable()  # a quote the customer was given survives a crash the moment after
        return terms


    async def _operator_lock(self, agent: ReceivingFsp | RemoteReceivingFsp, quote_id: str, party: Party,
                             amount_minor: int, receive: bool, sender: str, expires_at_ms: int,
                             fee_minor: int, request: QuoteRequest) -> Hashlock | None:
        """The operator's hashlock when it sets one (eKash), or a remote receiving FSP's agreement to the terms
        (always a hashlock: its condition is its own), with their refusals as the API's."""
        try:
            if isinstance(agent, RemoteReceivingFsp):  # told who sends: it screens the sender's name itself
                return await self.on_service_loop(agent.hashlock(
                    quote_id, party.msisdn, amount_minor, receive, sender, expires_at_ms, fee_minor,
                    names=(request.sender_name, request.receiver_name)))
            return await self.on_service_loop(agent.hashlock(quote_id, party.msisdn, amount_minor, receive, sender,
                                                             expires_at_ms, fee_minor))
        except PayoutRefusedError as exc:
            if exc.code == str(int(Code.PARTY_NOT_FOUND)):
                raise RemitError(404, Code.PARTY_NOT_FOUND, f"{party.fsp} has no wallet for {party.msisdn}") from None
            code = int(exc.code) if exc.code.isdigit() else int(RemitCode.PAYEE_REJECTED)
            raise RemitError(422, code, f"{party.fsp} refused the quote: {exc.description}") from None
        except PayoutError as exc:
            raise RemitError(503, RemitCode.PAYEE_UNAVAILABLE, f"{party.fsp} could not quote: {exc}") from None
