"""The block cutter: while this peer holds the lease, turn the transactions stream into blocks.

It resumes right after the transactions covered by the last valid block (``source_last``), gathers a block
(``block_txs_max`` transactions, the byte limit of one stream message, or ``block_interval_ms`` after the
first), verifies and applies it on its own node in memory, signs it with its orderer key and appends it to
the blocks stream expecting the entry it last judged to be the stream's last. Only once the stream took
the block does the peer store it. If another entry got there first (another cutter, or anyone appending
garbage), the cutter drops its block, lets the follower judge what was appended, and starts over; so two
cutters can never both extend the chain at one height.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import nats.errors

from inzira.crypto import KeyPair
from inzira.ledger.chain import check_block_time
from inzira.ordering.jetstream import BlockConflictError, BlockLog, LogEntry, OrderingError, PayloadTooLargeError, TxLog
from inzira.peer.ledger_thread import PeerLedger
from inzira.peer.lease_keeper import LeaseKeeper
from inzira.peer.tx_batch import ENVELOPE_BYTES, TX_BATCH_BYTES_MAX, decode_batch

READ_MSGS_MAX = 256  # transaction-stream messages asked for at a time
IDLE_WAIT_MS = 500  # an idle cutter wakes up this often to check its lease
BLOCK_FIXED_BYTES = 4_096  # a block's header, signature and framing, at most
BLOCK_BYTES_FLOOR = 2 * TX_BATCH_BYTES_MAX  # always room for the largest batch a publisher makes
RESULT_BYTES = 16  # one transaction's verdict in a block, at most
CATCH_UP_TIMEOUT_MS = 30_000
STAND_DOWN_MS = 60_000  # a cutter whose block was refused for its time leaves the lease to others this long
POLL_S = 0.05
CLAIM_CLOCK_SLACK_MS = 2_000  # a transaction stored this long after the block claiming it still counts

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CutterSettings:
    orderer_id: str
    orderer_key: KeyPair
    block_txs_max: int
    block_interval_ms: int
    block_bytes_max: int  # the blocks stream's message limit


@dataclass(slots=True)
class Gathered:
    first_seq: int
    last_seq: int
    raws: list[bytes]


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class Cutter:
    def __init__(self, ledger: PeerLedger, tx_log: TxLog, block_log: BlockLog, keeper: LeaseKeeper,
                 settings: CutterSettings, clock_ms: Callable[[], int] = wall_clock_ms) -> None:
        self.ledger = ledger
        self.tx_log = tx_log
        self.block_log = block_log
        self.keeper = keeper
        self.settings = settings
        self.clock_ms = clock_ms
        self.blocks_cut = 0
        self.conflicts = 0
        self._carry: deque[LogEntry] = deque()  # read but not yet in a block
        self._bytes_max = settings.block_bytes_max
        self.unfit_until_ms = 0
        self.refused_messages = 0
        self.unfit_reason = ""

    async def run(self) -> None:
        while True:
            if not self.keeper.holding():
                await asyncio.sleep(POLL_S)
                continue
            if not await self._caught_up():
                continue
            await self._cut_while_holding()

    async def _caught_up(self) -> bool:
        """Wait until the follower judged every entry the stream holds: the cutter must extend the last one."""
        try:
            _, last = await self.block_log.bounds()
        except (OrderingError, nats.errors.Error) as exc:
            log.info("cannot read the blocks stream's end: %r", exc)
            await asyncio.sleep(POLL_S)
            return False
        deadline = time.monotonic() + CATCH_UP_TIMEOUT_MS / 1000
        while self.ledger.processed_seq < last:
            if time.monotonic() > deadline or not self.keeper.holding():
                return False
            await asyncio.sleep(POLL_S)
        return True

    async def _cut_while_holding(self) -> None:
        ledger = self.ledger
        async with ledger.lock:  # the chain's position and what it covers, read together
            covered = ledger.source_last
            judged = ledger.processed_seq
            claims = list(ledger.claims)
        cursor = await self._resume_at(covered, ledger.source_verified, claims)
        if cursor is None:
            return
        async with ledger.lock:
            ledger.source_verified = max(ledger.source_verified, cursor - 1)
            for _ in claims:
                ledger.claims.popleft()
        self._carry.clear()
        while self.keeper.holding():
            gathered = await self._gather(cursor)
            expire_only = gathered is None
            if gathered is None:
                if ledger.processed_seq != judged:
                    return  # someone else appended meanwhile: catch up and look again
                if not self._deadline_due():
                    continue
                # A quiet network still expires pending transfers on time: an empty block, covering nothing.
                gathered = Gathered(cursor, cursor - 1, [])
            async with ledger.lock:
                if ledger.processed_seq != judged or not self.keeper.holding():
                    return
                s = self.settings
                cut = await ledger.run(ledger.cut, gathered.raws, gathered.first_seq, gathered.last_seq,
                                       self.clock_ms(), s.orderer_id, s.orderer_key, expire_only)
                if cut is not None:
                    try:
                        seq = await self.block_log.append_block(judged, cut.built.encoded)
                    except BlockConflictError as exc:
                        self.conflicts += 1
                        log.info("block %d not taken: %s", cut.built.header.height, exc)
                        await ledger.run(ledger.drop)
                        return
                    except PayloadTooLargeError as exc:
                        # The size estimate fell short (it should not): smaller blocks from now on.
                        self._bytes_max = max(BLOCK_BYTES_FLOOR, self._bytes_max // 2)
                        log.error("block %d too large (%s): blocks now up to %d bytes", cut.built.header.height,
                                  exc, self._bytes_max)
                        await ledger.run(ledger.drop)
                        return
                    except (OrderingError, nats.errors.Error) as exc:
                        # Maybe stored, maybe not: forget it and let the follower read what the stream holds.
                        log.warning("appending block %d failed: %r", cut.built.header.height, exc)
                        await ledger.run(ledger.drop)
                        return
                    header = cut.built.header
                    log_ts_ms = await self.block_log.stored_at_ms(seq)
                    reason = check_block_time(header, log_ts_ms, 0, ledger.node.state.policy.block_time_skew_ms)
                    if not log_ts_ms or reason:
                        # Every follower refuses this block: so does its cutter, which then stands down.
                        await ledger.run(ledger.drop)
                        ledger.refuse(seq, header.height, cut.built.hash, reason or "no ordering-log time")
                        self._stand_down(reason or "no ordering-log time for its block")
                        await self.keeper.release()
                        return
                    await ledger.run(ledger.keep, cut, seq, log_ts_ms)
                    self.blocks_cut += 1
                    judged = seq
            cursor = gathered.last_seq + 1

    async def _resume_at(self, covered: int, verified: int, claims: list[tuple[int, int]]) -> int | None:
        """The transactions-stream entry to read from: the one after what the chain covers, or after the
        stream's end when the last block claims entries the stream does not hold yet. Such a block comes only
        from a cutter that lied (an honest one covers what it read); believed, every transaction published
        from now until that far entry would be passed over by every cutter after it.

        Nor does a cutter go back when the last block claims less than earlier ones (a lie as well): believed,
        it put every transaction the stream holds (7 days of them) into blocks again. It resumes after the
        highest claim the stream held by the time of its block (``claims``: (claim, the blocks stream's time
        for that block)), or ``verified``, the highest one found so before."""
        try:
            last = await self.tx_log.last_seq()  # read after ``covered``: an honest block never covers more
            high = await self._highest_held(verified, claims, last)
        except (OrderingError, nats.errors.Error) as exc:
            log.info("cannot read the transactions stream: %r", exc)
            await asyncio.sleep(POLL_S)
            return None
        if covered > last:
            log.warning("the last block claims to cover transactions-stream entries up to %d, but the stream "
                        "ends at %d: cutting from its end", covered, last)
            return last + 1
        if covered < high:
            log.warning("the last block claims to cover transactions-stream entries up to %d, but the chain "
                        "covered %d: cutting from there", covered, high)
        return max(covered, high) + 1

    async def _highest_held(self, verified: int, claims: list[tuple[int, int]], last: int) -> int:
        """The highest claim above ``verified`` whose entry the stream held when its block was stored."""
        for claim, block_ts_ms in sorted(claims, reverse=True):
            if claim <= verified:
                break
            if claim > last:
                continue
            found = await self.tx_log.read_txs(claim, max_count=1, max_wait_ms=1)
            # Gone (past the stream's max age) or stored before the block (the two streams' servers' clocks
            # may differ a little): the claim stands.
            if not found or found[0].seq != claim or found[0].ts_ms <= block_ts_ms + CLAIM_CLOCK_SLACK_MS:
                return claim
        return verified

    def fit(self) -> bool:
        """False for a while after this cutter's own block was refused (its clock runs ahead of the log)."""
        return self.clock_ms() >= self.unfit_until_ms

    def _stand_down(self, reason: str) -> None:
        self.unfit_until_ms = self.clock_ms() + STAND_DOWN_MS
        self.unfit_reason = reason
        log.error("this peer's block was refused (%s): not cutting for %d ms; check its clock", reason,
                  STAND_DOWN_MS)

    def _deadline_due(self) -> bool:
        """A pending transfer's deadline has passed (the heap may hold stale entries: one empty block more)."""
        deadlines = self.ledger.node.state.pending_deadlines
        try:
            return deadlines[0][0] <= self.clock_ms()
        except IndexError:  # none, or the ledger thread emptied the heap meanwhile
            return False

    async def _gather(self, cursor: int) -> Gathered | None:
        """The next block's transactions: whole stream messages from ``cursor`` on, within the limits."""
        s = self.settings
        entries = list(self._carry)
        self._carry.clear()
        next_seq = entries[-1].seq + 1 if entries else cursor
        if not entries:
            entries = await self._read(next_seq, IDLE_WAIT_MS)
            if not entries:
                return None
            next_seq = entries[-1].seq + 1
        deadline = time.monotonic() + s.block_interval_ms / 1000
        counted = [len(decode_batch(e.payload)) for e in entries]
        while sum(counted) < s.block_txs_max and sum(len(e.payload) for e in entries) < self._bytes_max:
            remaining_ms = int((deadline - time.monotonic()) * 1000)
            if remaining_ms <= 0:
                break
            more = await self._read(next_seq, remaining_ms)
            if more:
                entries += more
                counted += [len(decode_batch(e.payload)) for e in more]
                next_seq = more[-1].seq + 1
        return self._fit(entries)

    def _fit(self, entries: list[LogEntry]) -> Gathered:
        """Take whole messages while they fit in one block; keep the rest for the next one. A message that
        is not a batch, or that no block could hold (honest publishers never make one: their batches are
        capped at the block's limits), is refused whole, logged and counted, never cut short."""
        s = self.settings
        raws: list[bytes] = []
        size = BLOCK_FIXED_BYTES
        taken = 0
        for entry in entries:
            txs = decode_batch(entry.payload)
            need = sum(len(raw) + ENVELOPE_BYTES + RESULT_BYTES for raw in txs)
            if not txs or len(txs) > s.block_txs_max or BLOCK_FIXED_BYTES + need > self._bytes_max:
                self.refused_messages += 1
                log.warning("refused transactions-stream message %d: %s", entry.seq,
                            "not a transactions batch" if not txs else f"{len(txs)} transactions, "
                            f"{need} bytes: more than one block holds")
                taken += 1
                continue
            if raws and (len(raws) + len(txs) > s.block_txs_max or size + need > self._bytes_max):
                break
            raws += txs
            size += need
            taken += 1
        self._carry.extend(entries[taken:])
        return Gathered(entries[0].seq, entries[taken - 1].seq, raws)

    async def _read(self, from_seq: int, wait_ms: int) -> list[LogEntry]:
        try:
            return await self.tx_log.read_txs(from_seq, max_count=READ_MSGS_MAX, max_wait_ms=max(1, wait_ms))
        except (OrderingError, nats.errors.Error) as exc:
            log.info("reading the transactions stream failed: %r", exc)
            await asyncio.sleep(POLL_S)
            return []
