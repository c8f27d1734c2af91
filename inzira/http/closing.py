"""Closing several owners' connections at a stop: each one in turn, each within ``CLOSE_TIMEOUT_S``, and one
that fails or hangs does not keep the others' pools open (it is logged, and the stop goes on)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

CLOSE_TIMEOUT_S = 3.0

log = logging.getLogger(__name__)


async def aclose_each(closers: Iterable[Callable[[], Awaitable[None]]]) -> None:
    for close in closers:
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await close()
        except Exception:  # noqa: BLE001 - a stop must go on whatever one owner's close raised
            log.exception("closing %r failed", close)
