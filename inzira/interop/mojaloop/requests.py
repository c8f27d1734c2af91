"""The checks a request passes before the gateway answers 202: path ids and the fields the payee acts on.

A failure here is answered at once with 400 and ``errorInformation`` (3100-series), and nothing is stored.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from inzira.interop.mojaloop import fields
from inzira.interop.mojaloop.errors import ErrorCode, FspiopError

PARTY_ID_TYPES = frozenset({"MSISDN", "EMAIL", "PERSONAL_ID", "BUSINESS", "DEVICE", "ACCOUNT_ID", "IBAN", "ALIAS",
                            "CONSENT", "THIRD_PARTY_LINK"})
AMOUNT_TYPES = frozenset({"SEND", "RECEIVE"})
SCENARIOS = frozenset({"DEPOSIT", "WITHDRAWAL", "TRANSFER", "PAYMENT", "REFUND"})
INITIATORS = frozenset({"PAYER", "PAYEE"})
INITIATOR_TYPES = frozenset({"CONSUMER", "AGENT", "BUSINESS", "DEVICE"})
TRANSFER_STATES = frozenset({"RECEIVED", "RESERVED", "COMMITTED", "ABORTED"})
FSP_ID_CHARS_MAX = 32
ILP_PACKET_CHARS_MAX = 32_768
CONDITION_CHARS = 43  # 32 bytes, base64url without padding
PATH_ID_CHARS_MAX = 128
# A path id is echoed into the callback's URL: no control characters, no separators or escapes that could
# reshape that URL (a decoded "%" means it was percent-encoded twice), and no dot segments.
_UNSAFE_PATH_ID = re.compile(r"[\x00-\x20\x7f-\x9f/\\?#%]|^\.{1,2}$")


def party_path(id_type: str, id_value: str, sub_id: str = "") -> None:
    if id_type not in PARTY_ID_TYPES:
        raise FspiopError(ErrorCode.MALFORMED_SYNTAX, f"/path/Type {id_type[:32]!r} is not a party id type")
    path_id("ID", id_value)
    if sub_id:
        path_id("SubId", sub_id)


def path_id(name: str, value: str) -> None:
    if not 0 < len(value) <= PATH_ID_CHARS_MAX:
        raise FspiopError(ErrorCode.MALFORMED_SYNTAX, f"/path/{name} must be 1 to {PATH_ID_CHARS_MAX} characters")
    if _UNSAFE_PATH_ID.search(value):
        raise FspiopError(ErrorCode.MALFORMED_SYNTAX, f"/path/{name} holds a control character, a space, "
                          "/ \\ ? # %, or is a dot segment")


def segment(value: str) -> str:
    """One path segment of a URL the gateway sends, percent-encoded (RFC 3986): it can never add a segment."""
    return quote(value, safe="")


def uuid_path(name: str, value: str) -> None:
    path_id(name, value)
    fields.uuid_text({name: value}, name)


def post_quote(body: dict[str, Any]) -> None:
    fields.uuid_text(body, "quoteId")
    fields.uuid_text(body, "transactionId")
    for role in ("payee", "payer"):
        _one_of(body, f"{role}.partyIdInfo.partyIdType", PARTY_ID_TYPES)
        fields.text(body, f"{role}.partyIdInfo.partyIdentifier")
    _one_of(body, "amountType", AMOUNT_TYPES)
    fields.amount(body, "amount")
    _one_of(body, "transactionType.scenario", SCENARIOS)
    _one_of(body, "transactionType.initiator", INITIATORS)
    _one_of(body, "transactionType.initiatorType", INITIATOR_TYPES)
    if "expiration" in body:
        fields.datetime_text(body, "expiration")


def post_transfer(body: dict[str, Any]) -> None:
    fields.uuid_text(body, "transferId")
    fields.text(body, "payerFsp", FSP_ID_CHARS_MAX)
    fields.text(body, "payeeFsp", FSP_ID_CHARS_MAX)
    fields.amount(body, "amount")
    fields.base64url_text(body, "ilpPacket", ILP_PACKET_CHARS_MAX)
    condition = fields.base64url_text(body, "condition", CONDITION_CHARS)
    if len(condition) != CONDITION_CHARS:
        raise FspiopError(ErrorCode.VALIDATION, f"/condition must be {CONDITION_CHARS} base64url characters")
    fields.datetime_text(body, "expiration")


def patch_transfer(body: dict[str, Any]) -> None:
    fields.datetime_text(body, "completedTimestamp")
    _one_of(body, "transferState", TRANSFER_STATES)


def error_callback(body: dict[str, Any]) -> None:
    code = fields.text(body, "errorInformation.errorCode", 4)
    if not (len(code) == 4 and code.isdigit()):
        raise FspiopError(ErrorCode.VALIDATION, "/errorInformation/errorCode must be 4 digits")
    fields.text(body, "errorInformation.errorDescription")


def _one_of(body: dict[str, Any], path: str, allowed: frozenset[str]) -> str:
    value = fields.text(body, path, 32)
    if value not in allowed:
        raise FspiopError(ErrorCode.VALIDATION,
                          f"/{path.replace('.', '/')} must be one of {', '.join(sorted(allowed))}")
    return value
