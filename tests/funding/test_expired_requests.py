"""Expired funding requests, against the real demo server with the desk's clock moved forward: a request past its
expiry can no longer be approved, so it contests nothing (``contested_by`` leaves it out), the API and the officers'
page show it as expired (not pending for ever, with no buttons), the listing filters on it, and its holder may
file the reference again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.funding.desk import DEPOSIT_TTL_MS
from inzira.node.signer import wall_clock_ms
from tests.funding.conftest import balance, code_of, holder_token, officer_token, reference
from tests.running_demo import demo_http

HOUR_MS = 3600 * 1000


class Clock:
    """The desk's clock: the wall clock, moved forward by ``ahead_ms``."""

    def __init__(self) -> None:
        self.ahead_ms = 0

    def __call__(self) -> int:
        return wall_clock_ms() + self.ahead_ms


@pytest.fixture
def clock(demo: Demo) -> Iterator[Clock]:
    desk = demo.providers.funding  # type: ignore[union-attr]
    before, injected = desk.clock_ms, Clock()
    desk.clock_ms = injected
    try:
        yield injected
    finally:
        desk.clock_ms = before


def _filed(demo: Demo, holder: str, account: str, ref: str, amount: int = 3_00) -> dict[str, Any]:
    with demo_http(demo, holder_token(demo, holder)) as client:
        answer = client.post("/funding/v1/deposits", json={"account": account, "amount_minor": amount,
                                                           "settlement_reference": ref})
    assert answer.status_code == 202, answer.text
    return dict(answer.json())


def _officer_get(demo: Demo, path: str, **params: Any) -> Any:
    with demo_http(demo, officer_token(demo, "sbk")) as client:
        answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _listed(demo: Demo, state: str) -> set[str]:
    return {r["id"] for r in _officer_get(demo, "/funding/v1/requests", state=state, limit=200)["items"]}


def test_an_expired_request_contests_nothing_and_is_shown_expired(demo: Demo, clock: Clock) -> None:
    """Before: the expired squatter stayed in the rightful request's ``contested_by`` and showed as pending."""
    ref = reference()
    squatter = _filed(demo, "silkpay", "silkpay:usd", ref)
    clock.ahead_ms = DEPOSIT_TTL_MS - HOUR_MS
    rightful = _filed(demo, "eurosend", "eurosend:eur", ref)
    assert _officer_get(demo, f"/funding/v1/requests/{rightful['id']}")["contested_by"] == [squatter["id"]]
    clock.ahead_ms = DEPOSIT_TTL_MS + HOUR_MS  # the squatter's request expired, the rightful one did not
    seen = _officer_get(demo, f"/funding/v1/requests/{rightful['id']}")
    assert (seen["state"], seen["contested_by"]) == ("pending", [])
    stale = _officer_get(demo, f"/funding/v1/requests/{squatter['id']}")
    assert stale["state"] == "expired" and stale["contested_by"] == [rightful["id"]]
    with demo_http(demo, holder_token(demo, "silkpay")) as client:
        assert client.get(f"/funding/v1/requests/{squatter['id']}").json()["state"] == "expired"
    assert rightful["id"] in _listed(demo, "pending") and squatter["id"] not in _listed(demo, "pending")
    assert squatter["id"] in _listed(demo, "expired") and rightful["id"] not in _listed(demo, "expired")

    with httpx.Client(base_url=demo.url.rstrip("/"), timeout=30.0) as browser:
        assert browser.post("/funding/sign-in", data={"token": officer_token(demo, "sbk")}).status_code == 303
        page = browser.get("/funding").text
        expired_page = browser.get("/funding", params={"state": "expired"})
    row = page.split(f'data-request="{squatter["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert row.startswith(' data-state="expired"') and "<form" not in row
    row = page.split(f'data-request="{rightful["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert row.startswith(' data-state="pending"') and "Contested" not in row and "/approve" in row
    assert expired_page.status_code == 200 and squatter["id"] in expired_page.text

    before = balance(demo, "eurosend:eur")
    with demo_http(demo, officer_token(demo, "sbk")) as officer:
        refused = officer.post(f"/funding/v1/requests/{squatter['id']}/approve", json={"note": ""})
        assert code_of(refused) == (422, 3300)
        approved = officer.post(f"/funding/v1/requests/{rightful['id']}/approve", json={"note": "payer checked"})
    assert approved.json()["state"] == "approved"
    assert balance(demo, "eurosend:eur") == before + 3_00


def test_a_holder_files_its_expired_request_again(demo: Demo, clock: Clock) -> None:
    """Before: filing the reference again returned the expired request, which no officer could approve."""
    ref = reference()
    first = _filed(demo, "silkpay", "silkpay:usd", ref)
    assert _filed(demo, "silkpay", "silkpay:usd", ref)["id"] == first["id"]  # a retry is the same request
    clock.ahead_ms = DEPOSIT_TTL_MS
    again = _filed(demo, "silkpay", "silkpay:usd", ref)
    assert again["id"] != first["id"] and again["state"] == "pending"
    assert _filed(demo, "silkpay", "silkpay:usd", ref)["id"] == again["id"]
    assert _officer_get(demo, f"/funding/v1/requests/{again['id']}")["contested_by"] == []
