"""The payee side's moves on Inzira, signed through the gateway member's own port (and no other key).

A payment from eKash is one pending transfer: the gateway's RWF position -> the party's account, hashlocked
with the quote's condition and naming the party's FSP as its payee (the ledger wants a hashlock's payee to be
a member it credits), expiring with the Mojaloop transfer. Whoever reveals the preimage may commit it, so the
gateway commits with its own fulfilment; only that payee's void or the expiry can end it otherwise, so an
abort by the gateway is the expiry.
"""

from __future__ import annotations

import uuid

from inzira.interop.mojaloop.ports import Party, Verdict
from inzira.ledger.codes import Code
from inzira.ledger.records import EXPIRED, PENDING, POSTED, VOIDED, Leg
from inzira.ledger.tx import PostPending, Transfer
from inzira.node.custody import MemberPort
from inzira.remit import ledger_io

SUBMIT_TIMEOUT_MS = 10_000
_STATES = {PENDING: "RESERVED", POSTED: "COMMITTED", VOIDED: "ABORTED", EXPIRED: "ABORTED"}


class InziraPayeeLedger:
    def __init__(self, port: MemberPort, position_account: str, submit_timeout_ms: int = SUBMIT_TIMEOUT_MS) -> None:
        self.port = port
        self.position_account = position_account
        self.timeout_s = submit_timeout_ms / 1000

    async def reserve(self, transfer_id: str, party: Party, amount_minor: int, currency: str, condition: bytes,
                      expires_at_ms: int) -> Verdict | None:
        op = Transfer(legs=(Leg(self.position_account, party.credit_account, amount_minor, currency),),
                      memo=f"fspiop:{transfer_id}", expires_at_ms=expires_at_ms, condition=condition,
                      payee=party.member)
        return await self._submit(op, f"fspiop:{transfer_id}")

    async def commit(self, pending_id: bytes, fulfilment: bytes) -> Verdict | None:
        # A fresh reference each time: a retried commit is a new transaction, never a "modified request".
        ref = ledger_io.resolution_ref("post", pending_id, uuid.uuid4().hex[:8])
        return await self._submit(PostPending(pending_id, fulfilment), ref)

    async def abort(self, pending_id: bytes) -> Verdict | None:
        """The gateway cannot void what it hashlocked for a payee: the reservation ends at its expiry."""
        return Verdict(int(Code.PERMISSION), detail="a hashlocked reservation ends at its expiry")

    def state(self, pending_id: bytes) -> str:
        pending = self.port.node.pending(pending_id)
        return "" if pending is None else _STATES.get(pending.status, "")

    async def _submit(self, op: Transfer | PostPending, ref: str) -> Verdict | None:
        outcome = await self.port.verdict(self.port.sign(op, ref), self.timeout_s)
        if outcome is None:
            return None
        if outcome.code in (Code.OK, Code.DUPLICATE):
            return Verdict(0, outcome.tx_id)
        return Verdict(outcome.code, outcome.tx_id)
