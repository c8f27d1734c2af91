"""Carrying out what the issuer signed for an approved funding request, and writing down the ledger's final verdict.

An approval stores the signed transaction (``approving``) before submitting it. The request is settled once the
ledger's verdict is final: ``approved`` when it committed, ``failed`` when those bytes can never be committed
(their id spent with a refusal, or the chain's time past their deadline). Any other answer, or none, leaves it
``approving``, holding its reference; what settles it later submits the very bytes stored again (the ledger takes
them once): the next start's recovery, an officer approving it again, and the desk's settler
(``inzira.funding.settler``), all through ``Settlement.carry_out_again``.
"""

from __future__ import annotations

from collections.abc import Mapping

from inzira.funding.store import APPROVING, FundingRequest, FundingStore
from inzira.ledger.codes import Code
from inzira.ledger.tx import decode_body, decode_signed, tx_id_of
from inzira.node.custody import MemberPort

VERDICT_TIMEOUT_S = 30.0
RECOVER_MAX = 1_000


class Settlement:
    def __init__(self, ports: Mapping[str, MemberPort], store: FundingStore) -> None:
        """``ports``: the issuers the desk acts for (at least one), each its own port."""
        self._ports = ports
        self.store = store
        self.node = next(iter(ports.values())).node

    async def carry_out(self, port: MemberPort, request_id: str, raw: bytes) -> FundingRequest:
        """Submit ``raw`` (the request's stored transaction) and settle the request if the verdict is final."""
        outcome = await port.verdict(raw, VERDICT_TIMEOUT_S)
        if outcome is not None and (outcome.code == Code.OK or self._refused_for_good(raw)):
            self.store.settle(request_id, outcome.code == Code.OK, outcome.code, outcome.height)
        found = self.store.get(request_id)
        if found is None:
            raise RuntimeError(f"funding request {request_id} vanished")
        return found

    async def carry_out_again(self, request: FundingRequest) -> FundingRequest:
        """An ``approving`` request: its stored bytes submitted again, settled as the ledger answers. Any other
        request (or one of an issuer this desk does not act for) is answered as it is."""
        if request.state != APPROVING or request.signed_tx is None or request.issuer not in self._ports:
            return request
        return await self.carry_out(self._ports[request.issuer], request.id, request.signed_tx)

    def _refused_for_good(self, raw: bytes) -> bool:
        """Whether these signed bytes can never be committed, so failing them frees their reference: the chain
        spent their id with a refusal (every copy gets that answer until the deadline), or it is spent nowhere
        and the stored chain's time reached their deadline (no later block may hold them). Anything else (a
        refusal that spent nothing before the deadline, or the id committed after all) leaves the request
        approving, for the next recovery, settler pass or approval to ask again."""
        body = decode_signed(raw).body
        tx_id = tx_id_of(body)
        # The stored chain's time first, then the lookup: a block stored in between may hold the id, and only
        # blocks the lookup searched can prove it absent. Stored blocks only: one still being built may be refused.
        stored_ms = self.node.tip.timestamp_ms
        spent = self.node.locate([tx_id]).get(tx_id)
        if spent is not None:
            return spent.code != Code.OK
        return stored_ms >= decode_body(body).expires_at_ms

    async def recover(self) -> int:
        """Resubmit what approvals signed but saw no verdict for (the ledger takes each only once)."""
        stuck = self.store.in_flight(RECOVER_MAX)
        for request in stuck:
            await self.carry_out_again(request)
        return len(stuck)
