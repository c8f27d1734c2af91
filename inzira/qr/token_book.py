"""Replacing and revoking customers' tokens: a merchant's POS token, a visitor wallet's token.

The acquirer (or wallet issuer) issues a new token when a POS tablet is stolen or a token leaked, or revokes
the token without a new one; a holder replaces its own. Either way one store job writes the new digest
(``tokens.REVOKED_DIGEST`` for a revoked token) to ``qr.db``; once it is committed the directory holds the new
record, so the old token opens no route from the next request on, and the owner's open event streams are
woken to check their token again (``inzira.qr.api.streams``). A revoked wallet's money stays on its account:
only its page is locked out, until the issuer issues a new token.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from inzira.qr import tokens
from inzira.qr.directory import Directory
from inzira.qr.live.hub import Hub
from inzira.qr.records import Merchant, Wallet
from inzira.qr.rejected import Rejected
from inzira.qr.store.awaiting import write
from inzira.qr.store.writer import StoreWriter, WriteTx


class TokenBook:
    def __init__(self, writer: StoreWriter, directory: Directory, hub: Hub, now_ms: Callable[[], int],
                 timeout_s: float) -> None:
        self.writer = writer
        self.directory = directory
        self.hub = hub
        self.now_ms = now_ms
        self.timeout_s = timeout_s

    async def new_merchant_token(self, merchant: Merchant) -> tuple[str, int] | Rejected:
        """A new POS token (shown once) and when it replaced the old one."""
        token, digest = tokens.mint(tokens.MERCHANT_TOKEN_PREFIX, merchant.id)
        done = await self._set(merchant, digest)
        return done if isinstance(done, Rejected) else (token, done)

    async def new_wallet_token(self, wallet: Wallet) -> tuple[str, int] | Rejected:
        token, digest = tokens.mint(tokens.WALLET_TOKEN_PREFIX, wallet.id)
        done = await self._set(wallet, digest)
        return done if isinstance(done, Rejected) else (token, done)

    async def revoke(self, record: Merchant | Wallet) -> int | Rejected:
        """When the token stopped opening anything."""
        return await self._set(record, tokens.REVOKED_DIGEST)

    async def _set(self, record: Merchant | Wallet, digest: bytes) -> int | Rejected:
        at_ms = self.now_ms()
        changed = dataclasses.replace(record, token_digest=digest)
        table, owner = ("merchants", f"m:{changed.id}") if isinstance(changed, Merchant) else ("wallets",
                                                                                            f"w:{changed.id}")

        def announce() -> None:
            if isinstance(changed, Merchant):
                self.directory.replace_merchant(changed)
            else:
                self.directory.replace_wallet(changed)
            self.hub.wake(owner)

        def job(tx: WriteTx) -> int:
            tx.execute(f"UPDATE {table} SET token_digest = ? WHERE id = ?", (digest, changed.id))
            tx.after_commit(announce)
            return at_ms

        return await write(self.writer, job, self.timeout_s)
