"""From a scanned payload to the Inzira merchant (and bill) it names, or the reason it cannot be paid.

The strict profile is tried first; a payload it refuses gets a second chance under the lenient profile,
which accepts what real national schemes print (a QR carrying several schemes' templates, long GUIDs, names
outside the EMV character set) but never a bad CRC or broken TLV. Whichever profile reads it, only a payload
with Inzira's merchant account template (GUID ``rw.inzira``) naming a merchant we know is payable.

A QR that adds a convenience fee (tag 55 = 02 or 03) is refused (3162): the transfer would pay the merchant
less than the QR asks. A tip prompt (55 = 01) is not offered: the visitor pays the amount, or enters one.

A dynamic QR (point of initiation 12, or an amount in tag 54) is a bill: its bill number (62.01) must name
one of the merchant's bills and its amount must be that bill's. A static QR leaves the amount to the visitor.
Merchant ids are public and a bill number may be the merchant's own guessable one ("INV-001"): a dynamic QR
that is not, to the character, the one Inzira made for the bill (which carries a random reference label, 62.05,
and the bill's amount) is answered exactly as a bill that does not exist (3251), so only the QR the merchant
showed tells anything of a bill (its status, its amount).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from inzira.qr.bill_book import BillBook
from inzira.qr.codes import QrCode
from inzira.qr.directory import Directory
from inzira.qr.emv import EmvError, MerchantQr, Payload, Profile, decode, merchant_qr_from_payload
from inzira.qr.emv.spec import PAYLOAD_CHARS_MAX_LENIENT
from inzira.qr.records import Bill, Merchant
from inzira.qr.rejected import Rejected, rejected
from inzira.qr.views import bill_view, merchant_view

PROMPT_VALUE = "***"  # EMVCo: "ask the payer" in a tag 62 field
FEE_INDICATORS = ("02", "03")  # tag 55: a fixed (56) or percentage (57) convenience fee the payer owes on top


@dataclass(frozen=True, slots=True)
class Decoded:
    """What a scan needs of a payload, kept small: recent decodes are cached (the payload's full object tree
    is not, so the cache does not weigh on the garbage collector)."""

    text: str
    profile: str  # the profile that accepted it: strict or lenient
    qr: MerchantQr
    dynamic: bool  # point of initiation 12, or an amount: a bill
    fee: bool  # 55 asks the payer for a convenience fee (02 fixed, 03 percentage) on top of the amount

    @property
    def payload(self) -> Payload:
        """Decoded again, for the rare caller that wants every field."""
        return decode(self.text, Profile(self.profile))


@dataclass(frozen=True, slots=True)
class Scanned:
    decoded: Decoded
    merchant: Merchant
    bill: Bill | None  # None: a static QR

    @property
    def kind(self) -> str:
        return "static" if self.bill is None else "dynamic"


_NOT_INZIRA = ("this QR belongs to another payment scheme: it has no Inzira merchant account (GUID rw.inzira), "
               "so Inzira wallets cannot pay it")


def _decode(text: str) -> Decoded | Rejected:
    try:
        return _inzira(decode(text, Profile.STRICT), "strict")
    except EmvError as exc:
        error = exc
    if error.code != "not_inzira":
        try:
            return _inzira(decode(text, Profile.LENIENT), "lenient")
        except EmvError as exc:
            error = exc  # what even the lenient profile refuses is the real fault
    if error.code == "not_inzira":
        return rejected(QrCode.QR_NOT_INZIRA, _NOT_INZIRA, emv_code=error.code, tag=error.tag)
    return rejected(QrCode.QR_INVALID, f"not a valid EMVCo merchant QR: {error.message}", emv_code=error.code,
                    tag=error.tag)


def _inzira(payload: Payload, profile: str) -> Decoded:
    qr = merchant_qr_from_payload(payload)
    return Decoded(payload.text, profile, qr, payload.point_of_initiation == "dynamic" or qr.amount_minor is not None,
                   payload.tip_indicator in FEE_INDICATORS)


class Scanner:
    def __init__(self, bills: BillBook, directory: Directory, price_currency: str, cache_max: int,
                 expired_bills_kept_days: int) -> None:
        self.bills = bills
        self.expired_bills_kept_days = expired_bills_kept_days
        self.directory = directory
        self.price_currency = price_currency
        self.cache_max = cache_max
        self._cache: OrderedDict[str, Decoded | Rejected] = OrderedDict()
        self._lock = threading.Lock()

    def decode(self, text: str) -> Decoded | Rejected:
        """Decoding is the costly part of a scan and a payload is scanned again to quote: keep recent ones."""
        text = text.strip()
        if len(text) > PAYLOAD_CHARS_MAX_LENIENT:
            return rejected(QrCode.QR_INVALID, f"a QR payload has at most {PAYLOAD_CHARS_MAX_LENIENT} characters",
                            emv_code="too_long", tag=None)
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        found = _decode(text)
        with self._lock:
            self._cache[text] = found
            while len(self._cache) > self.cache_max:
                self._cache.popitem(last=False)
        return found

    def scan(self, text: str) -> Scanned | Rejected:
        decoded = self.decode(text)
        if isinstance(decoded, Rejected):
            return decoded
        qr = decoded.qr
        if qr.currency != self.price_currency:
            return rejected(QrCode.CURRENCY_NOT_OFFERED,
                            f"this QR is priced in {qr.currency}; Inzira merchants are paid in {self.price_currency}")
        if decoded.fee:  # the payer would owe more than the transfer pays: refused rather than paid short
            return rejected(QrCode.FEE_NOT_OFFERED, "this QR adds a convenience fee (tag 55) to its amount: Inzira "
                            "payments carry no fee, so the merchant would not get what the QR asks; ask the "
                            "merchant for its Inzira QR", emv_code="fee", tag="55")
        merchant = self.directory.merchant(qr.merchant_id) if len(qr.merchant_id) <= 64 else None
        if merchant is None:
            return rejected(QrCode.MERCHANT_NOT_FOUND, "no Inzira merchant has the id in this QR")
        if not decoded.dynamic:
            return Scanned(decoded, merchant, None)
        if qr.bill_number is None or qr.bill_number == PROMPT_VALUE:
            return rejected(QrCode.BILL_NOT_FOUND, "this dynamic QR names no bill (tag 62.01)")
        bill = self.bills.by_number(merchant.id, qr.bill_number)
        if bill is None or text.strip() != bill.payload:
            return rejected(QrCode.BILL_NOT_FOUND, f"{merchant.name} has no bill {qr.bill_number} with this QR: a "
                            f"bill left unpaid is forgotten {self.expired_bills_kept_days} days after it expired; scan "
                            "the code on the merchant's screen again, or ask for a new QR")
        return Scanned(decoded, merchant, bill)


def scan_view(scanned: Scanned, now_ms: int) -> dict[str, Any]:
    """What a wallet shows after a scan: who is paid, how much (or that the visitor enters it)."""
    merchant = merchant_view(scanned.merchant)
    bill = scanned.bill
    return {
        "kind": scanned.kind,
        "profile": scanned.decoded.profile,
        "merchant": {k: merchant[k] for k in ("merchant_id", "name", "city", "mcc", "mcc_name", "location",
                                               "alternate")},
        "bill": None if bill is None else {k: v for k, v in bill_view(bill, now_ms).items()
                                           if k in ("bill_id", "bill_number", "status", "expires_at_ms")},
        "amount_minor": None if bill is None else bill.amount_minor,
        "currency": scanned.decoded.qr.currency,
        "amount_required": bill is None,
    }
