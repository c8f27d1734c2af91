"""Crafted numbers at the remittance API: each is a 400 problem with code 3100, never a 500 (a number past 64
bits in ``before_ms`` once reached SQLite)."""

from __future__ import annotations

import pytest

from inzira.ledger.codes import Code

PAST_64_BITS = "34972068125625303040"


@pytest.mark.parametrize(("member", "path"), [
    ("eurosend", f"/v1/remit/transfers?before_ms={PAST_64_BITS}"),
    ("mobimo", f"/v1/remit/incoming?before_ms={PAST_64_BITS}"),
    ("cbr", f"/v1/remit/regulator/flagged?before_ms={PAST_64_BITS}"),
    ("cbr", f"/v1/remit/regulator/corridors?since_ms={PAST_64_BITS}"),
    ("eurosend", "/v1/remit/transfers?limit=+5"),
    ("eurosend", "/v1/remit/transfers?before_ms=%C2%B2"),
])
def test_crafted_numbers_are_400(flow, member, path):
    with flow.http(member) as http:
        answer = http.get(path)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == Code.VALIDATION
