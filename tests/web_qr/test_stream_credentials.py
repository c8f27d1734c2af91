"""The POS screen's live streams end when their session signs out, not when they would have ended anyway.

An attack seen: a shop's POS screen signed out (a cashier's shift over) kept the payments list streaming, and
a bill's screen its payment, for up to five minutes: the streams relay the merchant's API stream with a token
held server-side, and only the opening request looked at the session.
"""

from __future__ import annotations

from tests.stream_end import STREAM_TIMEOUT, closed_frame, read_until


def test_the_payments_feed_ends_when_its_session_signs_out(signed_in) -> None:
    pos = signed_in("pos")
    with pos.stream("GET", "/qr/pos/events", timeout=STREAM_TIMEOUT) as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines()
        read_until(lines, "ready")
        assert pos.post("/qr/pos/sign-out").status_code == 303
        closed = closed_frame(lines)
    assert closed["reason"] == "session_ended" and closed["code"] == 3040
    assert pos.get("/qr/pos/events").status_code == 401  # the browser's reconnection is refused


def test_a_bill_stream_ends_when_its_session_signs_out(signed_in, api) -> None:
    pos = signed_in("pos")
    bill = api.bill(3_300)
    with pos.stream("GET", f"/qr/pos/bills/{bill['bill_id']}/events", timeout=STREAM_TIMEOUT) as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines()
        read_until(lines, "status")
        assert pos.post("/qr/pos/sign-out").status_code == 303
        closed = closed_frame(lines)
    assert closed["reason"] == "session_ended" and closed["code"] == 3040
