"""What a sending FSP's deployment and a receiving FSP's deployment say to each other (``/v1/fsp/{fsp}/...``,
Mojaloop's discovery and agreement between payer and payee FSPs): the request bodies the receiving side
validates, and the answers the sending side decodes."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from pydantic import BaseModel, ConfigDict, Field, field_validator

from inzira.api.numbers import TIME_MS_MAX, json_int
from inzira.money import AMOUNT_MINOR_MAX
from inzira.remit.phone import MASKED_NAME_CHARS_MAX
from inzira.remit.records import Reason
from inzira.shown_text import shown_as_is

QUOTE_ID_CHARS_MAX = 64
PARTY_NAME_CHARS_MAX = 300  # the customer API's bound on a name
Amount = json_int(1, AMOUNT_MINOR_MAX)
AmountOrZero = json_int(0, AMOUNT_MINOR_MAX)


class PayeeQuoteBody(BaseModel):
    """A quote's terms as the receiving FSP needs them: it stores them and locks them with its condition."""

    model_config = ConfigDict(extra="forbid")
    quote_id: str = Field(min_length=1, max_length=QUOTE_ID_CHARS_MAX, pattern="^[0-9A-Za-z-]+$",
                          description="The sending FSP's quote id (the reservation's memo is remit:<quote id>)")
    msisdn: str = Field(max_length=64, examples=["+250788123456"])
    amount_type: Literal["SEND", "RECEIVE"]
    amount_received_minor: Amount = Field(description="What the wallet is to receive, RWF minor units")
    receiving_fee_minor: AmountOrZero = Field(description="The receiving FSP's fee by its schedule, RWF minor units")
    currency: Literal["RWF"] = "RWF"
    expires_at_ms: json_int(1, TIME_MS_MAX) = Field(description="When the quote expires (ms since the epoch)")
    # The travel rule (FATF R.16; Mojaloop's payer.personalInfo.complexName): who sends, screened here.
    sender_name: str = Field(min_length=1, max_length=PARTY_NAME_CHARS_MAX,
                             description="The originator's full name, as the sending FSP's customer gave it")
    receiver_name: str = Field(min_length=1, max_length=PARTY_NAME_CHARS_MAX,
                               description="The receiver's name as the sending FSP's customer gave it")

    @field_validator("sender_name", "receiver_name")
    @classmethod
    def _shown(cls, name: str) -> str:
        if not shown_as_is(name) or not name.strip():
            raise ValueError("a name must be printable text: no control, format or line-break characters")
        return name


# What another member's deployment may answer, bounded: its masked name goes into the customer's disclosure.
Short = Annotated[str, msgspec.Meta(max_length=64)]
MaskedName = Annotated[str, msgspec.Meta(max_length=MASKED_NAME_CHARS_MAX)]
REASONS_MAX = 20
REASON_CHARS_MAX = 500


class HolderReason(msgspec.Struct, frozen=True):
    """One match of the holder's name at the receiving FSP (``Screening.holder_reasons``), as it may say it: it is
    stored in the sending FSP's quote and shown to its compliance officer, so every part is bounded."""

    code: Literal["sanctions_hit", "sanctions_possible", "invalid_name"]
    message: Annotated[str, msgspec.Meta(min_length=1, max_length=REASON_CHARS_MAX)]
    party: Literal["account_holder"] | None = None
    list_reference: Short | None = None
    matched_name: None = None  # never the holder's name: only that it matched
    score: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None

    def reason(self) -> Reason | None:
        """As the sending side keeps it, or None when its text has control or format characters."""
        if not all(shown_as_is(text or "") for text in (self.message, self.list_reference)):
            return None
        return Reason(self.code, self.message, self.party, self.list_reference, None, self.score)


class PartyAnswer(msgspec.Struct, frozen=True):
    msisdn: Short
    fsp_id: Short
    masked_name: MaskedName
    active: bool
    # the holder's name screened by the receiving FSP: matches only
    holder_reasons: Annotated[tuple[HolderReason, ...], msgspec.Meta(max_length=REASONS_MAX)] = ()


class PayeeQuoteAnswer(msgspec.Struct, frozen=True):
    quote_id: str
    condition: str  # base64url, 32 bytes
    amount_received_minor: int
    receiving_fee_minor: int
    currency: str
    expires_at_ms: int
