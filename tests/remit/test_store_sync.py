"""The remittance store's group commit: a unit is on disk (its WAL synced) before ``durable()`` returns, and
the service's loop keeps reading and writing while the disk flushes."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pytest

from inzira.remit.store import db as db_module
from inzira.remit.store.db import Db

TIMEOUT_S = 10.0


def test_durable_returns_after_the_wal_is_synced_and_reads_go_on_meanwhile(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    store = Db(tmp_path / "remit.db")
    wal = os.stat(tmp_path / "remit.db-wal")
    flushing, release = threading.Event(), threading.Event()
    synced: list[int] = []
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        if os.fstat(fd).st_ino == wal.st_ino:  # the WAL: hold the flush until the test has looked around
            flushing.set()
            release.wait(TIMEOUT_S)
            synced.append(os.fstat(fd).st_size)
        real_fsync(fd)

    monkeypatch.setattr(db_module.os, "fsync", slow_fsync)
    try:
        with store.tx() as conn:
            conn.execute("INSERT INTO thresholds VALUES ('a:rwf', 'a', 1)")

        async def scenario() -> None:
            durable = asyncio.get_running_loop().create_task(store.durable())
            assert await asyncio.to_thread(flushing.wait, TIMEOUT_S)  # committed, now being synced
            # The disk is flushing: reads and new units still go through, and nobody is told "durable" yet.
            assert store.row("SELECT threshold_minor FROM thresholds WHERE account = 'a:rwf'") == (1,)
            with store.tx() as conn:
                conn.execute("INSERT INTO thresholds VALUES ('b:rwf', 'b', 2)")
            await asyncio.sleep(0.05)
            assert not durable.done()
            release.set()
            await asyncio.wait_for(durable, TIMEOUT_S)

        asyncio.run(scenario())
        assert synced and synced[0] > 0  # the WAL holding the unit was synced before durable() returned
    finally:
        release.set()
        store.close()
