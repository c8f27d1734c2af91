"""Watching the blocks this member's node committed: each tells both sides what happened to their transfers.

Not a follower in the peer's sense (``peer/follower.py`` judges the ordering service's blocks into the node):
this reads the node's own feed of blocks already judged and moves remittances on.

- a ``Transfer`` with memo "remit:<quote id>": its verdict moves the sender's transfer to RESERVED (or
  ABORTED with the ledger's code), and the receiving FSP it pays starts the payout: for one of this service's
  quotes, or for a quote this service's receiving FSP answered another member's deployment (``PayeeQuotes``),
  whose transfer is that deployment's;
- a ``PostPending`` / ``VoidPending`` that committed: COMMITTED, or ABORTED (money back);
- pending transfers the ledger expired at this block: ABORTED with 3303.
A reservation that ended EXPIRED or VOIDED after this service's receiving FSP paid its wallet (the commit never
landed) flags that payout for reconciliation (``UnpaidPayouts``), another deployment's transfer's too.
What the feed misses (a dropped subscription, a restart) reconciliation finds in the chain's state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from inzira.ledger.codes import Code
from inzira.ledger.records import EXPIRED, POSTED, VOIDED
from inzira.node.feed import BlockEvent, TxEvent
from inzira.node.node import Node
from inzira.remit import ledger_io
from inzira.remit.codes import RemitCode
from inzira.remit.paid_unpaid import UnpaidPayouts
from inzira.remit.receiving import ReceivingFsp
from inzira.remit.records import TransferState
from inzira.remit.sending import TransferDesk
from inzira.remit.store.payee_quotes import PayeeQuotes
from inzira.remit.store.payouts import PayoutStore
from inzira.remit.store.transfers import TransferStore
from inzira.remit.transitions import Transitions

MEMO_PREFIX = "remit:"
FEED_QUEUE_BLOCKS_MAX = 10_000

log = logging.getLogger(__name__)


class BlockWatcher:
    def __init__(self, node: Node, desk: TransferDesk, transitions: Transitions, agents: dict[str, ReceivingFsp],
                 transfers: TransferStore, payouts: PayoutStore, payee_quotes: PayeeQuotes,
                 on_block: Callable[[], None]) -> None:
        self.node = node
        self.desk = desk
        self.transitions = transitions
        self.agents = agents
        self.transfers = transfers
        self.payouts = payouts
        self.payee_quotes = payee_quotes
        self.on_block = on_block
        self.unpaid = UnpaidPayouts(payouts, node, transitions.note, transitions.clock_ms)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        sub = self.node.feed.subscribe_async(loop, FEED_QUEUE_BLOCKS_MAX)
        try:
            while True:
                event = await sub.queue.get()
                if event is None:  # dropped for falling behind: reconciliation covers the gap
                    sub.close()
                    sub = self.node.feed.subscribe_async(loop, FEED_QUEUE_BLOCKS_MAX)
                    continue
                try:
                    self.block(event)
                except Exception:
                    log.exception("remittance block watcher: block %d", event.height)
        finally:
            sub.close()

    def block(self, event: BlockEvent) -> None:
        for tx in event.txs:
            if tx.kind == "Transfer" and tx.memo.startswith(MEMO_PREFIX):
                self._reserved(tx)
            elif tx.code == Code.OK and tx.kind in ("PostPending", "VoidPending"):
                self._resolved(tx)
        for pending_id in event.expired:
            record = self.transfers.by_reserve(pending_id)
            # Flagged before the transfer is ABORTED: a stop in between leaves it RESERVED, for reconciliation.
            self.unpaid.ended(pending_id, record.transfer_id if record else "")
            if record is not None:
                self.transitions.advance(record.transfer_id, TransferState.ABORTED, code=Code.TRANSFER_EXPIRED,
                                         detail="expired before the receiving FSP committed: the money is back")
        self.on_block()

    def _reserved(self, tx: TxEvent) -> None:
        quote_id = tx.memo[len(MEMO_PREFIX):]
        found = self.transfers.quote(quote_id)
        if found is not None:
            terms, transfer_id = found
            if transfer_id is not None:
                record = self.transfers.get(transfer_id)
                if record is not None and record.reserve_tx_id == tx.tx_id:
                    self.desk.apply_verdict(transfer_id, tx.code, tx.tx_id)
            fsp = terms.receiving_fsp
        else:
            theirs = self.payee_quotes.get(quote_id)
            if theirs is None:
                return  # nobody here quoted it: not paid
            fsp = theirs[0].receiving_fsp
            if tx.code == Code.OK and tx.submitter == theirs[0].sending_fsp:  # another's is declined, not noted
                self.payee_quotes.reserved(quote_id, tx.tx_id)  # for reconciliation, should this run stop
        agent = self.agents.get(fsp)
        if tx.code == Code.OK and agent is not None:
            agent.payout_flow.schedule(tx.tx_id, quote_id)

    def _resolved(self, tx: TxEvent) -> None:
        raw = None
        if not tx.ref.startswith(ledger_io.REF_PREFIXES):
            stored = self.node.tx(tx.tx_id)
            raw = stored.raw if stored else None
        pending_id = ledger_io.pending_id_of(tx.ref, raw)
        if pending_id is None:
            return
        record = self.transfers.by_reserve(pending_id)
        if record is None:  # another deployment's transfer, if any: only a payout of it here may need a flag
            self.unpaid.ended(pending_id, "")
            return
        self.settle(record.transfer_id, pending_id)

    def settle(self, transfer_id: str, pending_id: bytes) -> None:
        """Record how the chain resolved a pending transfer (also used by reconciliation)."""
        pending = self.node.pending(pending_id)
        if pending is None:
            return
        self.unpaid.ended(pending_id, transfer_id)  # before ABORTED, as for an expiry seen in a block
        # The chain's record, never the transaction that led here: a reference is its submitter's word, and any
        # member can sign one that names another's reservation.
        changes = {"resolve_tx_id": pending.resolved_by_tx}
        if pending.status == POSTED:
            self.transitions.advance(transfer_id, TransferState.COMMITTED, tx_id=changes["resolve_tx_id"],
                                     detail="paid out and committed: final", changes=changes)
        elif pending.status == VOIDED:
            payout = self.payouts.get(pending_id)
            why = f"payout failed ({payout.reason})" if payout and payout.status == "FAILED" else \
                "declined by the receiving FSP"
            self.transitions.advance(transfer_id, TransferState.ABORTED, code=RemitCode.PAYEE_REJECTED,
                                     tx_id=changes["resolve_tx_id"], changes=changes,
                                     detail=f"{why}: voided, the money is back")
        elif pending.status == EXPIRED:
            self.transitions.advance(transfer_id, TransferState.ABORTED, code=Code.TRANSFER_EXPIRED,
                                     detail="expired before the receiving FSP committed: the money is back")
