"""Visitor wallets: issued by a wallet member in a foreign currency, topped up by card, with a balance and a
history that are reconciled with the chain.

Each wallet is an on-chain account owned by its issuer, ``<issuer>:w-<wallet id>``. A top-up is a card
payment the issuer's acquirer confirmed (``card_topups``): the issuer then moves that much from its float
(``<issuer>:<currency>``, e.g. ``silkpay:cny``) to the wallet's account, on chain. The store keeps the
wallet's history and its own running balance; ``balance`` puts that beside the chain's and says whether they
agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from inzira.ledger.codes import Code
from inzira.ledger.tx import OpenAccount
from inzira.money import money_text
from inzira.ordering.outcome import Outcome
from inzira.qr import tokens
from inzira.qr.directory import Directory
from inzira.qr.ledger_port import LedgerPort
from inzira.qr.live.events import TOPUP_COMPLETED, Draft, Outbox
from inzira.qr.codes import QrCode
from inzira.qr.name_screening import NameScreen, screened
from inzira.qr.records import TopUp, Wallet, insert_sql, values
from inzira.qr.rejected import Rejected, rejected
from inzira.qr.settings import QrSettings
from inzira.qr.settlement import committed, mark
from inzira.qr.store.awaiting import write
from inzira.qr.store.reader import StoreReader
from inzira.qr.store.writer import StoreWriter, WriteTx
from inzira.qr.views import entry_view, topup_view, wallet_view
from inzira.shown_text import UNSHOWN_DETAIL, shown_as_is

HOLDER_CHARS_MAX = 80


def post_entry(tx: WriteTx, wallet_id: str, amount_minor: int, kind: str, ref_id: str, counterparty: str | None,
               price_minor: int | None, tx_id: bytes, at_ms: int) -> int:
    """Add a line to a wallet's history; returns the balance after it (the previous line's, moved). One
    statement: on the payment path each statement costs a hand-over of the interpreter lock."""
    row = tx.execute(
        "INSERT INTO wallet_entries (wallet_id, kind, ref_id, amount_minor, balance_after_minor, counterparty, "
        "price_minor, tx_id, at_ms) SELECT ?, ?, ?, ?, coalesce((SELECT balance_after_minor FROM wallet_entries "
        "WHERE wallet_id = ? ORDER BY seq DESC LIMIT 1), 0) + ?, ?, ?, ?, ? RETURNING balance_after_minor",
        (wallet_id, kind, ref_id, amount_minor, wallet_id, amount_minor, counterparty, price_minor, tx_id,
         at_ms)).fetchone()
    return int(row[0])


class Wallets:
    def __init__(self, settings: QrSettings, port: LedgerPort, writer: StoreWriter, reader: StoreReader,
                 directory: Directory, outbox: Outbox, screen: NameScreen | None = None) -> None:
        self.settings = settings
        self.screen = screen
        self.port = port
        self.writer = writer
        self.reader = reader
        self.directory = directory
        self.outbox = outbox
        self.timeout_s = settings.verdict_timeout_ms / 1000

    def is_issuer(self, member: str) -> bool:
        return self.port.has_key(member) and self.port.holds_role(member, "wallet_issuer")

    def currencies(self, issuer: str) -> tuple[str, ...]:
        return self.settings.wallet_currencies.get(issuer, ()) if self.is_issuer(issuer) else ()

    def float_account(self, issuer: str, currency: str) -> str:
        return self.settings.float_account_pattern.format(member=issuer, currency=currency.lower())

    async def create(self, issuer: str, currency: str, holder: str | None) -> tuple[Wallet, str] | Rejected:
        offered = self.currencies(issuer)
        if not offered:
            return rejected(Code.PERMISSION, f"{issuer} does not issue visitor wallets on this service")
        if currency not in offered:
            return rejected(QrCode.CURRENCY_NOT_OFFERED,
                            f"{issuer} issues wallets in {', '.join(offered)}, not {currency}")
        if holder is not None and len(holder) > HOLDER_CHARS_MAX:
            return rejected(Code.VALIDATION, f"a holder name is at most {HOLDER_CHARS_MAX} characters")
        if holder is not None and not shown_as_is(holder):  # a zero-width space would hide a name from the screen
            return rejected(Code.VALIDATION, f"the holder name {UNSHOWN_DETAIL}")
        held = screened(self.screen, "wallet holder", holder) if holder else None
        if held is not None:
            return held
        wallet_id = tokens.wallet_id()
        account = f"{issuer}:w-{wallet_id}"
        opened = await self.port.execute(issuer, OpenAccount(account, currency), f"qr-open-{wallet_id}",
                                         self.timeout_s)
        if isinstance(opened, Rejected):
            return opened
        if opened.code != Code.OK:
            return rejected(opened.code, f"the ledger refused to open {account}", tx_id=opened.tx_id.hex(),
                            height=opened.height)
        token, digest = tokens.mint(tokens.WALLET_TOKEN_PREFIX, wallet_id)
        wallet = Wallet(wallet_id, issuer, currency, account, holder, digest, self.port.now_ms())

        def insert(tx: WriteTx) -> None:
            tx.execute(insert_sql("wallets", Wallet), values(wallet))

        written = await write(self.writer, insert, self.timeout_s)
        if isinstance(written, Rejected):
            return written
        self.directory.add_wallet(wallet)
        return wallet, token

    def settle_topup(self, topup_id: str) -> Callable[[WriteTx, Outcome], TopUp]:
        def settle(tx: WriteTx, outcome: Outcome) -> TopUp:
            now_ms = self.port.now_ms()
            topup, changed = mark(tx, "topups", TopUp, topup_id, outcome, now_ms)
            if changed and committed(outcome):
                post_entry(tx, topup.wallet_id, topup.amount_minor, "topup", topup.id, None, None, topup.tx_id,
                           now_ms)
                self.outbox.record(tx, now_ms, Draft(TOPUP_COMPLETED, topup_view(topup), wallet_id=topup.wallet_id))
            return topup

        return settle

    def balance(self, wallet: Wallet) -> dict[str, Any]:
        """The chain's balance beside the store's: ``reconciled`` when they agree with nothing in flight."""
        account = self.port.account(wallet.account)
        chain_minor = 0 if account is None else account.balance_minor
        available_minor = 0 if account is None else account.available_minor
        stored_minor = self.reader.wallet_balance_minor(wallet.id)
        in_flight = sum(self.reader.in_flight(t, wallet.id) for t in ("payments", "refunds", "topups"))
        return {**wallet_view(wallet), "balance_minor": chain_minor, "available_minor": available_minor,
                "balance": money_text(chain_minor, wallet.currency), "store_balance_minor": stored_minor,
                "in_flight": in_flight, "reconciled": stored_minor == chain_minor and in_flight == 0}

    def history(self, wallet: Wallet, before_seq: int | None, limit: int) -> dict[str, Any]:
        entries = self.reader.entries(wallet.id, before_seq or 2**62, limit)
        return {"wallet_id": wallet.id, "currency": wallet.currency,
                "entries": [entry_view(e, wallet.currency) for e in entries],
                "next_before": entries[-1].seq if len(entries) == limit else None}
