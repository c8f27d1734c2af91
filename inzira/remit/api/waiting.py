"""Long polls: answer once a transfer is settled (final, or held for an officer), or when the wait is over."""

from __future__ import annotations

import asyncio

from inzira.remit.events import HubFull
from inzira.remit.records import FINAL_STATES, TransferRecord, TransferState
from inzira.remit.service import RemitService

WAKE_S = 0.5  # longest sleep between checks that the service is not closing
# A wait that finds its member's share of event slots taken looks at the transfer this often instead: it
# still answers when the transfer settles, not at once (a caller would poll again and again).
POLL_S = 0.1
_SETTLED = FINAL_STATES | {TransferState.HELD}


def settled(record: TransferRecord) -> bool:
    return record.state in _SETTLED


async def wait_settled(service: RemitService, record: TransferRecord, wait_ms: int, member: str) -> TransferRecord:
    """``member``: who waits (the wait counts against its share of the event hub)."""
    if wait_ms <= 0 or settled(record):
        return record
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_ms / 1000
    try:
        sub = service.hub.subscribe(loop, transfer_id=record.transfer_id, owner=member)
    except HubFull:
        return await _poll_settled(service, record, deadline)
    try:
        current = service.transfers.get(record.transfer_id) or record  # read after subscribing: nothing is missed
        while not settled(current) and not service.closing:
            remaining_s = deadline - loop.time()
            if remaining_s <= 0:
                break
            try:  # asyncio.timeout, not wait_for: no task made per wake (wait_for's was ~2 % of the server)
                async with asyncio.timeout(min(remaining_s, WAKE_S)):
                    event = await sub.queue.get()
            except TimeoutError:
                continue
            if event is None:
                break
            if event.data.get("state") in _SETTLED:
                current = service.transfers.get(record.transfer_id) or current
        return service.transfers.get(record.transfer_id) or current
    finally:
        sub.close()


async def _poll_settled(service: RemitService, record: TransferRecord, deadline: float) -> TransferRecord:
    """Wait without an event slot: read the transfer (an in-memory look-up) every POLL_S until the deadline."""
    loop = asyncio.get_running_loop()
    current = record
    while not settled(current) and not service.closing:
        remaining_s = deadline - loop.time()
        if remaining_s <= 0:
            break
        await asyncio.sleep(min(remaining_s, POLL_S))
        current = service.transfers.get(record.transfer_id) or current
    return current
