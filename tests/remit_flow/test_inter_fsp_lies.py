"""A receiving FSP's deployment that lies to the sending side: what it says of a wallet's holder travels into the
sending FSP's compliance record (the holder's screening reasons), so it must be within bounds or not taken at all.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator

import httpx
import msgspec
import pytest

from inzira.api.server import serve_in_thread
from inzira.remit.codes import RemitCode
from inzira.remit.payout import PayoutUnavailableError
from inzira.remit.remote_receiving import RemoteReceivingFsp
from inzira.remit.settings import RemitSettings
from tests.remit_flow.conftest import HTTP_TIMEOUT_S, now_ms
from tests.remit_flow.helpers import problem
from tests.remit_flow.inter_fsp import Pair, pair  # noqa: F401 (fixture)

CONDITION = base64.urlsafe_b64encode(b"\x07" * 32).decode().rstrip("=")
REASON = {"code": "sanctions_possible", "message": "the holder matches list entry X (score 80)",
          "party": "account_holder", "list_reference": "X", "score": 80}


@contextlib.contextmanager
def _lying(pair: Pair, reasons: list[dict]) -> Iterator[RemoteReceivingFsp]:
    """A mobimo deployment that confirms any wallet with ``reasons`` as its screening of the holder, and agrees
    to any terms asked (echoed, with a condition of its own)."""
    async def app(scope: dict, receive: object, send: object) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()  # type: ignore[operator]
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["method"] == "GET":
            msisdn = scope["path"].rsplit("/", 1)[1]
            answer = {"msisdn": msisdn, "fsp_id": "mobimo", "masked_name": "J*** U***", "active": True,
                      "holder_reasons": reasons}
        else:
            asked = json.loads(body)
            answer = {k: asked[k] for k in ("quote_id", "amount_received_minor", "receiving_fee_minor", "currency",
                                            "expires_at_ms")} | {"condition": CONDITION}
        await send({"type": "http.response.start", "status": 200,  # type: ignore[operator]
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": json.dumps(answer).encode()})  # type: ignore[operator]

    served, _port = serve_in_thread(app)
    remote = RemoteReceivingFsp("mobimo", served.base_url, pair.keys.port(pair.flow.net, "eurosend"),
                                RemitSettings(), now_ms)
    try:
        yield remote
    finally:
        pair.sender.submit(remote.aclose()).result(HTTP_TIMEOUT_S)
        served.stop()


@pytest.mark.parametrize("lie", [
    {"score": 2**70},  # beyond what the sending side's books can store: the quote failed with a 500
    {"score": -5}, {"score": 101},
    {"message": "m" * 5_000},  # a flood of text into the officer's view
    {"message": "matches nothing\x1b[2J\r\nAPPROVED by the officer"},  # a terminal's escape, a forged line
    {"code": "c" * 1_000}, {"party": "sender"}, {"list_reference": "\u202eX"},
    {"matched_name": "Jeanne Uwase"},  # never the holder's name: only the matches travel
])
def test_a_holders_screening_reasons_out_of_bounds_are_an_unavailable_fsp(pair: Pair, lie: dict) -> None:
    """The receiving FSP's screening of the holder's name is its word, stored in the sending FSP's quote and shown
    to its compliance officer: reasons with an unbounded score, text or control characters are that FSP failing to
    confirm the wallet (5140), never stored."""
    msisdn = pair.flow.wallet("mobimo")
    with _lying(pair, [{**REASON, **lie}]) as remote:
        with pytest.raises(PayoutUnavailableError, match="out of shape"):
            pair.sender.submit(remote.lookup(msisdn)).result(HTTP_TIMEOUT_S)


def test_a_quote_through_a_deployment_reporting_a_huge_score_is_a_503_not_a_500(pair: Pair) -> None:
    """End to end, through the sending FSP's own API: the quote was refused with a 500 (the score did not fit
    the quote's stored record). Now it is that FSP unavailable; an honest reason still holds the transfer."""
    msisdn = pair.flow.wallet("mobimo")
    quote = {"receiver_msisdn": msisdn, "amount_type": "SEND", "currency": "EUR", "amount_minor": 20_000,
             "sender_name": "Marie Dupont", "receiver_name": "Jeanne Uwase"}
    honest = pair.sender.remote_agents["mobimo"]
    try:
        for reasons, status in (([{**REASON, "score": 2**70}], 503), ([REASON], 201)):
            with _lying(pair, reasons) as remote, httpx.Client(
                    base_url=pair.sender_url, timeout=HTTP_TIMEOUT_S,
                    headers={"Authorization": f"Bearer {pair.flow.tokens['eurosend']}"}) as http:
                pair.sender.remote_agents["mobimo"] = remote
                answer = http.post("/v1/remit/quotes", json=quote)
                if status == 503:
                    problem(answer, 503, RemitCode.PAYEE_UNAVAILABLE)
                else:
                    assert answer.status_code == 201, answer.text
                    kept = pair.sender.transfers.quote(answer.json()["quote_id"])
                    assert kept is not None and kept[0].holder_reasons[0].score == 80
    finally:
        pair.sender.remote_agents["mobimo"] = honest


def test_an_honest_deployments_reasons_for_a_listed_holder_are_taken(pair: Pair) -> None:
    """What a receiving FSP's screening says of a listed holder (both kinds of match, and a name that cannot be
    screened) is within the bounds, and kept as said."""
    screening = pair.payee.screening
    said = [*screening.holder_reasons("Mohammed Youssef Karzanithi"), *screening.holder_reasons("***")]
    assert {r.code for r in said} >= {"sanctions_hit", "invalid_name"}
    msisdn = pair.flow.wallet("mobimo")
    with _lying(pair, msgspec.to_builtins(said)) as remote:
        pair.sender.submit(remote.lookup(msisdn)).result(HTTP_TIMEOUT_S)
        assert remote.holder_reasons(msisdn) == tuple(said)
