"""The soak's shots onto a real network's transactions stream, as the members themselves would publish them.

Each shot goes out from the member that would send it, on that member's own subject, with that member's own
NATS user: the first signer when it is a member with a NATS user (an honest transaction's submitter, or the
member that re-signed or reordered someone's copy), else the body's submitter, else a member drawn from the
seed (garbage, a stranger's signature, a guest admitted during the run, which has no NATS user of its own).
Consecutive shots of one member travel in one batch, as a peer's publisher batches them. Messages are published
one after another, each acknowledged before the next, so the stream holds the shots in the planned order (a
copy before or after its original, as planned).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import msgspec
from nats.aio.client import Client as NATS

from inzira.adversary.traffic import Shot
from inzira.ledger.apply import Prepared
from inzira.ordering.jetstream import NatsCredentials, OrderingConfig, TxLog, connect
from inzira.peer.tx_batch import ENVELOPE_BYTES, TX_BATCH_BYTES_MAX, TX_BATCH_TXS_MAX, TxBatch, encode_batch

CONNECT_TIMEOUT_S = 60.0
PUBLISH_TIMEOUT_S = 60.0


@dataclass(slots=True)
class Message:
    member: str  # who publishes it, on its own subject
    payload: bytes
    shots: list[Shot] = field(default_factory=list)  # the transactions it carries, in order
    prepared: list[Prepared] = field(default_factory=list)
    seq: int = 0  # its sequence in the transactions stream, once published


class Senders:
    """Who sends each shot: see the module's docstring."""

    def __init__(self, members: Sequence[str], keys: Mapping[str, bytes], seed: int) -> None:
        self.members = list(members)
        self.owner_of_key = {key: member for member, key in keys.items() if member in self.members}
        self.rng = random.Random(f"inzira-soak-network/senders/{seed}")

    def of(self, p: Prepared) -> str:
        if p.sigs:
            owner = self.owner_of_key.get(p.sigs[0].key)
            if owner is not None:
                return owner
        if p.body is not None and p.body.submitter in self.members:
            return p.body.submitter
        return self.rng.choice(self.members)

    def anyone(self) -> str:
        return self.rng.choice(self.members)


def pack(shots: Sequence[Shot], prepared: Sequence[Prepared], senders: Senders) -> list[Message]:
    """Batches of consecutive shots of one sender, each within the limits of a batch."""
    messages: list[Message] = []
    current: Message | None = None
    size = 0
    for shot, p in zip(shots, prepared):
        member = senders.of(p)
        need = len(shot.raw) + ENVELOPE_BYTES
        if (current is None or current.member != member or len(current.shots) == TX_BATCH_TXS_MAX
                or size + need > TX_BATCH_BYTES_MAX):
            current, size = Message(member, b""), 0
            messages.append(current)
        current.shots.append(shot)
        current.prepared.append(p)
        size += need
    for message in messages:
        raws = [s.raw for s in message.shots]
        # One transaction past a batch's byte limit goes alone, as a member's own systems could still send it
        # (encode_batch refuses it): a cutter refuses the message, or leaves the transaction out of its block.
        fits = sum(len(raw) + ENVELOPE_BYTES for raw in raws) <= TX_BATCH_BYTES_MAX
        message.payload = encode_batch(raws) if fits else msgspec.msgpack.encode(TxBatch(1, tuple(raws)))
    return messages


def garbage_message(rng: random.Random, member: str) -> Message:
    """A whole stream message that is no batch within the limits: refused whole by every cutter."""
    roll = rng.random()
    if roll < 0.4:
        payload = rng.randbytes(rng.randint(0, 2_000))
    elif roll < 0.7:  # one transaction too many
        payload = msgspec.msgpack.encode(TxBatch(1, tuple(b"x" for _ in range(TX_BATCH_TXS_MAX + 1))))
    else:  # a batch of another version
        payload = msgspec.msgpack.encode(TxBatch(rng.choice((0, 2, 255)), (rng.randbytes(40),)))
    return Message(member, payload)


class Wire:
    """One NATS connection per member (its own user), on an event loop of its own."""

    def __init__(self, urls: Sequence[str], credentials: Mapping[str, NatsCredentials], cfg: OrderingConfig,
                 seed: int) -> None:
        self.urls, self.credentials, self.cfg = list(urls), dict(credentials), cfg
        self.loop = asyncio.new_event_loop()
        self._conns: dict[str, NATS] = {}
        self._logs: dict[str, TxLog] = {}
        self._nonce = hashlib.sha256(f"inzira-soak-network/{seed}".encode()).digest()[:8]
        self.published = 0

    def publish(self, messages: Sequence[Message]) -> None:
        """In order, each acknowledged before the next; sets each message's ``seq``."""
        self.loop.run_until_complete(asyncio.wait_for(self._publish(messages), PUBLISH_TIMEOUT_S))

    async def _publish(self, messages: Sequence[Message]) -> None:
        for message in messages:
            tx_log = self._logs.get(message.member) or await self._open(message.member)
            self.published += 1
            # A fresh message id each time: JetStream's duplicate filter must not drop a replay before the
            # ledger sees it.
            msg_id = self._nonce + self.published.to_bytes(8, "big")
            message.seq = (await tx_log.publish_tx(msg_id, message.payload)).seq

    async def _open(self, member: str) -> TxLog:
        nc = await asyncio.wait_for(connect(self.urls, f"soak-{member}", credentials=self.credentials[member]),
                                    CONNECT_TIMEOUT_S)
        self._conns[member] = nc
        self._logs[member] = tx_log = TxLog(nc, self.cfg, member=member)
        return tx_log

    def close(self) -> None:
        async def close_all() -> None:
            for member, tx_log in self._logs.items():
                await tx_log.close()
                await self._conns[member].close()

        try:
            self.loop.run_until_complete(close_all())
        finally:
            self.loop.close()
