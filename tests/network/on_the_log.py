"""Acting on the ordering log as one member, past its peer, as a hostile member's own systems could: a NATS
connection with that member's credentials, and a block signed with its orderer key appended to the blocks stream."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from nats.aio.client import Client as NATS

from inzira.crypto.verifier_pool import Verifier
from inzira.ledger.apply import prepare, verify_prepared
from inzira.network.layout import peer_folder
from inzira.node.node import Node
from inzira.ordering.jetstream.block_log import BlockLog
from inzira.ordering.jetstream.connection import connect
from inzira.peer.config import load_config, load_orderer_key
from inzira.peer.ledger_thread import BLOCKS_SEQ_META
from tests.network.helpers import Net

T = TypeVar("T")


def as_member(net: Net, member: str, work: Callable[[NATS], Awaitable[T]]) -> T:
    """What ``work`` returns, run on a NATS connection of ``member``'s own (closed after)."""

    async def run() -> T:
        nc = await connect(net.local.nats_urls, f"test-{member}", credentials=net.local.nats_credentials(member))
        try:
            return await work(nc)
        finally:
            await nc.close()

    return asyncio.run(run())


def append_signed_block(net: Net, member: str, raws: list[bytes], covering_to: int) -> None:
    """``member`` (its peer stopped) signs with its orderer key a valid block of ``raws`` on its chain that claims
    to cover the transactions stream up to ``covering_to`` (so cutters after it resume past that), and appends it
    to the blocks stream."""
    folder = peer_folder(net.local.folder, member)
    config = load_config(folder)
    node = Node(folder, Verifier(1))
    try:
        expected_last = int(node.store.get_meta(BLOCKS_SEQ_META) or b"0")
        covered = node.header(node.height).source_last
        items = [prepare(raw) for raw in raws]
        verify_prepared(items, node.verifier.verify_many)
        built = node.build(items, int(time.time() * 1000), config.orderer_id,
                           load_orderer_key(folder, config.orderer_id), covered + 1, covering_to)
    finally:
        node.close()  # not stored here: this peer reads it back from the stream like the others

    async def append(nc: NATS) -> None:
        await BlockLog(nc, net.local.ordering()).append_block(expected_last, built.encoded)

    as_member(net, member, append)
