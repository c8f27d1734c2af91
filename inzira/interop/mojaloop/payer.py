"""The eKash gateway as a Mojaloop payer FSP: party look-up, quote and transfer through the hub.

Each step is FSPIOP's asynchronous pattern: the request gets 202 from the hub, then the answer arrives as a
PUT callback (``deliver``, called by the gateway's FSPIOP routes), or as ``PUT .../error``. A step waits for
its callback within a bound and returns data: the answer, or a ``Failure`` with Mojaloop's error code.

A transfer counts as committed only with a fulfilment that opens the quote's condition and a completion time
no later than the transfer's expiration: a fulfilment the hub accepted in time. Anything else (aborted,
expired, a late or wrong fulfilment) leaves the Inzira leg to end at its hashlock's expiry. Callbacks that
arrive after their step stopped waiting are kept (bounded) for reconciliation, never dropped silently.

A callback is taken only from the hub (``hub_fsp_id``) or the peer the request went to (the payee FSP of a
quote or transfer; for a party, the FSP it names): the hub forwards a payee FSP's answers under that FSP's
id. Others are refused at once (3100) and settle nothing. An answer that would end the Inzira leg early is
not believed on its own word: a fulfilment that does not open the condition is set aside and the step keeps
waiting, and an abort before the transfer's expiration is confirmed with ``GET /transfers/{ID}`` first,
whose answer only the hub may give; unconfirmed, the payout stays pending and the Inzira leg ends at its
hashlock's expiry, so a forged abort never releases the reservation while eKash may still commit.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from inzira.interop.mojaloop import ilp, jws
from inzira.interop.mojaloop.amounts import fspiop_amount
from inzira.interop.mojaloop.errors import ErrorCode, FspiopError
from inzira.interop.mojaloop.headers import Inbound
from inzira.interop.mojaloop.hub_requests import HUB_UNREACHABLE, HubRequests
from inzira.interop.mojaloop.issued_ids import IssuedIds
from inzira.interop.mojaloop.requests import segment
from inzira.interop.mojaloop.payer_answers import (
    INVALID_ANSWER,
    Failure,
    PartyFound,
    QuoteTerms,
    TransferOutcome,
    failure_of,
    iso_ms,
    name_of,
    outcome_of,
    terms_of,
)

WAITS_MAX = 10_000  # steps waiting for a callback at once; beyond it new steps are refused (503-like)
LATE_MAX = 1_000
TIMEOUT = "2004"  # Mojaloop "Server timeout": no callback within the bound


@dataclass(frozen=True)
class PayerConfig:
    fsp_id: str
    hub_url: str
    signing_key: jws.RSAKey | None = None
    callback_timeout_ms: int = 10_000
    request_timeout_ms: int = 5_000
    get_retry_ms: int = 1_000  # after a transfer's deadline, how long a GET /transfers/{ID} may take
    hub_fsp_id: str = "switch"


@dataclass
class _Wait:
    future: asyncio.Future[tuple[bool, dict[str, Any]]]
    peer: str = ""  # the FSP the request went to: besides the hub, the only one that may answer it
    condition: bytes = b""  # for a transfer: a COMMITTED answer must carry a fulfilment that opens it


@dataclass(frozen=True)
class LateCallback:
    kind: str
    key: str
    error: bool
    body: dict[str, Any]
    received_at: datetime


class Payer:
    def __init__(self, config: PayerConfig, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.config = config
        self.hub = HubRequests(lambda: self.config, clock)
        self.clock = clock
        self.waits: dict[tuple[str, str], _Wait] = {}
        self.late: deque[LateCallback] = deque(maxlen=LATE_MAX)
        self.issued = IssuedIds()  # its transfer ids: no other party may claim one (issued_ids.py)

    async def aclose(self) -> None:
        await self.hub.aclose()

    # --- outbound --------------------------------------------------------------------------------------

    async def _exchange(self, kind: str, key: str, method: str, path: str, resource: str,
                        destination: str | None, payload: dict[str, Any] | None,
                        deadline: datetime, condition: bytes = b"",
                        peer: str | None = None) -> tuple[bool, dict[str, Any]] | Failure:
        peer = (destination or "") if peer is None else peer
        running = self.waits.get((kind, key))
        if running is not None:
            # The same question in flight (two payouts to one number): its answer is this one's too. A refusal
            # would let anyone asking over and over keep others from asking; anything else is another request.
            if method != "GET" or (running.peer, running.condition) != (peer, condition):
                return Failure("3106", f"a {kind} request {key} is already in flight")
            return await self._answer(running, kind, deadline)
        if len(self.waits) >= WAITS_MAX:
            return Failure("2003", "too many requests in flight")
        wait = _Wait(asyncio.get_running_loop().create_future(), peer, condition)
        self.waits[(kind, key)] = wait
        try:
            refused = await self.hub.send(method, path, resource, destination, payload)
            if refused is not None:
                return refused
            return await self._answer(wait, kind, deadline)
        finally:
            self.waits.pop((kind, key), None)

    async def _answer(self, wait: _Wait, kind: str, deadline: datetime) -> tuple[bool, dict[str, Any]] | Failure:
        timeout_s = max(0.0, (deadline - self.clock()).total_seconds())
        try:
            return await asyncio.wait_for(asyncio.shield(wait.future), timeout_s)
        except TimeoutError:
            return Failure(TIMEOUT, f"no {kind} callback by {iso_ms(deadline)}")

    def _deadline(self) -> datetime:
        return self.clock() + timedelta(milliseconds=self.config.callback_timeout_ms)

    # --- the three steps ---------------------------------------------------------------------------------

    async def lookup(self, id_type: str, id_value: str) -> PartyFound | Failure:
        key = f"{id_type}/{id_value}"
        got = await self._exchange("parties", key, "GET", f"/parties/{segment(id_type)}/{segment(id_value)}",
                                   "parties", None, None, self._deadline())
        if isinstance(got, Failure):
            return got
        ok, body = got
        if not ok:
            return failure_of(body)
        party = body.get("party") or {}
        info = party.get("partyIdInfo") or {}
        fsp_id = info.get("fspId")
        if not isinstance(fsp_id, str) or not fsp_id:
            return Failure(INVALID_ANSWER, "the party callback names no FSP")
        if info.get("partyIdType") != id_type or info.get("partyIdentifier") != id_value:
            return Failure(INVALID_ANSWER, "the party callback is about another party")
        return PartyFound(id_type, id_value, fsp_id, name_of(party), party)

    async def quote(self, payee: PartyFound, payer_party: dict[str, Any], amount_minor: int, currency: str,
                    expiration: datetime, note: str | None = None, amount_type: str = "SEND") -> QuoteTerms | Failure:
        """A quote for ``amount_minor``: what the payer sends (SEND: the payee FSP's fee comes out of it) or
        what the payee receives (RECEIVE: the fee comes on top)."""
        if amount_type not in ("SEND", "RECEIVE"):
            return Failure(INVALID_ANSWER, f"amountType {amount_type} is neither SEND nor RECEIVE")
        quote_id, transaction_id, transfer_id = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
        self.issued.add(transaction_id)  # before the payee FSP learns it (issued_ids.py)
        self.issued.add(transfer_id)  # the hub and the payee FSP learn it only with the transfer itself
        payload: dict[str, Any] = {
            "quoteId": quote_id, "transactionId": transaction_id,
            "payee": {"partyIdInfo": {"partyIdType": payee.id_type, "partyIdentifier": payee.id_value,
                                      "fspId": payee.fsp_id}},
            "payer": payer_party, "amountType": amount_type,
            "amount": {"amount": fspiop_amount(amount_minor, currency), "currency": currency},
            "transactionType": {"scenario": "TRANSFER", "initiator": "PAYER", "initiatorType": "CONSUMER"},
            "expiration": iso_ms(expiration),
        }
        if note:
            payload["note"] = note[:128]
        got = await self._exchange("quotes", quote_id, "POST", "/quotes", "quotes", payee.fsp_id, payload,
                                   min(self._deadline(), expiration))
        if isinstance(got, Failure):
            return got
        ok, body = got
        if not ok:
            return failure_of(body)
        return terms_of(body, quote_id, transaction_id, transfer_id, payee.fsp_id, currency, amount_minor,
                        amount_type, self.clock())

    async def transfer(self, terms: QuoteTerms, expiration: datetime) -> TransferOutcome:
        """Send the transfer; wait for its outcome until ``expiration``, then ask the hub once."""
        transfer_id = terms.transfer_id
        payload = {
            "transferId": transfer_id, "payerFsp": self.config.fsp_id, "payeeFsp": terms.payee_fsp,
            "amount": {"amount": fspiop_amount(terms.transfer_amount_minor, terms.currency),
                       "currency": terms.currency},
            "ilpPacket": terms.ilp_packet, "condition": ilp.encode_condition(terms.condition),
            "expiration": iso_ms(expiration),
        }
        got = await self._exchange("transfers", transfer_id, "POST", "/transfers", "transfers", terms.payee_fsp,
                                   payload, expiration, terms.condition)
        if isinstance(got, Failure) and got.code == TIMEOUT:
            got = await self._ask_transfer(transfer_id, terms.payee_fsp, terms.condition)
            if isinstance(got, Failure):
                return TransferOutcome(transfer_id, "UNKNOWN", failure=got)
        if isinstance(got, Failure):
            state = "UNKNOWN" if got.code in (TIMEOUT, HUB_UNREACHABLE) else "ABORTED"
            return TransferOutcome(transfer_id, state, failure=got)
        outcome = outcome_of(transfer_id, got, terms.condition, expiration, self.clock())
        if outcome.state == "ABORTED" and self.clock() < expiration:
            return await self._confirm_abort(terms, expiration, outcome)
        return outcome

    async def _confirm_abort(self, terms: QuoteTerms, expiration: datetime,
                             said: TransferOutcome) -> TransferOutcome:
        """An abort while the transfer could still commit, checked with the hub: ABORTED only when the hub
        says so too; its COMMITTED stands; no clear answer leaves it UNKNOWN (the Inzira leg ends at expiry)."""
        got = await self._ask_transfer(terms.transfer_id, terms.payee_fsp, terms.condition)
        if isinstance(got, Failure) or not got[0]:
            return TransferOutcome(said.transfer_id, "UNKNOWN", failure=said.failure)
        confirmed = outcome_of(terms.transfer_id, got, terms.condition, expiration, self.clock())
        if confirmed.state == "ABORTED" and got[1].get("transferState") == "ABORTED":
            return said
        return confirmed if confirmed.state == "COMMITTED" else TransferOutcome(said.transfer_id, "UNKNOWN",
                                                                                failure=said.failure)

    async def ask(self, terms: QuoteTerms, expiration: datetime) -> TransferOutcome:
        """The hub's view of a transfer sent earlier (``GET /transfers/{ID}``), e.g. after a restart."""
        got = await self._ask_transfer(terms.transfer_id, terms.payee_fsp, terms.condition)
        if isinstance(got, Failure):  # no word on the transfer: the GET was not sent (one in flight), or not answered
            return TransferOutcome(terms.transfer_id, "UNKNOWN", failure=got)
        return outcome_of(terms.transfer_id, got, terms.condition, expiration, self.clock())

    async def _ask_transfer(self, transfer_id: str, payee_fsp: str,
                            condition: bytes) -> tuple[bool, dict[str, Any]] | Failure:
        deadline = self.clock() + timedelta(milliseconds=self.config.get_retry_ms)
        # Only the hub answers: it is the transfer's ledger, and the payee FSP may be the one lying.
        return await self._exchange("transfers", transfer_id, "GET", f"/transfers/{segment(transfer_id)}",
                                    "transfers", payee_fsp, None, deadline, condition, peer="")

    # --- inbound callbacks -------------------------------------------------------------------------------

    def admits(self, resource: str, ids: tuple[str, ...], body: dict[str, Any], error: bool,
               inbound: Inbound) -> FspiopError | None:
        """The FSPIOP server's check before its 200: None when ``inbound.source`` may send this callback."""
        source = inbound.source
        if source == self.config.hub_fsp_id:
            return None
        if resource == "parties":
            if error:
                return None  # a failed look-up moves no money, whoever says it
            party = body.get("party")
            info = party.get("partyIdInfo") if isinstance(party, dict) else None
            named = info.get("fspId") if isinstance(info, dict) else None
            allowed = named if isinstance(named, str) else ""
        else:
            wait = self.waits.get((resource, "/".join(ids)))
            if wait is None:
                return None  # nobody waits: kept for reconciliation, acted on by nobody
            allowed = wait.peer
        if source == allowed:
            return None
        return FspiopError(ErrorCode.VALIDATION, f"fspiop-source header: {source[:32]} may not answer this; "
                           f"only the hub or {allowed[:32] or 'the FSP named'}")

    def owns(self, transfer_id: str) -> bool:
        """Whether ``transfer_id`` is one this payer issued (the server gives its callbacks to the payer)."""
        return self.issued.has(transfer_id)

    async def on_callback(self, resource: str, ids: tuple[str, ...], body: dict[str, Any], error: bool,
                          inbound: Inbound) -> None:
        """The FSPIOP server's hook (``server.PayerCallbacks``): a checked callback addressed to this payer."""
        self.deliver(resource, "/".join(ids), body, error, inbound.source)

    def deliver(self, kind: str, key: str, body: dict[str, Any], error: bool, source: str) -> bool:
        """A callback for ``kind``/``key`` (e.g. quotes/<id>) from ``source``; False when no step waits for it
        (kept as late). The source is checked again against the wait it would settle: ``admits`` ran before the
        200, when another wait may have stood (the payee FSP's, before the hub's confirmation alone)."""
        wait = self.waits.get((kind, key))
        if wait is None or wait.future.done() or _forged_fulfilment(wait, body, error) \
                or not self._may_settle(wait, kind, source):
            self.late.append(LateCallback(kind, key, error, body, self.clock()))
            return False
        # The FSPIOP server may run on another event loop than the step that waits.
        wait.future.get_loop().call_soon_threadsafe(_settle, wait.future, (not error, body))
        return True

    def _may_settle(self, wait: _Wait, kind: str, source: str) -> bool:
        """Whether ``source`` answers ``wait``: the hub, or the peer it asked (a party's answer names its own)."""
        return kind == "parties" or source in (self.config.hub_fsp_id, wait.peer)


def _forged_fulfilment(wait: _Wait, body: dict[str, Any], error: bool) -> bool:
    """A COMMITTED answer whose fulfilment does not open the transfer's condition: set aside, not an outcome."""
    if error or not wait.condition or body.get("transferState") != "COMMITTED":
        return False
    fulfilment = body.get("fulfilment")
    return not isinstance(fulfilment, str) or not ilp.fulfils(fulfilment, ilp.encode_condition(wait.condition))


def _settle(future: asyncio.Future[tuple[bool, dict[str, Any]]], result: tuple[bool, dict[str, Any]]) -> None:
    if not future.done():
        future.set_result(result)

