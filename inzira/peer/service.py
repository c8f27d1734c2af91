"""A member's peer on the JetStream network, assembled: node, follower, cutter, checkpoints, runtime.

    peer = Peer(folder)          # opens the node (its own SQLite store) and the runtime
    peer.start()                 # its event loop on a thread: NATS, follower, cutter, publisher, checkpoints
    peer.wait_ready(timeout_s)   # caught up with the blocks stream
    ...
    peer.stop()

The event loop only moves bytes; the node changes on the ledger thread (``PeerLedger``). A peer that
fails (its node stops on an error, a task dies) or diverges from a quorum of peers stops taking traffic and
says why in ``problem()``; a diverged cutter gives up the lease.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path

from nats.aio.client import Client as NATS

from inzira.api.routes.meta import FAILED_WITHHELD
from inzira.crypto.verifier_pool import Verifier
from inzira.http.closing import aclose_each
from inzira.node.custody import MemberPort
from inzira.node.node import Node
from inzira.node.reader import load_genesis
from inzira.ordering.jetstream import (
    BlockLog,
    CheckpointLog,
    CutterLease,
    RetryPolicy,
    TxLog,
    check_streams,
    connect,
)
from inzira.ordering.outcome import Stopped
from inzira.peer.agreement import Agreement
from inzira.peer.announcer import Announcer, AnnouncerSettings
from inzira.peer.checkpoints import CheckpointQuota, open_checkpoint
from inzira.peer.config import (
    SNAPSHOTS_DIR,
    PeerConfig,
    load_api_token,
    load_config,
    load_member_key,
    load_orderer_key,
    nats_credentials,
)
from inzira.peer.cutter import Cutter, CutterSettings
from inzira.peer.folder_lock import FolderLock
from inzira.peer.follower import Follower
from inzira.peer.inflight import Inflight
from inzira.peer.ledger_thread import PeerLedger, Rejection
from inzira.peer.lease_keeper import LeaseKeeper, wall_clock_ms
from inzira.peer.outbox import Outbox
from inzira.peer.tx_batch import TX_BATCH_TXS_MAX
from inzira.peer.publisher import Publisher
from inzira.peer.runtime import PeerRuntime
from inzira.peer.snapshot_sync import SnapshotSync
from inzira.peer.snapshots import SnapshotFiles
from inzira.tasks import end_tasks

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 8.0
# What anyone but a member reads for a peer's problem besides a failed node (FAILED_WITHHELD): its kind.
DIVERGED_WORD = "peer_diverged"
STOPPED_WORD = "peer_stopped"

log = logging.getLogger(__name__)


class Peer:
    def __init__(self, folder: Path) -> None:
        """The peer of the member named in the folder's peer.json, holding that member's key only: the
        member's services sign through ``port``."""
        self.folder = folder
        self.config = config = load_config(folder)
        self.member = config.member
        self._lock = FolderLock.take(folder)  # before the store opens: one process per folder
        try:
            self._init(folder, config)
        except BaseException:
            self._lock.release()
            raise

    def _init(self, folder: Path, config: PeerConfig) -> None:
        self.genesis = load_genesis(folder)
        self.key = load_member_key(folder, config.member)
        self.orderer_key = load_orderer_key(folder, config.orderer_id) if config.orderer_id else None
        self.ordering = config.ordering(self.genesis)
        # Only members reach NATS: this member's own user, checked now rather than at the first connection.
        self.nats_credentials = nats_credentials(folder, config.member, self.ordering)
        self.nats_credentials.check()
        self.node = Node(folder, Verifier(config.verify_workers or None))
        self.inflight = Inflight(self.node.locate)
        self.outbox = Outbox(batch_txs_max=min(TX_BATCH_TXS_MAX, config.block_txs_max))
        self.node.commit_hooks.append(self.inflight.on_block)
        self.agreement = Agreement(config.member, config.agreement_quorum, lambda h: self.ledger.hashes_at(h))
        self.checkpoint_quota = CheckpointQuota()
        self.api_url = ""
        self.snapshot_files = SnapshotFiles(folder / SNAPSHOTS_DIR, config.snapshots_kept, self.node.chain_id)
        self.announcer = Announcer(
            self.node, AnnouncerSettings(config.member, self.key, config.snapshot_every_blocks,
                                         config.checkpoint_heartbeat_ms),
            self.snapshot_files, self.agreement, self._last_rejection, lambda: self.api_url)
        self.ledger = PeerLedger(self.node, self.agreement, self.announcer.on_block)
        self.announcer.start_from(self.node.height, self.ledger.processed_seq, self.ledger.source_last)
        tokens = {load_api_token(folder, config.member): config.member}
        self.runtime = PeerRuntime(self.node, config.member, tokens, self.inflight, self.outbox, self.problem)
        self.port = MemberPort(self.runtime, config.member, self.key)
        self.crashed: str | None = None
        self.nc: NATS | None = None
        self.follower: Follower | None = None
        self.cutter: Cutter | None = None
        self.keeper: LeaseKeeper | None = None
        self.publisher: Publisher | None = None
        self.snapshot_sync: SnapshotSync | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._ended = threading.Event()

    # --- life cycle (any thread) ---

    def start(self) -> "Peer":
        self._thread = threading.Thread(target=self._run_loop, name=f"peer-{self.member}", daemon=True)
        self._thread.start()
        return self

    def wait_ready(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Return once the peer judged every block the stream held when it started; raise if it cannot."""
        deadline = time.monotonic() + timeout_s
        while not self._ready.wait(0.1):
            if self._ended.is_set() or time.monotonic() > deadline:
                raise RuntimeError(f"peer {self.member} not ready: {self.problem() or 'timed out'}")

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def stop(self) -> None:
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(stopping.set)
            except RuntimeError:
                pass
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_S)
            if self._thread.is_alive():  # a loaded machine: its loop still closes its connections on its own
                log.warning("peer %s: its event loop had not ended %s s after the stop", self.member, STOP_TIMEOUT_S)
        self.ledger.close()
        self.node.close()
        self._lock.release()

    def problem(self) -> str | None:
        """Why this peer takes no traffic now, or None: for its members' eyes (``problem_word`` for others)."""
        found = self._problem()
        return found[1] if found else None

    def problem_word(self) -> str | None:
        """The kind of ``problem()`` as a fixed word, what anyone may read: the reason is an exception's text."""
        found = self._problem()
        return found[0] if found else None

    def _problem(self) -> tuple[str, str] | None:
        if self.node.failed:
            return FAILED_WITHHELD, f"the node stopped: {self.node.failed}"
        if self.agreement.diverged:
            return DIVERGED_WORD, f"this peer disagrees with the other peers: {self.agreement.diverged}"
        if self.crashed:
            return STOPPED_WORD, f"the peer stopped: {self.crashed}"
        return None

    def holding_lease(self) -> bool:
        return self.keeper is not None and self.keeper.holding()

    def _last_rejection(self) -> Rejection | None:
        rejections = self.ledger.rejections
        return rejections[-1] if rejections else None

    def _member_keys(self) -> dict[str, tuple[bytes, ...]]:
        return self.node.state.member_keys()

    # --- the event loop ---

    def _run_loop(self) -> None:
        try:
            runner = _new_runner()
            with runner:
                runner.run(self._main())
        except Exception as exc:  # noqa: BLE001 (reported as the peer's problem, never swallowed silently)
            log.exception("peer %s stopped on an error", self.member)
            self.crashed = self.crashed or repr(exc)
        finally:
            self._ended.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        cfg = self.config
        nc = self.nc = await connect(cfg.nats_urls, f"inzira-peer-{self.member}", credentials=self.nats_credentials)
        tasks: list[asyncio.Task[None]] = []
        try:
            await check_streams(nc, self.ordering)  # the operator creates them; a member may not
            tx_log, block_log = TxLog(nc, self.ordering, member=self.member), BlockLog(nc, self.ordering)
            checkpoint_log = CheckpointLog(nc, self.ordering)
            self.announcer.bind(self._loop, checkpoint_log)
            self.outbox.bind(self._loop)
            self.publisher = Publisher(self.outbox, self.inflight, TxLog(nc, self.ordering, member=self.member))
            self.snapshot_sync = SnapshotSync(self.ledger, checkpoint_log, self.genesis, self.member, self.key,
                                              cfg.agreement_quorum, self._member_keys, wall_clock_ms)
            self.follower = Follower(self.ledger, block_log, self.snapshot_sync.catch_up)
            await checkpoint_log.subscribe(self._on_checkpoint)
            tasks += [self._task(self.publisher.run(), "publisher"), self._task(self.follower.run(), "follower"),
                      self._task(self.announcer.heartbeat(), "heartbeat"), self._task(self._watch_ready(), "ready")]
            if self.orderer_key is not None:
                tasks += await self._start_cutter(tx_log, block_log)
            await self._stopping.wait()
            if self.keeper is not None:
                await self.keeper.release()
        finally:
            await end_tasks(tasks)
            self.inflight.fail_all(Stopped("the peer stopped"))
            downloads = [self.snapshot_sync.aclose] if self.snapshot_sync is not None else []
            await aclose_each([*downloads, nc.close])  # the ordering connection goes even if the pool does not

    async def _start_cutter(self, tx_log: TxLog, block_log: BlockLog) -> list[asyncio.Task[None]]:
        cfg = self.config
        if self.orderer_key is None or self.nc is None:
            return []
        # Short retries: a lease write that hangs while the bucket elects a leader must not outlast the lease.
        policy = RetryPolicy(attempt_timeout_ms=500, deadline_ms=max(500, cfg.lease_ttl_ms // 2))
        lease = await CutterLease.open(self.nc, self.ordering, policy)
        self.keeper = LeaseKeeper(lease, cfg.orderer_id, cfg.lease_ttl_ms, self._may_cut)
        settings = CutterSettings(cfg.orderer_id, self.orderer_key, cfg.block_txs_max, cfg.block_interval_ms,
                                  self.ordering.max_payload_bytes)
        skew_ms = cfg.clock_skew_ms
        self.cutter = Cutter(self.ledger, tx_log, block_log, self.keeper, settings,
                             lambda: wall_clock_ms() + skew_ms)
        return [self._task(self.keeper.run(), "lease"), self._task(self.cutter.run(), "cutter")]

    def _may_cut(self) -> bool:
        fit = self.cutter is None or self.cutter.fit()
        return fit and self.ready and self.problem() is None and not (self._stopping and self._stopping.is_set())

    async def _watch_ready(self) -> None:
        if self.follower is not None:
            await self.follower.caught_up.wait()
            self._ready.set()
            log.info("peer %s caught up at height %d", self.member, self.node.height)

    async def _on_checkpoint(self, peer: str, _snapshot: bool, payload: bytes) -> None:
        if peer == self.member or not self.checkpoint_quota.take(peer, time.monotonic()):
            return
        checkpoint = open_checkpoint(payload, self.node.chain_id, self._member_keys())
        if checkpoint is None or checkpoint.member != peer:
            return
        self.agreement.on_checkpoint(checkpoint)
        if self.agreement.diverged and self.keeper is not None and self.keeper.lease is not None:
            await self.keeper.release()

    def _task(self, coro: object, name: str) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        task.set_name(name)
        task.add_done_callback(self._on_task_done)
        return task

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("peer task %s died: %r", task.get_name(), exc, exc_info=exc)
            self.crashed = self.crashed or f"{task.get_name()}: {exc!r}"
            if self._stopping is not None:
                self._stopping.set()


def _new_runner() -> asyncio.Runner:
    try:
        import uvloop  # libuv's loop: cheaper I/O for a process that moves megabytes of blocks a second
    except ImportError:
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)
