"""The receiving FSP paying out (MobiMo, Ubumwe...): from a pending transfer to its accounts to the commit or
the void.

It follows the ledger like any member's service would: when a pending transfer to its accounts appears,
it checks the transfer against the quote it gave (one of this service's own quotes, or one it answered another
member's deployment, ``PayeeQuotes``): made by the sending FSP that agreed it, this FSP named as payee, its
condition, exactly the quoted amounts to its accounts, held no longer than it agreed (``payee_check``). It
pays the wallet through its payout adapter (reference id derived from the pending id, so a restart resends
the same payout and never pays twice), then commits by
revealing the fulfilment, or voids the transfer so the money goes back. It stops waiting for the operator
``payout_commit_margin_ms`` before the transfer's deadline, so its commit is still in time.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable

import msgspec

from inzira.ledger.codes import Code
from inzira.ledger.records import PENDING
from inzira.ledger.tx import PostPending, VoidPending
from inzira.node.custody import MemberPort
from inzira.remit import ledger_io
from inzira.remit.codes import RemitError
from inzira.remit.ledger_batch import LedgerBatcher
from inzira.remit.paid_unpaid import PREFIX, Note, UnpaidPayouts
from inzira.remit.payout import (
    PayoutAdapter,
    PayoutError,
    PayoutState,
    PayoutStatus,
    reference_id_from,
)
from inzira.remit.payee_check import Lock, not_as_quoted
from inzira.remit.payout_callbacks import PayoutCallbacks
from inzira.remit.payout_operator import NOT_AS_ASKED, OperatorCalls, decided, not_as_asked
from inzira.remit.records import PayeeTerms, PayoutRecord
from inzira.remit.runtime import RemitRuntime
from inzira.remit.settings import RemitSettings
from inzira.remit.store.payee_quotes import PayeeQuotes
from inzira.remit.store.payouts import PayoutStore
from inzira.remit.store.transfers import TransferStore
from inzira.tasks import end_tasks

PAYOUTS_IN_FLIGHT_MAX = 20_000  # beyond this, reconciliation picks the rest up later
STOPPED_MAX = 100_000  # transfers the sending side asked not to pay out, remembered until they resolve
NEW, UNKNOWN = "NEW", "UNKNOWN"

log = logging.getLogger(__name__)


class PayoutFlow:
    def __init__(self, port: MemberPort, secret: bytes, adapter: PayoutAdapter, runtime: RemitRuntime,
                 settings: RemitSettings, transfers: TransferStore, payouts: PayoutStore, note: Note,
                 clock_ms: Callable[[], int], calls: asyncio.Semaphore, lock: Lock, payee_quotes: PayeeQuotes) -> None:
        """``calls`` bounds the calls to the operator, look-ups included; ``lock`` is the hashlock of a quote's
        kept terms (the FSP's own, or the operator's): its condition, and what opens it."""
        self.fsp = port.member
        self.adapter = adapter
        self.runtime = runtime
        self.signer = port  # this receiving FSP's own: it commits and voids as itself, never as another
        self.settings = settings
        self.transfers = transfers
        self.payee_quotes = payee_quotes
        self.payouts = payouts
        self.note = note
        self.clock_ms = clock_ms
        self.lock = lock
        self.callbacks = PayoutCallbacks(self.fsp, secret)
        self.ledger = LedgerBatcher(runtime)  # its commits and voids, handed to the ledger together
        self.unpaid = UnpaidPayouts(payouts, runtime.node, note, clock_ms)
        self._active: set[bytes] = set()
        self._stopped: dict[bytes, str] = {}  # pending id -> why the sending FSP asked not to pay out
        self._tasks: set[asyncio.Task[None]] = set()
        self.operator = OperatorCalls(adapter, calls, clock_ms, settings.payout_callback_wait_ms)

    def schedule(self, pending_id: bytes, quote_id: str) -> None:
        """Pay out a pending transfer (on the service's loop); a second call for the same one is ignored."""
        if pending_id in self._active or len(self._active) >= PAYOUTS_IN_FLIGHT_MAX:
            return
        self._active.add(pending_id)
        task = asyncio.get_running_loop().create_task(self._run(pending_id, quote_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, pending_id: bytes, quote_id: str) -> None:
        try:
            await self._pay(pending_id, quote_id)
        except Exception:
            log.exception("%s: payout of %s stopped; reconciliation will take it up", self.fsp, pending_id.hex())
        finally:
            self._active.discard(pending_id)

    def terms(self, quote_id: str) -> tuple[PayeeTerms, str] | None:
        """What this FSP agreed to for a quote, and the transfer that used it ("" for a quote it answered
        another member's deployment, whose transfer lives there)."""
        found = self.transfers.quote(quote_id)
        if found is not None:
            return found[0].payee_terms(), found[1] or ""
        theirs = self.payee_quotes.get(quote_id)
        return None if theirs is None else (theirs[0], "")

    async def stop(self, pending_id: bytes, transfer_id: str, reason: str) -> bool:
        """The sending FSP asks not to pay out (a party was newly listed): void the transfer as its payee,
        now if it is reserved and its payout has not started, else as soon as it is reserved. False when the
        payout is already under way or done: the wallet may already hold the money."""
        payout = self.payouts.get(pending_id)
        if payout is not None:  # claimed: the operator may already be paying the wallet
            return payout.status == PayoutStatus.FAILED.value
        if len(self._stopped) >= STOPPED_MAX:
            self._stopped.pop(next(iter(self._stopped)))
        self._stopped[pending_id] = reason
        pending = self.runtime.node.pending(pending_id)
        if pending is not None and pending.status == PENDING and pending_id not in self._active:
            await self._void(pending_id, transfer_id, f"declined: {reason}")
        return True

    async def _pay(self, pending_id: bytes, quote_id: str) -> None:
        found = self.terms(quote_id)
        if found is None or found[0].receiving_fsp != self.fsp:
            return  # no quote of this FSP's: not paid (the ledger expires it)
        terms, transfer_id = found
        pending = self.runtime.node.pending(pending_id)
        if pending is None or pending.status != PENDING or pending.payee != self.fsp:
            return  # another payee's transfer is not this FSP's to void (or pay): the ledger expires it
        problem = self._stopped.get(pending_id) or not_as_quoted(pending, terms, self.fsp, self.lock,
                                                                 self.settings.transfer_ttl_ms_max)
        if problem is not None:
            await self._void(pending_id, transfer_id, f"declined: {problem}")
            return
        fresh = PayoutRecord(
            pending_id=pending_id, fsp=self.fsp, quote_id=quote_id, reference_id=reference_id_from(pending_id),
            msisdn=terms.msisdn, amount_minor=terms.amount_received_minor, currency=terms.currency,
            status=NEW, updated_at_ms=self.clock_ms())
        payout = self.payouts.claim(fresh)
        if payout is None:
            await self._void(pending_id, transfer_id, "declined: this quote was paid out under another transfer")
            return
        if not transfer_id and self.payee_quotes.paying(quote_id, pending_id):
            # Another deployment's transfer: only its quote names it here. On disk before the operator is asked,
            # so a stop mid-payout is taken up again (and committed) at the next start.
            await self.payee_quotes.db.durable()
        if payout.status == PayoutStatus.SUCCESSFUL and not payout.reason:
            await self._post(payout, transfer_id)
            return
        if payout.status in (PayoutStatus.FAILED, PayoutStatus.SUCCESSFUL):  # failed, or flagged: not committed
            await self._void(pending_id, transfer_id, f"payout failed: {payout.reason}")
            return
        deadline_ms = pending.expires_at_ms - self.settings.payout_commit_margin_ms
        if deadline_ms - self.clock_ms() < self.settings.payout_window_min_ms:
            # A payout claimed by an earlier run (stopped, or killed) may have reached the operator: asked, never
            # declined unasked, or the wallet is paid and the money goes back to the sender.
            asked = await self.operator.asked(payout) if payout is not fresh else None
            if asked is not None:
                await self._finish(payout, asked, transfer_id)
                return
            self._record(payout, PayoutStatus.FAILED.value, "TOO_LATE")
            await self._void(pending_id, transfer_id, "declined: too little time left to pay out")
            return
        self.note(transfer_id, "PAYOUT_STARTED", f"{self.fsp} is paying the wallet", 0, b"")
        called_back = self.callbacks.expect(payout)
        how = "the operator answered"
        try:
            url = self.callbacks.url(payout.reference_id) if called_back is not None else None
            state = await self.operator.start(payout, deadline_ms, url)
            if state is not None and not decided(payout, state) and called_back is not None:
                state = await self.operator.called_back(called_back, deadline_ms) or state
                how = "the operator called back" if state.final else how
            if state is not None and not decided(payout, state):  # no callback in time: ask, as the fallback
                state = await self.operator.final(payout, deadline_ms)
        finally:
            self.callbacks.forget(payout.reference_id)
        await self._finish(payout, state, transfer_id, how)

    async def callback(self, reference_id: str, token: str, body: bytes) -> None:
        """The operator reports a payout final at the URL it was given (``PayoutCallbacks``)."""
        if not self.callbacks.genuine(reference_id, token):
            raise RemitError(403, Code.PERMISSION, f"not a callback URL {self.fsp} gave an operator")
        payout = self.callbacks.awaited(reference_id)
        if payout is None:
            return  # late or repeated: reconciliation asks the operator about that payout
        try:
            state = self.adapter.callback_state(reference_id, body)
        except (PayoutError, ValueError) as exc:
            raise RemitError(400, Code.VALIDATION, f"the callback does not report this payout: {exc}") from None
        differs = not_as_asked(payout, state)
        if differs is not None:  # refused, not acted on: the FSP asks the operator itself (``_finish`` checks that)
            raise RemitError(400, Code.VALIDATION, f"the callback is about another payout: {differs}")
        self.callbacks.deliver(state)

    async def _finish(self, payout: PayoutRecord, state: PayoutState | None, transfer_id: str,
                      how: str = "the operator answered") -> None:
        if state is not None and self._not_as_asked(payout, state, transfer_id):
            await self._void(payout.pending_id, transfer_id, "declined: the operator's answer is about another payout")
            return
        if state is None or not state.final:
            self._record(payout, UNKNOWN, "NO_FINAL_ANSWER")
            self.note(transfer_id, "PAYOUT_PENDING", "the operator gave no final answer before the deadline", 0, b"")
            return
        if state.status is PayoutStatus.SUCCESSFUL:
            payout = self._record(payout, PayoutStatus.SUCCESSFUL.value, "", state.operator_txn_id or "")
            self.note(transfer_id, "PAYOUT_SUCCESSFUL", f"paid into the wallet ({state.operator_txn_id}): {how}",
                      0, b"")
            await self._post(payout, transfer_id)
            return
        self._record(payout, PayoutStatus.FAILED.value, state.reason or "FAILED")
        self.note(transfer_id, "PAYOUT_FAILED", f"the operator refused the payout: {state.reason}", 0, b"")
        await self._void(payout.pending_id, transfer_id, f"payout failed: {state.reason}")

    def _not_as_asked(self, payout: PayoutRecord, state: PayoutState, transfer_id: str) -> bool:
        """Flag a payout whose operator's answer describes another payout (reason NOT_AS_ASKED), never committed on
        it: whatever the operator paid, it was not this payout as asked. False if it is this. It keeps the answer's
        status, FAILED for PENDING: a NEW or UNKNOWN payout would be asked about (or started) again."""
        differs = not_as_asked(payout, state)
        if differs is None:
            return False
        status = state.status if state.final else PayoutStatus.FAILED
        self._record(payout, status.value, NOT_AS_ASKED, state.operator_txn_id or "")
        log.error("%s: the operator says %s of %s for another payout (%s): flagged", self.fsp, state.status.value,
                  payout.reference_id, differs)
        self.note(transfer_id, "RECONCILE", f"the operator reports {state.status.value} for another payout "
                  f"({differs}): not committed, flagged for reconciliation", 0, b"")
        return True

    def _record(self, payout: PayoutRecord, status: str, reason: str = "", operator_txn_id: str = "",
                resolve_tx_id: bytes = b"") -> PayoutRecord:
        updated = msgspec.structs.replace(payout, status=status, reason=reason,
                                          operator_txn_id=operator_txn_id or payout.operator_txn_id,
                                          resolve_tx_id=resolve_tx_id or payout.resolve_tx_id,
                                          updated_at_ms=self.clock_ms())
        self.payouts.put(updated)
        return updated

    async def _post(self, payout: PayoutRecord, transfer_id: str) -> None:
        found = self.terms(payout.quote_id)
        if found is None:  # kept while its reservation is open: forgotten only once it can no longer commit
            self.unpaid.flag(payout.pending_id, transfer_id, f"{PREFIX}_TERMS_FORGOTTEN",
                             "paid out, but the quote's terms were forgotten before the commit")
            return
        raw = self.signer.sign(PostPending(payout.pending_id, self.lock.fulfilment(found[0])),
                               ledger_io.resolution_ref("post", payout.pending_id))
        outcome = await self.ledger.submit(raw, self.settings.submit_timeout_ms / 1000)
        if outcome is not None and outcome.code in (Code.OK, Code.DUPLICATE):
            self._record(payout, PayoutStatus.SUCCESSFUL.value, "", resolve_tx_id=outcome.tx_id)
            return
        # No verdict, or a refusal: the chain says whether the transfer ended without this commit (flagged, unless
        # the block watcher or reconciliation did first) or is still open (reconciliation commits again, and
        # flags it if it ends first).
        self.unpaid.ended(payout.pending_id, transfer_id)

    async def _void(self, pending_id: bytes, transfer_id: str, detail: str) -> None:
        raw = self.signer.sign(VoidPending(pending_id), ledger_io.resolution_ref("void", pending_id))
        outcome = await self.ledger.submit(raw, self.settings.submit_timeout_ms / 1000)
        if outcome is not None and outcome.code not in (Code.OK, Code.DUPLICATE, Code.TRANSFER_EXPIRED,
                                                         Code.ALREADY_RESOLVED):
            log.warning("%s: void of %s refused with %s (%s)", self.fsp, pending_id.hex(), outcome.code, detail)

    def tick(self, pending_id: bytes) -> None:
        """Make the block at which the ledger expires a transfer past this service's deadline. The chain's time may
        lag this clock, so the tick ends only what nothing paid: a paid one is committed, and one the operator may
        still pay (asked, no final answer yet) gets a commit without a fulfilment, which the ledger refuses (3144)
        until its own time expires the transfer. Only a payout never started or failed is voided."""
        payout = self.payouts.get(pending_id)
        found = self.terms(payout.quote_id) if payout is not None and payout.status == PayoutStatus.SUCCESSFUL \
            and not payout.reason else None
        undecided = pending_id in self._active or (payout is not None and payout.status in (NEW, UNKNOWN))
        op: PostPending | VoidPending = VoidPending(pending_id)
        if found is not None:
            op = PostPending(pending_id, self.lock.fulfilment(found[0]))
        elif undecided:
            op = PostPending(pending_id)
        raw = self.signer.sign(op, ledger_io.resolution_ref("tick", pending_id, uuid.uuid4().hex[:8]))
        try:
            self.runtime.submit(raw)
        except Exception as exc:  # busy or stopped: the next reconciliation pass ticks again
            log.info("%s: expiry tick not taken: %s", self.fsp, exc)

    async def reconcile(self, payout: PayoutRecord, transfer_id: str) -> None:
        """Ask the operator again about a payout whose outcome is unknown (UNKNOWN, or NEW: left by a run that
        stopped while the operator may have been paying); act on the answer, unless a run of that payout is under
        way or settled it meanwhile (it acts on the operator's answer itself)."""
        if payout.pending_id in self._active:
            return
        state = await self.operator.status(payout.reference_id)
        if state is None or not decided(payout, state):
            return
        payout = self.payouts.get(payout.pending_id)  # as it stands now, not as the pass read it
        if payout is None or payout.status not in (NEW, UNKNOWN) or payout.pending_id in self._active:
            return
        pending = self.runtime.node.pending(payout.pending_id)
        if pending is not None and pending.status == PENDING:
            await self._finish(payout, state, transfer_id)
            return
        if self._not_as_asked(payout, state, transfer_id):
            return
        reason = "PAID_AFTER_ABORT" if state.status is PayoutStatus.SUCCESSFUL else (state.reason or "FAILED")
        self._record(payout, state.status.value, reason, state.operator_txn_id or "")
        if state.status is PayoutStatus.SUCCESSFUL:
            self.note(transfer_id, "RECONCILE", "the operator paid out after the transfer ended: "
                      "flagged for reconciliation", 0, b"")

    async def aclose(self) -> None:
        """Cancel the payouts under way (reconciliation takes them up after a restart)."""
        await end_tasks(list(self._tasks))
