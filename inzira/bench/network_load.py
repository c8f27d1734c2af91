"""The load side of ``inzira bench network``: signing, publishing in batches, and watching every peer commit.

Peers sign a checkpoint after each block they store, saying how far into the transactions stream their
chain reaches (``source_last``). The load listens to those checkpoints on plain NATS (they keep flowing
while JetStream elects a leader), so "committed on every peer" is the smallest ``source_last`` among the
peers, and a batch is committed when that minimum reaches the batch's stream sequence.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from inzira.ledger.block import decode_block
from inzira.ledger.records import Leg
from inzira.ledger.tx import Issue, OpenAccount, Transfer, decode_signed, tx_id_of
from inzira.network.local_network import LocalNetwork
from inzira.node.signer import MemberSigner
from inzira.ordering.jetstream import BlockLog, OrderingConfig, TxLog
from inzira.peer.checkpoints import Checkpoint, SignedCheckpoint
from inzira.peer.tx_batch import batch_id, encode_batch

ACCOUNTS = 200  # payer accounts, and as many payee accounts
FUNDING_MINOR = 10**12
BATCH_TXS = 250  # transactions per stream message
BATCHES_PER_PUBLISH = 8
IN_FLIGHT_MAX = 6_000
PACE_STEP_S = 0.02  # transactions published and not yet committed on every peer
SETUP_TIMEOUT_S = 120.0
RUN_TIMEOUT_S = 600.0
READ_BLOCKS_BATCH = 64
CPU_SAMPLE_S = 1.0

_decode_signed_checkpoint = msgspec.msgpack.Decoder(SignedCheckpoint).decode
_decode_checkpoint = msgspec.msgpack.Decoder(Checkpoint).decode


@dataclass(slots=True)
class LoadReport:
    count: int
    seconds: float
    latencies_s: list[float] = field(default_factory=list)
    commits: list[float] = field(default_factory=list)  # times at which the every-peer minimum advanced

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0

    def longest_gap_ms(self, since_s: float) -> float:
        """Longest time without a commit on every peer, from the last commit before ``since_s`` on."""
        before = [t for t in self.commits if t <= since_s]
        points = [before[-1] if before else since_s] + [t for t in self.commits if t > since_s]
        return max((b - a for a, b in zip(points, points[1:])), default=0.0) * 1000


class Load:
    def __init__(self, nc: NATS, cfg: OrderingConfig, tx_log: TxLog, members: list[str]) -> None:
        self.nc = nc
        self.cfg = cfg
        self.tx_log = tx_log
        self.reached = {m: 0 for m in members}  # member -> source_last of its newest checkpoint
        self.committed_seq = 0  # reached by every peer
        self._advanced = asyncio.Event()
        self._waiting: list[tuple[int, float, int]] = []  # heap of (stream seq, published at, txs)
        self._report: LoadReport | None = None
        self._subs: list[Any] = []

    async def listen(self) -> None:
        self._subs.append(await self.nc.subscribe(f"{self.cfg.checkpoints_prefix}.*", cb=self._on_checkpoint))

    async def close(self) -> None:
        for sub in self._subs:
            await sub.unsubscribe()
        await self.tx_log.close()

    async def _on_checkpoint(self, msg: Msg) -> None:
        try:
            checkpoint = _decode_checkpoint(_decode_signed_checkpoint(msg.data).body)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return
        if checkpoint.member not in self.reached or checkpoint.source_last <= self.reached[checkpoint.member]:
            return
        self.reached[checkpoint.member] = checkpoint.source_last
        low = min(self.reached.values())
        if low <= self.committed_seq:
            return
        self.committed_seq = low
        now = time.monotonic()
        report = self._report
        while self._waiting and self._waiting[0][0] <= low:
            _, published_at, txs = heapq.heappop(self._waiting)
            if report is not None:
                report.latencies_s += [now - published_at] * txs
        if report is not None:
            report.commits.append(now)
        self._advanced.set()

    async def publish(self, raws: list[bytes], ids: list[bytes]) -> list[tuple[int, int]]:
        """Publish in batches; (stream seq, txs) of each batch."""
        messages, sizes = [], []
        for start in range(0, len(raws), BATCH_TXS):
            chunk_ids = ids[start : start + BATCH_TXS]
            messages.append((batch_id(chunk_ids), encode_batch(raws[start : start + BATCH_TXS])))
            sizes.append(len(chunk_ids))
        acks = await self.tx_log.publish_txs_many(messages, max_in_flight=min(len(messages), BATCHES_PER_PUBLISH))
        return [(ack.seq, size) for ack, size in zip(acks, sizes)]

    async def settle(self, seq: int, timeout_s: float) -> None:
        """Wait until every peer committed up to ``seq``."""
        deadline = time.monotonic() + timeout_s
        while self.committed_seq < seq:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"peers reached {self.reached}, not stream sequence {seq}")
            self._advanced.clear()
            try:
                await asyncio.wait_for(self._advanced.wait(), min(remaining, 1.0))
            except asyncio.TimeoutError:
                pass

    async def run(self, raws: list[bytes], on_progress: Callable[[int], None] | None, rate_per_s: float = 0.0,
                  deadline_s: float = RUN_TIMEOUT_S) -> LoadReport:
        """Publish everything (at ``rate_per_s``, or as fast as the window allows when 0) and wait until every
        peer committed all of it."""
        ids = [tx_id_of(decode_signed(raw).body) for raw in raws]
        report = self._report = LoadReport(len(raws), 0.0)
        started = time.monotonic()
        deadline = started + deadline_s
        # Paced: a small batch every PACE_STEP_S, as many clients would send; flat out: big pipelined steps.
        step = BATCH_TXS * BATCHES_PER_PUBLISH
        if rate_per_s > 0:
            step = max(1, min(BATCH_TXS, int(rate_per_s * PACE_STEP_S)))
        last_seq = 0
        for start in range(0, len(raws), step):
            if rate_per_s > 0:
                await asyncio.sleep(max(0.0, started + start / rate_per_s - time.monotonic()))
            while sum(txs for _, _, txs in self._waiting) > IN_FLIGHT_MAX and time.monotonic() < deadline:
                self._advanced.clear()
                try:
                    await asyncio.wait_for(self._advanced.wait(), 1.0)
                except asyncio.TimeoutError:
                    pass
            published_at = time.monotonic()
            for seq, txs in await self.publish(raws[start : start + step], ids[start : start + step]):
                heapq.heappush(self._waiting, (seq, published_at, txs))
                last_seq = max(last_seq, seq)
            if on_progress is not None:
                on_progress(len(report.latencies_s))
        await self.settle(last_seq, max(1.0, deadline - time.monotonic()))
        report.seconds = time.monotonic() - started
        self._report = None
        return report

    async def count_committed(self, block_log: BlockLog, ids: list[bytes]) -> dict[str, int]:
        """Read the chain back: how many of ``ids`` are in it with success, and how many more than once."""
        wanted = set(ids)
        seen: dict[bytes, int] = {}
        ok = 0
        _, last = await block_log.bounds()
        next_seq = 1
        while next_seq <= last:
            entries = await block_log.read_blocks(next_seq, READ_BLOCKS_BATCH, 1_000)
            if not entries:
                break
            for entry in entries:
                block = decode_block(entry.payload)
                for raw, result in zip(block.txs, block.results):
                    tx_id = tx_id_of(decode_signed(raw).body)
                    if tx_id in wanted:
                        seen[tx_id] = seen.get(tx_id, 0) + 1
                        ok += result.code == 0
            next_seq = entries[-1].seq + 1
        return {"committed_ok": ok, "missing": len(wanted) - len(seen),
                "duplicates": sum(n - 1 for n in seen.values())}


def signer(net: LocalNetwork, chain_id: bytes, member: str) -> MemberSigner:
    return MemberSigner(chain_id, member, net.member_key(member), validity_ms=3_600_000)


async def open_accounts(load: Load, net: LocalNetwork, chain_id: bytes) -> tuple[list[str], list[str]]:
    payers = [f"eurosend:bench-{i}" for i in range(ACCOUNTS)]
    payees = [f"mobimo:bench-{i}" for i in range(ACCOUNTS)]
    send, recv, bank = (signer(net, chain_id, m) for m in ("eurosend", "mobimo", "sbk"))
    opens = [send.sign(OpenAccount(a, "EUR")) for a in payers] + [recv.sign(OpenAccount(a, "EUR")) for a in payees]
    issues = [bank.sign(Issue(a, FUNDING_MINOR, "EUR")) for a in payers]
    for raws in (opens, issues):
        acks = await load.publish(raws, [tx_id_of(decode_signed(r).body) for r in raws])
        await load.settle(max(seq for seq, _ in acks), SETUP_TIMEOUT_S)
    return payers, payees


def sign_transfers(net: LocalNetwork, chain_id: bytes, payers: list[str], payees: list[str], count: int,
                   memo: str = "") -> tuple[list[bytes], float]:
    """``count`` signed transfers and the seconds signing took (not part of the measure)."""
    send = signer(net, chain_id, "eurosend")
    started = time.perf_counter()
    raws = [
        send.sign(Transfer((Leg(payers[i % ACCOUNTS], payees[(i * 7) % ACCOUNTS], 1 + i % 1000, "EUR"),), memo=memo))
        for i in range(count)
    ]
    return raws, time.perf_counter() - started


def machine_load(sample_s: float = CPU_SAMPLE_S) -> dict[str, float]:
    """What else the machine is doing: the 1-minute load average and the busy share of all cores."""
    stat, loadavg = Path("/proc/stat"), Path("/proc/loadavg")
    if not stat.exists() or not loadavg.exists():
        return {}

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in stat.read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields), idle

    total_a, idle_a = sample()
    time.sleep(sample_s)
    total_b, idle_b = sample()
    busy = 1 - (idle_b - idle_a) / max(1, total_b - total_a)
    return {"load_avg_1m": float(loadavg.read_text().split()[0]), "cpu_busy_share": round(busy, 3)}
