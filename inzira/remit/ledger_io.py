"""Submitting signed transactions from the service's asyncio code, and reading what resolved a transfer.

The runtime answers with a ticket resolved on the orderer's thread; it is awaited here without blocking
the loop. A busy ledger is retried a few times with backoff; a stopped one is reported as None, for
reconciliation to settle later from the chain.
"""

from __future__ import annotations

import asyncio
import base64
import logging

from inzira.ledger.encoding import DecodeError, ValidationError
from inzira.ledger.tx import PostPending, VoidPending, decode_body, decode_signed
from inzira.node.node import NodeError
from inzira.ordering.outcome import Busy, Outcome, Stopped, Ticket
from inzira.remit.runtime import RemitRuntime

BUSY_RETRIES_MAX = 5
BUSY_BACKOFF_S = 0.05
REF_PREFIXES = ("post:", "void:", "tick:")

log = logging.getLogger(__name__)


async def taken(runtime: RemitRuntime, raw: bytes) -> Ticket | None:
    """The ledger's ticket for ``raw``, retried with backoff while it is busy; None if it stays busy or stopped."""
    for attempt in range(BUSY_RETRIES_MAX + 1):
        try:
            return runtime.submit(raw)
        except Busy:
            if attempt == BUSY_RETRIES_MAX:
                return None
            await asyncio.sleep(BUSY_BACKOFF_S * 2**attempt)
        except Stopped:
            return None
    return None


async def submit(runtime: RemitRuntime, raw: bytes, timeout_s: float) -> Outcome | None:
    """The verdict on ``raw``, or None when the ledger could not take it or did not answer in time."""
    ticket = await taken(runtime, raw)
    if ticket is None:
        return None
    try:
        return await asyncio.wait_for(outcome_of(ticket), timeout_s)
    except (TimeoutError, NodeError, Stopped) as exc:
        log.warning("no verdict for a remittance transaction: %s", exc)
        return None


def outcome_of(ticket: Ticket) -> "asyncio.Future[Outcome]":
    """An asyncio future on the running loop for the ledger's ticket (resolved on the orderer's thread).

    Giving up on the asyncio future never touches the ticket, which other submitters may share.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Outcome] = loop.create_future()

    def settle(done: Ticket) -> None:
        if future.done():
            return
        error = done.exception()
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(done.result())

    def on_done(done: Ticket) -> None:
        try:
            loop.call_soon_threadsafe(settle, done)
        except RuntimeError:  # the loop has closed: nobody waits any more
            pass

    ticket.add_done_callback(on_done)
    return future


def resolution_ref(kind: str, pending_id: bytes, suffix: str = "") -> str:
    """The reference of a commit, void or expiry tick: it names the pending transfer (at most 64 chars)."""
    ref = f"{kind}:{base64.urlsafe_b64encode(pending_id).rstrip(b'=').decode()}"
    return f"{ref}:{suffix}" if suffix else ref


def pending_id_of(ref: str, raw: bytes | None) -> bytes | None:
    """The pending transfer a PostPending or VoidPending resolves: from our own reference, else the bytes."""
    if ref.startswith(REF_PREFIXES):
        text = ref.split(":")[1]
        try:
            return base64.urlsafe_b64decode(text + "=")
        except ValueError:
            return None
    if raw is None:
        return None
    try:
        op = decode_body(decode_signed(raw).body).op
    except (DecodeError, ValidationError):
        return None
    return op.pending_id if isinstance(op, (PostPending, VoidPending)) else None
