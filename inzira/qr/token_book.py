"""Replacing and revoking customers' tokens: a merchant's POS token, a visitor wallet's token.

The acquirer (or wallet issuer) issues a new token when a POS tablet is stolen or a token leaked, or revokes
the token without a new one; a holder replaces its own. Either way one store job writes the new digest
(``tokens.REVOKED_DIGEST`` for a revoked token) to ``qr.db``; once it is committed the directory holds the new
record, so the old token opens no route from the next request on, and the owner's open event streams are
woken to check their token again (``inzira.qr.api.streams``). A revoked wallet's money stays on its account:
only its page is locked out, until the issuer issues a new token.

A holder replacing its own token draws on an allowance per merchant or wallet (3041, 429, Retry-After): each
replacement is a write to ``qr.db`` and a new record in the directory's cache. The member is never held to it,
so whatever a thief did with a stolen token, the acquirer or issuer still revokes it or issues a new one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from inzira.api.codes import ApiCode
from inzira.buckets import Buckets
from inzira.qr import tokens
from inzira.qr.directory import Directory
from inzira.qr.live.hub import Hub
from inzira.qr.records import Merchant, Wallet
from inzira.qr.rejected import Rejected, rejected
from inzira.qr.settings import QrSettings
from inzira.qr.store.awaiting import write_or_withdraw
from inzira.qr.store.writer import StoreWriter, WriteTx

HOUR_MS = 3_600_000


class TokenBook:
    def __init__(self, settings: QrSettings, writer: StoreWriter, directory: Directory, hub: Hub,
                 now_ms: Callable[[], int]) -> None:
        self.settings = settings
        self.writer = writer
        self.directory = directory
        self.hub = hub
        self.now_ms = now_ms
        self.timeout_s = settings.verdict_timeout_ms / 1000
        self.allowance = Buckets(now_ms, HOUR_MS, settings.token_rotation_buckets_max)

    async def new_merchant_token(self, merchant: Merchant, by_holder: bool) -> tuple[str, int] | Rejected:
        """A new POS token (shown once) and when it replaced the old one."""
        return await self._new(merchant, tokens.MERCHANT_TOKEN_PREFIX, by_holder)

    async def new_wallet_token(self, wallet: Wallet, by_holder: bool) -> tuple[str, int] | Rejected:
        return await self._new(wallet, tokens.WALLET_TOKEN_PREFIX, by_holder)

    async def _new(self, record: Merchant | Wallet, prefix: str, by_holder: bool) -> tuple[str, int] | Rejected:
        s = self.settings
        wait_s = self.allowance.take(f"{prefix}{record.id}", s.token_rotations_per_hour,
                                     s.token_rotations_burst) if by_holder else 0
        if wait_s:
            return rejected(ApiCode.RATE_LIMITED, f"a token holder may rotate its token {s.token_rotations_burst} "
                            f"times at once, {s.token_rotations_per_hour} an hour: retry in {wait_s} s, or ask "
                            "the member that issued it", retry_after_s=wait_s)
        token, digest = tokens.mint(prefix, record.id)
        done = await self._set(record, digest)
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

        # A 504 must mean "nothing changed": a rotation written after it would void the old token while
        # nobody holds the new one.
        return await write_or_withdraw(self.writer, job, self.timeout_s)
