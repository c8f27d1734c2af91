"""Reading a card acquirer's callback: its signature (HMAC-SHA256 over "<t>." + body, replay window), checked
against the simulator's own signer, then the session it is about."""

from __future__ import annotations

import pytest

from inzira.qr.card_callback import BODY_BYTES_MAX, HEADER_CHARS_MAX, About, read_callback, verify
from inzira.qr.rejected import Rejected
from inzira.sim.card import signature

SECRET = "whsec_" + "s" * 26
BODY = b'{"id":"evt_1","type":"payment.authorized","data":{"session_id":"cs_1","reference":"top_1"}}'
NOW_MS = 1_800_000_000_000
WINDOW_MS = 300_000


def test_a_fresh_signature_of_these_bytes_with_this_secret_holds() -> None:
    assert verify(signature(SECRET, BODY, NOW_MS), BODY, SECRET, NOW_MS, WINDOW_MS) is None
    assert verify(signature(SECRET, BODY, NOW_MS - WINDOW_MS), BODY, SECRET, NOW_MS, WINDOW_MS) is None


def test_while_the_acquirer_rolls_its_secret_any_v1_may_match() -> None:
    old, new = signature("whsec_" + "o" * 26, BODY, NOW_MS), signature(SECRET, BODY, NOW_MS)
    both = f"{old},v1={new.split('v1=')[1]}"
    assert verify(both, BODY, SECRET, NOW_MS, WINDOW_MS) is None


@pytest.mark.parametrize(("header", "body", "why"), [
    (None, BODY, "no Card-Signature header"),
    ("", BODY, "no Card-Signature header"),
    (signature("whsec_" + "x" * 26, BODY, NOW_MS), BODY, "no v1 signature of this body matches"),
    (signature(SECRET, BODY, NOW_MS), BODY + b" ", "no v1 signature of this body matches"),
    (signature(SECRET, BODY, NOW_MS), BODY.replace(b"top_1", b"top_2"), "no v1 signature of this body matches"),
    (signature(SECRET, BODY, NOW_MS - WINDOW_MS - 1), BODY, "outside the 300000 ms replay window"),
    (signature(SECRET, BODY, NOW_MS + WINDOW_MS + 1), BODY, "outside the 300000 ms replay window"),
    ("v1=" + "0" * 64, BODY, "no time"),
    ("t=١٨٠٠٠٠٠٠٠٠٠٠٠,v1=" + "0" * 64, BODY, "no time"),  # Unicode digits are not a time
    ("t=18000000000000000000,v1=" + "0" * 64, BODY, "no time"),
    (f"t={NOW_MS}", BODY, "no v1 signature"),
    (f"t={NOW_MS},v1=" + "Z" * 64, BODY, "no v1 signature"),
    ("t=1," + "v1=a," * HEADER_CHARS_MAX, BODY, "longer than"),
])
def test_anything_else_is_refused_with_a_reason(header: str | None, body: bytes, why: str) -> None:
    refused = verify(header, body, SECRET, NOW_MS, WINDOW_MS)
    assert refused is not None and why in refused


def test_a_signed_callback_is_read_for_the_session_it_is_about() -> None:
    about = read_callback(signature(SECRET, BODY, NOW_MS), BODY, SECRET, NOW_MS, WINDOW_MS)
    assert isinstance(about, About) and (about.session_id, about.reference) == ("cs_1", "top_1")


@pytest.mark.parametrize(("body", "code"), [
    (b"not json", 3100),
    (b'{"data": {"session_id": "cs_1"}}', 3100),
    (b'{"data": {"session_id": "cs_1", "reference": "' + b"r" * 200 + b'"}}', 3100),
    (b"{}" + b" " * BODY_BYTES_MAX, 3100),
    (b'{"data": {"session_id": "cs_1", "reference": "top_1"}, "x": ' + b"[" * 3_000 + b"]" * 3_000 + b"}",
     3100),  # nested past msgspec's depth: a RecursionError (a 500) before
])
def test_a_signed_callback_that_is_not_an_event_is_refused(body: bytes, code: int) -> None:
    refused = read_callback(signature(SECRET, body, NOW_MS), body, SECRET, NOW_MS, WINDOW_MS)
    assert isinstance(refused, Rejected) and refused.code == code and refused.status == 400


def test_an_unsigned_callback_is_refused_before_it_is_read() -> None:
    refused = read_callback(None, b"not json", SECRET, NOW_MS, WINDOW_MS)
    assert isinstance(refused, Rejected) and refused.code == 3105 and refused.status == 401
