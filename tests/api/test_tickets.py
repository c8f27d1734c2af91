"""Member tokens only in the Authorization header; event streams take a 60 s ticket bound to the member."""

from __future__ import annotations

from inzira.api.models import TicketModel
from inzira.api.tickets import TicketBook
from tests.api.helpers import problem

STREAM_TIMEOUT_S = 10.0


def _status(ledger, path: str, **params: str) -> int:
    with ledger.http() as anonymous, anonymous.stream("GET", path, params=params, timeout=STREAM_TIMEOUT_S) as answer:
        return answer.status_code


def test_member_tokens_in_the_url_are_refused_and_tickets_open_event_streams(ledger):
    problem(ledger.http().get("/v1/events", params={"token": ledger.tokens["eurosend"]}), 401, 3040)
    problem(ledger.http().get("/v1/accounts", params={"token": ledger.tokens["eurosend"]}), 401, 3040)
    with ledger.http("eurosend") as http:
        issued = http.post("/v1/tickets")
    assert issued.status_code == 200
    ticket = TicketModel.model_validate(issued.json())
    assert 0 < ticket.ttl_ms <= 60_000
    assert _status(ledger, "/v1/events", ticket=ticket.ticket) == 200
    # Only event streams take a ticket: not other routes, not as a bearer token.
    problem(ledger.http().get("/v1/accounts", params={"ticket": ticket.ticket}), 401, 3040)
    with ledger.http() as anonymous:
        problem(anonymous.get("/v1/accounts", headers={"Authorization": f"Bearer {ticket.ticket}"}), 401, 3040)
    problem(ledger.http().post("/v1/tickets"), 401, 3040)


def test_expired_and_forged_tickets_are_refused(ledger):
    for bad in (TicketBook(ttl_ms=-1).issue("member:eurosend")["ticket"],
                TicketBook().issue("member:eurosend")["ticket"], "bWVtYmVy.eA=="):
        problem(ledger.http().get("/v1/events", params={"ticket": bad}), 401, 3040)
