"""One member's page sessions cannot take every live status stream of the remittance pages from the others.

An attack seen: the pages' status streams were bounded only in all (200 per process). One member's agent (or
anyone with a demo button) opening that many streams of a held transfer, which stay open, had every other
member's transfer page answered 503 "too many live streams" until they ended. Each member now has a share;
beyond it that member is answered 429 and the places left stay for the others.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from inzira.web.remit import events
from tests.streams_at_once import read_status, session_get
from tests.web_remit.helpers import DEMO_NUMBER, SANCTIONED, send, wait_record

LIMIT = 6  # lowered for the test: the real limits are hundreds of sockets
SHARE = 3
TIMEOUT_S = 10.0
APPROVE_TIMEOUT_S = 30.0


@contextmanager
def open_streams(client: httpx.Client, path: str, count: int) -> Iterator[list[int]]:
    """``count`` GETs of ``path`` with ``client``'s session, each on its own connection, kept open (a stream
    answered stays open) until the block ends; yields their statuses."""
    url = client.base_url
    socks = [socket.create_connection((url.host, url.port or 80), timeout=TIMEOUT_S) for _ in range(count)]
    try:
        statuses = []
        for sock in socks:  # one after another: each answered before the next asks
            sock.sendall(session_get(client, path))
            statuses.append(read_status(sock))
        yield statuses
    finally:
        for sock in socks:
            sock.close()


def status_of_one(client: httpx.Client, path: str) -> int:
    with client.stream("GET", path) as response:
        return response.status_code


def test_one_member_holding_streams_leaves_the_others_theirs(demo, signed_in, service,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "STREAMS_MAX", LIMIT)
    monkeypatch.setattr(events, "MEMBER_STREAMS_MAX", SHARE)
    agent = signed_in("eurosend", "agent")
    regulator = signed_in("cbr", "regulator")
    transfer_id = send(agent, DEMO_NUMBER, "14.00", receiver_name=SANCTIONED)  # held: its streams stay open
    record = wait_record(service, transfer_id, ("HELD",))
    path = f"/remit/transfers/{transfer_id}/events"
    try:
        with open_streams(agent, path, LIMIT) as hostile:
            assert hostile == [200] * SHARE + [429] * (LIMIT - SHARE), hostile
            assert status_of_one(regulator, path) == 200  # another member still gets its stream
    finally:
        service.submit(service.desk.approve("eurosend", record, "checked")).result(APPROVE_TIMEOUT_S)
