"""The ids this FSP issued as a payer, so no other party can claim one (payer side and server).

As a payer the gateway sends each quote a fresh ``transactionId``, which the payee FSP learns from
``POST /quotes``, and its transfer a fresh ``transferId`` of its own, which nobody learns before the transfer is
sent (a payee FSP that knew it could register it at the hub first, and get the gateway's transfer refused there).
Both are the payer side's: were the payee FSP to send ``POST /transfers`` under one first, the payee side's book
would hold it, and the server would take the hub's error callbacks about the gateway's own transfer for the
payee side's: the payout would never learn its abort. So the server refuses such an id in a ``POST /transfers``
(3106) and gives every callback about it to the payer.

An id is known from the moment its quote is sent: in memory, the ``RECENT_MAX`` latest (the oldest forgotten
first), and for good in the payout route's own book (``durable``, ekash_book.py) once the quote is agreed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

RECENT_MAX = 20_000  # two ids a quote, as many quotes as the payer's steps in flight (payer.WAITS_MAX)


class IssuedIds:
    def __init__(self, durable: Callable[[str], bool] | None = None) -> None:
        self.durable = durable  # the route's record of the ids it quoted (None: memory only)
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()  # the payer's loop adds, the server's thread asks

    def add(self, transfer_id: str) -> None:
        with self._lock:
            self._recent[transfer_id] = None
            while len(self._recent) > RECENT_MAX:
                self._recent.popitem(last=False)

    def has(self, transfer_id: str) -> bool:
        with self._lock:
            if transfer_id in self._recent:
                return True
        return self.durable is not None and self.durable(transfer_id)
