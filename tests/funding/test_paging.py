"""The funding API's listings page as the rest of the API does (``limit``, ``cursor``, ``next_cursor`` null on the
last page), against the real demo server: an officer walks more requests than the largest page, a holder its
whole history and no one else's, requests filed between pages are neither repeated nor push older ones off;
a cursor or limit the API did not give out is a 400 (3100), for holders and officers alike."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from inzira.demo.app import Demo
from tests.funding.conftest import code_of, holder_token, officer_token, reference
from tests.running_demo import demo_http

PAGES_MAX = 50
HOLDERS = (("silkpay", "silkpay:usd"), ("eurosend", "eurosend:eur"), ("imari-fx", "imari-fx:aed"))
PER_HOLDER = 70  # three holders: more than the largest page (200), each under its pending limit (100)


def _file(client: httpx.Client, account: str) -> str:
    answer = client.post("/funding/v1/deposits", json={"account": account, "amount_minor": 2_00,
                                                       "settlement_reference": reference()})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def _walk(client: httpx.Client, params: dict[str, Any], between: httpx.Client | None = None,
          account: str = "") -> list[dict[str, Any]]:
    """Every page, following next_cursor; ``between`` files a request before each next page."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(PAGES_MAX):
        answer = client.get("/funding/v1/requests", params={**params, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert len(page["items"]) <= params.get("limit", 50)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        if between is not None:
            _file(between, account)
    raise AssertionError(f"more than {PAGES_MAX} pages")


@pytest.fixture(scope="module")
def filed(demo: Demo) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for holder, account in HOLDERS:
        with demo_http(demo, holder_token(demo, holder)) as client:
            found[holder] = {_file(client, account) for _ in range(PER_HOLDER)}
    return found


def test_an_officer_walks_more_requests_than_a_page_holds(demo: Demo, filed: dict[str, set[str]]) -> None:
    every = set().union(*filed.values())
    with demo_http(demo, officer_token(demo, "sbk")) as officer:
        first = officer.get("/funding/v1/requests", params={"limit": 200}).json()
        assert len(first["items"]) == 200 and first["next_cursor"] is not None
        walked = [r["id"] for r in _walk(officer, {"limit": 200})]
        assert len(walked) == len(set(walked)) and every <= set(walked)
        times = [(r["created_at_ms"], r["id"]) for r in _walk(officer, {"limit": 37})]
        assert times == sorted(times, key=lambda t: (-t[0], t[1]))  # newest first, one order across pages
        pending = _walk(officer, {"state": "pending", "limit": 64})
        assert {r["state"] for r in pending} == {"pending"} and every <= {r["id"] for r in pending}


def test_requests_filed_between_pages_are_neither_repeated_nor_push_older_ones_off(
        demo: Demo, filed: dict[str, set[str]]) -> None:
    every = set().union(*filed.values())
    with demo_http(demo, officer_token(demo, "sbk")) as officer, \
            demo_http(demo, holder_token(demo, "silkpay")) as holder:
        walked = [r["id"] for r in _walk(officer, {"limit": 25}, between=holder, account="silkpay:usd")]
        assert len(walked) == len(set(walked)) and every <= set(walked)


def test_a_holder_walks_its_whole_history_and_no_one_elses(demo: Demo, filed: dict[str, set[str]]) -> None:
    with demo_http(demo, holder_token(demo, "eurosend")) as holder:
        walked = _walk(holder, {"limit": 30})
    assert {r["holder"] for r in walked} == {"eurosend"} and filed["eurosend"] <= {r["id"] for r in walked}
    assert len(walked) == len({r["id"] for r in walked})
    assert all("contested_by" not in r for r in walked)


@pytest.mark.parametrize("params", [{"cursor": ""}, {"cursor": "!"}, {"cursor": "a" * 201},
                                    {"cursor": "bm90LWEtY3Vyc29y"},  # "not-a-cursor"
                                    {"cursor": "LTE6ZnItMQ=="},  # "-1:fr-1"
                                    {"cursor": "OTk5OTk5OTk5OTk5OTk5OTk5OTk6ZnItMQ=="},  # past any time in ms
                                    {"limit": 0}, {"limit": 201}, {"limit": "1e2"}, {"limit": ""}])
def test_a_cursor_or_limit_the_api_did_not_give_out_is_a_400(demo: Demo, params: dict[str, Any]) -> None:
    for token in (officer_token(demo, "sbk"), holder_token(demo, "silkpay")):
        with demo_http(demo, token) as client:
            refused = client.get("/funding/v1/requests", params=params)
            assert code_of(refused) == (400, 3100), refused.text
