"""Signing transactions on behalf of a member: the edge where keys, the clock and fresh references live."""

from __future__ import annotations

import time
import uuid
from typing import Callable

from inzira.crypto import KeyPair
from inzira.ledger.tx import TX_VERSION, Op, TxBody, sign_body

TX_VALIDITY_MS = 60_000


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class MemberSigner:
    def __init__(self, chain_id: bytes, member_id: str, key: KeyPair,
                 clock_ms: Callable[[], int] = wall_clock_ms, validity_ms: int = TX_VALIDITY_MS) -> None:
        self.chain_id = chain_id
        self.member_id = member_id
        self.key = key
        self.clock_ms = clock_ms
        self.validity_ms = validity_ms

    def body(self, op: Op, ref: str | None = None) -> TxBody:
        return TxBody(TX_VERSION, self.chain_id, self.member_id, ref or uuid.uuid4().hex,
                      self.clock_ms() + self.validity_ms, op)

    def sign(self, op: Op, ref: str | None = None, cosigners: tuple[KeyPair, ...] = ()) -> bytes:
        """A signed transaction submitted by this member; ``cosigners`` add their signatures (redeem, a
        membership quorum, a key rotation's threshold)."""
        return sign_body(self.body(op, ref), self.key, *cosigners)
