"""Submitting signed transactions: check who may push them, hand them to the runtime, await the verdict.

A member may only submit transactions whose body names it as the submitter (403, code 4300): it cannot
push another member's signed transactions. The signatures themselves are the ledger's to judge: a wrong one
is a verdict in a block (3105), like every other rejection, with a receipt that proves it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from inzira.api.codes import ApiCode, title_of, verdict_status
from inzira.api.context import ApiContext
from inzira.api.problems import Problem
from inzira.api.visibility import Caller
from inzira.ledger.codes import Code, describe
from inzira.ledger.encoding import DecodeError, ValidationError
from inzira.ledger.tx import TX_BYTES_MAX, decode_body, decode_signed, tx_id_of
from inzira.node.node import Node, NodeError
from inzira.ordering.outcome import Busy, Outcome, Stopped, Ticket

# The ledger's own ceiling on a signed transaction (inzira.ledger.apply.prepare refuses above it).


@dataclass(frozen=True, slots=True)
class Started:
    """A transaction handed to the runtime, on its way into a block."""

    tx_id: bytes
    future: Ticket


def tx_path(tx_id: bytes) -> str:
    return f"/v1/transactions/{tx_id.hex()}"


def decode_base64(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Problem(400, Code.VALIDATION, f"{where} is not valid base64") from None


def check(ctx: ApiContext, caller: Caller, raw: bytes) -> bytes | Problem:
    """The transaction's id if ``caller`` may submit it, else the problem that refuses it."""
    if len(raw) > TX_BYTES_MAX:
        return Problem(413, Code.TOO_LARGE, f"a signed transaction is at most {TX_BYTES_MAX} bytes")
    try:
        signed = decode_signed(raw)
        body = decode_body(signed.body)
    except (DecodeError, ValidationError):
        return Problem(400, Code.MALFORMED, "the bytes do not decode to a signed transaction")
    tx_id = tx_id_of(signed.body)
    if not signed.sigs:
        return Problem(400, Code.BAD_SIGNATURE, "the transaction carries no signature", tx_id=tx_id.hex())
    if body.submitter != caller.member:
        return Problem(403, Code.PERMISSION,
                       f"the transaction names {body.submitter!r} as its submitter: {caller.member} submits only "
                       "its own transactions", tx_id=tx_id.hex())
    return tx_id


def hand_over(ctx: ApiContext, raw: bytes, tx_id: bytes) -> Started | Problem:
    """Submit to the runtime. May block up to a second when the mempool is full: run in a worker thread."""
    try:
        future = ctx.runtime.submit(raw)
    except Busy:
        return Problem(503, ApiCode.BUSY, "the ledger is busy: retry later", tx_id=tx_id.hex(),
                       headers={"Retry-After": str(ctx.settings.retry_after_s)})
    except Stopped as exc:
        return Problem(503, ApiCode.UNAVAILABLE, f"the ledger is not taking transactions: {exc}", tx_id=tx_id.hex())
    ctx.metrics.submitted.inc()
    return Started(tx_id, future)


def start(ctx: ApiContext, caller: Caller, raw: bytes) -> Started | Problem:
    checked = check(ctx, caller, raw)
    return checked if isinstance(checked, Problem) else hand_over(ctx, raw, checked)


def start_many(ctx: ApiContext, caller: Caller, raws: list[bytes]) -> list[Started | Problem]:
    """Submit in order; once the runtime is busy or stopped, refuse the rest at once instead of waiting on
    each in turn."""
    out: list[Started | Problem] = []
    refusal: Problem | None = None
    for raw in raws:
        checked = check(ctx, caller, raw)
        if isinstance(checked, Problem):
            out.append(checked)
        elif refusal is not None:
            out.append(Problem(refusal.status, refusal.code, refusal.detail, headers=refusal.headers,
                               tx_id=checked.hex()))
        else:
            started = hand_over(ctx, raw, checked)
            refusal = started if isinstance(started, Problem) else None
            out.append(started)
    return out


async def wait_for_verdicts(futures: Sequence[Ticket], timeout_s: float) -> None:
    """Return once every future is resolved, or after ``timeout_s``, without blocking the event loop.

    The runtime's futures are watched through callbacks, never wrapped into asyncio futures: giving up
    (timeout, client gone) can then never cancel them. The orderer owns them and still has to resolve them,
    and other submitters of the same transaction may share them. One loop future for the whole set keeps a
    batch of 1,000 cheap.
    """
    if not futures:
        return
    loop = asyncio.get_running_loop()
    all_done: asyncio.Future[None] = loop.create_future()
    remaining = len(futures)
    lock = threading.Lock()

    def finish() -> None:
        if not all_done.done():
            all_done.set_result(None)

    def one_done(_: Ticket) -> None:  # on the orderer's thread, or here if already done
        nonlocal remaining
        with lock:
            remaining -= 1
            last = remaining == 0
        if last:
            try:
                loop.call_soon_threadsafe(finish)
            except RuntimeError:  # the loop is closed: nobody is waiting any more
                pass

    for future in futures:
        future.add_done_callback(one_done)
    try:
        await asyncio.wait_for(all_done, timeout_s)
    except TimeoutError:
        pass


def verdict_of(started: Started) -> Outcome | Problem:
    """The outcome of a submitted transaction once the wait is over, or why there is none."""
    future = started.future
    if not future.done():
        return not_in_time(started)
    if future.cancelled():
        return failed(RuntimeError("the runtime cancelled the submission"))
    exc = future.exception()
    return failed(exc) if exc is not None else future.result()


def not_in_time(started: Started) -> Problem:
    path = tx_path(started.tx_id)
    return Problem(504, ApiCode.TIMEOUT, f"no verdict in time; the transaction may still commit: poll {path}",
                   headers={"Location": path}, tx_id=started.tx_id.hex(), location=path)


def failed(exc: BaseException) -> Problem:
    if isinstance(exc, (NodeError, Stopped)):
        return Problem(503, ApiCode.UNAVAILABLE, f"the ledger stopped: {exc}")
    return Problem(500, ApiCode.INTERNAL, "internal server error")


def original(node: Node, outcome: Outcome) -> Outcome:
    """A duplicate's verdict is the original's: the first block holding the id is where it lives."""
    loc = node.locate([outcome.tx_id]).get(outcome.tx_id)
    return outcome if loc is None else Outcome(outcome.tx_id, loc.code, -1, loc.height, loc.index)


def settle(outcome: Outcome, tx_id: bytes) -> dict[str, Any] | Problem:
    """The response to a verdict: the committed transaction's place, or a problem with the code."""
    in_block = outcome.height > 0
    status = verdict_status(outcome.code, in_block)
    if not in_block:
        return Problem(status, outcome.code, f"refused before ordering: {describe(outcome.code)}", tx_id=tx_id.hex())
    place = {"tx_id": tx_id.hex(), "height": outcome.height, "index": outcome.index,
             "receipt_url": f"{tx_path(tx_id)}/receipt"}
    if status == 200:
        return {"code": outcome.code, "description": describe(outcome.code), **place}
    at = f" (element {outcome.at})" if outcome.at >= 0 else ""
    return Problem(status, outcome.code, f"the ledger rejected the transaction: {describe(outcome.code)}{at}",
                   **place, at=outcome.at)


def batch_item(result: dict[str, Any] | Problem) -> dict[str, Any]:
    """One entry of a batch answer: the same facts as the single endpoint, with its HTTP status."""
    if isinstance(result, Problem):
        return {"status": result.status, "code": result.code, "description": title_of(result.code),
                "detail": result.detail, **result.extra}
    return {"status": 200, **result}
