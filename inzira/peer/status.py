"""What a peer says about itself: position in the chain and the streams, role, refusals, agreement.

Public (a peer's heights and hashes are what every member's explorer shows anyway): served at
``/v1/peer/status`` and summed up in ``/health``. All but why the peer stopped: ``told`` is whether the asker
may read that reason (an exception's text); anyone else reads its kind, a fixed word (``Peer.problem_word``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inzira.api.routes.meta import FAILED_WITHHELD

if TYPE_CHECKING:
    from inzira.peer.service import Peer

REJECTIONS_LISTED = 10


def peer_status(peer: "Peer", told: bool) -> dict[str, Any]:
    node, ledger = peer.node, peer.ledger
    tip = node.tip  # the last stored block, read once: its height, hashes and time belong together
    follower, cutter, keeper = peer.follower, peer.cutter, peer.keeper
    return {
        "member": peer.member,
        "network": peer.genesis.network,
        "chain_id": peer.genesis.chain_id.hex(),
        "ready": peer.ready,
        "problem": peer.problem() if told else peer.problem_word(),
        "role": "cutter" if peer.holding_lease() else "follower",
        "orderer_id": peer.config.orderer_id or None,
        "lease_term": keeper.term if keeper else 0,
        "height": tip.height,
        "block_hash": tip.block_hash.hex(),
        "state_hash": tip.state_hash.hex(),
        "timestamp_ms": tip.timestamp_ms,
        "blocks_seq": ledger.processed_seq,
        "blocks_stream_last_seq": follower.stream_last_seq if follower else 0,
        "source_last": ledger.source_last,
        "rejected_blocks": ledger.rejected_total,
        "rejections": [
            {"seq": r.seq, "height": r.height, "hash": r.block_hash.hex(), "reason": r.reason, "at_ms": r.at_ms}
            for r in list(ledger.rejections)[-REJECTIONS_LISTED:]
        ],
        "agreement": dict(sorted(peer.agreement.verdicts.items())),
        "diverged": peer.agreement.diverged,
        "checkpoints_dropped": peer.checkpoint_quota.dropped,  # past a member's share, unopened
        "blocks_cut": cutter.blocks_cut if cutter else 0,
        "conflicts": cutter.conflicts if cutter else 0,
        "refused_messages": cutter.refused_messages if cutter else 0,
        "cutter_unfit": (cutter.unfit_reason if cutter and not cutter.fit() else None),
        "inflight": len(peer.inflight),
        "outbox": len(peer.outbox),
        "published": peer.publisher.published_txs if peer.publisher else 0,
        "snapshots": peer.snapshot_files.heights(),
        "snapshots_installed": peer.snapshot_sync.installed if peer.snapshot_sync else [],
        "api_url": peer.api_url,
        "nats_url": str(peer.nc.connected_url.netloc) if peer.nc and peer.nc.connected_url else None,
    }


def health_facts(peer: "Peer", told: bool) -> dict[str, Any]:
    """The short form for /health."""
    ledger, failed = peer.ledger, peer.node.failed
    last = ledger.rejections[-1] if ledger.rejections else None
    return {
        "member": peer.member,
        "height": peer.node.height,
        "chain_id": peer.genesis.chain_id.hex(),
        "network": peer.genesis.network,
        "ready": peer.ready,
        "role": "cutter" if peer.holding_lease() else "follower",
        "failed": failed if told or not failed else FAILED_WITHHELD,
        "diverged": peer.agreement.diverged,
        "rejected_blocks": ledger.rejected_total,
        "last_rejection": None if last is None else f"entry {last.seq} (height {last.height}): {last.reason}",
    }
