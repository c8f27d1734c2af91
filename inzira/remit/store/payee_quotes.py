"""A receiving FSP's books of the quotes it gave other members' deployments (``inzira.remit.api.fsp``).

Each is kept with a hash of the request that made it: the same quote id again with the same request is a
resend (the stored answer), with another request 3106. A reservation on chain is paid out only if it matches
one of these exactly (``PayoutFlow``). Bounded: at most ``live_max`` unexpired quotes per sending FSP, and an
expired one is forgotten ``keep_ms`` after its expiry (once no reservation made under it can still be paid).
"""

from __future__ import annotations

import heapq
import threading

import msgspec

from inzira.remit.records import PayeeTerms
from inzira.remit.store.cache import RecordCache
from inzira.remit.store.db import Db
from inzira.remit.store.transfers import CACHED_MAX

LIVE_MAX = 100_000  # unexpired quotes per sending FSP

_enc = msgspec.msgpack.Encoder().encode
_dec = msgspec.msgpack.Decoder(PayeeTerms).decode


class TooManyQuotes(Exception):
    """The sending FSP holds ``live_max`` unexpired quotes already."""


class PayeeQuotes:
    def __init__(self, db: Db, now_ms: int, live_max: int = LIVE_MAX, cached_max: int = CACHED_MAX) -> None:
        self.db = db
        self.live_max = live_max
        self._cache: RecordCache[str, tuple[PayeeTerms, bytes]] = RecordCache(cached_max)
        self._lock = threading.Lock()
        self._live: dict[str, list[int]] = {}  # sending FSP -> expiries of its unexpired quotes (a heap)
        for sender, expires_at_ms in db.rows("SELECT sending_fsp, expires_at_ms FROM payee_quotes"
                                             " WHERE expires_at_ms > ? LIMIT ?", (now_ms, live_max * 64)):
            heapq.heappush(self._live.setdefault(sender, []), expires_at_ms)

    def put(self, terms: PayeeTerms, request_hash: bytes, now_ms: int, height: int) -> tuple[PayeeTerms, bytes]:
        """Keep a new quote, agreed when the chain was at ``height`` (no reservation under it can be older); the
        one already kept under its id (and its request's hash) if there is one."""
        with self._cache.lock:
            found = self.get(terms.quote_id)
            if found is not None:
                return found
            with self._lock:
                live = self._live.setdefault(terms.sending_fsp, [])
                while live and live[0] <= now_ms:
                    heapq.heappop(live)
                if len(live) >= self.live_max:
                    raise TooManyQuotes(terms.sending_fsp)
                heapq.heappush(live, terms.expires_at_ms)
            self.db.write("INSERT INTO payee_quotes VALUES (?, ?, ?, ?, ?, ?, NULL, 0)",
                          (terms.quote_id, terms.sending_fsp, terms.expires_at_ms, request_hash, _enc(terms), height))
            self._cache.put(terms.quote_id, (terms, request_hash))
            return terms, request_hash

    def get(self, quote_id: str) -> tuple[PayeeTerms, bytes] | None:
        return self._cache.get(quote_id, self._load)

    def _load(self, quote_id: str) -> tuple[PayeeTerms, bytes] | None:
        found = self.db.row("SELECT terms, request_hash FROM payee_quotes WHERE quote_id = ?", (quote_id,))
        return None if found is None else (_dec(found[0]), bytes(found[1]))

    def reserved(self, quote_id: str, pending_id: bytes) -> None:
        """The first reservation seen under a quote: open until reconciliation sees it resolved, so a payout a
        stop interrupted is taken up again."""
        self.db.write("UPDATE payee_quotes SET pending_id = ?, open = 1 WHERE quote_id = ? AND pending_id IS NULL",
                      (pending_id, quote_id))

    def paying(self, quote_id: str, pending_id: bytes) -> int:
        """The reservation whose payout was claimed under a quote: open until reconciliation sees it resolved,
        whichever reservation was seen first (that one may have been declined and resolved already)."""
        return self.db.write("UPDATE payee_quotes SET pending_id = ?, open = 1 WHERE quote_id = ?",
                             (pending_id, quote_id))

    def first_unreserved_height(self, expires_after_ms: int) -> int | None:
        """The chain's height when the oldest quote no reservation was seen under yet was agreed; None if none."""
        found = self.db.row("SELECT MIN(agreed_height) FROM payee_quotes WHERE pending_id IS NULL"
                            " AND expires_at_ms > ?", (expires_after_ms,))
        return None if found is None else found[0]

    def open_reservations(self, limit: int) -> list[tuple[str, bytes]]:
        """(quote id, pending id) of the reservations not yet seen resolved, oldest quote first."""
        rows = self.db.rows("SELECT quote_id, pending_id FROM payee_quotes WHERE open = 1"
                            " ORDER BY expires_at_ms LIMIT ?", (limit,))
        return [(r[0], bytes(r[1])) for r in rows]

    def resolved(self, quote_id: str) -> None:
        self.db.write("UPDATE payee_quotes SET open = 0 WHERE quote_id = ?", (quote_id,))

    def prune(self, expired_before_ms: int, limit: int) -> int:
        with self._cache.lock:
            changed = self.db.write(
                "DELETE FROM payee_quotes WHERE quote_id IN (SELECT quote_id FROM payee_quotes"
                " WHERE expires_at_ms < ? AND open = 0 LIMIT ?)", (expired_before_ms, limit))
            if changed:
                self._cache.clear()
            return changed
