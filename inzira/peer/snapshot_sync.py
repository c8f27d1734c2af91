"""Bringing a peer up from another peer's snapshot when the blocks stream no longer holds what it needs.

The peer looks for the newest snapshot height at which a quorum of peers signed the same block, state hash
and state digest, and whose block the stream still continues after; it downloads that snapshot from one of
those peers (a signed request), checks the block's orderer signature, the hashes and the digest against
what the quorum signed, and only then replaces its state.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import nats.errors

from inzira.crypto import KeyPair
from inzira.http import AsyncHttpClient, HttpProblem
from inzira.ledger.genesis import Genesis
from inzira.ordering.jetstream import CheckpointLog, OrderingError
from inzira.peer import snapshots
from inzira.peer.checkpoints import Checkpoint, open_checkpoint
from inzira.peer.ledger_thread import PeerLedger
from inzira.peer.peer_auth import sign_request

FETCH_TIMEOUT_MS = 120_000
FETCH_MS_MAX = 3_600_000  # a snapshot of up to 1 GiB at 300 kB/s
NOT_FOUND_PAUSE_S = 2.0  # no agreed snapshot yet: the next snapshot height is some blocks away

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AgreedSnapshot:
    height: int
    blocks_seq: int
    block_hash: bytes
    state_hash: bytes
    digest: bytes
    providers: list[Checkpoint]  # the checkpoints of the peers that signed it


def snapshot_path(height: int) -> str:
    return f"/v1/peer/snapshots/{height}"


def choose(checkpoints: list[Checkpoint], quorum: int, first_seq: int, above_height: int) -> AgreedSnapshot | None:
    """The newest snapshot a quorum of peers signed that the stream can continue from."""
    groups: dict[tuple[int, int, bytes, bytes, bytes], dict[str, Checkpoint]] = {}
    for cp in checkpoints:
        key = (cp.height, cp.blocks_seq, cp.block_hash, cp.state_hash, cp.digest)
        groups.setdefault(key, {})[cp.member] = cp
    best: AgreedSnapshot | None = None
    for (height, seq, block_hash, state_hash, digest), by_member in groups.items():
        if len(by_member) < quorum or height <= above_height or seq + 1 < first_seq:
            continue
        if best is None or height > best.height:
            best = AgreedSnapshot(height, seq, block_hash, state_hash, digest, list(by_member.values()))
    return best


class SnapshotSync:
    def __init__(self, ledger: PeerLedger, checkpoint_log: CheckpointLog, genesis: Genesis, member: str,
                 key: KeyPair, quorum: int, member_keys: Callable[[], Mapping[str, tuple[bytes, ...]]],
                 clock_ms: Callable[[], int]) -> None:
        self.ledger = ledger
        self.checkpoint_log = checkpoint_log
        self.genesis = genesis
        self.member = member
        self.key = key
        self.quorum = quorum
        self.member_keys = member_keys
        self.clock_ms = clock_ms
        self.installed: list[int] = []  # heights of the snapshots this peer started from
        self._http = AsyncHttpClient(timeout_ms=FETCH_TIMEOUT_MS, answer_bytes_max=snapshots.SNAPSHOT_BYTES_MAX,
                                     attempt_ms_max=FETCH_MS_MAX)

    async def aclose(self) -> None:
        """Close the downloads' connections, on the peer's event loop as it ends."""
        await self._http.aclose()

    async def catch_up(self, first_seq: int) -> bool:
        """Install an agreed snapshot the stream continues after; False when there is none yet."""
        agreed = await self._agreed(first_seq)
        if agreed is None:
            log.info("the blocks stream starts at %d, past this peer, and no agreed snapshot follows it yet",
                     first_seq)
            await asyncio.sleep(NOT_FOUND_PAUSE_S)
            return False
        providers = [cp for cp in agreed.providers if cp.api_url and cp.member != self.member]
        random.shuffle(providers)
        for provider in providers:
            data = await self._fetch(provider.api_url, agreed.height)
            if data is None:
                continue
            # On the ledger thread, not the event loop: a snapshot of up to 1 GiB takes a while to decode.
            snapshot = await self.ledger.run(snapshots.decode, data, agreed.digest)
            if snapshot is None or snapshot.height != agreed.height or snapshot.blocks_seq != agreed.blocks_seq:
                log.warning("snapshot from %s is not the agreed one", provider.member)
                continue
            checked = await self.ledger.run(snapshots.check, snapshot, self.genesis, agreed.block_hash,
                                            agreed.state_hash, agreed.digest)
            if isinstance(checked, str):
                log.warning("snapshot from %s refused: %s", provider.member, checked)
                continue
            _, header = checked
            async with self.ledger.lock:
                if self.ledger.node.height >= header.height:
                    return True  # got there meanwhile
                await self.ledger.run(self.ledger.install, snapshot, header, agreed.digest)
            self.installed.append(header.height)
            log.info("installed the snapshot of height %d from %s", header.height, provider.member)
            return True
        await asyncio.sleep(NOT_FOUND_PAUSE_S)
        return False

    async def _agreed(self, first_seq: int) -> AgreedSnapshot | None:
        try:
            payloads = await self.checkpoint_log.snapshot_history()
        except (OrderingError, nats.errors.Error) as exc:
            log.info("cannot read snapshot checkpoints: %r", exc)
            return None
        keys = dict(self.member_keys())
        opened = [open_checkpoint(p, self.genesis.chain_id, keys) for p in payloads]
        found = [cp for cp in opened if cp is not None and cp.digest]
        return choose(found, self.quorum, first_seq, self.ledger.node.height)

    async def _fetch(self, api_url: str, height: int) -> bytes | None:
        path = snapshot_path(height)
        headers = sign_request(self.genesis.chain_id, self.member, self.key, "GET", path, self.clock_ms())
        try:
            answer = await self._http.send("GET", f"{api_url.rstrip('/')}{path}", headers=headers)
        except HttpProblem as exc:
            log.info("snapshot %d from %s failed: %s", height, api_url, exc.detail)
            return None
        if answer.status != 200:
            log.info("snapshot %d from %s: HTTP %d", height, api_url, answer.status)
            return None
        return answer.content
