"""When an outbound call is tried again: only an idempotent one, only after no answer or a passing refusal
(429, 502, 503, 504), with a doubling pause and jitter (clients retrying together spread out), never more than
``ATTEMPTS_MAX`` tries, and no try starts past the client's time budget (a try itself may take up to its
timeout). A Retry-After longer than what is left of the budget ends the tries at once."""

from __future__ import annotations

import random
import time

from inzira.http.answer import Answer

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
ATTEMPTS_MAX = 8
BACKOFF_MS = 50
BACKOFF_MAX_MS = 2_000
RETRY_AFTER_DIGITS_MAX = 6


class Retries:
    def __init__(self, method: str, idempotent: bool | None, budget_ms: int) -> None:
        safe = method.upper() in IDEMPOTENT_METHODS if idempotent is None else idempotent
        self.enabled = safe and budget_ms > 0
        self.deadline = time.monotonic() + budget_ms / 1000
        self.attempts = 1
        self.attempts_max = ATTEMPTS_MAX

    def pause_s(self, answer: Answer | None) -> float | None:
        """Seconds to wait before trying again after ``answer`` (None: no answer came); None to stop here."""
        if not self.enabled or self.attempts >= self.attempts_max:
            return None
        if answer is not None and answer.status not in RETRY_STATUSES:
            return None
        pause_ms = min(BACKOFF_MAX_MS, BACKOFF_MS * 2 ** (self.attempts - 1)) * (0.5 + random.random() / 2)
        retry_after = answer.headers.get("retry-after", "") if answer is not None else ""
        if retry_after.isascii() and retry_after.isdigit() and len(retry_after) <= RETRY_AFTER_DIGITS_MAX:
            pause_ms = max(pause_ms, int(retry_after) * 1000)
        if time.monotonic() + pause_ms / 1000 >= self.deadline:
            return None
        self.attempts += 1
        return pause_ms / 1000
