"""Merchants and wallets by id, kept in memory: their records never change once created, and every request
names one (for its token check as much as for its data)."""

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

    def get(self, key: str) -> object | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, item: object) -> None:
        with self._lock:
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
        merchant = self.reader.merchant(merchant_id)
        if merchant is not None:
            self._merchants.put(merchant_id, merchant)
        return merchant

    def wallet(self, wallet_id: str) -> Wallet | None:
        found = self._wallets.get(wallet_id)
        if isinstance(found, Wallet):
            return found
        wallet = self.reader.wallet(wallet_id)
        if wallet is not None:
            self._wallets.put(wallet_id, wallet)
        return wallet

    def add_merchant(self, merchant: Merchant) -> None:
        self._merchants.put(merchant.id, merchant)

    def add_wallet(self, wallet: Wallet) -> None:
        self._wallets.put(wallet.id, wallet)
