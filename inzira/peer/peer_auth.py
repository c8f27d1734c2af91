"""Requests between peers, signed with the requesting member's key.

A peer asks another for things only members may have (a snapshot holds every account). It signs the
method, the path, the time and the chain id; the answering peer checks the signature against the member's
keys on the chain and refuses anything older or newer than ``REQUEST_SKEW_MS``.
"""

from __future__ import annotations

from collections.abc import Mapping

from inzira.api.numbers import TIME_MS_MAX, parse_digits
from inzira.crypto import Hasher, KeyPair, verify

MEMBER_HEADER = "X-Inzira-Member"
TIME_HEADER = "X-Inzira-Time-Ms"
SIGNATURE_HEADER = "X-Inzira-Signature"
REQUEST_SKEW_MS = 60_000
SIGNATURE_HEX_CHARS = 128

request_hash = Hasher("inzira/peer-request")


def _message(chain_id: bytes, method: str, path: str, time_ms: int) -> bytes:
    return request_hash(chain_id + f"\n{method.upper()}\n{path}\n{time_ms}".encode())


def sign_request(chain_id: bytes, member: str, key: KeyPair, method: str, path: str, now_ms: int) -> dict[str, str]:
    signature = key.sign(_message(chain_id, method, path, now_ms))
    return {MEMBER_HEADER: member, TIME_HEADER: str(now_ms), SIGNATURE_HEADER: signature.hex()}


def check_request(headers: Mapping[str, str], chain_id: bytes, member_keys: Mapping[str, tuple[bytes, ...]],
                  method: str, path: str, now_ms: int) -> tuple[str | None, str]:
    """(member, "") when the request is signed by a member, else (None, why not)."""
    member = headers.get(MEMBER_HEADER, "")
    time_text = headers.get(TIME_HEADER, "")
    signature_hex = headers.get(SIGNATURE_HEADER, "")
    keys = member_keys.get(member)
    if not keys:
        return None, f"sign the request as a member ({MEMBER_HEADER}, {TIME_HEADER}, {SIGNATURE_HEADER})"
    time_ms = parse_digits(time_text, 0, TIME_MS_MAX)
    if time_ms is None:
        return None, f"{TIME_HEADER} must be the signing time in milliseconds"
    if abs(now_ms - time_ms) > REQUEST_SKEW_MS:
        return None, "the request's signing time is too far from now"
    if len(signature_hex) != SIGNATURE_HEX_CHARS:
        return None, "the signature must be 64 bytes in hex"
    try:
        signature = bytes.fromhex(signature_hex)
    except ValueError:
        return None, "the signature must be 64 bytes in hex"
    message = _message(chain_id, method, path, time_ms)
    if not any(verify(key, message, signature) for key in keys):
        return None, "the signature does not verify"
    return member, ""
