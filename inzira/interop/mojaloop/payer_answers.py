"""What the hub's answers to the gateway's payer requests mean: parties, quote terms, transfer outcomes.

Everything a callback says is checked against what was asked before it can move money: a quote must keep the
amount asked, give every amount in the currency asked, add up (transfer = receive + fee - commission), carry a
condition and an ILP packet that agree with it, and not be expired; a transfer commits only with a fulfilment
that opens the condition, completed no later than the transfer's expiration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from inzira.interop.mojaloop import ilp
from inzira.interop.mojaloop.amounts import minor_from_fspiop

INVALID_ANSWER = "3100"
INVALID_FULFILMENT = "3106"
TRANSFER_EXPIRED = "3303"


@dataclass(frozen=True)
class Failure:
    code: str
    description: str


@dataclass(frozen=True)
class PartyFound:
    id_type: str
    id_value: str
    fsp_id: str
    name: str
    party: dict[str, Any]


@dataclass(frozen=True)
class QuoteTerms:
    quote_id: str
    transaction_id: str
    payee_fsp: str
    currency: str
    transfer_amount_minor: int
    payee_receive_amount_minor: int
    payee_fee_minor: int
    expiration: datetime
    condition: bytes
    ilp_packet: str
    # The eKash transfer's id: fresh, not the transaction id, which the payee FSP learns from the quote and
    # could register at the hub first (``transfer_id_is_fresh`` in the payer tests).
    transfer_id: str


@dataclass(frozen=True)
class TransferOutcome:
    """``COMMITTED`` with the fulfilment, or ``ABORTED``, or ``UNKNOWN`` (no final answer by the deadline)."""

    transfer_id: str
    state: str
    fulfilment: bytes | None = None
    failure: Failure | None = None


def iso_ms(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return moment if moment.tzinfo is not None else None


def failure_of(body: Mapping[str, Any]) -> Failure:
    info = body.get("errorInformation") or {}
    return Failure(str(info.get("errorCode", INVALID_ANSWER)), str(info.get("errorDescription", "")))


def name_of(party: Mapping[str, Any]) -> str:
    name = party.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    complex_name = (party.get("personalInfo") or {}).get("complexName") or {}
    parts = [complex_name.get(k) for k in ("firstName", "middleName", "lastName")]
    return " ".join(p for p in parts if isinstance(p, str) and p)


def terms_of(body: Mapping[str, Any], quote_id: str, transaction_id: str, transfer_id: str, payee_fsp: str,
             currency: str, asked_minor: int, amount_type: str, now: datetime) -> QuoteTerms | Failure:
    try:
        transfer = body["transferAmount"]
        receive = body.get("payeeReceiveAmount") or transfer
        fee, commission = body.get("payeeFspFee"), body.get("payeeFspCommission")
        if any(money["currency"] != currency for money in (transfer, receive, fee, commission) if money):
            return Failure(INVALID_ANSWER, "the quote is in another currency")
        transfer_minor = minor_from_fspiop(transfer["amount"], currency)
        receive_minor = minor_from_fspiop(receive["amount"], currency)
        fee_minor = minor_from_fspiop(fee["amount"], currency) if fee else 0
        commission_minor = minor_from_fspiop(commission["amount"], currency) if commission else 0
        condition = ilp.decode_condition(body["condition"])
        packet = ilp.read_packet(body["ilpPacket"])
    except (KeyError, TypeError, ValueError) as exc:
        return Failure(INVALID_ANSWER, f"the quote answer cannot be used: {exc}")
    expiration = parse_iso(str(body.get("expiration", "")))
    if expiration is None or expiration <= now:
        return Failure("3302", "the quote has expired or has no expiration")
    if (transfer_minor if amount_type == "SEND" else receive_minor) != asked_minor:
        return Failure(INVALID_ANSWER, f"the quote changes the {amount_type.lower()} amount")
    if receive_minor <= 0 or transfer_minor - receive_minor != fee_minor - commission_minor:
        return Failure(INVALID_ANSWER, "the quote's amounts and fee do not add up")
    if packet.amount_minor != transfer_minor or (packet.condition is not None and packet.condition != condition):
        return Failure(INVALID_ANSWER, "the ILP packet does not match the quote")
    if packet.transaction.get("quoteId") not in (None, quote_id):
        return Failure(INVALID_ANSWER, "the ILP packet is for another quote")
    return QuoteTerms(quote_id, transaction_id, payee_fsp, currency, transfer_minor, receive_minor, fee_minor,
                      expiration, condition, body["ilpPacket"], transfer_id)


def outcome_of(transfer_id: str, got: tuple[bool, dict[str, Any]], condition: bytes,
             expiration: datetime, now: datetime) -> TransferOutcome:
    ok, body = got
    if not ok:
        return TransferOutcome(transfer_id, "ABORTED", failure=failure_of(body))
    state = body.get("transferState")
    if state == "ABORTED" and now >= expiration:
        return TransferOutcome(transfer_id, "ABORTED", failure=Failure(TRANSFER_EXPIRED, "the transfer expired"))
    if state != "COMMITTED":
        return TransferOutcome(transfer_id, "ABORTED" if state == "ABORTED" else "UNKNOWN",
                               failure=Failure(INVALID_ANSWER, f"the transfer is {state}"))
    fulfilment_text = body.get("fulfilment")
    if not isinstance(fulfilment_text, str) or not ilp.fulfils(fulfilment_text, ilp.encode_condition(condition)):
        return TransferOutcome(transfer_id, "UNKNOWN",
                               failure=Failure(INVALID_FULFILMENT, "the fulfilment does not open the condition"))
    completed = parse_iso(str(body.get("completedTimestamp", "")))
    if completed is None or completed > expiration:
        return TransferOutcome(transfer_id, "ABORTED",
                               failure=Failure(TRANSFER_EXPIRED, "the fulfilment came after the expiration"))
    return TransferOutcome(transfer_id, "COMMITTED", ilp.decode_condition(fulfilment_text, "fulfilment"))
