"""Requests between members' deployments, signed with the requesting member's key.

A peer asks another for things only members may have (a snapshot holds every account); a sending FSP's
deployment asks a receiving FSP's for a wallet look-up or a quote (``inzira.remit.api.fsp``). The caller signs
the method, the path, the time, the chain id and a hash of the body; the answering side checks the signature
against the member's keys on the chain and refuses anything older or newer than ``REQUEST_SKEW_MS``. Where a
request changes something, ``Replays`` takes each signature once within that window.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Mapping

from inzira.api.numbers import TIME_MS_MAX, parse_digits
from inzira.crypto import Hasher, KeyPair, verify

MEMBER_HEADER = "X-Inzira-Member"
TIME_HEADER = "X-Inzira-Time-Ms"
SIGNATURE_HEADER = "X-Inzira-Signature"
REQUEST_SKEW_MS = 60_000
SIGNATURE_HEX_CHARS = 128
REPLAYS_PER_MEMBER_MAX = 20_000  # one member's signatures remembered at once (two minutes at over 160/s)

request_hash = Hasher("inzira/peer-request")


def _message(chain_id: bytes, method: str, path: str, time_ms: int, body: bytes) -> bytes:
    return request_hash(chain_id + f"\n{method.upper()}\n{path}\n{time_ms}\n".encode()
                        + hashlib.sha256(body).digest())


def sign_request(chain_id: bytes, member: str, key: KeyPair, method: str, path: str, now_ms: int,
                 body: bytes = b"") -> dict[str, str]:
    signature = key.sign(_message(chain_id, method, path, now_ms, body))
    return {MEMBER_HEADER: member, TIME_HEADER: str(now_ms), SIGNATURE_HEADER: signature.hex()}


def check_request(headers: Mapping[str, str], chain_id: bytes, member_keys: Mapping[str, tuple[bytes, ...]],
                  method: str, path: str, now_ms: int, body: bytes = b"") -> tuple[str | None, str]:
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
    message = _message(chain_id, method, path, time_ms, body)
    if not any(verify(key, message, signature) for key in keys):
        return None, "the signature does not verify"
    return member, ""


class Replays:
    """The signatures of requests taken while they could still be replayed (their time within the skew), at most
    ``member_max`` per member: one member signing as fast as it can fills its own share, not the others'
    (memory is bounded by the membership)."""

    def __init__(self, member_max: int = REPLAYS_PER_MEMBER_MAX) -> None:
        self.member_max = member_max
        self._until: dict[bytes, int] = {}  # signature -> when its request's time leaves the window
        self._heap: list[tuple[int, bytes, str]] = []  # (that time, signature, member)
        self._held: dict[str, int] = {}  # member -> its signatures still remembered

    def take(self, member: str, headers: Mapping[str, str], now_ms: int) -> str:
        """"" when this request, checked as signed by ``member``, is new (it is remembered now); else why it is
        refused: "replayed", or "busy" when ``member_max`` of that member's requests are still replayable
        (forgetting one would let it be replayed)."""
        while self._heap and self._heap[0][0] < now_ms:
            _, old, owner = heapq.heappop(self._heap)
            del self._until[old]
            self._held[owner] -= 1
            if not self._held[owner]:
                del self._held[owner]
        signature = bytes.fromhex(headers.get(SIGNATURE_HEADER, ""))
        if signature in self._until:
            return "replayed"
        if self._held.get(member, 0) >= self.member_max:
            return "busy"
        until = int(headers.get(TIME_HEADER, "0")) + REQUEST_SKEW_MS
        self._until[signature] = until
        self._held[member] = self._held.get(member, 0) + 1
        heapq.heappush(self._heap, (until, signature, member))
        return ""
