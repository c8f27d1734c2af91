"""The directory operator's answers to the regulator's reads (its two logs, its disputes), as typed, bounded structs.

The operator is another member, and members do not trust one another: the members' client (``client.py``) decodes
each answer into these or refuses it whole, so the regulator's pages get only rows they can show. The fields are
those the operator serialises (``api.py``, ``store.py``'s rows, ``Dispute.json``); fields it may add later are
ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

import msgspec

from inzira.api.numbers import INT64_MAX
from inzira.decoding import decode_json
from inzira.directory.wire import MEMBER_CHARS_MAX, MSISDN_CHARS_MAX, REQUEST_ID_CHARS_MAX

PAGE_MAX = 200  # rows in one page of a log or of the disputes, on the operator's API and in the client
SHOWN_MS_MAX = 32_503_680_000_000  # 3000-01-01 UTC: far past any real clock, and a time every page can show
REFUSED_MEMBERS_MAX = 10_000  # members named in ``refused_by_member``: far more than a network has
DISPUTE_ID_CHARS_MAX = 64

Id = Annotated[int, msgspec.Meta(ge=1, le=INT64_MAX)]
AtMs = Annotated[int, msgspec.Meta(ge=0, le=SHOWN_MS_MAX)]
MemberId = Annotated[str, msgspec.Meta(min_length=1, max_length=MEMBER_CHARS_MAX)]
Number = Annotated[str, msgspec.Meta(max_length=MSISDN_CHARS_MAX)]  # E.164, or masked, or empty (not a number)
HashHex = Annotated[str, msgspec.Meta(pattern="^([0-9a-f]{64})?$")]  # a SHA-256 in hex, or empty (none)
RequestId = Annotated[str, msgspec.Meta(max_length=REQUEST_ID_CHARS_MAX)]
Refused = Annotated[dict[MemberId, Annotated[int, msgspec.Meta(ge=0, le=INT64_MAX)]],
                    msgspec.Meta(max_length=REFUSED_MEMBERS_MAX)]
Answer = TypeVar("Answer", bound=msgspec.Struct)
Page = TypeVar("Page", bound="LookupPage | RegistrationPage | DisputePage")


class LookupRow(msgspec.Struct, frozen=True):
    id: Id
    at_ms: AtMs
    member: MemberId  # who asked
    msisdn: Number
    fsp_id: MemberId | None  # the answer (None: not listed)


class RegistrationRow(msgspec.Struct, frozen=True):
    id: Id
    at_ms: AtMs
    member: MemberId  # the FSP that signed the request
    party: HashHex  # the number's keyed hash, as SetParty names it on chain
    msisdn: Number  # masked
    active: bool
    request_id: RequestId
    status: Annotated[int, msgspec.Meta(ge=100, le=599)]
    code: Annotated[int, msgspec.Meta(ge=1, le=9_999)] | None
    outcome: Literal["LISTED", "UNLISTED", "DISPUTED", "REFUSED"]


class Dispute(msgspec.Struct, frozen=True):
    # The id goes into the page's form address and the operator's resolution path: the operator's (a UUID) fits.
    dispute_id: Annotated[str, msgspec.Meta(pattern=f"^[A-Za-z0-9._:-]{{1,{DISPUTE_ID_CHARS_MAX}}}$")]
    msisdn: Number
    claimant: MemberId
    holder: MemberId
    holder_confirms: bool | None  # what the holder's account-holder API said (None: no answer)
    request_id: RequestId
    created_at_ms: AtMs
    state: Literal["OPEN", "KEPT", "MOVED"]
    resolved_by: Annotated[str, msgspec.Meta(max_length=MEMBER_CHARS_MAX)]  # empty while open
    resolved_at_ms: AtMs
    tx_id: HashHex


class LookupPage(msgspec.Struct, frozen=True):
    items: Annotated[tuple[LookupRow, ...], msgspec.Meta(max_length=PAGE_MAX)]
    next_before_id: Id | None
    refused_by_member: Refused


class RegistrationPage(msgspec.Struct, frozen=True):
    items: Annotated[tuple[RegistrationRow, ...], msgspec.Meta(max_length=PAGE_MAX)]
    next_before_id: Id | None
    refused_by_member: Refused


class DisputePage(msgspec.Struct, frozen=True):
    items: Annotated[tuple[Dispute, ...], msgspec.Meta(max_length=PAGE_MAX)]
    next_before_seq: Id | None


class AnswerUnfit(ValueError):
    """The answer is not the operator's documented answer: the client refuses it whole."""


def decode_page(content: bytes, kind: type[Page], limit: int) -> Page:
    """``content`` as a page of ``kind`` with at most ``limit`` rows (the limit the client asked)."""
    page = decode_answer(content, kind)
    if len(page.items) > min(limit, PAGE_MAX):
        raise AnswerUnfit(f"{len(page.items)} rows, more than the {min(limit, PAGE_MAX)} asked")
    return page


def decode_answer(content: bytes, kind: type[Answer]) -> Answer:
    try:
        return decode_json(content, kind)
    except msgspec.DecodeError as exc:  # also nested too deep, or a string not UTF-8 (decode_json)
        raise AnswerUnfit(str(exc)) from None
