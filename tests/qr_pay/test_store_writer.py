"""The store's writer: jobs share a commit, a failing job loses nobody else's changes, nothing is announced
before it is durable, and new work is refused (never verdicts) when too much waits."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

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
