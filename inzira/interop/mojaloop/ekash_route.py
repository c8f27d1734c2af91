"""A payout route through eKash: the gateway's receiving-FSP side pays wallets outside Inzira over Mojaloop.

It is a payout adapter (``kind: "mojaloop"``) with one difference from an operator's: the hashlock is not the
gateway's own. At quote time ``hashlock`` asks eKash for a party and a quote and hands back the quote's
condition, so the Inzira pending transfer is locked with it; at payout time ``start`` sends the eKash transfer
and the fulfilment eKash returns is the one that posts the Inzira leg. Both legs settle, or both end.

Expiry ordering: the eKash transfer expires at the gateway's payout deadline (the Inzira hashlock's expiry
less the time to post) less ``clock_skew_ms``, and never after the eKash quote; a fulfilment completed by then
can still be posted on Inzira. With less than ``window_min_ms`` left, no eKash transfer is sent at all.

Quotes, outcomes and fulfilments are kept in SQLite (``state_file``), so a restart can still post a leg eKash
committed, and an outcome nobody waited for is found by ``status``.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from inzira.interop.mojaloop import jws
from inzira.interop.mojaloop.ekash_book import RouteBook
from inzira.interop.mojaloop.ekash_leg import ABORTED, QUOTED, RESERVED, EkashLeg, LegSteps
from inzira.interop.mojaloop.payer import Payer, PayerConfig
from inzira.interop.mojaloop.payer_answers import Failure, PartyFound, QuoteTerms, TransferOutcome
from inzira.remit.payout.adapter import PayoutAdapter
from inzira.remit.payout.types import (
    AccountHolder,
    Hashlock,
    OperatorBalance,
    PayoutConfigError,
    PayoutError,
    PayoutNotFoundError,
    PayoutRefusedError,
    PayoutState,
    PayoutStatus,
    PayoutUnavailableError,
)

UNREACHABLE_CODES = ("1001", "2004", "2003")  # communication error, timeout, too busy: the outcome is unknown


class EkashRoute(PayoutAdapter):
    def __init__(self, payer: Payer, state_file: Path | None = None, clock_skew_ms: int = 2_000,
                 window_min_ms: int = 1_000) -> None:
        self.payer = payer
        self.state = RouteBook(state_file)
        payer.issued.durable = self.state.has_transfer  # its transfer ids stay its own after a restart
        self.steps = LegSteps(self.state.db, self.state.lock)
        self.clock_skew_ms = clock_skew_ms
        self.window_min_ms = window_min_ms
        self._runs: dict[str, asyncio.Task[PayoutState]] = {}

    @classmethod
    def from_config(cls, fields: Mapping[str, Any]) -> EkashRoute:
        """``{"fsp_id": "inzira", "hub_url": "http://hub", "state_file": "...", "signing_key_file": "...pem",
        "clock_skew_ms": 2000, "hub_fsp_id": "switch"}``: the gateway's FSP id at the hub, where its requests
        go, its records, the RSA key that signs its requests (FSPIOP-Signature; unsigned without it), the
        hub's own FSP id (besides the payee FSP, the only source of answers it takes)."""
        try:
            key_file = fields.get("signing_key_file")
            key = jws.load_private_key(Path(key_file).read_bytes()) if key_file else None
            config = PayerConfig(str(fields["fsp_id"]), str(fields["hub_url"]), signing_key=key,
                                 callback_timeout_ms=int(fields.get("callback_timeout_ms", 10_000)),
                                 hub_fsp_id=str(fields.get("hub_fsp_id", "switch")))
            state_file = Path(fields["state_file"]) if fields.get("state_file") else None
            return cls(Payer(config), state_file, int(fields.get("clock_skew_ms", 2_000)),
                       int(fields.get("window_min_ms", 1_000)))
        except (KeyError, TypeError, ValueError, OSError, jws.JwsError) as exc:
            raise PayoutConfigError(f"mojaloop payout route: {exc}") from None

    def _now(self) -> datetime:
        return self.payer.clock()

    def _now_ms(self) -> int:
        return int(self._now().timestamp() * 1000)

    def leg(self, quote_id: str) -> EkashLeg | None:
        """The eKash leg of Inzira quote ``quote_id`` as it stands, or None when eKash never quoted it."""
        found = self.state.get(quote_id)
        if found is None:
            return None
        _msisdn, terms, state, reason, _fulfilment = found
        steps = self.steps.of(quote_id)
        if state == "QUOTED" and any(s == RESERVED for s, _at in steps):
            state = RESERVED
        return EkashLeg(terms.transfer_id, terms.payee_fsp, terms.currency, terms.transfer_amount_minor,
                        terms.payee_receive_amount_minor, terms.payee_fee_minor, state, reason, steps)

    # --- look-up and quote ---------------------------------------------------------------------------

    async def _party(self, msisdn: str) -> PartyFound | None:
        found = await self.payer.lookup("MSISDN", msisdn.lstrip("+"))
        if isinstance(found, Failure):
            if found.code == "3204":
                return None
            if found.code in UNREACHABLE_CODES:
                raise PayoutUnavailableError(f"eKash did not answer the look-up: {found.description}")
            raise PayoutRefusedError(found.code, found.description)
        return found

    async def lookup(self, msisdn: str) -> AccountHolder | None:
        party = await self._party(msisdn)
        return None if party is None else AccountHolder(msisdn, party.name, True)

    async def hashlock(self, quote_id: str, msisdn: str, amount_minor: int, currency: str, receive: bool,
                       payer_alias: str, expires_at_ms: int) -> Hashlock:
        """Quote the wallet at ``msisdn`` with eKash; the quote's condition locks the Inzira leg. An Inzira quote id
        is quoted once: it is public (its reservation's memo), and agreed again once forgotten by the receiving
        FSP, its new terms would overwrite the record of the eKash transfer already sent under it."""
        if self.state.has(quote_id):
            raise _quoted_before(quote_id)
        party = await self._party(msisdn)
        if party is None:
            raise PayoutRefusedError("3204", f"eKash knows no wallet at {msisdn}")
        payer_party = {"partyIdInfo": {"partyIdType": "ALIAS", "partyIdentifier": payer_alias,
                                       "fspId": self.payer.config.fsp_id}}
        expiration = datetime.fromtimestamp(expires_at_ms / 1000, UTC)
        terms = await self.payer.quote(party, payer_party, amount_minor, currency, expiration,
                                       amount_type="RECEIVE" if receive else "SEND")
        if isinstance(terms, Failure):
            if terms.code in UNREACHABLE_CODES:
                raise PayoutUnavailableError(f"eKash did not answer the quote: {terms.description}")
            raise PayoutRefusedError(terms.code, terms.description)
        if not self.state.put_quote(quote_id, msisdn, terms):  # the same id agreed meanwhile (a resend racing)
            raise _quoted_before(quote_id)
        self.steps.mark(quote_id, QUOTED, self._now_ms())
        return Hashlock(terms.condition, terms.transfer_amount_minor, terms.payee_receive_amount_minor,
                        terms.payee_fee_minor, int(terms.expiration.timestamp() * 1000))

    def condition(self, quote_id: str) -> bytes | None:
        found = self.state.get(quote_id)
        return None if found is None else found[1].condition

    def fulfilment(self, quote_id: str) -> bytes | None:
        found = self.state.get(quote_id)
        return None if found is None else found[4]

    # --- payout ------------------------------------------------------------------------------------

    async def start(self, reference_id: str, msisdn: str, amount_minor: int, currency: str, external_id: str,
                    callback_url: str | None = None, deadline_ms: int | None = None) -> PayoutState:
        """Send the eKash transfer of quote ``external_id``; waits for its outcome (at most until it expires).
        ``callback_url`` is not used: eKash answers through the FSPIOP callbacks."""
        found = self.state.get(external_id)
        if found is None:
            return PayoutState(reference_id, PayoutStatus.FAILED, reason="NO_EKASH_QUOTE")
        quoted_msisdn, terms, state, reason, _fulfilment = found
        if quoted_msisdn != msisdn or terms.payee_receive_amount_minor != amount_minor or terms.currency != currency:
            return PayoutState(reference_id, PayoutStatus.FAILED, reason="NOT_AS_QUOTED")
        if state != "QUOTED":
            return _payout_state(reference_id, state, reason, terms, quoted_msisdn, external_id)
        running = self._runs.get(reference_id)
        if running is None:
            running = asyncio.get_running_loop().create_task(self._transfer(reference_id, external_id, msisdn,
                                                                            terms, deadline_ms))
            self._runs[reference_id] = running
            running.add_done_callback(lambda _t: self._runs.pop(reference_id, None))
            return await asyncio.shield(running)
        return PayoutState(reference_id, PayoutStatus.PENDING)

    async def _transfer(self, reference_id: str, quote_id: str, msisdn: str, terms: QuoteTerms,
                        deadline_ms: int | None) -> PayoutState:
        expiration = terms.expiration
        if deadline_ms is not None:
            expiration = min(expiration, datetime.fromtimestamp(deadline_ms / 1000, UTC)
                             - timedelta(milliseconds=self.clock_skew_ms))
        if expiration - self._now() < timedelta(milliseconds=self.window_min_ms):
            self.state.finish(quote_id, "ABORTED", "TOO_LATE", None)
            self.steps.mark(quote_id, ABORTED, self._now_ms())
            return PayoutState(reference_id, PayoutStatus.FAILED, reason="TOO_LATE")
        self.state.sending(quote_id, reference_id, expiration, self._now_ms())
        self.steps.mark(quote_id, RESERVED, self._now_ms())
        outcome = await self.payer.transfer(terms, expiration)
        return self._record(reference_id, quote_id, msisdn, terms, outcome)

    def _record(self, reference_id: str, quote_id: str, msisdn: str, terms: QuoteTerms,
                outcome: TransferOutcome) -> PayoutState:
        reason = f"MOJALOOP_{outcome.failure.code}" if outcome.failure else ""
        if outcome.state in ("COMMITTED", "ABORTED"):
            self.state.finish(quote_id, outcome.state, reason, outcome.fulfilment)
            self.steps.mark(quote_id, outcome.state, self._now_ms())
        return _payout_state(reference_id, outcome.state, reason, terms, msisdn, quote_id)

    async def status(self, reference_id: str) -> PayoutState:
        """The eKash transfer's outcome; one nobody saw the end of is asked of the hub again."""
        quote_id = self.state.quote_of(reference_id)
        found = self.state.get(quote_id) if quote_id else None
        expiration = self.state.expiration(quote_id) if quote_id else None
        if quote_id is None or found is None or expiration is None:
            raise PayoutNotFoundError(f"no eKash transfer was sent for {reference_id}")
        msisdn, terms, state, reason, _fulfilment = found
        if state == "QUOTED" and reference_id not in self._runs:
            outcome = await self.payer.ask(terms, expiration)
            return self._record(reference_id, quote_id, msisdn, terms, outcome)
        return _payout_state(reference_id, state, reason, terms, msisdn, quote_id)

    def callback_state(self, reference_id: str, body: bytes) -> PayoutState:
        # eKash's answers come as FSPIOP callbacks to the gateway's /fspiop, never to a payout callback URL.
        raise PayoutError("the eKash route takes no payout callbacks: its answers come through FSPIOP")

    async def balance(self) -> OperatorBalance:
        # The gateway's position at the hub is the hub's to report (settlement), not a wallet float.
        raise PayoutUnavailableError("eKash reports the gateway's position through settlement, not here")

    async def aclose(self) -> None:
        for task in list(self._runs.values()):
            task.cancel()
        await self.payer.aclose()
        self.state.close()


def _payout_state(reference_id: str, state: str, reason: str, terms: QuoteTerms, msisdn: str,
                  quote_id: str) -> PayoutState:
    """The eKash transfer's outcome, describing the payout its quote was for (the Inzira quote id is the
    external id the receiving FSP gave)."""
    said = PayoutState(reference_id, PayoutStatus.PENDING, amount_minor=terms.payee_receive_amount_minor,
                       currency=terms.currency, payee=msisdn, external_id=quote_id)
    if state == "COMMITTED":
        return dataclasses.replace(said, status=PayoutStatus.SUCCESSFUL, operator_txn_id=terms.transfer_id)
    if state == "ABORTED":
        return dataclasses.replace(said, status=PayoutStatus.FAILED, reason=reason or "ABORTED")
    return said


def _quoted_before(quote_id: str) -> PayoutRefusedError:
    return PayoutRefusedError("3106", f"quote {quote_id} was quoted with eKash before: a quote id is used once")


def payer_of(adapter: PayoutAdapter) -> Payer | None:
    """The payer behind a payout adapter, for the FSPIOP server to hand its callbacks to (None: not eKash)."""
    return adapter.payer if isinstance(adapter, EkashRoute) else None
