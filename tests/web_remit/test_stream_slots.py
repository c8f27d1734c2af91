"""The transfer pages' live streams are bounded in number even when their requests arrive together.

An attack seen: a stream counted itself only once its generator ran (after the response had started), so
many requests arriving at once all passed the route's check and every one was answered: the limit did not hold.
"""

from __future__ import annotations

import pytest

from inzira.web.remit import events
from tests.streams_at_once import answered_together, limit_holds
from tests.web_remit.helpers import DEMO_NUMBER, SANCTIONED, send, wait_record

LIMIT = 5  # lowered for the test: the real limit is hundreds of sockets
OVER_LIMIT = 15
TIMEOUT_S = 10.0
APPROVE_TIMEOUT_S = 30.0


def test_streams_asked_for_together_get_the_limit_and_closed_ones_free_their_places(
        demo, signed_in, service, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "STREAMS_MAX", LIMIT)
    agent = signed_in("eurosend", "agent")
    transfer_id = send(agent, DEMO_NUMBER, "14.00", receiver_name=SANCTIONED)  # held: its stream stays open
    record = wait_record(service, transfer_id, ("HELD",))
    path = f"/remit/transfers/{transfer_id}/events"
    try:
        statuses = answered_together(demo.served.app, agent, path, LIMIT + OVER_LIMIT,
                                     demo.served.server.servers[0].get_loop(), TIMEOUT_S)
        assert statuses.count(200) == LIMIT and statuses.count(503) == OVER_LIMIT, statuses
        limit_holds(agent, path, LIMIT, OVER_LIMIT, TIMEOUT_S)  # over HTTP; the ended ones' places are free
    finally:
        service.submit(service.desk.approve("eurosend", record, "checked")).result(APPROVE_TIMEOUT_S)
