"""The receiving FSP's side (MobiMo, Ubumwe...): wallet look-ups, its fee and hashlock, and its payouts.

Before a transfer, it answers who holds a wallet and locks the quote (its own hashlock, derived from its
secret, or the operator's); once a transfer to it is reserved on the ledger, its ``PayoutFlow`` pays the
wallet and commits or voids (``inzira.remit.payout_flow``). Every call to its operator, look-ups and payouts
alike, shares one bound (``operator_calls_max``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from inzira.http.closing import aclose_each
from inzira.node.custody import MemberPort
from inzira.remit.condition import condition_of, fulfilment_for
from inzira.remit.paid_unpaid import Note
from inzira.remit.payout_flow import PayoutFlow
from inzira.remit.payout import AccountHolder, Hashlock, PayoutAdapter, PayoutUnavailableError
from inzira.remit.records import PayeeTerms
from inzira.remit.runtime import RemitRuntime
from inzira.remit.settings import PAYOUT_CURRENCY, RemitSettings
from inzira.remit.store.payee_quotes import PayeeQuotes
from inzira.remit.store.payouts import PayoutStore
from inzira.remit.store.transfers import TransferStore
from inzira.remit.wallet_cache import WalletCache

ASKING_MAX = 10_000  # wallet look-ups in progress at once


class ReceivingFsp:
    def __init__(self, port: MemberPort, secret: bytes, adapter: PayoutAdapter, runtime: RemitRuntime,
                 settings: RemitSettings, transfers: TransferStore, payouts: PayoutStore, note: Note,
                 clock_ms: Callable[[], int], payee_quotes: PayeeQuotes) -> None:
        self.fsp = port.member
        self.secret = secret
        self.adapter = adapter
        self.clock_ms = clock_ms
        self.cache = WalletCache(settings.lookup_cache_ttl_ms, settings.lookup_cache_entries_max)
        self._calls = asyncio.Semaphore(settings.operator_calls_max)
        self._asking: dict[str, asyncio.Task[AccountHolder | None]] = {}  # at most ASKING_MAX
        self.payout_flow = PayoutFlow(port, secret, adapter, runtime, settings, transfers, payouts, note,
                                      clock_ms, self._calls, self, payee_quotes)

    async def lookup(self, e164: str) -> AccountHolder | None:
        """The wallet holder at ``e164`` (raises PayoutError when the operator cannot answer). Look-ups of one
        number at the same time share one question to the operator."""
        now_ms = self.clock_ms()
        hit, holder = self.cache.get(e164, now_ms)
        if hit:
            return holder
        asking = self._asking.get(e164)
        if asking is None:
            if len(self._asking) >= ASKING_MAX:
                raise PayoutUnavailableError(f"{self.fsp}: too many wallet look-ups in progress")
            asking = self._asking[e164] = asyncio.get_running_loop().create_task(self._ask(e164, now_ms))
        return await asyncio.shield(asking)  # one caller giving up does not cancel the others' question

    async def _ask(self, e164: str, now_ms: int) -> AccountHolder | None:
        try:
            async with self._calls:
                holder = await self.adapter.lookup(e164)
            self.cache.put(e164, holder, now_ms)
            return holder
        finally:
            self._asking.pop(e164, None)

    def fulfilment(self, terms: PayeeTerms) -> bytes:
        """What opens the hashlock of the terms this FSP kept: its own, recomputed from them, or the operator's."""
        if self.adapter.condition(terms.quote_id) is not None:  # the operator's hashlock: only its fulfilment opens it
            return self.adapter.fulfilment(terms.quote_id) or b""
        return fulfilment_for(self.secret, terms)

    def condition(self, terms: PayeeTerms) -> bytes:
        """The condition locking ``terms`` (their own ``condition`` aside): the operator's, or this FSP's."""
        return self.adapter.condition(terms.quote_id) or condition_of(fulfilment_for(self.secret, terms))

    async def hashlock(self, quote_id: str, msisdn: str, amount_minor: int, receive: bool, sender: str,
                       expires_at_ms: int, fee_minor: int) -> Hashlock | None:
        """The operator's own hashlock and fee for a quote (a Mojaloop hub's), or None: this FSP locks it (with
        its fee ``fee_minor`` by its schedule, which the sending side applied already)."""
        async with self._calls:
            return await self.adapter.hashlock(quote_id, msisdn, amount_minor, PAYOUT_CURRENCY, receive, sender,
                                               expires_at_ms)

    async def aclose(self) -> None:
        await aclose_each((self.payout_flow.aclose, self.adapter.aclose))
