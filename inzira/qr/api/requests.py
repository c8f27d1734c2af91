"""Request bodies of the QR API (validated at the edge; the service checks the rules that need state)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from inzira.api.numbers import json_int
from inzira.money import AMOUNT_MINOR_MAX
from inzira.qr.emv.spec import PAYLOAD_CHARS_MAX_LENIENT
from inzira.qr.settings import DAY_MS

# The hard bounds of the body; the service's settings narrow them (a payment's maximum, a quote's life).
Amount = json_int(1, AMOUNT_MINOR_MAX)
LifeMs = json_int(1, DAY_MS)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AlternateIn(_Body):
    language: str = Field(pattern="^[a-z]{2}$", description="ISO 639-1, e.g. rw, fr, zh")
    name: str = Field(min_length=1, max_length=25, description="The merchant's name in that language (tag 64.01)")
    city: str | None = Field(None, min_length=1, max_length=15)


class MerchantCreate(_Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Kigali Heights Deli", "city": "Kigali", "mcc": "5812", "location": "KG 7 Ave, Kigali Heights"}]})
    name: str = Field(min_length=1, max_length=25, description="As the QR prints it (tag 59): printable ASCII")
    city: str = Field(min_length=1, max_length=15, description="Tag 60")
    mcc: str = Field(pattern="^[0-9]{4}$", description="ISO 18245 merchant category code")
    location: str = Field(min_length=1, max_length=120, description="Street address or landmark (off chain)")
    postal_code: str | None = Field(None, min_length=1, max_length=10)
    alternate: AlternateIn | None = Field(None, description="Name (and city) in another language: tag 64")


class BillCreate(_Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"amount_minor": 15000}]})
    amount_minor: Amount = Field(description="The price in RWF (RWF has no minor unit: 15000 = 15,000 RWF)")
    bill_number: str | None = Field(None, min_length=1, max_length=25,
                                    description="The merchant's reference (tag 62.01); generated when absent; "
                                                "unique per merchant")
    expires_in_ms: LifeMs | None = Field(None, description="Default 15 minutes, 1 s to 24 h")
    terminal_label: str | None = Field(None, min_length=1, max_length=25, description="Tag 62.07")


class WebhookSet(_Body):
    url: str = Field(min_length=8, max_length=2000, description="http(s) URL receiving signed JSON events")


class WalletCreate(_Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"currency": "CNY", "holder": "Li Wei"}]})
    currency: str = Field(pattern="^[A-Z]{3}$", description="One of the issuer's wallet currencies (silkpay: CNY, USD)")
    holder: str | None = Field(None, min_length=1, max_length=80, description="Display name, kept off chain")


class TopUpCreate(_Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"amount_minor": 50000}]})
    amount_minor: Amount = Field(description="Minor units of the wallet's currency (50000 = 500.00 CNY)")
    return_url: str | None = Field(None, min_length=10, max_length=500, pattern=r"^https?://[^\s@/]+(/[^\s]*)?$",
                                   description="Where the card form sends the visitor's browser once the acquirer "
                                               "has decided; {topup_id} in it is replaced by the top-up's id")


class DecodeRequest(_Body):
    payload: str = Field(min_length=1, max_length=PAYLOAD_CHARS_MAX_LENIENT,
                         description="The QR's text, as a camera scan, an image upload or a paste gives it")


class QuoteCreate(_Body):
    payload: str = Field(min_length=1, max_length=PAYLOAD_CHARS_MAX_LENIENT, description="The scanned QR's text")
    amount_minor: Amount | None = Field(None, description="RWF the visitor enters: required for a static QR, "
                                                             "absent (or the bill's amount) for a dynamic one")
    ttl_ms: LifeMs | None = Field(None, description="How long the quote holds: default 60 s, 1 s to 5 min "
                                                       "(never past the bill's expiry)")


class PayCreate(_Body):
    quote_id: str = Field(min_length=1, max_length=64, description="The confirmed quote; paying with it again "
                                                                  "answers the same payment")


class RefundCreate(_Body):
    amount_minor: Amount | None = Field(None, description="RWF to give back; absent: all that is left")
    reason: str | None = Field(None, min_length=1, max_length=140)
