"""Reading a card acquirer's callback: HMAC-SHA256 with the issuer's webhook secret over ``"<t>." + body``,
sent as ``Card-Signature: t=<unix ms>,v1=<hex>`` (several ``v1`` while the acquirer rolls its secret), a ``t``
no further from now than the replay window, then the session the event is about. A valid signature only says
the acquirer sent these bytes at about that time: what moves money is the acquirer's answer when asked
(``card_topups``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Annotated

import msgspec

from inzira.decoding import refusing_depth
from inzira.ledger.codes import Code
from inzira.qr.codes import QrCode
from inzira.qr.rejected import Rejected, rejected

SIGNATURE_HEADER = "Card-Signature"
HEADER_CHARS_MAX = 512
BODY_BYTES_MAX = 8_192
TEXT_CHARS_MAX = 128
Text = Annotated[str, msgspec.Meta(max_length=TEXT_CHARS_MAX)]
_TIME_RE = re.compile(r"[0-9]{1,15}")
_DIGEST_RE = re.compile(r"[0-9a-f]{64}")


def expected(secret: str, body: bytes, at_ms: int) -> str:
    return hmac.new(secret.encode(), f"{at_ms}.".encode() + body, hashlib.sha256).hexdigest()


def verify(header: str | None, body: bytes, secret: str, now_ms: int, tolerance_ms: int) -> str | None:
    """None when the callback is signed with ``secret`` within ``tolerance_ms`` of now; else why not."""
    if not header:
        return f"no {SIGNATURE_HEADER} header"
    if len(header) > HEADER_CHARS_MAX:
        return f"the {SIGNATURE_HEADER} header is longer than {HEADER_CHARS_MAX} characters"
    at_text: str | None = None
    digests: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            at_text = value
        elif name == "v1":
            digests.append(value)
    if at_text is None or not _TIME_RE.fullmatch(at_text):
        return "the signature has no time (t=<unix ms>)"
    at_ms = int(at_text)
    if abs(now_ms - at_ms) > tolerance_ms:
        return f"signed at {at_ms}, outside the {tolerance_ms} ms replay window around now"
    wanted = expected(secret, body, at_ms)
    if not any(_DIGEST_RE.fullmatch(d) and hmac.compare_digest(d, wanted) for d in digests):
        return "no v1 signature of this body matches"
    return None


class About(msgspec.Struct, frozen=True):
    """What a callback is about: the acquirer's session, and the merchant's reference for it (a top-up id)."""

    session_id: Text
    reference: Text


class _Event(msgspec.Struct, frozen=True):
    data: About


_decode_event = refusing_depth(msgspec.json.Decoder(_Event).decode)


def read_callback(header: str | None, body: bytes, secret: str, now_ms: int, tolerance_ms: int) -> About | Rejected:
    """The session a duly signed callback is about, or why the callback is refused."""
    if len(body) > BODY_BYTES_MAX:
        return rejected(Code.VALIDATION, f"a callback is at most {BODY_BYTES_MAX} bytes")
    why = verify(header, body, secret, now_ms, tolerance_ms)
    if why is not None:
        return rejected(QrCode.CALLBACK_UNSIGNED, f"refused callback: {why}")
    try:
        return _decode_event(body).data
    except msgspec.DecodeError as exc:
        return rejected(Code.VALIDATION, f"the callback is not an event about a session: {exc}")
