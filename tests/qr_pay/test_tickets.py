"""Tokens travel only in the Authorization header: ``?token=`` opens nothing. A browser's EventSource or <img>
uses a 60 s ticket that names its caller; a forged, altered or expired ticket, or one for another caller's
stream, opens nothing either."""

from __future__ import annotations

import pytest

from inzira.api.tickets import TicketBook
from tests.qr_pay.helpers import Qr, problem

STREAM_TIMEOUT_S = 10.0


def _get(qr: Qr, path: str, **params: str) -> int:
    with qr.client().stream("GET", path, params=params, timeout=STREAM_TIMEOUT_S) as response:
        return response.status_code


@pytest.mark.parametrize("kind", ["merchant", "wallet", "member"])
def test_tokens_in_the_url_are_refused(qr: Qr, kind: str) -> None:
    merchant, wallet = qr.merchant(), qr.wallet()
    paths = {"merchant": (f"/v1/qr/merchants/{merchant['merchant_id']}/events", merchant["merchant_token"]),
             "wallet": (f"/v1/qr/wallets/{wallet['wallet_id']}/events", wallet["wallet_token"]),
             "member": (f"/v1/qr/merchants/{merchant['merchant_id']}/qr.svg", qr.tokens["ubumwe"])}
    path, token = paths[kind]
    problem(qr.client().get(path, params={"token": token}), 401, 3040)
    assert _get(qr, path, ticket=qr.ticket(token)) == 200


def test_a_ticket_opens_only_its_callers_streams(qr: Qr) -> None:
    merchant, other = qr.merchant(), qr.merchant("Other Shop")
    ticket = qr.ticket(merchant["merchant_token"])
    assert _get(qr, f"/v1/qr/merchants/{merchant['merchant_id']}/qr.svg", ticket=ticket) == 200
    problem(qr.client().get(f"/v1/qr/merchants/{other['merchant_id']}/qr.svg", params={"ticket": ticket}), 404, 3250)
    # A ticket is not a token: no route other than streams and images takes it, in a header or a URL.
    problem(qr.client().get(f"/v1/qr/merchants/{merchant['merchant_id']}", params={"ticket": ticket}), 401, 3040)
    problem(qr.client(ticket).get(f"/v1/qr/merchants/{merchant['merchant_id']}"), 401, 3040)


def test_forged_altered_and_expired_tickets_are_refused(qr: Qr) -> None:
    merchant = qr.merchant()
    path = f"/v1/qr/merchants/{merchant['merchant_id']}/qr.svg"
    ticket = qr.ticket(merchant["merchant_token"])
    payload, _, mac = ticket.partition(".")
    expired = TicketBook(ttl_ms=-1).issue(f"merchant:{merchant['merchant_id']}")["ticket"]
    forged = TicketBook().issue(f"merchant:{merchant['merchant_id']}")["ticket"]  # another server's key
    altered = payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB") + "." + mac
    for bad in (expired, forged, altered, "x.y", "....", ticket + "x"):
        problem(qr.client().get(path, params={"ticket": bad}), 401, 3040)
