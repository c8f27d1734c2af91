"""Liquidity: prefunding through the currency's issuer, positions and low-liquidity alerts.

- deposit: the FSP paid the issuer off chain (an interbank payment with a settlement reference) and files a
  funding request with the issuer's funding API (``inzira.funding``); nothing is issued until the issuer's
  officers approve and the issuer signs ``Issue`` with its own key. This service holds no issuer's key.
- withdrawal: the FSP signs ``Redeem`` with its own key and files it; the issuer countersigns on approval.
- net debit caps are the issuer's to set, on its funding API (``PUT /funding/v1/caps/{account}``).
- thresholds: an FSP sets a floor per account; when what is available falls below it an alert is
  raised once (event stream, webhook, alerts list), and again only after it has recovered.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from inzira.funding.client import FundingClient
from inzira.http import HttpProblem
from inzira.ledger.codes import Code
from inzira.ledger.ids import account_owner, is_settlement_reference
from inzira.ledger.records import Account
from inzira.ledger.tx import Redeem
from inzira.money import AMOUNT_MINOR_MAX
from inzira.node.custody import MemberPort
from inzira.node.views import account_view
from inzira.remit.codes import RemitError, forbidden, invalid
from inzira.remit.events import EventHub
from inzira.remit.money_view import money
from inzira.remit.runtime import RemitRuntime
from inzira.remit.settings import RemitSettings
from inzira.remit.store.notices import NoticeStore

POSITIONS_MAX = 200
WITHDRAWAL_VALIDITY_MS = 23 * 3600 * 1000  # the issuer has this long to countersign (the ledger allows 24 h)


class Liquidity:
    def __init__(self, runtime: RemitRuntime, ports: Mapping[str, MemberPort], funding: FundingClient,
                 notices: NoticeStore, hub: EventHub, settings: RemitSettings, clock_ms: Callable[[], int]) -> None:
        self.node = runtime.node
        self._ports = ports
        self.funding = funding
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

    def positions(self, member: str, issuer: str | None = None) -> list[dict[str, Any]]:
        """``member``'s positions; with ``issuer``, only those in the currencies it issues (what an issuer other
        than the regulator may see of another member's)."""
        issuers = self.node.genesis.issuers()
        return [self.position(a) for a in self.node.accounts(member, POSITIONS_MAX)
                if not a.issuance and (issuer is None or issuers.get(a.currency) == issuer)]

    def _issuer(self, account: Account) -> str:
        return self.node.genesis.issuers()[account.currency]

    @staticmethod
    def _amount(amount_minor: int) -> None:
        if not 0 < amount_minor <= AMOUNT_MINOR_MAX:
            raise invalid("amount_minor must be a positive integer of minor units")

    async def deposit(self, member: str, account_id: str, amount_minor: int, reference: str) -> dict[str, Any]:
        """File a funding request with the issuer: 202, pending until the issuer's officers decide."""
        self._amount(amount_minor)
        if not reference or not is_settlement_reference(reference):
            raise invalid("settlement_reference (the interbank payment's reference) is 1 to 64 printable ASCII "
                          "characters")
        account = self._own(member, account_id)
        if member not in self._ports:  # as for a withdrawal: a refusal, not the funding client's 503 (retry later)
            raise forbidden(f"this service does not act for {member}")
        try:
            return await self.funding.deposit(self._issuer(account), member, account.id, amount_minor, reference)
        except HttpProblem as exc:
            raise RemitError(exc.status, exc.code, exc.detail) from None

    async def withdraw(self, member: str, account_id: str, amount_minor: int, reference: str | None) -> dict[str, Any]:
        """Sign the redemption as the holder and file it with the issuer, who countersigns on approval."""
        self._amount(amount_minor)
        reference = reference or f"wd-{uuid.uuid4().hex}"
        if not is_settlement_reference(reference):
            raise invalid("a withdrawal reference is 1 to 64 printable ASCII characters")
        account = self._own(member, account_id)
        port = self._ports.get(member)
        if port is None:
            raise forbidden(f"this service does not act for {member}")
        redeem = Redeem(account.id, amount_minor, account.currency, reference)
        raw = port.sign_body(port.body(redeem, f"wd:{uuid.uuid4().hex}", WITHDRAWAL_VALIDITY_MS))
        try:
            return await self.funding.withdrawal(self._issuer(account), member, raw)
        except HttpProblem as exc:
            raise RemitError(exc.status, exc.code, exc.detail) from None

    def set_threshold(self, member: str, account_id: str, threshold_minor: int) -> dict[str, Any]:
        account = self._own(member, account_id)
        if not 0 <= threshold_minor <= AMOUNT_MINOR_MAX:
            raise invalid("threshold_minor must be a non-negative integer (0 removes the threshold)")
        if not self.notices.set_threshold(account.id, member, threshold_minor, self.settings.thresholds_max):
            raise invalid(f"at most {self.settings.thresholds_max} thresholds per member")
        with self._lock:
            if threshold_minor:
                self._thresholds[account.id] = threshold_minor
            else:
                self._thresholds.pop(account.id, None)
                self._low.discard(account.id)
        # This account alone: re-checking every member's on each call would let a flood of calls amplify.
        if threshold_minor:
            self._compare(account, threshold_minor)
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
            if account is not None:
                self._compare(account, threshold)

    def _compare(self, account: Account, threshold: int) -> None:
        low = account.available_minor < threshold
        with self._lock:
            if low == (account.id in self._low):
                return
            (self._low.add if low else self._low.discard)(account.id)
        self._alert(account, threshold, low)

    def _alert(self, account: Account, threshold: int, low: bool) -> None:
        member = account_owner(account.id)
        now_ms = self.clock_ms()
        alert = {"kind": "liquidity.low" if low else "liquidity.recovered", "member": member, "account": account.id,
                 "at_ms": now_ms, "available": money(account.available_minor, account.currency),
                 "threshold": money(threshold, account.currency)}
        alert_id = self.notices.add_alert(member, now_ms, alert, self.settings.alerts_kept_max)
        self.hub.publish("alert", frozenset({member}), None, {"id": alert_id, **alert})
