"""Who may reach a local network's NATS servers, and the streams set up by the operator's admin user.

One NATS user per member (its public nkey in the manifest, its seed in its own folder only), with the
permissions of its role (ordering/jetstream/permissions.py): a member is cutter-eligible when the genesis
holds its orderer key, exactly as its peer decides whether to cut. Members may not create streams; the admin
does, before any peer starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from inzira.ledger.genesis import Genesis
from inzira.network.layout import LayoutError, Manifest, orderer_id
from inzira.network.nats_config import NatsUser
from inzira.ordering.jetstream import NatsCredentials, OrderingConfig, connect, ensure_streams
from inzira.ordering.jetstream.permissions import member_permissions

STREAMS_TIMEOUT_S = 60.0


def network_users(manifest: Manifest, genesis: Genesis, cfg: OrderingConfig) -> list[NatsUser]:
    """Every member's user, with the subjects its role needs."""
    missing = [m for m in manifest.members if m not in manifest.nats_users]
    if missing:
        raise LayoutError(f"members without NATS credentials: {missing}; this network folder predates them, "
                          "create a new one")
    orderers = {o.id for o in genesis.orderers}
    return [NatsUser(manifest.nats_users[m], member_permissions(cfg, m, orderer_id(m) in orderers))
            for m in manifest.members]


def set_up_streams(urls: Sequence[str], admin: NatsCredentials, cfg: OrderingConfig) -> None:
    """Creates the network's streams and lease bucket as the admin user (idempotent)."""

    async def run() -> None:
        nc = await connect(urls, "inzira-network-admin", credentials=admin)
        try:
            await ensure_streams(nc, cfg)
        finally:
            await nc.close()

    asyncio.run(asyncio.wait_for(run(), STREAMS_TIMEOUT_S))
