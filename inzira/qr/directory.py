"""Merchants and wallets by id, kept in memory: every request names one (for its token check as much as for its
data). A record changes only when its token is replaced or revoked (``token_book``), which puts the new record
here once it is committed."""

from __future__ import annotations

import threading
from collections import OrderedDict

from inzira.qr.records import Merchant, Wallet
from inzira.qr.store.reader import StoreReader


class _Lru:
    def __init__(self, size_max: int) -> None:
        self.size_max = size_max
        self._items: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()
        self._replaced = 0  # records replaced so far: a fill read before a replacement must not undo it

    @property
    def replaced(self) -> int:
        return self._replaced

    def get(self, key: str) -> object | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, item: object, replaced_seen: int | None = None, *, replacing: bool = False) -> None:
        """``replaced_seen``: the count of replacements when ``item`` was read; it is not kept if one came since
        (the read may be older than the replacement). ``replacing``: ``item`` is a committed change."""
        with self._lock:
            if replaced_seen is not None and replaced_seen != self._replaced:
                return
            self._replaced += replacing
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size_max:
                self._items.popitem(last=False)


class Directory:
    def __init__(self, reader: StoreReader, size_max: int) -> None:
        self.reader = reader
        self._merchants = _Lru(size_max)
        self._wallets = _Lru(size_max)

    def merchant(self, merchant_id: str) -> Merchant | None:
        found = self._merchants.get(merchant_id)
        if isinstance(found, Merchant):
            return found
        seen = self._merchants.replaced
        merchant = self.reader.merchant(merchant_id)
        if merchant is not None:
            self._merchants.put(merchant_id, merchant, seen)
        return merchant

    def wallet(self, wallet_id: str) -> Wallet | None:
        found = self._wallets.get(wallet_id)
        if isinstance(found, Wallet):
            return found
        seen = self._wallets.replaced
        wallet = self.reader.wallet(wallet_id)
        if wallet is not None:
            self._wallets.put(wallet_id, wallet, seen)
        return wallet

    def add_merchant(self, merchant: Merchant) -> None:
        self._merchants.put(merchant.id, merchant)

    def add_wallet(self, wallet: Wallet) -> None:
        self._wallets.put(wallet.id, wallet)

    def replace_merchant(self, merchant: Merchant) -> None:
        """After the store committed the change."""
        self._merchants.put(merchant.id, merchant, replacing=True)

    def replace_wallet(self, wallet: Wallet) -> None:
        self._wallets.put(wallet.id, wallet, replacing=True)
