"""What an FSP signs to ask the directory operator to list (or unlist) a number, and how it is checked.

The request's fields are encoded canonically (msgpack of an array-like struct, as transactions are), hashed
under their own domain with the network's chain id inside, and signed with the FSP's member key. The
operator checks the signature against the member's keys in the ledger state (the genesis keys, as rotated
since), the signing time against its own clock, and the request id against the ids it has already answered.
"""

from __future__ import annotations

from typing import Any

import msgspec

from inzira.crypto import SIGNATURE_BYTES, Hasher, verify
from inzira.ledger.encoding import encode

request_hash = Hasher("inzira/directory-request")

MEMBER_CHARS_MAX = 64
MSISDN_CHARS_MAX = 64
REQUEST_ID_CHARS_MAX = 64
TIME_MS_MAX = 10**15  # year 33658: far beyond any real clock, well inside 64 bits
SIGNATURE_HEX_CHARS = 2 * SIGNATURE_BYTES


class RegistrationRequest(msgspec.Struct, frozen=True, array_like=True):
    chain_id: bytes
    member: str  # the FSP asking, which signs
    msisdn: str  # as the FSP wrote it; the operator parses it to E.164
    active: bool  # True lists the number for ``member``, False unlists it
    request_id: str  # the FSP's own id: the same id always gets the same answer
    signed_at_ms: int


def request_digest(request: RegistrationRequest) -> bytes:
    return request_hash(encode(request))


def request_body(request: RegistrationRequest, signature: bytes) -> dict[str, Any]:
    """The JSON body an FSP posts to /v1/directory/registrations, with its signature of ``request_digest``."""
    return {"member": request.member, "msisdn": request.msisdn, "active": request.active,
            "request_id": request.request_id, "signed_at_ms": request.signed_at_ms, "signature": signature.hex()}


def signature_valid(request: RegistrationRequest, signature_hex: str, keys: tuple[bytes, ...]) -> bool:
    """Whether one of the member's keys signed this very request."""
    if len(signature_hex) != SIGNATURE_HEX_CHARS:
        return False
    try:
        signature = bytes.fromhex(signature_hex)
    except ValueError:
        return False
    digest = request_digest(request)
    return any(verify(key, digest, signature) for key in keys)
