"""A small in-memory network for ledger tests: the demo members with deterministic keys."""

from __future__ import annotations

import hashlib

import pytest

from inzira.crypto import KeyPair, verify
from inzira.demo.members import DEMO_MEMBERS, ORDERER_ID, demo_genesis
from inzira.ledger.apply import prepare, verify_prepared
from inzira.ledger.block import build_block
from inzira.ledger.state import State
from inzira.ledger.tx import TX_VERSION, TxBody, sign_body

T0_MS = 1_790_000_000_000


def seed_key(name: str) -> KeyPair:
    return KeyPair.from_seed(hashlib.sha256(b"test-key/" + name.encode()).digest())


def verify_all(checks):
    return [verify(k, m, s) for k, m, s in checks]


class Net:
    """Drives a State through real signed transactions and real blocks."""

    def __init__(self) -> None:
        self.keys = {m.id: seed_key(m.id) for m in DEMO_MEMBERS}
        self.orderer_key = seed_key(ORDERER_ID)
        self.genesis = demo_genesis(self.keys, self.orderer_key, T0_MS)
        self.chain_id = self.genesis.chain_id
        self.state = State.from_genesis(self.genesis)
        self.now_ms = T0_MS + 1000
        self.prev_hash = self.chain_id
        self.blocks = []  # BuiltBlock, in order
        self._ref = 0

    def tx(self, signer: str, op, *cosigners: str, ref: str | None = None, expires_in_ms: int = 60_000) -> bytes:
        self._ref += 1
        body = TxBody(TX_VERSION, self.chain_id, signer, ref or f"r{self._ref}", self.now_ms + expires_in_ms, op)
        return sign_body(body, self.keys[signer], *(self.keys[c] for c in cosigners))

    def block(self, *raws: bytes, advance_ms: int = 1000):
        self.now_ms += advance_ms
        items = [prepare(r) for r in raws]
        verify_prepared(items, verify_all)
        built = build_block(self.state, self.prev_hash, self.now_ms, items, ORDERER_ID, self.orderer_key)
        self.prev_hash = built.hash
        self.blocks.append(built)
        return [r.code for r in built.results]

    def one(self, raw: bytes, advance_ms: int = 1000) -> int:
        return self.block(raw, advance_ms=advance_ms)[0]

    def balance(self, account: str) -> int:
        return self.state.accounts[account].balance_minor


@pytest.fixture
def net() -> Net:
    return Net()
