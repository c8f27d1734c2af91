"""Sending a stored operation (payment, refund, top-up) to the ledger and writing its verdict back.

The record is stored as ``submitted`` with its signed bytes before the transaction leaves, so a crash at any
point is recovered from the chain (``recovery``). The verdict is written by the store writer from the
orderer's callback, not by the HTTP request: a visitor who closes the page mid-payment still gets a
settled payment, and the merchant still hears of it.

Settling is idempotent: only a record still ``submitted`` changes, so a live verdict and a recovery racing
for the same record cannot both apply it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from inzira.api.codes import ApiCode
from inzira.ledger.codes import Code
from inzira.node.node import NodeError
from inzira.ordering.outcome import Outcome, Stopped
from inzira.qr.ledger_port import LedgerPort, Pending, SignedTx, wait_future
from inzira.qr.records import COMPLETED, FAILED, columns
from inzira.qr.rejected import Rejected, rejected
from inzira.qr.store.writer import StoreWriter, WriterStopped, WriteTx

T = TypeVar("T")
SettleJob = Callable[[WriteTx, Outcome], T]


def committed(outcome: Outcome) -> bool:
    return outcome.code == Code.OK and outcome.height > 0


def mark(tx: WriteTx, table: str, record: type, record_id: str, outcome: Outcome, now_ms: int) -> tuple[Any, bool]:
    """Record the verdict on a submitted record: (the record as it now is, whether this call changed it). A
    record already settled (by a racing recovery) is left as it is. The signed bytes, kept for recovery, go:
    the chain holds the transaction now (or it never will)."""
    status = COMPLETED if committed(outcome) else FAILED
    row = tx.execute(f"UPDATE {table} SET status = ?, code = ?, height = ?, settled_at_ms = ?, raw_tx = NULL "
                     f"WHERE id = ? AND status = 'submitted' RETURNING {columns(record)}",
                     (status, int(outcome.code), outcome.height, now_ms, record_id)).fetchone()
    if row is not None:
        return record(*row), True
    return record(*tx.execute(f"SELECT {columns(record)} FROM {table} WHERE id = ?", (record_id,)).fetchone()), False


async def settled(future: "Future[T]", timeout_s: float, **extra: Any) -> T | Rejected:
    """The settled record, or why it is not settled yet (it will be: the verdict is written whenever it comes,
    so the caller can read the record again later)."""
    try:
        result = await wait_future(future, timeout_s)
    except (NodeError, Stopped, WriterStopped) as exc:
        return rejected(ApiCode.UNAVAILABLE, f"the ledger or the store stopped: {exc}", **extra)
    if result is None:
        return rejected(ApiCode.TIMEOUT, "still waiting for the ledger's verdict: read the record again shortly",
                        **extra)
    return result


def forward(source: "Future[Any]", target: "Future[Any]") -> None:
    """Pass a resolved future's result (or exception) on to another."""
    if not target.set_running_or_notify_cancel():
        return
    error = source.exception()
    if error is None:
        target.set_result(source.result())
    else:
        target.set_exception(error)


class Settlement:
    def __init__(self, port: LedgerPort, writer: StoreWriter) -> None:
        self.port = port
        self.writer = writer

    def launch_on_commit(self, tx: WriteTx, signed: SignedTx, settle: SettleJob[T]) -> "Future[T]":
        """Submit ``signed`` once the job storing its record commits; the future holds what ``settle`` returns
        once the verdict is written. Launching from the commit, not from the request, means no request that
        is cancelled half-way can leave a record claimed but never sent."""
        result: Future[T] = Future()

        def launch() -> None:
            verdict = self.port.submit(signed.raw)
            if isinstance(verdict, Rejected):  # refused before ordering (busy, stopped): a verdict all the same
                self._write(Outcome(signed.tx_id, verdict.code), settle, result)
            else:
                self.follow(verdict, settle, result)

        tx.after_commit(launch)
        return result

    def follow(self, verdict: Pending[Outcome], settle: SettleJob[T], result: "Future[T]") -> None:
        """When ``verdict`` resolves, write it with ``settle`` and pass the settled record on to ``result``."""

        def on_verdict(done: Pending[Outcome]) -> None:  # on the orderer's thread: never block here
            try:
                outcome = done.result()
            except Exception as exc:  # the node stopped: the record stays submitted until recovery
                if result.set_running_or_notify_cancel():
                    result.set_exception(exc)
                return
            self._write(outcome, settle, result)

        verdict.add_done_callback(on_verdict)

    def _write(self, outcome: Outcome, settle: SettleJob[T], result: "Future[T]") -> None:
        try:
            written = self.writer.settle(lambda tx: settle(tx, outcome))
        except WriterStopped as exc:
            if result.set_running_or_notify_cancel():
                result.set_exception(exc)
            return
        written.add_done_callback(lambda w: forward(w, result))
