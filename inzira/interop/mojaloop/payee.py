"""The payee side of the gateway: eKash customers paying Inzira wallets (MSISDN) and merchants (BUSINESS).

Discovery and agreement are answered here; transfers in ``payee_transfers.py``. Every handler runs after the
server has answered 202 (or 200), and ends in exactly one callback to the requester: the answer or
``PUT .../error``. ``ilpPacket`` is an ILP v4 Prepare carrying the transaction object (ilp.py); a quote's
condition is SHA-256 of its fulfilment, HMAC-SHA256 under the gateway's secret of that packet, every agreed term
in it (fulfilment.py): the gateway can recompute it from the packet it gave, and nobody else can.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from inzira.interop.mojaloop import fields, fulfilment, ilp
from inzira.interop.mojaloop.callbacks import HubClient
from inzira.interop.mojaloop.errors import ErrorCode, FspiopError
from inzira.interop.mojaloop.headers import Inbound
from inzira.interop.mojaloop.names import fspiop_name
from inzira.interop.mojaloop.ports import Party, PartyBook
from inzira.interop.mojaloop.requests import segment
from inzira.interop.mojaloop.store import QUOTES_MAX, QuoteRecord, Store
from inzira.interop.mojaloop.timefmt import iso_ms, parse_ms

SERVED_TYPES = frozenset({"MSISDN", "BUSINESS"})
PAYOUT_CURRENCY = "RWF"

@dataclass(frozen=True, slots=True)
class PayeeSettings:
    fsp_id: str = "inzira"
    quote_ttl_ms: int = 60_000
    quotes_max: int = QUOTES_MAX  # quotes kept; expired unpaid ones make room, else new ones are refused (2003)
    show_names: bool = False  # the payee FSP's policy: masked names unless it allows full ones


def digest(body: dict[str, Any]) -> str:
    """What makes two requests under one id the same: their content (the body as the gateway parsed it),
    serialized compactly (as Mojaloop's switch compares them and its JWS check reads them), so a body only
    formatted otherwise is a resend, not 3106."""
    return hashlib.sha256(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


class Payee:
    def __init__(self, settings: PayeeSettings, store: Store, parties: PartyBook, hub: HubClient, secret: bytes,
                 clock_ms: Callable[[], int]) -> None:
        self.settings = settings
        self.store = store
        self.parties = parties
        self.hub = hub
        self._secret = secret
        self.clock_ms = clock_ms

    def fulfilment_of(self, packet: str) -> bytes | None:
        """The fulfilment of a packet this gateway issued; None for any other."""
        return fulfilment.opening(self._secret, packet)

    # --- discovery ---

    async def get_party(self, inbound: Inbound, id_type: str, id_value: str, sub_id: str = "") -> None:
        path = f"/parties/{segment(id_type)}/{segment(id_value)}" + (f"/{segment(sub_id)}" if sub_id else "")
        try:
            party = await self._party(id_type, id_value) if not sub_id else None
        except FspiopError as error:
            await self.hub.put_error(path, "parties", inbound.version, inbound.source, error)
            return
        if party is None:
            error = FspiopError(ErrorCode.ID_NOT_FOUND, f"Inzira serves no party {id_type} {id_value}")
            await self.hub.put_error(path, "parties", inbound.version, inbound.source, error)
            return
        await self.hub.put(path, "parties", inbound.version, inbound.source, {"party": self._party_body(party)})

    async def _party(self, id_type: str, id_value: str) -> Party | None:
        if id_type not in SERVED_TYPES:
            return None
        return await self.parties.find(id_type, id_value)

    def _party_body(self, party: Party) -> dict[str, Any]:
        body: dict[str, Any] = {
            "partyIdInfo": {"partyIdType": party.id_type, "partyIdentifier": party.id_value,
                            "fspId": self.settings.fsp_id},
        }
        shown = f"{party.first_name} {party.last_name}" if self.settings.show_names and party.first_name else ""
        name = fspiop_name(shown or party.masked_name)
        if name:
            body["name"] = name
        if shown:
            names = {key: value for key, value in (("firstName", fspiop_name(party.first_name)),
                                                   ("lastName", fspiop_name(party.last_name))) if value}
            if names:
                body["personalInfo"] = {"complexName": names}
        return body

    # --- agreement ---

    async def post_quote(self, inbound: Inbound, body: dict[str, Any]) -> None:
        quote_id = body["quoteId"]
        value, code = fields.amount(body, "amount")
        now_ms = self.clock_ms()
        record = QuoteRecord(
            quote_id=quote_id, digest=digest(body), payer_fsp=inbound.source, transaction_id=body["transactionId"],
            party_type=body["payee"]["partyIdInfo"]["partyIdType"],
            party_id=body["payee"]["partyIdInfo"]["partyIdentifier"], amount_minor=0, currency=code,
            created_at_ms=now_ms, expires_at_ms=now_ms + self.settings.quote_ttl_ms)
        stored = self.store.add_quote(record, now_ms)
        if stored is None:
            error = FspiopError(ErrorCode.SERVICE_UNAVAILABLE, "the gateway holds as many live quotes as it may")
            await self.hub.put_error(f"/quotes/{quote_id}", "quotes", inbound.version, inbound.source, error)
            return
        if stored is not record:
            if stored.digest != record.digest or stored.payer_fsp != inbound.source:  # nor another FSP's
                error = FspiopError(ErrorCode.MODIFIED_REQUEST, f"quote {quote_id} was sent before with another "
                                    "body or by another FSP")
                await self.hub.put_error(f"/quotes/{quote_id}", "quotes", inbound.version, inbound.source, error)
                return
            await self._answer_quote(inbound, stored)  # a resend: the same answer again
            return
        try:
            accepted = await self._agree(record, body, value, code, now_ms)
        except FspiopError as error:
            accepted = msgspec.structs.replace(record, error_code=int(error.code),
                                               error_description=error.description)
        self.store.put_quote(accepted)
        await self._answer_quote(inbound, accepted)

    async def _agree(self, record: QuoteRecord, body: dict[str, Any], value: str, code: str,
                     now_ms: int) -> QuoteRecord:
        party = await self._party(record.party_type, record.party_id)
        if party is None:
            raise FspiopError(ErrorCode.PARTY_NOT_FOUND, f"Inzira serves no party {record.party_type} "
                              f"{record.party_id}")
        if code != party.currency:
            raise FspiopError(ErrorCode.PAYEE_UNSUPPORTED_CURRENCY, f"{record.party_id} is paid in {party.currency}")
        amount_minor = fields.to_minor(value, code)
        if amount_minor is None or amount_minor <= 0:
            raise FspiopError(ErrorCode.VALIDATION, f"/amount/amount {value} is not a positive amount of {code}")
        expires_at_ms = record.expires_at_ms
        asked = body.get("expiration")
        if isinstance(asked, str):
            asked_ms = parse_ms(asked)
            if asked_ms is not None:
                if asked_ms <= now_ms:
                    raise FspiopError(ErrorCode.QUOTE_EXPIRED, f"the quote request expired at {asked}")
                expires_at_ms = min(expires_at_ms, asked_ms)
        expiration = iso_ms(expires_at_ms)
        transaction = {
            "transactionId": record.transaction_id, "quoteId": record.quote_id,
            "payee": {"partyIdInfo": {"partyIdType": party.id_type, "partyIdentifier": party.id_value,
                                      "fspId": self.settings.fsp_id}},
            "payer": body["payer"], "amount": fields.money(amount_minor, code),
            "transactionType": body["transactionType"]}
        packet, condition = fulfilment.locked_packet(self._secret, transaction, amount_minor,
                                                     datetime.fromtimestamp(expires_at_ms / 1000, UTC))
        # The payee FSP charges no fee here: the whole transfer amount reaches the party.
        return msgspec.structs.replace(
            record, amount_minor=amount_minor, member=party.member, credit_account=party.credit_account,
            payee_receive_minor=amount_minor, expires_at_ms=expires_at_ms, expiration=expiration, ilp_packet=packet,
            condition=ilp.encode_condition(condition))

    async def get_quote(self, inbound: Inbound, quote_id: str) -> None:
        stored = self.store.quote(quote_id)
        if stored is None or stored.payer_fsp != inbound.source:
            error = FspiopError(ErrorCode.QUOTE_ID_NOT_FOUND, f"no quote {quote_id} from {inbound.source}")
            await self.hub.put_error(f"/quotes/{quote_id}", "quotes", inbound.version, inbound.source, error)
            return
        await self._answer_quote(inbound, stored)

    async def _answer_quote(self, inbound: Inbound, quote: QuoteRecord) -> None:
        path = f"/quotes/{quote.quote_id}"
        if quote.error_code:
            error = FspiopError(ErrorCode(quote.error_code), quote.error_description)
            await self.hub.put_error(path, "quotes", inbound.version, inbound.source, error)
            return
        if not quote.condition:
            return  # still being agreed: the answer is on its way
        await self.hub.put(path, "quotes", inbound.version, inbound.source, quote_body(quote))


def quote_body(quote: QuoteRecord) -> dict[str, Any]:
    return {"transferAmount": fields.money(quote.amount_minor, quote.currency),
            "payeeReceiveAmount": fields.money(quote.payee_receive_minor, quote.currency),
            "payeeFspFee": fields.money(0, quote.currency),
            "expiration": quote.expiration, "ilpPacket": quote.ilp_packet, "condition": quote.condition}
