"""An operator that takes a payout but answers the request in a way the adapter cannot read (a 200 where MTN
documents a 202, a proxy's error page, a 409 whose transfer is not yet readable): the payout may be made, so
the receiving FSP asks the operator how it ended before deciding, never voids it as failed unasked (the wallet
would be paid and the money back with the sender). A 409 whose transfer is another payout (the reference id holds
another amount) is flagged NOT_AS_ASKED with what the operator says of it, never a plain failure."""

from __future__ import annotations

import contextlib

import pytest
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse

from inzira.ledger.records import POSTED, VOIDED
from tests.remit_flow.handmade_operator import operator_app, serve_polling_payee
from tests.remit_flow.inter_fsp import Pair, agree, pair, reserve, settled  # noqa: F401 (fixture)


def _operator(taken: dict[str, dict], answer: tuple[int, bytes]) -> FastAPI:
    """Pays every transfer it is sent at once, but answers the POST with ``answer``; a paid transfer is readable
    (GET says SUCCESSFUL) from its second read on, as a replica catching up."""
    app = operator_app(taken, Response(answer[1], answer[0], media_type="text/html"))
    reads: dict[str, int] = {}

    @app.get("/disbursement/v1_0/transfer/{reference_id}")
    async def status(reference_id: str) -> Response:
        found = taken.get(reference_id)
        reads[reference_id] = reads.get(reference_id, 0) + 1
        if found is None or reads[reference_id] == 1:
            return JSONResponse({"code": "RESOURCE_NOT_FOUND"}, status_code=404)
        return JSONResponse({**found, "status": "SUCCESSFUL", "financialTransactionId": "77"})

    return app


@pytest.mark.parametrize("answer", [(200, b""), (404, b"<html>no route</html>"), (409, b"")],
                         ids=["200", "proxy-404", "409-unreadable"])
def test_a_payout_taken_under_an_odd_answer_is_asked_about_and_committed(
        pair: Pair, tmp_path_factory: pytest.TempPathFactory, answer: tuple[int, bytes]) -> None:
    taken: dict[str, dict] = {}
    with contextlib.ExitStack() as stack:
        agreeing, payee = serve_polling_payee(stack, pair, _operator(taken, answer), tmp_path_factory.mktemp("odd"))
        pending = reserve(pair, agree(agreeing, "+250788123456"), 10_000)
        ended = settled(pair, pending)
        payout = payee.payouts.get(pending)
    assert len(taken) == 1  # the operator took (and paid) the payout ...
    assert ended == POSTED, payout  # ... so the reservation is committed, not voided as a failed payout
    assert payout is not None and payout.status == "SUCCESSFUL" and payout.operator_txn_id == "77"


def test_a_409_whose_transfer_is_another_payout_is_flagged_with_what_the_operator_says(
        pair: Pair, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Before: the adapter's conflict was recorded FAILED (reason PayoutConflictError, nothing to recover), though
    the operator says it paid, under this FSP's reference id, another amount."""
    taken: dict[str, dict] = {}
    app = operator_app(taken, Response(b"", 409))

    @app.get("/disbursement/v1_0/transfer/{reference_id}")
    async def status(reference_id: str) -> Response:
        found = taken[reference_id]
        return JSONResponse({**found, "amount": "100000", "status": "SUCCESSFUL", "financialTransactionId": "66"})

    with contextlib.ExitStack() as stack:
        agreeing, payee = serve_polling_payee(stack, pair, app, tmp_path_factory.mktemp("mobimo-conflict"))
        pending = reserve(pair, agree(agreeing, "+250788123457"), 10_000)
        ended = settled(pair, pending)
        payout = payee.payouts.get(pending)
    assert ended == VOIDED, payout
    assert payout is not None and (payout.status, payout.reason, payout.operator_txn_id) == (
        "SUCCESSFUL", "NOT_AS_ASKED", "66")
    assert not payout.resolve_tx_id
