"""Awaiting a store write from async code: the job's result, or why there is none, as a refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from inzira.api.codes import ApiCode
from inzira.qr.ledger_port import wait_future
from inzira.qr.rejected import Rejected, rejected
from inzira.qr.store.writer import StoreWriter, WriterBusy, WriterStopped, WriteTx

T = TypeVar("T")


async def write(writer: StoreWriter, job: Callable[[WriteTx], T], timeout_s: float) -> T | Rejected:
    try:
        future = writer.submit(job)
    except WriterBusy:
        return rejected(ApiCode.BUSY, "the service is busy: retry shortly")
    except WriterStopped as exc:
        return rejected(ApiCode.UNAVAILABLE, f"the service's store is not writable: {exc}")
    try:
        result = await wait_future(future, timeout_s)
    except WriterStopped as exc:
        return rejected(ApiCode.UNAVAILABLE, f"the service's store is not writable: {exc}")
    if result is None and not future.done():
        return rejected(ApiCode.TIMEOUT, "the service's store did not answer in time")
    return result  # type: ignore[return-value]
