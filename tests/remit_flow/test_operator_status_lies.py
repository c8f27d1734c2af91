"""An operator (or anything between it and the receiving FSP) that never calls back and, asked how the payout
went, says SUCCESSFUL for another amount, currency, payee or external id: the answer is about another payout,
so the reservation is not committed on it; the payout is flagged NOT_AS_ASKED for operations staff (the
operator says it paid something: recover it off-ledger) and the sender's money goes back. An honest answer, or
one that leaves out what MTN's GET /transfer may leave out, still commits. A PENDING answer about another payout
is flagged too (FAILED, NOT_AS_ASKED) and no longer asked about: the sender's money goes back at once."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse

from inzira.ledger.records import POSTED, VOIDED
from inzira.remit.service import RemitService
from inzira.remit.store.flagged import FLAGGED_STATUSES, FlaggedPayouts
from tests.remit_flow.handmade_operator import operator_app, serve_polling_payee
from tests.remit_flow.inter_fsp import Pair, agree, pair, reserve, settled  # noqa: F401 (fixture)

Answer = Callable[[dict], dict]


def _other_party(body: dict) -> dict:
    return {**body, "payee": {"partyIdType": "MSISDN", "partyId": "250788999999"}}


# The status answer per wallet: the transfer as asked, changed by the lie, with status SUCCESSFUL.
LIES: dict[str, Answer] = {
    "250788310001": lambda body: {**body, "amount": "100000"},
    "250788310002": lambda body: {**body, "currency": "UGX"},
    "250788310003": _other_party,
    "250788310004": lambda body: {**body, "payee": {"partyIdType": "EMAIL", "partyId": body["payee"]["partyId"]}},
    "250788310005": lambda body: {**body, "externalId": "another-payout"},
}
# The same lies, with status PENDING (never final).
PENDING_LIES: dict[str, Answer] = {f"2507883100{20 + n}": lie for n, lie in enumerate(LIES.values())}
LIE_IDS = ["amount", "currency", "payee", "payee-type", "external-id"]
HONEST: dict[str, Answer] = {
    "250788310010": lambda body: body,
    # MTN's answer may leave out the external id and the payee: what is there is checked, the rest is not asked.
    "250788310011": lambda body: {"amount": body["amount"], "currency": body["currency"]},
}


def _operator(taken: dict[str, dict], reads: dict[str, int]) -> FastAPI:
    """Takes every transfer (202), never calls back, and answers GET /transfer with its wallet's answer (counted
    in ``reads`` by reference id)."""
    app = operator_app(taken, Response(status_code=202))

    @app.get("/disbursement/v1_0/transfer/{reference_id}")
    async def status(reference_id: str) -> Response:
        found = taken.get(reference_id)
        if found is None:
            return JSONResponse({"code": "RESOURCE_NOT_FOUND"}, status_code=404)
        reads[reference_id] = reads.get(reference_id, 0) + 1
        wallet = found["payee"]["partyId"]
        if wallet in PENDING_LIES:
            return JSONResponse({**PENDING_LIES[wallet](found), "status": "PENDING"})
        answer = {**LIES, **HONEST}[wallet]
        return JSONResponse({**answer(found), "status": "SUCCESSFUL", "financialTransactionId": "88"})

    return app


@pytest.fixture(scope="module")
def liar(pair: Pair, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Pair, RemitService, dict[str, int]]]:
    """mobimo's receiving service paying through the operator above (polling: no callback URL is given), and the
    operator's status reads by reference id."""
    reads: dict[str, int] = {}
    with contextlib.ExitStack() as stack:
        served, payee = serve_polling_payee(stack, pair, _operator({}, reads), tmp_path_factory.mktemp("liar"))
        yield served, payee, reads


@pytest.mark.parametrize("wallet", list(LIES), ids=LIE_IDS)
def test_a_status_answer_about_another_payout_is_not_committed_and_is_flagged(
        liar: tuple[Pair, RemitService, dict[str, int]], wallet: str) -> None:
    agreeing, payee, _reads = liar
    pending = reserve(agreeing, agree(agreeing, "+" + wallet), 10_000)
    ended = settled(agreeing, pending)
    payout = payee.payouts.get(pending)
    assert ended == VOIDED, payout  # the sender has the money back: nothing was paid as asked
    assert payout is not None and (payout.status, payout.reason) == ("SUCCESSFUL", "NOT_AS_ASKED")
    assert not payout.resolve_tx_id
    flagged = FlaggedPayouts(payee.db).page("mobimo", FLAGGED_STATUSES, "NOT_AS_ASKED", 200, None)
    assert pending in [p.pending_id for p in flagged]


@pytest.mark.parametrize("wallet", list(HONEST), ids=["honest", "omitting-what-mtn-may-omit"])
def test_an_honest_status_answer_still_commits(liar: tuple[Pair, RemitService, dict[str, int]], wallet: str) -> None:
    agreeing, payee, _reads = liar
    pending = reserve(agreeing, agree(agreeing, "+" + wallet), 10_000)
    ended = settled(agreeing, pending)
    payout = payee.payouts.get(pending)
    assert ended == POSTED, payout
    assert payout is not None and (payout.status, payout.reason, payout.operator_txn_id) == ("SUCCESSFUL", "", "88")


@pytest.mark.parametrize("wallet", list(PENDING_LIES), ids=LIE_IDS)
def test_a_pending_status_answer_about_another_payout_is_flagged_and_no_longer_asked(
        liar: tuple[Pair, RemitService, dict[str, int]], wallet: str) -> None:
    """Before: the payout was asked about again until its deadline, then left UNKNOWN (asked about for
    ``payout_reconcile_ms_max``) and the reservation left to expire, the sender's money held all that time."""
    agreeing, payee, reads = liar
    pending = reserve(agreeing, agree(agreeing, "+" + wallet), 10_000)
    ended = settled(agreeing, pending)
    payout = payee.payouts.get(pending)
    assert ended == VOIDED, payout
    assert payout is not None and (payout.status, payout.reason) == ("FAILED", "NOT_AS_ASKED")
    assert not payout.resolve_tx_id
    asked = reads[payout.reference_id]
    time.sleep(1.0)  # several reconciliation passes (every 200 ms)
    assert reads[payout.reference_id] == asked
    flagged = FlaggedPayouts(payee.db).page("mobimo", ("FAILED",), "NOT_AS_ASKED", 200, None)
    assert pending in [p.pending_id for p in flagged]
