"""Settling ``approving`` funding requests in the background, without waiting for a restart or an officer.

A request whose signed transaction was submitted but whose final verdict was not seen (none in time, the ledger
busy, a refusal that spent nothing) stays ``approving``. Every ``interval_ms`` the settler takes at most
``batch_max`` of them, oldest first and each pass after the previous one's last (so a few that never settle do
not hide the others), and does for each what the next start's recovery would (``Settlement.carry_out_again``).

A request still approving afterwards is tried again later and later (``interval_ms`` doubling per try, up to
``backoff_max_ms``): a refusal that spent nothing is written into a block each time its bytes are submitted, and
may stand until their deadline. The tries are counted in memory only, for the requests seen approving in the
current round of passes; a restart starts them afresh.

The passes run on a thread of their own with its own event loop; ``stop`` cancels the pass under way (a request it
was waiting on stays approving: the verdict is asked for again by whatever settles it next).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from inzira.funding.settlement import Settlement
from inzira.funding.store import APPROVING

SETTLE_INTERVAL_MS = 5_000
SETTLE_BATCH_MAX = 20
SETTLE_BACKOFF_MAX_MS = 10 * 60 * 1000
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Tries:
    count: int
    next_at_ms: int


class Settler:
    def __init__(self, settlement: Settlement, clock_ms: Callable[[], int], interval_ms: int = SETTLE_INTERVAL_MS,
                 batch_max: int = SETTLE_BATCH_MAX, backoff_max_ms: int = SETTLE_BACKOFF_MAX_MS) -> None:
        if interval_ms < 1 or batch_max < 1 or backoff_max_ms < 1:
            raise ValueError("interval_ms, batch_max and backoff_max_ms are at least 1")
        self.settlement = settlement
        self.clock_ms = clock_ms
        self.interval_ms = interval_ms
        self.batch_max = batch_max
        self.backoff_max_ms = backoff_max_ms
        self._after: tuple[int, str] | None = None  # the last request the previous pass took
        self._tries: dict[str, _Tries] = {}  # the requests seen approving in the current round
        self._seen: set[str] = set()  # ... of which those seen again this round (the others settled meanwhile)
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._serve, name="funding-settler", daemon=True)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> "Settler":
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            raise RuntimeError("the funding settler did not start")
        return self

    def stop(self) -> None:
        """Cancel the pass under way and end the thread."""
        loop, task = self._loop, self._task
        if loop is not None and task is not None and self._thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop ended already
                loop.call_soon_threadsafe(task.cancel)
            self._thread.join(STOP_TIMEOUT_S)

    async def run_pass(self) -> int:
        """One pass: the requests whose stored bytes it submitted again (at most ``batch_max`` looked at)."""
        batch = self.settlement.store.in_flight(self.batch_max, self._after)
        submitted = 0
        for request in batch:
            self._seen.add(request.id)
            tries = self._tries.get(request.id)
            if tries is not None and self.clock_ms() < tries.next_at_ms:
                continue
            submitted += 1
            if (await self.settlement.carry_out_again(request)).state == APPROVING:
                count = tries.count + 1 if tries is not None else 1
                wait_ms = max(self.interval_ms, min(self.interval_ms << min(count, 32), self.backoff_max_ms))
                self._tries[request.id] = _Tries(count, self.clock_ms() + wait_ms)
            else:
                self._tries.pop(request.id, None)
        if len(batch) < self.batch_max:  # the round is over: forget the requests not approving any more
            self._tries = {i: t for i, t in self._tries.items() if i in self._seen}
            self._seen = set()
            self._after = None
        else:
            self._after = (batch[-1].created_at_ms, batch[-1].id)
        return submitted

    def _serve(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            asyncio.run(self._run())

    async def _run(self) -> None:
        self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        self._ready.set()
        while True:
            await asyncio.sleep(self.interval_ms / 1000)
            try:
                await self.run_pass()
            except Exception:  # noqa: BLE001 (the store or the ledger failed: the next pass tries again)
                log.exception("funding settler pass not done")
