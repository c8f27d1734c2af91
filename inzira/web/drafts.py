"""What a form post hands to the page it redirects to (post-redirect-get), per owner, in memory and bounded.

A quote step answers with a redirect to the quote's own page: Back and reload then show the same quote (and,
on the send page, the same transfer id), so pressing the final button again answers the first payment instead
of making another, and the browser never asks to post a form again. What the visitor typed with the quote
stays here, like the sessions (a restart forgets both), for the owner that asked for the quote only. The book is
bounded in all and per owner (as the sessions are): an owner quoting without end drops its own oldest drafts,
never another's.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

DRAFTS_MAX = 5_000  # the oldest is dropped to make room: a quote is firm for minutes only
OWNER_SHARES = 10  # one owner keeps at most this fraction of the book (500 drafts: far more than people ask)

T = TypeVar("T")


class Drafts(Generic[T]):
    def __init__(self, drafts_max: int = DRAFTS_MAX) -> None:
        self.drafts_max = drafts_max
        self.owner_drafts_max = max(1, drafts_max // OWNER_SHARES)
        self._drafts: dict[str, tuple[str, T]] = {}  # insertion order = age: the first is the oldest
        self._by_owner: dict[str, dict[str, None]] = {}  # each owner's keys, oldest first
        self._lock = threading.Lock()

    def put(self, key: str, owner: str, draft: T) -> T:
        with self._lock:
            self._drop(key)
            own = self._by_owner.get(owner, {})
            while len(own) >= self.owner_drafts_max:
                self._drop(next(iter(own)))
            while len(self._drafts) >= self.drafts_max:
                self._drop(next(iter(self._drafts)))
            self._drafts[key] = (owner, draft)
            self._by_owner.setdefault(owner, {})[key] = None
        return draft

    def _drop(self, key: str) -> None:
        """Forget a draft (the lock held)."""
        found = self._drafts.pop(key, None)
        if found is None:
            return
        own = self._by_owner[found[0]]
        del own[key]
        if not own:
            del self._by_owner[found[0]]

    def __len__(self) -> int:
        return len(self._drafts)

    def get(self, owner: str, key: str) -> T | None:
        """The draft when ``owner`` put it; None for anyone else's or a forgotten one."""
        with self._lock:
            found = self._drafts.get(key)
        return found[1] if found is not None and found[0] == owner else None
