"""The issuer's funding desk: funding and withdrawal requests, decided by the issuer's officers, carried out
with the issuer's own key.

- Deposit: the holder paid the issuer off chain (an interbank payment with a settlement reference) and asks
  to be funded; an officer of the issuer checks the payment arrived and approves: the issuer signs
  ``Issue(account, amount, currency, reference)``. The reference goes on chain, so an auditor ties every
  unit issued to a payment into the issuer's reserves; a reference funds at most once. Whose payment it was is
  the officer's check, not the first filer's: another holder may file the same reference (one who learnt it),
  and each request shows the officers the others pending with it (``contested_by``); approving one rejects
  the others, and approving another after that is 409 (3106). An issuance the ledger refused for good (a final
  verdict: its id spent with a refusal, or its deadline passed with the chain) issued nothing: the request is
  ``failed`` and the reference free to fund again; until that is certain the request stays ``approving`` and
  keeps the reference. See ``inzira.funding.store``, and ``inzira.funding.settlement`` for what settles it.
- Withdrawal, by countersigning: the holder signs ``Redeem(account, amount, currency, reference)`` (its
  consent to give the money back; ``reference`` is what the issuer's payment to it will carry) and files it;
  an officer approves and the issuer adds its signature and submits, then pays out off chain. Nothing moves
  until the issuer signs; a rejected or expired request moves nothing.
- Above ``dual_approval_units`` (in the currency's major units) two distinct officers of the issuer approve.
- Caps: an officer sets a position's net debit cap (``SetDebitCap``), signed by the issuer. A cap is credit the
  holder can spend, so raising one to ``dual_approval_units`` or more is a request (kind ``cap``) the officer
  files with its own approval and a second officer approves; lowering one, or a cap below that, is one
  officer's.

Officers are credentials of the issuer's deployment (``funding-officers.json``: "<issuer>/<officer>" ->
token), distinct people; holders are the issuer's clients (``funding-clients.json``: member -> token).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from inzira.ledger.codes import Code, describe
from inzira.ledger.ids import account_owner, is_settlement_reference
from inzira.ledger.tx import Issue, SetDebitCap, decode_signed, tx_id_of
from inzira.money import AMOUNT_MINOR_MAX, currency, money_text
from inzira.node.custody import MemberPort
from inzira.node.signer import wall_clock_ms
from inzira.ordering.outcome import Outcome
from inzira.funding.errors import FundingError
from inzira.funding.redemptions import checked_redemption
from inzira.funding.settlement import VERDICT_TIMEOUT_S, Settlement
from inzira.funding.store import (
    APPROVING,
    CAP,
    DEPOSIT,
    PENDING,
    WITHDRAWAL,
    FundingRequest,
    FundingStore,
    reference_key,
    shown_state,
)

DUAL_APPROVAL_UNITS = 10_000
LIST_MAX = 200
NOTE_CHARS_MAX = 500
DEPOSIT_TTL_MS = 7 * 24 * 3600 * 1000  # an unanswered deposit request is still shown this long as pending
PENDING_MAX = 100  # a holder's requests pending at one issuer
CONTESTED_SHOWN_MAX = 20  # other pending requests named in a view (one per holder: bounded by the members)
CAP_TTL_MS = 24 * 3600 * 1000  # a cap raise waiting for its second officer


@dataclass(frozen=True, slots=True)
class Officer:
    issuer: str
    name: str  # "<issuer>/<officer>"


class FundingDesk:
    def __init__(self, ports: Mapping[str, MemberPort], store: FundingStore,
                 dual_approval_units: int = DUAL_APPROVAL_UNITS, clock_ms: Callable[[], int] = wall_clock_ms) -> None:
        """``ports``: the issuers this desk acts for, each its own port."""
        self._ports = dict(ports)
        self.store = store
        self.dual_approval_units = dual_approval_units
        self.clock_ms = clock_ms
        node = next(iter(self._ports.values())).node if self._ports else None
        if node is None:
            raise ValueError("a funding desk acts for at least one issuer")
        self.node = node
        self.settlement = Settlement(self._ports, store)

    @property
    def issuers(self) -> tuple[str, ...]:
        return tuple(sorted(self._ports))

    def _issuer_of(self, currency_code: str) -> str:
        issuer = self.node.state.issuers.get(currency_code)
        if issuer is None or issuer not in self._ports:
            raise FundingError(422, Code.VALIDATION, f"{currency_code} is not issued by this funding desk")
        return issuer

    def dual_threshold_minor(self, currency_code: str) -> int:
        return self.dual_approval_units * 10 ** currency(currency_code).exponent

    def approvals_needed(self, request: FundingRequest) -> int:
        return 2 if request.amount_minor >= self.dual_threshold_minor(request.currency) else 1

    def _holder_account(self, holder: str, account_id: str) -> Any:
        account = self.node.state.accounts.get(account_id)
        if account is None or account.issuance or account_owner(account_id) != holder:
            raise FundingError(404, Code.ACCOUNT_NOT_FOUND, f"{holder} has no account {account_id}")
        return account

    @staticmethod
    def _reference(reference: str) -> None:
        # References are compared without their spaces: one of spaces only would be every such filing's payment.
        if not is_settlement_reference(reference) or not reference_key(reference):
            raise FundingError(400, Code.VALIDATION, "a settlement reference is 1 to 64 printable ASCII characters, "
                                                     "not only spaces")

    def _stored(self, request: FundingRequest) -> FundingRequest:
        """The request, or the one already filed under its settlement reference when it asks the same."""
        stored = self.store.add(request, PENDING_MAX)
        if stored is None:  # what a holder files waits for people: a bounded queue, not a flood
            raise FundingError(422, Code.VALIDATION, f"{request.holder} already has {PENDING_MAX} requests pending "
                                                     f"at {request.issuer}: wait for their decisions")
        if stored.holder != request.holder:
            raise FundingError(409, Code.MODIFIED_REQUEST,
                               f"settlement reference {request.reference} was approved for another request")
        if (stored.account, stored.amount_minor) != (request.account, request.amount_minor):
            raise FundingError(409, Code.MODIFIED_REQUEST,
                               f"settlement reference {request.reference} was already used for another request")
        return stored

    # --- holders ---

    def request_deposit(self, holder: str, account_id: str, amount_minor: int, reference: str) -> FundingRequest:
        if not 0 < amount_minor <= AMOUNT_MINOR_MAX:
            raise FundingError(400, Code.VALIDATION, "amount_minor must be a positive integer of minor units")
        self._reference(reference)
        account = self._holder_account(holder, account_id)
        issuer = self._issuer_of(account.currency)
        now_ms = self.clock_ms()
        return self._stored(FundingRequest(f"fr-{uuid.uuid4().hex}", DEPOSIT, issuer, holder, account.id,
                                           account.currency, amount_minor, reference, PENDING, now_ms,
                                           now_ms + DEPOSIT_TTL_MS, None, "", None, None, None, None))

    def request_withdrawal(self, holder: str, signed_tx: bytes) -> FundingRequest:
        """A redemption the holder signed and submits itself, waiting for the issuer's signature."""
        op, body = checked_redemption(self.node, holder, signed_tx, self.clock_ms())
        self._reference(op.reference)
        account = self._holder_account(holder, op.account)
        if op.currency != account.currency or not 0 < op.amount_minor <= AMOUNT_MINOR_MAX:
            raise FundingError(400, Code.VALIDATION, "the redemption's amount or currency is not the account's")
        issuer = self._issuer_of(account.currency)
        if body.expires_at_ms <= self.clock_ms():
            raise FundingError(422, Code.EXPIRED, "the signed redemption has expired")
        return self._stored(FundingRequest(f"fr-{uuid.uuid4().hex}", WITHDRAWAL, issuer, holder, account.id,
                                           account.currency, op.amount_minor, op.reference, PENDING,
                                           self.clock_ms(), body.expires_at_ms, None, "", signed_tx, None, None,
                                           None))

    # --- the issuer's officers ---

    def _issuers_request(self, officer: Officer, request_id: str) -> FundingRequest:
        request = self.store.get(request_id)
        if request is None or request.issuer != officer.issuer:
            raise FundingError(404, Code.NOT_FOUND, f"{officer.issuer} has no funding request {request_id}")
        return request

    def _pending_for(self, officer: Officer, request_id: str, approving: bool = False) -> FundingRequest:
        request = self._issuers_request(officer, request_id)
        if request.state != PENDING:
            if approving:
                self._untaken(request)
            raise FundingError(409, Code.ALREADY_RESOLVED, f"request {request_id} is {request.state}")
        return request

    async def approve(self, officer: Officer, request_id: str, note: str) -> FundingRequest:
        """Record the officer's approval; once enough officers approved, the issuer signs and submits. A request
        already approving (signed and submitted, with no final verdict seen: none in time, the ledger busy, or a
        refusal that spent nothing) is carried out again: the very bytes stored, which the ledger takes once."""
        request = self._issuers_request(officer, request_id)
        if request.state == APPROVING and request.signed_tx is not None:
            return await self.settlement.carry_out_again(request)
        request = self._pending_for(officer, request_id, approving=True)
        now_ms = self.clock_ms()
        if now_ms >= request.expires_at_ms:
            raise FundingError(422, Code.EXPIRED, f"request {request_id} expired: the holder asks again")
        note = note[:NOTE_CHARS_MAX]
        count = self.store.approve(request.id, officer.name, now_ms)
        if count is None:
            self._untaken(request)
            raise FundingError(409, Code.ALREADY_RESOLVED, f"request {request_id} was decided meanwhile")
        if count < self.approvals_needed(request):
            return self.store.get(request.id) or request
        port = self._ports[request.issuer]
        if request.kind == DEPOSIT:
            raw = port.sign(Issue(request.account, request.amount_minor, request.currency, request.reference),
                            f"fund:{request.id}")
        elif request.kind == CAP:
            raw = port.sign(SetDebitCap(request.account, request.amount_minor), f"cap:{request.id}")
        else:
            raw = port.countersign(request.signed_tx or b"")
        if not self.store.claim(request.id, now_ms, note, raw, tx_id_of(decode_signed(raw).body)):
            self._untaken(request)  # another request's approval took the reference first
            return self.store.get(request.id) or request  # another officer's approval carried it out
        return await self.settlement.carry_out(port, request.id, raw)

    def _untaken(self, request: FundingRequest) -> None:
        """Refuse a decision on a request whose reference another request's approval took (it is rejected)."""
        if self.store.taken_by(request) is not None:
            raise FundingError(409, Code.MODIFIED_REQUEST, f"settlement reference {request.reference} was "
                                                           f"approved for another request: {request.id} is rejected")

    async def recover(self) -> int:
        """Resubmit what approvals signed but saw no verdict for (``Settlement.recover``)."""
        return await self.settlement.recover()

    def reject(self, officer: Officer, request_id: str, note: str) -> FundingRequest:
        request = self._pending_for(officer, request_id)
        if not self.store.reject(request.id, officer.name, self.clock_ms(), note[:NOTE_CHARS_MAX]):
            raise FundingError(409, Code.ALREADY_RESOLVED, f"request {request_id} was decided meanwhile")
        return self.store.get(request.id) or request

    async def cap(self, officer: Officer, account_id: str, cap_minor: int) -> Outcome | FundingRequest | None:
        """The ledger's verdict on the cap (None: no answer in time), or, for a raise to the dual-approval
        threshold or above, the request filed with this officer's approval, for a second officer."""
        account = self.node.state.accounts.get(account_id)
        if account is None or account.issuance:
            raise FundingError(404, Code.ACCOUNT_NOT_FOUND, f"no account {account_id}")
        if self.node.state.issuers.get(account.currency) != officer.issuer:
            raise FundingError(403, Code.PERMISSION, f"{officer.issuer} does not issue {account.currency}")
        if not 0 <= cap_minor <= AMOUNT_MINOR_MAX:
            raise FundingError(400, Code.VALIDATION, "cap_minor must be a non-negative integer of minor units")
        if cap_minor > account.debit_cap_minor and cap_minor >= self.dual_threshold_minor(account.currency):
            return self._cap_request(officer, account, cap_minor)
        port = self._ports[officer.issuer]
        return await port.verdict(port.sign(SetDebitCap(account.id, cap_minor)), VERDICT_TIMEOUT_S)

    def _cap_request(self, officer: Officer, account: Any, cap_minor: int) -> FundingRequest:
        now_ms = self.clock_ms()
        request = self._stored(FundingRequest(f"fr-{uuid.uuid4().hex}", CAP, officer.issuer,
                                              account_owner(account.id), account.id, account.currency, cap_minor,
                                              f"cap-{uuid.uuid4().hex}", PENDING, now_ms, now_ms + CAP_TTL_MS, None,
                                              "", None, None, None, None))
        if self.store.approve(request.id, officer.name, now_ms) is None:  # another officer rejected it already
            raise FundingError(409, Code.ALREADY_RESOLVED, f"request {request.id} was decided meanwhile")
        return self.store.get(request.id) or request

    # --- views ---

    def view(self, request: FundingRequest, officer: bool = False) -> dict[str, Any]:
        """What the holder sees of its request; an officer also sees the other requests pending with its
        reference (``contested_by``: check the payer before approving one). A pending request past its expiry
        is shown as ``expired``."""
        now_ms = self.clock_ms()
        seen = {"id": request.id, "kind": request.kind, "issuer": request.issuer, "holder": request.holder,
                "account": request.account, "currency": request.currency, "amount_minor": request.amount_minor,
                "amount": money_text(request.amount_minor, request.currency),
                "settlement_reference": request.reference, "state": shown_state(request, now_ms),
                "created_at_ms": request.created_at_ms, "expires_at_ms": request.expires_at_ms,
                "decided_at_ms": request.decided_at_ms, "note": request.note, "rejected_by": request.rejected_by,
                "approvals_needed": self.approvals_needed(request),
                "approvals": [{"officer": o, "at_ms": t} for o, t in self.store.approvals(request.id)],
                "tx_id": request.tx_id.hex() if request.tx_id else None, "code": request.code,
                "description": describe(request.code) if request.code is not None else None,
                "height": request.height}
        if officer:
            seen["contested_by"] = self.store.contested_by(request, CONTESTED_SHOWN_MAX, now_ms)
        return seen
