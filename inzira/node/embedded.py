"""The embedded network: one process hosts the node and the solo orderer, and no member's key.

The members this process acts for (in the demo, every one) sign through their own ports
(``inzira.node.custody``), which the composition root makes from the keys it loads and hands to each service.
"""

from __future__ import annotations

from pathlib import Path

from inzira.crypto.verifier_pool import Verifier
from inzira.demo.members import ORDERER_ID
from inzira.demo.setup import load_api_keys, load_orderer_key
from inzira.node.node import Node
from inzira.ordering.outcome import Ticket
from inzira.ordering.solo import BLOCK_INTERVAL_MS, BLOCK_TXS_MAX, SoloOrderer


class Embedded:
    def __init__(self, data_dir: Path, block_txs_max: int = BLOCK_TXS_MAX,
                 block_interval_ms: int = BLOCK_INTERVAL_MS, verify_workers: int | None = None) -> None:
        self.data_dir = data_dir
        self.node = Node(data_dir, Verifier(verify_workers))
        self.orderer = SoloOrderer(self.node, ORDERER_ID, load_orderer_key(data_dir), block_txs_max,
                                   block_interval_ms)
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

    def submit(self, raw: bytes) -> Ticket:
        return self.orderer.submit(raw)
