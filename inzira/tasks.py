"""Ending a service's asyncio tasks at its stop, for sure.

A cancellation can be lost: in Python 3.11 ``asyncio.wait_for`` returns the result of an inner future that
completed just as it was cancelled, and a task looping on then holds its service's stop for ever (a peer's
follower did). So a task still running after a round is cancelled again, for a bounded number of rounds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

CANCEL_ROUND_S = 1.0
CANCEL_ROUNDS_MAX = 5

log = logging.getLogger(__name__)


async def end_tasks(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel the tasks and wait until they end (each round within ``CANCEL_ROUND_S``); their exceptions are
    taken, as ``gather(..., return_exceptions=True)`` would."""
    tasks = list(tasks)
    pending = {task for task in tasks if not task.done()}
    for _ in range(CANCEL_ROUNDS_MAX):
        if not pending:
            break
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=CANCEL_ROUND_S)
        if pending:
            log.warning("tasks still running after a cancellation: %s", sorted(t.get_name() for t in pending))
    await asyncio.gather(*(task for task in tasks if task.done()), return_exceptions=True)
