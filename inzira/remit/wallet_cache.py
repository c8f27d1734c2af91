"""A short-lived cache of wallet look-ups, so a quote right after a look-up does not ask the operator again.

Bounded (oldest entries go first) and timed: a wallet that is closed or opened is seen within the TTL.
Only answers are cached, never failures to reach the operator.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from inzira.remit.payout import AccountHolder

_ABSENT_TTL_DIVISOR = 10  # an unknown number is asked about again sooner: it may be opening a wallet


class WalletCache:
    def __init__(self, ttl_ms: int, entries_max: int) -> None:
        self.ttl_ms = ttl_ms
        self.entries_max = entries_max
        self._entries: OrderedDict[str, tuple[int, AccountHolder | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, msisdn: str, now_ms: int) -> tuple[bool, AccountHolder | None]:
        """(found in the cache, the holder or None for "no such wallet")."""
        with self._lock:
            hit = self._entries.get(msisdn)
            if hit is None or hit[0] <= now_ms:
                return False, None
            return True, hit[1]

    def put(self, msisdn: str, holder: AccountHolder | None, now_ms: int) -> None:
        ttl_ms = self.ttl_ms if holder is not None else self.ttl_ms // _ABSENT_TTL_DIVISOR
        with self._lock:
            self._entries[msisdn] = (now_ms + ttl_ms, holder)
            self._entries.move_to_end(msisdn)
            while len(self._entries) > self.entries_max:
                self._entries.popitem(last=False)
