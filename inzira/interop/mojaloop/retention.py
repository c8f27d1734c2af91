"""How long the gateway's book keeps a transfer once it ended, and the schedule that prunes the rest.

What must stay: a transfer not final yet, one whose Inzira reservation is still watched (``inzira_open``) and
one flagged for reconciliation, whatever their age. A transfer that reserved or moved money on Inzira is kept
``settled_keep_ms`` (35 days): the settlement report's longest window is 31 days, and the merchants' replay
reads 7. A transfer refused before any reservation (ABORTED, no pending id: a quote it did not match, a
ledger refusal) moved nothing and is what a hostile payer FSP makes most cheaply; it is kept
``refused_keep_ms`` (2 days), long past FSPIOP's resends (within the transfer's expiration) and a daily
reconciliation of the day before.

A resend of a pruned transfer never pays twice: its quote still names it (and is refused, 3208) or is
expired or forgotten (refused, 3302 or 3205). The prune runs from the gateway's sweep, at most once per
``interval_ms``, deleting at most ``PRUNE_ROWS_MAX`` rows each time; a full batch runs again at the next
sweep, so a backlog drains at a batch a sweep, never in one unbounded pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from inzira.interop.mojaloop.store import PRUNE_ROWS_MAX, Store

DAY_MS = 24 * 3_600_000


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    settled_keep_ms: int = 35 * DAY_MS
    refused_keep_ms: int = 2 * DAY_MS
    interval_ms: int = 60_000


class Retention:
    def __init__(self, settings: RetentionSettings, store: Store) -> None:
        if not 0 < settings.refused_keep_ms <= settings.settled_keep_ms or settings.interval_ms <= 0:
            raise ValueError("retention: 0 < refused_keep_ms <= settled_keep_ms, and interval_ms > 0")
        self.settings = settings
        self.store = store
        self._next_ms = 0

    def run(self, now_ms: int) -> int:
        """Prune one batch when one is due: how many transfers were deleted."""
        if now_ms < self._next_ms:
            return 0
        deleted = self.store.prune(now_ms - self.settings.refused_keep_ms, now_ms - self.settings.settled_keep_ms)
        self._next_ms = now_ms if deleted >= PRUNE_ROWS_MAX else now_ms + self.settings.interval_ms
        return deleted
