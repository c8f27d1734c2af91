"""An operator that takes a payout but answers the request in a way the adapter cannot read (a 200 where MTN
documents a 202, a proxy's error page, a 409 whose transfer is not yet readable): the payout may be made, so
the receiving FSP asks the operator how it ended before deciding, never voids it as failed unasked (the wallet
would be paid and the money back with the sender). A 409 whose transfer is another payout (the reference id holds
another amount) is flagged NOT_AS_ASKED with what the operator says of it, never a plain failure."""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from pathlib import Path

import pytest
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse

from inzira.ledger.records import POSTED, VOIDED
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from inzira.sim.server import serve_app
from tests.remit_flow.handmade_operator import operator_app
from tests.remit_flow.inter_fsp import Pair, agree, pair, reserve, serve_service, settled  # noqa: F401 (fixture)


def _serve_payee(stack: contextlib.ExitStack, pair: Pair, operator: FastAPI, folder: Path
                 ) -> tuple[Pair, RemitService]:
    """mobimo's receiving service paying through ``operator`` (polling), served for quotes."""
    base_url = stack.enter_context(serve_app(operator)).base_url
    config = {"kind": "momo-http", "base_url": base_url, "subscription_key": "k",
              "api_user": str(uuid.uuid4()), "api_key": "s", "target_environment": "mtnrwanda",
              "retries_max": 1, "retry_backoff_ms": 10, "retry_backoff_max_ms": 20}
    payee = RemitService(pair.flow.net, pair.keys.ports(pair.flow.net, ["mobimo"]), folder,
                         RemitSettings(payout_adapters={"mobimo": config}, reconcile_interval_ms=200),
                         fx=pair.flow.providers.fx_client(["mobimo"]),
                         funding=pair.flow.providers.funding_client(["mobimo"])).start()
    stack.callback(payee.stop)
    return dataclasses.replace(pair, payee_url=serve_service(stack, pair.flow, payee, fsp=True)), payee


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
        agreeing, payee = _serve_payee(stack, pair, _operator(taken, answer), tmp_path_factory.mktemp("mobimo-odd"))
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
        agreeing, payee = _serve_payee(stack, pair, app, tmp_path_factory.mktemp("mobimo-conflict"))
        pending = reserve(pair, agree(agreeing, "+250788123457"), 10_000)
        ended = settled(pair, pending)
        payout = payee.payouts.get(pending)
    assert ended == VOIDED, payout
    assert payout is not None and (payout.status, payout.reason, payout.operator_txn_id) == (
        "SUCCESSFUL", "NOT_AS_ASKED", "66")
    assert not payout.resolve_tx_id
