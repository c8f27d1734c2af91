"""Liquidity: prefunding through the settlement bank, positions, net debit caps and low-liquidity alerts.

- deposit: the FSP's money arrived at the currency's issuer (the settlement bank, off chain); the issuer
  issues the same amount to the FSP's position (``Issue``). In the demo the issuer's service confirms at
  once; in production it would after seeing the funds.
- withdrawal: ``Redeem`` signed by the holder (giving the money back) and the issuer (paying it out).
- net debit cap: the issuer extends a credit line on a position (``SetDebitCap``); a transfer beyond
  balance + cap is refused by the ledger with 4001.
- thresholds: an FSP sets a floor per account; when what is available falls below it an alert is
  raised once (event stream, webhook, alerts list), and again only after it has recovered.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from inzira.ledger.codes import Code, describe
from inzira.ledger.ids import account_owner
from inzira.ledger.records import Account
from inzira.ledger.tx import Issue, Op, Redeem, SetDebitCap
from inzira.money import AMOUNT_MINOR_MAX
from inzira.node.views import account_view
from inzira.remit import ledger_io
from inzira.remit.codes import RemitError, forbidden, invalid
from inzira.remit.events import EventHub
from inzira.remit.money_view import money
from inzira.remit.runtime import RemitRuntime
from inzira.remit.settings import RemitSettings
from inzira.remit.store.notices import NoticeStore

POSITIONS_MAX = 200


class Liquidity:
    def __init__(self, runtime: RemitRuntime, notices: NoticeStore, hub: EventHub, settings: RemitSettings,
                 clock_ms: Callable[[], int]) -> None:
        self.runtime = runtime
        self.node = runtime.node
        self.notices = notices
        self.hub = hub
        self.settings = settings
        self.clock_ms = clock_ms
        self._thresholds = notices.thresholds()
        self._low: set[str] = set()
        self._lock = threading.Lock()

    def _account(self, account_id: str) -> Account:
        account = self.node.account(account_id)
        if account is None or account.issuance:
            raise RemitError(404, Code.ACCOUNT_NOT_FOUND, f"no account {account_id}")
        return account

    def position(self, account: Account) -> dict[str, Any]:
        threshold = self._thresholds.get(account.id, 0)
        return {**account_view(account), "reserved": money(account.debits_pending, account.currency),
                "incoming": money(account.credits_pending, account.currency),
                "low_threshold": money(threshold, account.currency) if threshold else None,
                "low": bool(threshold) and account.available_minor < threshold}

    def positions(self, member: str) -> list[dict[str, Any]]:
        return [self.position(a) for a in self.node.accounts(member, POSITIONS_MAX) if not a.issuance]

    async def _execute(self, signer: str, op: Op, *cosigners: str) -> bytes:
        keys = tuple(self.runtime.keys[c] for c in cosigners)
        raw = self.runtime.signer(signer).sign(op, None, keys)
        outcome = await ledger_io.submit(self.runtime, raw, self.settings.submit_timeout_ms / 1000)
        if outcome is None:
            raise RemitError(503, 2003, "the ledger did not answer: try again")
        if outcome.code != Code.OK:
            raise RemitError(422, outcome.code, f"the ledger refused it: {describe(outcome.code)}",
                             tx_id=outcome.tx_id.hex())
        return outcome.tx_id

    def _issuer(self, account: Account) -> str:
        return self.node.genesis.issuers()[account.currency]

    @staticmethod
    def _amount(amount_minor: int) -> None:
        if not 0 < amount_minor <= AMOUNT_MINOR_MAX:
            raise invalid("amount_minor must be a positive integer of minor units")

    async def deposit(self, member: str, account_id: str, amount_minor: int) -> dict[str, Any]:
        self._amount(amount_minor)
        account = self._own(member, account_id)
        tx_id = await self._execute(self._issuer(account), Issue(account.id, amount_minor, account.currency))
        return {"tx_id": tx_id.hex(), "position": self.position(self._account(account.id))}

    async def withdraw(self, member: str, account_id: str, amount_minor: int) -> dict[str, Any]:
        self._amount(amount_minor)
        account = self._own(member, account_id)
        tx_id = await self._execute(member, Redeem(account.id, amount_minor, account.currency), self._issuer(account))
        return {"tx_id": tx_id.hex(), "position": self.position(self._account(account.id))}

    async def set_cap(self, member: str, account_id: str, cap_minor: int) -> dict[str, Any]:
        account = self._account(account_id)
        if self._issuer(account) != member:
            raise forbidden(f"only {self._issuer(account)}, the issuer of {account.currency}, sets caps on it")
        if not 0 <= cap_minor <= AMOUNT_MINOR_MAX:
            raise invalid("cap_minor must be a non-negative integer of minor units")
        tx_id = await self._execute(member, SetDebitCap(account.id, cap_minor))
        return {"tx_id": tx_id.hex(), "position": self.position(self._account(account.id))}

    def set_threshold(self, member: str, account_id: str, threshold_minor: int) -> dict[str, Any]:
        account = self._own(member, account_id)
        if not 0 <= threshold_minor <= AMOUNT_MINOR_MAX:
            raise invalid("threshold_minor must be a non-negative integer (0 removes the threshold)")
        if not self.notices.set_threshold(account.id, member, threshold_minor, self.settings.thresholds_max):
            raise invalid(f"at most {self.settings.thresholds_max} thresholds")
        with self._lock:
            if threshold_minor:
                self._thresholds[account.id] = threshold_minor
            else:
                self._thresholds.pop(account.id, None)
                self._low.discard(account.id)
        self.check()
        return self.position(account)

    def _own(self, member: str, account_id: str) -> Account:
        account = self._account(account_id)
        if account_owner(account.id) != member:
            raise forbidden(f"{account_id} is not {member}'s account")
        return account

    def check(self) -> None:
        """Compare each watched account with its threshold; alert on the way down and on recovery."""
        with self._lock:
            watched = list(self._thresholds.items())
        for account_id, threshold in watched:
            account = self.node.account(account_id)
            if account is None:
                continue
            low = account.available_minor < threshold
            with self._lock:
                if low == (account_id in self._low):
                    continue
                (self._low.add if low else self._low.discard)(account_id)
            self._alert(account, threshold, low)

    def _alert(self, account: Account, threshold: int, low: bool) -> None:
        member = account_owner(account.id)
        now_ms = self.clock_ms()
        alert = {"kind": "liquidity.low" if low else "liquidity.recovered", "member": member, "account": account.id,
                 "at_ms": now_ms, "available": money(account.available_minor, account.currency),
                 "threshold": money(threshold, account.currency)}
        alert_id = self.notices.add_alert(member, now_ms, alert)
        self.hub.publish("alert", frozenset({member}), None, {"id": alert_id, **alert})
