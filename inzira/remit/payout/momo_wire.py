"""What an MTN MoMo Disbursement-style API sends and how Inzira reads it: the answers' shapes, the transfer's
states, amounts and error codes, each refused as a ``PayoutError`` when it does not parse (``momo_http`` calls)."""

from __future__ import annotations

import uuid
from typing import TypeVar

import msgspec

from inzira.decoding import decode_json
from inzira.http import Answer
from inzira.money import MoneyError, parse_decimal_minor
from inzira.remit.payout.types import PayoutError, PayoutState, PayoutStatus

FINAL_STATUSES = {"SUCCESSFUL": PayoutStatus.SUCCESSFUL, "FAILED": PayoutStatus.FAILED}
T = TypeVar("T")


class Reason(msgspec.Struct, frozen=True):
    code: str = ""


class Party(msgspec.Struct, rename="camel", frozen=True):
    party_id_type: str = ""
    party_id: str = ""


class TransferResult(msgspec.Struct, rename="camel", frozen=True):
    amount: str
    currency: str
    status: str
    external_id: str | None = None
    payee: Party | None = None
    financial_transaction_id: str | None = None
    reason: str | Reason | None = None  # a bare code on MTN's sandbox, {code, message} in its API document


class Token(msgspec.Struct, frozen=True):
    access_token: str
    expires_in: int


class UserInfo(msgspec.Struct, frozen=True):
    given_name: str = ""
    family_name: str = ""
    name: str = ""


class Active(msgspec.Struct, frozen=True):
    result: bool


class Balance(msgspec.Struct, rename="camel", frozen=True):
    available_balance: str
    currency: str


def canonical_reference(text: str) -> str:
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        raise ValueError(f"reference id {text!r} is not a UUID (see reference_id_from)") from None
    if parsed.version != 4:
        raise ValueError(f"reference id {text!r} is not a UUID version 4, which MTN requires")
    return str(parsed)


def payout_state(reference_id: str, result: TransferResult) -> PayoutState:
    """The state, and the payout the operator describes (checked by the receiving FSP against what it asked)."""
    # Only the documented final statuses end a payout; anything else keeps it PENDING (polled, never guessed).
    status = FINAL_STATUSES.get(result.status, PayoutStatus.PENDING)
    reason = result.reason
    if isinstance(reason, Reason):
        reason = reason.code or None
    return PayoutState(
        reference_id,
        status,
        reason=reason if status is PayoutStatus.FAILED else None,
        operator_txn_id=result.financial_transaction_id if status is PayoutStatus.SUCCESSFUL else None,
        amount_minor=read_amount(result.amount, result.currency),
        currency=result.currency,
        payee=None if result.payee is None else _party(result.payee),
        external_id=result.external_id,
    )


def _party(party: Party) -> str:
    # Inzira pays by MSISDN only: a party of another type is never the wallet asked for, whatever its id.
    if party.party_id_type.upper() in ("", "MSISDN"):
        return party.party_id
    return f"{party.party_id_type}:{party.party_id}"


def read_amount(text: str, currency: str) -> int:
    try:
        return parse_decimal_minor(text, currency)
    except MoneyError as exc:
        raise PayoutError(f"the operator sent an amount Inzira cannot read: {exc}") from None


def error_code(response: Answer) -> str | None:
    try:
        body = decode_json(response.content)
    except msgspec.DecodeError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def expect_ok(response: Answer) -> Answer:
    if not response.is_success:
        raise PayoutError(f"unexpected answer from the operator: {response.status} {response.text[:200]}")
    return response


def decode(response: Answer, kind: type[T]) -> T:
    try:
        return decode_json(response.content, kind)
    except msgspec.DecodeError as exc:
        raise PayoutError(f"the operator's answer does not parse: {exc}") from None
