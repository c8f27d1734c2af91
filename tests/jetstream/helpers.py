"""Shared by the JetStream tests: run a coroutine with a hard bound, fresh streams, bounded reads."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from nats.aio.client import Client as NATS

from inzira.network.nats_cluster import NatsCluster
from inzira.network.nats_config import NatsUser
from inzira.ordering.jetstream import LogEntry, NatsCredentials, OrderingConfig, connect, ensure_streams
from inzira.ordering.jetstream.credentials import new_user_seed
from inzira.ordering.jetstream.permissions import member_inbox_prefix, member_permissions

T = TypeVar("T")
READ_BATCH = 5_000
PUBLISHER = "tester"  # the member whose transactions subject the primitives' tests publish on


def run(coro: Coroutine[Any, Any, T], timeout_s: float = 90) -> T:
    return asyncio.run(asyncio.wait_for(coro, timeout_s))


def unique_network() -> str:
    # Each test gets its own streams, so tests never see each other's messages.
    return "t" + uuid.uuid4().hex[:12]


@dataclass
class Ordering:
    nc: NATS
    cfg: OrderingConfig


@asynccontextmanager
async def ordering(cluster: NatsCluster, **config: Any) -> AsyncIterator[Ordering]:
    """Fresh streams, and a connection as the cluster's admin (the primitives' tests, not the permissions)."""
    cfg = OrderingConfig(unique_network(), **config)
    nc = await connect(cluster.urls, "inzira-test", credentials=cluster.admin_credentials)
    try:
        await ensure_streams(nc, cfg)
        yield Ordering(nc, cfg)
    finally:
        await nc.close()


def member_credentials(cluster: NatsCluster, folder: Path, cfg: OrderingConfig, members: list[str],
                       cutters: set[str]) -> dict[str, NatsCredentials]:
    """A NATS user per member of `cfg`'s network (cutters may cut), let into the cluster; their credentials."""
    users, found = [], {}
    for member in members:
        seed = folder / f"nats-{member}.nk"
        users.append(NatsUser(new_user_seed(seed), member_permissions(cfg, member, member in cutters)))
        found[member] = NatsCredentials(seed, member_inbox_prefix(cfg, member))
    cluster.add_users(users)
    return found


async def read_n(
    read: Callable[[int, int, int], Awaitable[list[LogEntry]]], from_seq: int, count: int, timeout_s: float = 30
) -> list[LogEntry]:
    """Reads until `count` entries came back: a consumer on a follower may be a few ms behind."""
    got: list[LogEntry] = []
    deadline = time.monotonic() + timeout_s
    while len(got) < count and time.monotonic() < deadline:
        got += await read(got[-1].seq + 1 if got else from_seq, min(count - len(got), READ_BATCH), 500)
    return got
