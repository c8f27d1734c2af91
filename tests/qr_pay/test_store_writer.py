"""The store's writer: jobs share a commit, a failing job loses nobody else's changes, nothing is announced
before it is durable, and new work is refused (never verdicts) when too much waits."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from inzira.api.codes import ApiCode
from inzira.qr.rejected import Rejected
from inzira.qr.store.awaiting import write, write_or_withdraw
from inzira.qr.store.writer import StoreWriter, WriterBusy, WriteTx

TIMEOUT_S = 10.0


def _insert(wallet_id: str) -> Callable[[WriteTx], str]:
    def job(tx: WriteTx) -> str:
        tx.execute("INSERT INTO wallets (id, issuer, currency, account, token_digest, created_at_ms) "
                   "VALUES (?, 'silkpay', 'CNY', ?, x'00', 0)", (wallet_id, f"silkpay:w-{wallet_id}"))
        return wallet_id

    return job


def _broken(tx: WriteTx) -> None:
    _insert("half")(tx)
    raise RuntimeError("a bug half-way through a job")


@pytest.fixture
def blocked(tmp_path: Path) -> Iterator[tuple[StoreWriter, threading.Event]]:
    """A running writer held busy by a first job until the event is set: what is queued meanwhile is one batch."""
    writer = StoreWriter(str(tmp_path / "qr.db"), queue_jobs_max=6, batch_jobs_max=100)
    writer.start()
    gate, holding = threading.Event(), threading.Event()
    writer.submit(lambda tx: (holding.set(), gate.wait(TIMEOUT_S)))
    holding.wait(TIMEOUT_S)
    try:
        yield writer, gate
    finally:
        gate.set()
        writer.stop()


def test_a_failing_job_loses_only_its_own_changes(blocked: tuple[StoreWriter, threading.Event]) -> None:
    writer, gate = blocked
    announced: list[str] = []
    first, broken, second = writer.submit(_insert("a")), writer.submit(_broken), writer.submit(_insert("b"))
    last = writer.submit(lambda tx: tx.after_commit(lambda: announced.append("after")))
    gate.set()
    assert first.result(TIMEOUT_S) == "a" and second.result(TIMEOUT_S) == "b"
    with pytest.raises(RuntimeError):
        broken.result(TIMEOUT_S)
    last.result(TIMEOUT_S)
    rows = sqlite3.connect(writer.path).execute("SELECT id FROM wallets ORDER BY id").fetchall()
    assert rows == [("a",), ("b",)] and announced == ["after"]


def test_new_work_is_refused_when_too_much_waits(blocked: tuple[StoreWriter, threading.Event]) -> None:
    writer, gate = blocked
    waiting = [writer.submit(_insert(str(i))) for i in range(6)]
    with pytest.raises(WriterBusy):
        writer.submit(_insert("refused"))
    verdict = writer.settle(_insert("verdict"))  # the outcome of admitted work is always taken
    gate.set()
    assert [f.result(TIMEOUT_S) for f in waiting] == [str(i) for i in range(6)]
    assert verdict.result(TIMEOUT_S) == "verdict"


def _rows(writer: StoreWriter) -> list[tuple[str]]:
    return sqlite3.connect(writer.path).execute("SELECT id FROM wallets ORDER BY id").fetchall()


def test_a_change_withdrawn_when_late_is_never_written(blocked: tuple[StoreWriter, threading.Event]) -> None:
    """A new token is shown once: a 504 for its rotation must mean the old token still works, so a job still
    queued when the wait ends is withdrawn, not written later, while an ordinary write still is."""
    writer, gate = blocked
    withdrawn = asyncio.run(write_or_withdraw(writer, _insert("withdrawn"), 0.05))
    late = asyncio.run(write(writer, _insert("late"), 0.05))
    assert isinstance(withdrawn, Rejected) and withdrawn.code == ApiCode.TIMEOUT
    assert "nothing was changed" in withdrawn.detail
    assert isinstance(late, Rejected) and "nothing was changed" not in late.detail
    gate.set()
    writer.submit(_insert("z")).result(TIMEOUT_S)  # everything queued before it is written or withdrawn
    assert _rows(writer) == [("late",), ("z",)]


def test_a_change_already_started_when_late_is_waited_for(tmp_path: Path) -> None:
    """Started by the writer, the change is under way: the caller waits for it once more instead of answering
    that nothing changed."""
    writer = StoreWriter(str(tmp_path / "qr.db"), queue_jobs_max=6, batch_jobs_max=100)
    writer.start()
    started, release = threading.Event(), threading.Event()

    def slow(tx: WriteTx) -> str:
        started.set()
        release.wait(TIMEOUT_S)
        return _insert("slow")(tx)

    def releaser() -> None:  # past the first wait (1 s), well within the second
        if started.wait(TIMEOUT_S):
            time.sleep(1.4)
        release.set()

    threading.Thread(target=releaser, daemon=True).start()
    try:
        assert asyncio.run(write_or_withdraw(writer, slow, 1.0)) == "slow"
        assert asyncio.run(write_or_withdraw(writer, _insert("quick"), TIMEOUT_S)) == "quick"
        assert _rows(writer) == [("quick",), ("slow",)]
    finally:
        release.set()
        writer.stop()
