"""The embedded network: one process hosts the node, the solo orderer and every demo member's keys."""

from __future__ import annotations

from pathlib import Path

from inzira.crypto.verifier_pool import Verifier
from inzira.demo.members import ORDERER_ID
from inzira.demo.setup import load_api_keys, load_member_keys, load_orderer_key
from inzira.ledger.tx import Op
from inzira.node.node import Node
from inzira.node.signer import MemberSigner
from inzira.ordering.outcome import Outcome, Ticket
from inzira.ordering.solo import BLOCK_INTERVAL_MS, BLOCK_TXS_MAX, SoloOrderer

EXECUTE_TIMEOUT_S = 30.0


class Embedded:
    def __init__(self, data_dir: Path, block_txs_max: int = BLOCK_TXS_MAX,
                 block_interval_ms: int = BLOCK_INTERVAL_MS, verify_workers: int | None = None) -> None:
        self.data_dir = data_dir
        self.node = Node(data_dir, Verifier(verify_workers))
        self.orderer = SoloOrderer(self.node, ORDERER_ID, load_orderer_key(data_dir), block_txs_max,
                                   block_interval_ms)
        self.keys = load_member_keys(data_dir)
        # API token -> member id: who is calling the HTTP API.
        self.api_tokens = {token: member for member, token in load_api_keys(data_dir).items()}
        self.chain_id = self.node.chain_id

    def __enter__(self) -> "Embedded":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.orderer.start()

    def stop(self) -> None:
        self.orderer.stop()
        self.node.close()

    def signer(self, member_id: str) -> MemberSigner:
        return MemberSigner(self.chain_id, member_id, self.keys[member_id])

    def submit(self, raw: bytes) -> Ticket:
        return self.orderer.submit(raw)

    def execute(self, member_id: str, op: Op, *cosigners: str, ref: str | None = None,
                timeout_s: float = EXECUTE_TIMEOUT_S) -> Outcome:
        """Sign as ``member_id`` (and cosigners), submit, and wait for the durable verdict."""
        raw = self.signer(member_id).sign(op, ref, tuple(self.keys[c] for c in cosigners))
        return self.submit(raw).result(timeout_s)
