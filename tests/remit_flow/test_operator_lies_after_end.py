"""An operator that says PENDING (honestly) until the payout's transfer has ended on the ledger without a commit
(expired, or voided by the receiving FSP), then, asked again by reconciliation, SUCCESSFUL for another payout
(another amount). The payout is flagged NOT_AS_ASKED, as a final answer about another payout is while the transfer
is open, never PAID_AFTER_ABORT (this payout, paid after its transfer ended): what the operator paid was not it.
An honest SUCCESSFUL after the end is still flagged PAID_AFTER_ABORT."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse

from inzira.ledger.codes import Code
from inzira.ledger.records import EXPIRED, VOIDED
from inzira.ledger.tx import VoidPending
from inzira.remit.payout import reference_id_from
from inzira.remit.service import RemitService
from inzira.remit.store.flagged import FLAGGED_STATUSES, FlaggedPayouts
from tests.network.helpers import wait_until
from tests.remit_flow.handmade_operator import operator_app, serve_polling_payee
from tests.remit_flow.inter_fsp import Pair, agree, pair, reserve, settled  # noqa: F401 (fixture)

EXPIRES_IN_MS = 8_000
COMMIT_MARGIN_MS = 5_000  # the payout's run gives up (UNKNOWN) about 3 s in: room to void it before it expires
WAIT_S = 20.0
Late = tuple[Pair, RemitService, dict[str, dict]]


def _operator(taken: dict[str, dict], answers: dict[str, dict]) -> FastAPI:
    """Takes every transfer (202), never calls back; GET /transfer says PENDING for the transfer as asked, or
    what the test put in ``answers`` for its reference id."""
    app = operator_app(taken, Response(status_code=202))

    @app.get("/disbursement/v1_0/transfer/{reference_id}")
    async def status(reference_id: str) -> Response:
        found = taken.get(reference_id)
        if found is None:
            return JSONResponse({"code": "RESOURCE_NOT_FOUND"}, status_code=404)
        return JSONResponse({**found, "status": "PENDING", **answers.get(reference_id, {})})

    return app


@pytest.fixture(scope="module")
def late(pair: Pair, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Late]:
    """mobimo's receiving service paying through the operator above (polling), and that operator's answers."""
    answers: dict[str, dict] = {}
    with contextlib.ExitStack() as stack:
        served, payee = serve_polling_payee(stack, pair, _operator({}, answers), tmp_path_factory.mktemp("late"),
                                            payout_commit_margin_ms=COMMIT_MARGIN_MS)
        yield served, payee, answers


@pytest.mark.parametrize(("wallet", "ending", "amount", "reason"), [
    ("250788320001", EXPIRED, "100000", "NOT_AS_ASKED"),
    ("250788320002", VOIDED, "100000", "NOT_AS_ASKED"),
    ("250788320003", EXPIRED, "10000", "PAID_AFTER_ABORT"),
], ids=["expired-another-payout", "voided-another-payout", "expired-this-payout"])
def test_a_success_after_the_transfer_ended_is_flagged_by_what_it_describes(
        late: Late, wallet: str, ending: int, amount: str, reason: str) -> None:
    agreeing, payee, answers = late
    pending = reserve(agreeing, agree(agreeing, "+" + wallet), 10_000, expires_in_ms=EXPIRES_IN_MS)
    wait_until("the payout's outcome unknown", lambda: (p := payee.payouts.get(pending)) is not None
               and p.status == "UNKNOWN", timeout_s=WAIT_S, every_s=0.05)
    if ending == VOIDED:  # the receiving FSP's own void (the only one a hashlocked transfer takes)
        outcome = agreeing.keys.port(agreeing.flow.net, "mobimo").execute(VoidPending(pending),
                                                                          f"test:{uuid.uuid4().hex}")
        assert outcome.code == Code.OK, outcome
    assert settled(agreeing, pending) == ending
    answers[reference_id_from(pending)] = {"status": "SUCCESSFUL", "amount": amount, "financialTransactionId": "99"}
    payout = wait_until("the payout flagged", lambda: (p := payee.payouts.get(pending)) is not None
                        and p.status != "UNKNOWN" and p, timeout_s=WAIT_S)
    assert (payout.status, payout.reason, payout.operator_txn_id) == ("SUCCESSFUL", reason, "99")
    assert not payout.resolve_tx_id
    flagged = FlaggedPayouts(payee.db).page("mobimo", FLAGGED_STATUSES, reason, 200, None)
    assert pending in [p.pending_id for p in flagged]
