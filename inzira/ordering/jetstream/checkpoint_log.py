"""Peers' checkpoints on JetStream: each peer publishes, everyone listens, the stream keeps the newest.

Publishing is fire-and-forget (a core NATS publish that the checkpoints stream also stores): a checkpoint
is advisory, and waiting for its acknowledgement while a stream leader is being elected would hold up the
peer's commit path. Live checkpoints arrive through a core subscription, which keeps flowing while
JetStream elects leaders; the stream's copies serve peers that need history (snapshot verification).
Payloads are opaque bytes here: peers sign and check them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import nats.errors
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from inzira.ordering.jetstream.config import CHECKPOINT_BYTES_MAX, OrderingConfig
from inzira.ordering.jetstream.errors import OrderingUnavailableError, PayloadTooLargeError
from inzira.ordering.jetstream.direct_reader import stream_reader
from inzira.ordering.jetstream.retry import RetryPolicy

# Peer names go into subjects: no dots, spaces or wildcards.
_PEER_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
HISTORY_MSGS_MAX = 20_000  # a read of the stored history stops here
HISTORY_READ_BATCH = 1_000
HISTORY_WAIT_MS = 500
SUBSCRIPTION_PENDING_MSGS_MAX = 10_000

OnCheckpoint = Callable[[str, bool, bytes], Awaitable[None]]  # peer name, is a snapshot checkpoint, payload


class CheckpointLog:
    def __init__(self, nc: NATS, cfg: OrderingConfig, policy: RetryPolicy | None = None) -> None:
        self._nc = nc
        self._cfg = cfg
        self._policy = policy or RetryPolicy()

    def subject(self, peer: str, snapshot: bool) -> str:
        if not _PEER_NAME_RE.match(peer):
            raise ValueError(f"peer name must match {_PEER_NAME_RE.pattern}: {peer!r}")
        prefix = self._cfg.snapshots_prefix if snapshot else self._cfg.checkpoints_prefix
        return f"{prefix}.{peer}"

    async def publish(self, peer: str, payload: bytes, snapshot: bool = False) -> None:
        """Sends a checkpoint without waiting for the stream; raises OrderingUnavailableError when the
        connection cannot take it."""
        if len(payload) > CHECKPOINT_BYTES_MAX:
            raise PayloadTooLargeError(len(payload), CHECKPOINT_BYTES_MAX)
        try:
            await self._nc.publish(self.subject(peer, snapshot), payload)
        except nats.errors.Error as err:
            raise OrderingUnavailableError(f"publish checkpoint: {err!r}") from err

    async def subscribe(self, on_checkpoint: OnCheckpoint) -> list[Subscription]:
        """Every checkpoint published from now on, regular and snapshot ones alike."""
        subs: list[Subscription] = []
        try:
            for snapshot in (False, True):
                prefix = self._cfg.snapshots_prefix if snapshot else self._cfg.checkpoints_prefix

                async def on_msg(msg: Msg, snapshot: bool = snapshot) -> None:
                    await on_checkpoint(msg.subject.rsplit(".", 1)[-1], snapshot, msg.data)

                subs.append(await self._nc.subscribe(
                    f"{prefix}.*", cb=on_msg, pending_msgs_limit=SUBSCRIPTION_PENDING_MSGS_MAX))
        except nats.errors.Error as err:
            raise OrderingUnavailableError(f"subscribe to checkpoints: {err!r}") from err
        return subs

    async def snapshot_history(self) -> list[bytes]:
        """The stored snapshot checkpoints of every peer, oldest first (each names its peer inside)."""
        reader = stream_reader(self._nc, self._cfg, self._cfg.checkpoints_stream, f"{self._cfg.snapshots_prefix}.*",
                               self._policy, filtered=True)
        found: list[bytes] = []
        next_seq = 1
        try:
            while len(found) < HISTORY_MSGS_MAX:
                entries = await reader.read(next_seq, HISTORY_READ_BATCH, HISTORY_WAIT_MS)
                if not entries:
                    break
                found += [entry.payload for entry in entries]
                next_seq = entries[-1].seq + 1
        finally:
            await reader.close()
        return found
