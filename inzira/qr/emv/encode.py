"""Building payloads: from data objects (any scheme), and from Inzira's own merchant description.

Whatever is built is decoded again before it is returned, so an encoder can never emit a payload that
Inzira's own decoder (in the requested profile) would refuse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from inzira import money
from inzira.qr.emv import spec, tlv
from inzira.qr.emv.crc import crc_hex
from inzira.qr.emv.decode import decode
from inzira.qr.emv.errors import EmvError
from inzira.qr.emv.model import DataObject, Payload, Profile

INZIRA_GUID = "rw.inzira"  # reverse domain name: sub-ID 00 of Inzira's merchant account template
INZIRA_ACCOUNT_TAG = "26"


def encode(objects: Iterable[DataObject], profile: Profile = Profile.STRICT) -> str:
    """Write the objects in the given order, drop any 63 among them, append the CRC, and check the result."""
    body_objects = [o for o in objects if o.tag != spec.CRC_TAG]
    body = tlv.join((o.tag, o.value) for o in body_objects) + spec.CRC_HEADER
    text = body + crc_hex(body)
    decode(text, profile)
    return text


@dataclass(frozen=True, slots=True)
class AlternateLanguage:
    """Tag 64: the merchant's name (and city) in another language, e.g. Kinyarwanda, French or Chinese."""

    language: str  # ISO 639-1, two letters ("rw", "fr", "zh")
    name: str
    city: str | None = None


@dataclass(frozen=True, slots=True)
class MerchantQr:
    """What an Inzira QR says. No amount: a static counter QR (payer types the amount); an amount: dynamic."""

    merchant_id: str
    name: str
    city: str
    mcc: str  # ISO 18245, four digits
    currency: str = "RWF"  # ISO 4217 alpha code, written as its numeric code in tag 53
    amount_minor: int | None = None
    country: str = "RW"
    postal_code: str | None = None
    bill_number: str | None = None
    reference_label: str | None = None
    terminal_label: str | None = None
    alternate: AlternateLanguage | None = None

    @property
    def dynamic(self) -> bool:
        return self.amount_minor is not None


def _primitive(tag: str, value: str | None) -> list[DataObject]:
    return [] if value is None else [DataObject(tag, value)]


def merchant_objects(qr: MerchantQr) -> list[DataObject]:
    """The data objects of an Inzira QR, in the order Inzira writes them."""
    try:
        cur = money.currency(qr.currency)
    except money.MoneyError as exc:
        raise EmvError("bad_value", "53", f"53 (transaction_currency): {exc}") from exc
    objects = [
        DataObject("00", "01"),
        DataObject("01", "12" if qr.dynamic else "11"),
        DataObject.template(
            INZIRA_ACCOUNT_TAG, [DataObject("00", INZIRA_GUID), DataObject("01", qr.merchant_id)]
        ),
        DataObject("52", qr.mcc),
        DataObject("53", cur.numeric),
    ]
    if qr.amount_minor is not None:
        if qr.amount_minor <= 0:
            raise EmvError("bad_amount", "54", f"54 (transaction_amount): {qr.amount_minor} is not above zero")
        objects.append(DataObject("54", money.format_decimal(qr.amount_minor, cur.code, grouping=False)))
    objects += [DataObject("58", qr.country), DataObject("59", qr.name), DataObject("60", qr.city)]
    objects += _primitive("61", qr.postal_code)
    extra = _primitive("01", qr.bill_number) + _primitive("05", qr.reference_label)
    extra += _primitive("07", qr.terminal_label)
    if extra:
        objects.append(DataObject.template("62", extra))
    if qr.alternate is not None:
        alt = qr.alternate
        language = [DataObject("00", alt.language), DataObject("01", alt.name)] + _primitive("02", alt.city)
        objects.append(DataObject.template("64", language))
    return objects


def encode_merchant_qr(qr: MerchantQr) -> str:
    """The payload text of an Inzira static or dynamic QR; strict-valid or an ``EmvError``."""
    return encode(merchant_objects(qr))


def merchant_qr_from_payload(payload: Payload) -> MerchantQr:
    """Read Inzira's merchant description back from a decoded payload (the inverse of the encoder)."""
    accounts = [o for o in payload.merchant_accounts
                if spec.is_account_template(o.tag) and (o.guid or "").lower() == INZIRA_GUID]
    if len(accounts) > 1:  # which one a wallet pays would be its own guess: a QR names one merchant
        first, second = accounts[0].tag, accounts[1].tag
        raise EmvError("duplicate_account", second, f"{second}: a second merchant account template with GUID "
                       f"{INZIRA_GUID} (the first is {first}): an Inzira QR names one merchant")
    account = accounts[0] if accounts else None
    merchant_id = None if account is None else account.child_value("01")
    if merchant_id is None:
        raise EmvError("not_inzira", INZIRA_ACCOUNT_TAG, f"no merchant account template with GUID {INZIRA_GUID}")
    numeric = payload.currency or ""
    try:
        cur = money.currency_by_numeric(numeric)
    except money.MoneyError as exc:
        raise EmvError("bad_value", "53", f"53 (transaction_currency): {exc}") from exc
    amount_minor = None
    if payload.amount is not None:
        try:
            amount_minor = money.parse_decimal_minor(payload.amount, cur.code)
        except money.MoneyError as exc:
            raise EmvError("bad_amount", "54", f"54 (transaction_amount): {exc}") from exc
    extra = payload.additional_data
    language = payload.language_template
    return MerchantQr(
        merchant_id=merchant_id,
        name=payload.merchant_name or "",
        city=payload.merchant_city or "",
        mcc=payload.mcc or "",
        currency=cur.code,
        amount_minor=amount_minor,
        country=payload.country or "",
        postal_code=payload.postal_code,
        bill_number=None if extra is None else extra.child_value("01"),
        reference_label=None if extra is None else extra.child_value("05"),
        terminal_label=None if extra is None else extra.child_value("07"),
        alternate=None
        if language is None
        else AlternateLanguage(
            language.child_value("00") or "", language.child_value("01") or "", language.child_value("02")
        ),
    )
