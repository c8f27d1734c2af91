"""Mojaloop's Interledger packet, condition and fulfilment, as FSPIOP carries them in quotes and transfers.

The payee FSP answers a quote with ``ilpPacket`` (base64url of an ILP v4 Prepare packet, OER-encoded as
Interledger RFC 27 defines it, whose ``data`` is the base64url of the transaction object's JSON) and
``condition`` (base64url of SHA-256 over a 32-byte fulfilment only it can make; the gateway's: fulfilment.py).
The payer sends both back in ``POST /transfers``; the payee releases the fulfilment in ``PUT /transfers``, and
anyone can check it against the condition. Hubs and peers speaking FSPIOP 1.x with the older ILP v1 packet
(type 1, an Interledger Payment) are read too, since Mojaloop's own tools still emit it. Both are laid out
with the OER primitives of ``ilp_oer``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from inzira.interop.mojaloop.ilp_oer import IlpError, ascii_text, envelope, open_envelope, var_octets

PREPARE_TYPE = 12  # ILP v4 InterledgerPrepare
PAYMENT_V1_TYPE = 1  # ILP v1 InterledgerPayment (FSPIOP 1.x tools still send it)
MOJALOOP_ADDRESS = "g.mojaloop"  # Mojaloop routes by party ids, so v4 packets carry this fixed address
FULFILMENT_BYTES = 32
UINT64_MAX = 2**64 - 1
DATA_BYTES_MAX = 32767  # RFC 27: data OCTET STRING (SIZE (0..32767))
ADDRESS_CHARS_MAX = 1023
PACKET_CHARS_MAX = 32768  # FSPIOP IlpPacket maxLength
_TIMESTAMP_CHARS = 17  # RFC 27 Timestamp: YYYYMMDDHHmmssSSS, UTC
_B64URL_RE = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
_CONDITION_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_ADDRESS_RE = re.compile(r"^(g|private|example|peer|self|test[1-3]?|local)([.][a-zA-Z0-9_~-]+)+$")


@dataclass(frozen=True)
class Prepare:
    """An ILP v4 Prepare packet; ``amount_minor`` is in the currency's minor units, as Mojaloop puts it."""

    amount_minor: int
    expires_at: datetime
    condition: bytes
    destination: str
    data: bytes


@dataclass(frozen=True)
class PaymentV1:
    """An ILP v1 Payment packet (no condition or expiry inside: FSPIOP carries them beside it)."""

    amount_minor: int
    account: str
    data: bytes


# --- base64url -------------------------------------------------------------------------------------------

def b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, field: str) -> bytes:
    if not _B64URL_RE.fullmatch(text):
        raise IlpError(field, "is not base64url text")
    body = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise IlpError(field, f"is not base64url text ({exc})") from exc


# --- condition and fulfilment ------------------------------------------------------------------------------

def condition_of(fulfilment: bytes) -> bytes:
    if len(fulfilment) != FULFILMENT_BYTES:
        raise IlpError("fulfilment", f"must be {FULFILMENT_BYTES} bytes, not {len(fulfilment)}")
    return hashlib.sha256(fulfilment).digest()


def encode_condition(condition: bytes) -> str:
    if len(condition) != FULFILMENT_BYTES:
        raise IlpError("condition", f"must be {FULFILMENT_BYTES} bytes, not {len(condition)}")
    return b64url_encode(condition)


def decode_condition(text: str, field: str = "condition") -> bytes:
    """``condition`` and ``fulfilment`` share FSPIOP's format: 43 base64url characters, 32 bytes."""
    if not _CONDITION_RE.fullmatch(text):
        raise IlpError(field, "must be 43 base64url characters (32 bytes)")
    return b64url_decode(text, field)


def fulfils(fulfilment_text: str, condition_text: str) -> bool:
    """Whether a base64url fulfilment opens a base64url condition; malformed input simply does not."""
    try:
        fulfilment = decode_condition(fulfilment_text, "fulfilment")
        condition = decode_condition(condition_text, "condition")
    except IlpError:
        return False
    return hmac.compare_digest(hashlib.sha256(fulfilment).digest(), condition)


# --- ILP v4 Prepare ----------------------------------------------------------------------------------------

def _check_address(address: str, field: str) -> None:
    if len(address) > ADDRESS_CHARS_MAX or not _ADDRESS_RE.fullmatch(address):
        raise IlpError(field, f"{address[:64]!r} is not an ILP address")


def _timestamp(moment: datetime) -> bytes:
    if moment.tzinfo is None:
        raise IlpError("expiresAt", "must carry a time zone")
    utc = moment.astimezone(UTC)
    return (utc.strftime("%Y%m%d%H%M%S") + f"{utc.microsecond // 1000:03d}").encode("ascii")


def _parse_timestamp(raw: bytes, field: str) -> datetime:
    text = ascii_text(raw, field, "expiresAt")
    if not text.isdigit():
        raise IlpError(field, f"its expiresAt {text!r} is not a timestamp")
    try:
        moment = datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError as exc:
        raise IlpError(field, f"its expiresAt {text!r} is not a timestamp") from exc
    return moment.replace(microsecond=int(text[14:]) * 1000)


def encode_prepare(prepare: Prepare) -> bytes:
    if not 0 <= prepare.amount_minor <= UINT64_MAX:
        raise IlpError("amount", "must fit an unsigned 64-bit integer")
    if len(prepare.condition) != FULFILMENT_BYTES:
        raise IlpError("condition", f"must be {FULFILMENT_BYTES} bytes")
    if len(prepare.data) > DATA_BYTES_MAX:
        raise IlpError("data", f"must be at most {DATA_BYTES_MAX} bytes")
    _check_address(prepare.destination, "destination")
    content = (
        prepare.amount_minor.to_bytes(8, "big")
        + _timestamp(prepare.expires_at)
        + prepare.condition
        + var_octets(prepare.destination.encode("ascii"))
        + var_octets(prepare.data)
    )
    return envelope(PREPARE_TYPE, content)


def decode_prepare(raw: bytes, field: str = "ilpPacket") -> Prepare:
    reader = open_envelope(raw, PREPARE_TYPE, field)
    amount_minor = int.from_bytes(reader.take(8, "amount"), "big")
    expires_at = _parse_timestamp(reader.take(_TIMESTAMP_CHARS, "expiresAt"), field)
    condition = reader.take(FULFILMENT_BYTES, "executionCondition")
    destination = ascii_text(reader.var_octets("destination"), field, "destination")
    _check_address(destination, field)
    data = reader.var_octets("data")
    if len(data) > DATA_BYTES_MAX:
        raise IlpError(field, f"its data is over {DATA_BYTES_MAX} bytes")
    reader.finish()
    return Prepare(amount_minor, expires_at, condition, destination, data)


# --- ILP v1 Payment ----------------------------------------------------------------------------------------

def decode_payment_v1(raw: bytes, field: str = "ilpPacket") -> PaymentV1:
    reader = open_envelope(raw, PAYMENT_V1_TYPE, field)
    amount_minor = int.from_bytes(reader.take(8, "amount"), "big")
    account = ascii_text(reader.var_octets("account"), field, "account")
    # v1 accounts were free-form ("g.<fsp>.<id type>.<id>", older "levelone.dfsp1..."): printable, no spaces.
    if not account or len(account) > ADDRESS_CHARS_MAX or not all(0x21 <= ord(c) <= 0x7E for c in account):
        raise IlpError(field, f"its account {account[:64]!r} is not an ILP address")
    data = reader.var_octets("data")
    extensions = reader.take(1, "extensions")
    if extensions != b"\x00":
        raise IlpError(field, "carries extensions, which ILP v1 leaves empty")
    reader.finish()
    return PaymentV1(amount_minor, account, data)


# --- the FSPIOP view: packets as base64url text, data as the transaction object ---------------------------

def transaction_data(transaction: dict[str, object]) -> bytes:
    """A packet's data: the base64url of the transaction object's JSON."""
    data_json = json.dumps(transaction, separators=(",", ":"), ensure_ascii=False)
    return b64url_encode(data_json.encode("utf-8")).encode("ascii")


def transaction_packet(transaction: dict[str, object], amount_minor: int, expires_at: datetime,
                       condition: bytes) -> str:
    """An ``ilpPacket`` as quote answers carry it: a v4 Prepare whose data is the transaction object."""
    data = transaction_data(transaction)
    return b64url_encode(encode_prepare(Prepare(amount_minor, expires_at, condition, MOJALOOP_ADDRESS, data)))


@dataclass(frozen=True)
class PacketView:
    """What a payer or payee reads from any ``ilpPacket``: the amount, the expiry if v4, the transaction."""

    version: int
    amount_minor: int
    expires_at: datetime | None
    condition: bytes | None
    transaction: dict[str, object]


def read_packet(text: str, field: str = "ilpPacket") -> PacketView:
    if len(text) > PACKET_CHARS_MAX:
        raise IlpError(field, f"is over {PACKET_CHARS_MAX} characters")
    raw = b64url_decode(text, field)
    if not raw:
        raise IlpError(field, "is empty")
    if raw[0] == PREPARE_TYPE:
        prepare = decode_prepare(raw, field)
        return PacketView(4, prepare.amount_minor, prepare.expires_at, prepare.condition,
                          _transaction(prepare.data, field))
    if raw[0] == PAYMENT_V1_TYPE:
        payment = decode_payment_v1(raw, field)
        return PacketView(1, payment.amount_minor, None, None, _transaction(payment.data, field))
    raise IlpError(field, f"is an ILP packet of type {raw[0]}, neither a v4 Prepare nor a v1 Payment")


def _transaction(data: bytes, field: str) -> dict[str, object]:
    """The data is the base64url of the transaction object's JSON (Mojaloop's convention for both versions)."""
    decoded = b64url_decode(ascii_text(data, field, "data"), field)
    try:
        value = json.loads(decoded)
    except (ValueError, RecursionError) as exc:  # also numbers over 4300 digits and deep nesting
        raise IlpError(field, "its data is not a JSON transaction object") from exc
    if not isinstance(value, dict):
        raise IlpError(field, "its data is not a JSON object")
    return value
