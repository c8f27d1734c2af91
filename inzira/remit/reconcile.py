"""Reconciliation: the service's books always end up agreeing with the chain, whatever was missed.

Every pass (about once a second, bounded per pass):
- RECEIVED transfers whose verdict never came: the stored transaction's verdict from the chain (a
  reservation found there is paid out at once); if it is not in the chain, the same bytes are submitted
  again, or, once the stored chain's time (read before the lookup) is past their deadline, the transfer is
  ABORTED: no later block can hold them. The service's own clock proves nothing here: a cutter's clock may
  lag, and this peer may not have stored the block holding them yet;
- RESERVED transfers: how the chain resolved them (committed, voided, expired; a payout made for one that
  ended without its commit is flagged, ``UnpaidPayouts``); a payout not running is started again (idempotent at
  the operator); one past its deadline gets a tick, a block in which the ledger expires it (nothing else makes a
  block when the network is quiet): the commit if the wallet was paid, a commit without a fulfilment (refused,
  ending nothing) while the operator may still pay, else a void (the chain's time may lag this clock);
- reservations under quotes this service's receiving FSP answered another member's deployment (whose
  transfer records live there): a payout not running is started again, as for RESERVED transfers, and one made
  for a reservation that ended without its commit is flagged; at start, the blocks since such quotes were
  agreed are read for reservations the feed never showed this process;
- payouts whose outcome is unknown (UNKNOWN, or NEW and not running: a stop while the operator paid), for
  ``payout_reconcile_ms_max``: the operator is asked again;
- unused quotes long expired are forgotten, and so are other deployments' quotes long expired.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import msgspec

from inzira.ledger.codes import Code
from inzira.ledger.records import PENDING
from inzira.ledger.tx import Transfer, decode_body, decode_signed, tx_id_of
from inzira.node.node import Node
from inzira.remit.block_watcher import MEMO_PREFIX, BlockWatcher
from inzira.remit.payout_flow import NEW, UNKNOWN
from inzira.remit.receiving import ReceivingFsp
from inzira.remit.records import TransferState
from inzira.remit.runtime import RemitRuntime
from inzira.remit.sending import TransferDesk
from inzira.remit.settings import RemitSettings
from inzira.remit.store.payee_quotes import PayeeQuotes
from inzira.remit.store.payouts import UPDATED_MS_MAX, PayoutStore
from inzira.remit.store.transfers import TransferStore
from inzira.remit.transitions import Transitions

QUIET_MS = 2_000  # a transfer is looked at only after this long without news (the feed usually brings it)
RESUME_AFTER_MS = 10_000  # a payout not running is started again only after this long without news
SCAN_BLOCKS_MAX = 100_000  # blocks read at start for reservations missed while stopped (the newest ones)
QUOTE_KEEP_MS = 3_600_000  # unused quotes are kept this long after expiry, for support questions

log = logging.getLogger(__name__)


class Reconciler:
    def __init__(self, runtime: RemitRuntime, settings: RemitSettings, desk: TransferDesk, watcher: BlockWatcher,
                 transitions: Transitions, transfers: TransferStore, payouts: PayoutStore, payee_quotes: PayeeQuotes,
                 agents: dict[str, ReceivingFsp], clock_ms: Callable[[], int]) -> None:
        self.runtime = runtime
        self.node: Node = runtime.node
        self.settings = settings
        self.desk = desk
        self.watcher = watcher
        self.transitions = transitions
        self.transfers = transfers
        self.payouts = payouts
        self.payee_quotes = payee_quotes
        self.agents = agents
        self.clock_ms = clock_ms

    async def run_once(self, starting: bool = False) -> None:
        """One pass; ``starting``: nothing runs yet, so every payout not finished is taken up at once."""
        now_ms = self.clock_ms()
        resume_before_ms = now_ms if starting else now_ms - RESUME_AFTER_MS
        batch = self.settings.reconcile_batch_max
        quiet_before_ms = now_ms + 1 if starting else now_ms - QUIET_MS
        for record in self.transfers.in_states([TransferState.RECEIVED], quiet_before_ms, batch):
            self._received(record.transfer_id, record.reserve_tx_id)
        tick: tuple[str, bytes] | None = None
        for record in self.transfers.in_states([TransferState.RESERVED], quiet_before_ms, batch):
            pending = self.node.pending(record.reserve_tx_id)
            if pending is None:
                continue
            if pending.status != PENDING:
                self.watcher.settle(record.transfer_id, record.reserve_tx_id)
            elif pending.expires_at_ms <= now_ms:
                tick = (record.receiving_fsp, record.reserve_tx_id)
            elif record.receiving_fsp in self.agents and record.updated_at_ms <= resume_before_ms:
                self.agents[record.receiving_fsp].payout_flow.schedule(record.reserve_tx_id, record.quote_id)
        if starting:
            self._missed_reservations(now_ms)
        for quote_id, pending_id in self.payee_quotes.open_reservations(batch):
            tick = self._payee_reservation(quote_id, pending_id, now_ms, resume_before_ms) or tick
        if tick is not None and tick[0] in self.agents:
            self.agents[tick[0]].payout_flow.tick(tick[1])  # one block is enough to expire every transfer that is due
        # Only those within the window: older ones, never answered, would fill every batch for good. A NEW one
        # is a run's until it has had no news for RESUME_AFTER_MS (or the service is starting).
        asked_after_ms = now_ms - self.settings.payout_reconcile_ms_max
        unknown = [*self.payouts.in_status((UNKNOWN,), batch, (asked_after_ms, UPDATED_MS_MAX)),
                   *self.payouts.in_status((NEW,), batch, (asked_after_ms, resume_before_ms))]
        for payout in unknown:
            agent = self.agents.get(payout.fsp)
            if agent is None:
                continue
            found = self.transfers.quote(payout.quote_id)
            await agent.payout_flow.reconcile(payout, (found[1] or "") if found else "")
        self.transfers.prune_quotes(now_ms - QUOTE_KEEP_MS, batch)
        self.payee_quotes.prune(now_ms - QUOTE_KEEP_MS - self.settings.transfer_ttl_ms_max, batch)

    def _missed_reservations(self, now_ms: int) -> None:
        """Reservations under kept quotes that reached the chain while this service was not running. Every
        reservation in the blocks since the oldest quote still waiting is looked up by its quote id, so no
        number of quotes left unused (another member's, sooner to expire) hides one from the scan."""
        expires_after_ms = now_ms - self.settings.transfer_ttl_ms_max
        first = self.payee_quotes.first_unreserved_height(expires_after_ms)
        if first is None:
            return
        tip = self.node.height
        for height in range(max(first, tip - SCAN_BLOCKS_MAX) + 1, tip + 1):
            found = self.node.block(height)
            if found is None:
                continue
            for raw, result in zip(found[0].txs, found[0].results):
                try:
                    signed = decode_signed(raw)
                    body = decode_body(signed.body)
                except msgspec.DecodeError:
                    continue  # refused garbage: no reservation
                memo = getattr(body.op, "memo", "")
                if not (isinstance(body.op, Transfer) and result.code == Code.OK and memo.startswith(MEMO_PREFIX)):
                    continue
                quote_id = memo.removeprefix(MEMO_PREFIX)
                kept = self.payee_quotes.get(quote_id)
                # Only the agreeing sending FSP's reservation is noted: another member's is declined, not paid.
                if kept is not None and kept[0].expires_at_ms > expires_after_ms \
                        and body.submitter == kept[0].sending_fsp:
                    self.payee_quotes.reserved(quote_id, tx_id_of(signed.body))

    def _payee_reservation(self, quote_id: str, pending_id: bytes, now_ms: int,
                           resume_before_ms: int) -> tuple[str, bytes] | None:
        """Take up the payout of another deployment's transfer; the (FSP, pending id) to tick when past due."""
        found = self.payee_quotes.get(quote_id)
        pending = self.node.pending(pending_id)
        fsp = found[0].receiving_fsp if found is not None else ""
        if pending is None or pending.status != PENDING or pending.payee != fsp:  # another payee's: not ours
            self.watcher.unpaid.ended(pending_id, "")  # paid, and ended while this service was stopped
            self.payee_quotes.resolved(quote_id)
            return None
        if pending.expires_at_ms <= now_ms:
            return fsp, pending_id
        payout = self.payouts.get(pending_id)
        if fsp in self.agents and (payout is None or payout.updated_at_ms <= resume_before_ms):
            self.agents[fsp].payout_flow.schedule(pending_id, quote_id)
        return None

    def _received(self, transfer_id: str, tx_id: bytes) -> None:
        stored_ms = self.node.tip.timestamp_ms  # before the lookup: every block up to this one is searched
        location = self.node.locate([tx_id]).get(tx_id)
        if location is not None:
            record = self.desk.apply_verdict(transfer_id, location.code, tx_id)
            # The feed never showed this process the reservation (it came before a restart): pay out now,
            # not RESUME_AFTER_MS later, out of the transfer's own time.
            if record is not None and record.state is TransferState.RESERVED and record.receiving_fsp in self.agents:
                self.agents[record.receiving_fsp].payout_flow.schedule(tx_id, record.quote_id)
            return
        raw = self.transfers.reserve_tx(transfer_id)
        if raw is None:
            return
        if stored_ms >= decode_body(decode_signed(raw).body).expires_at_ms:
            self.transitions.advance(transfer_id, TransferState.ABORTED, code=Code.EXPIRED,
                                     detail="the transaction never reached the ledger before its deadline")
            return
        try:
            self.runtime.submit(raw)  # the very same bytes: the ledger can only take them once
        except Exception as exc:
            log.info("resubmitting %s: %s", transfer_id, exc)
