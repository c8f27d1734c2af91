"""Awaiting a store write from async code: the job's result, or why there is none, as a refusal."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from inzira.api.codes import ApiCode
from inzira.qr.ledger_port import wait_future
from inzira.qr.rejected import Rejected, rejected
from inzira.qr.store.writer import StoreWriter, WriterBusy, WriterStopped, WriteTx

T = TypeVar("T")
LATE = "the service's store did not answer in time"
_LATE = object()  # no answer within the wait


async def write(writer: StoreWriter, job: Callable[[WriteTx], T], timeout_s: float) -> T | Rejected:
    """The job's result; past ``timeout_s`` a refusal, though the job may still be written later."""
    future = _submit(writer, job)
    return future if isinstance(future, Rejected) else await _result(future, timeout_s)


async def write_or_withdraw(writer: StoreWriter, job: Callable[[WriteTx], T], timeout_s: float) -> T | Rejected:
    """As ``write``, for a change whose outcome the caller must learn (a new token is shown once, in the answer):
    a job the writer has not started by ``timeout_s`` is withdrawn and will change nothing, and the refusal says
    so; one it has started (its commit is under way) is waited for once more."""
    gate = threading.Lock()
    started = withdrawn = False

    def guarded(tx: WriteTx) -> T | None:
        nonlocal started
        with gate:
            if withdrawn:
                return None  # nobody waits for it any more
            started = True  # a batch rolled back runs its jobs again: this one too, as started
        return job(tx)

    future = _submit(writer, guarded)
    if isinstance(future, Rejected):
        return future
    result = await _wait(future, timeout_s)
    if result is _LATE:
        with gate:
            withdrawn = not started
        if withdrawn:
            return rejected(ApiCode.TIMEOUT, f"{LATE}: nothing was changed, retry")
        result = await _wait(future, timeout_s)
    return rejected(ApiCode.TIMEOUT, LATE) if result is _LATE else result  # type: ignore[return-value]


async def _result(future: "Future[T]", timeout_s: float) -> T | Rejected:
    result = await _wait(future, timeout_s)
    return rejected(ApiCode.TIMEOUT, LATE) if result is _LATE else result  # type: ignore[return-value]


async def _wait(future: "Future[T]", timeout_s: float) -> T | Rejected | object:
    """The job's result, a refusal when the writer stopped, or ``_LATE``."""
    try:
        result = await wait_future(future, timeout_s)
    except WriterStopped as exc:
        return _stopped(exc)
    return _LATE if result is None and not future.done() else result


def _submit(writer: StoreWriter, job: Callable[[WriteTx], T]) -> "Future[T] | Rejected":
    try:
        return writer.submit(job)
    except WriterBusy:
        return rejected(ApiCode.BUSY, "the service is busy: retry shortly")
    except WriterStopped as exc:
        return _stopped(exc)


def _stopped(exc: WriterStopped) -> Rejected:
    return rejected(ApiCode.UNAVAILABLE, f"the service's store is not writable: {exc}")
