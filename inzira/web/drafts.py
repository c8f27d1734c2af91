"""What a form post hands to the page it redirects to (post-redirect-get), per owner, in memory and bounded.

A quote step answers with a redirect to the quote's own page: Back and reload then show the same quote (and,
on the send page, the same transfer id), so pressing the final button again answers the first payment instead
of making another, and the browser never asks to post a form again. What the visitor typed with the quote
stays here, like the sessions (a restart forgets both), for the owner that asked for the quote only.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

DRAFTS_MAX = 5_000  # the oldest is dropped to make room: a quote is firm for minutes only

T = TypeVar("T")


class Drafts(Generic[T]):
    def __init__(self, drafts_max: int = DRAFTS_MAX) -> None:
        self.drafts_max = drafts_max
        self._drafts: dict[str, tuple[str, T]] = {}  # insertion order = age: the first is the oldest
        self._lock = threading.Lock()

    def put(self, key: str, owner: str, draft: T) -> T:
        with self._lock:
            self._drafts.pop(key, None)
            while len(self._drafts) >= self.drafts_max:
                del self._drafts[next(iter(self._drafts))]
            self._drafts[key] = (owner, draft)
        return draft

    def get(self, owner: str, key: str) -> T | None:
        """The draft when ``owner`` put it; None for anyone else's or a forgotten one."""
        with self._lock:
            found = self._drafts.get(key)
        return found[1] if found is not None and found[0] == owner else None
