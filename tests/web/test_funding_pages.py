"""The issuer's funding page against the real demo server: only an officer token signs in, the browser holds an
opaque session id (never the token), a forged or signed-out cookie decides nothing, a decision on the page
is the same decision as on the API, the page shows a contested settlement reference, and its pages walk every
request once."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.demo.setup import load_api_keys
from tests.running_demo import demo_http, running_demo

HTTP_TIMEOUT_S = 30.0
COOKIE = "inzira_funding_session"
PAGES_MAX = 20


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory, "funding-pages") as running:
        yield running


def _browser(demo: Demo) -> httpx.Client:
    return httpx.Client(base_url=demo.url.rstrip("/"), timeout=HTTP_TIMEOUT_S, follow_redirects=False)


def _deposit(demo: Demo, amount_minor: int) -> str:
    token = load_api_keys(demo.data_dir)["silkpay"]
    with httpx.Client(base_url=demo.url.rstrip("/"), headers={"Authorization": f"Bearer {token}"},
                      timeout=HTTP_TIMEOUT_S) as http:
        filed = http.post("/v1/remit/liquidity/deposits", json={
            "account": "silkpay:usd", "amount_minor": amount_minor,
            "settlement_reference": f"wire-{uuid.uuid4().hex[:12]}"})
    assert filed.status_code == 202, filed.text
    return str(filed.json()["id"])


def _balance(demo: Demo, account: str) -> int:
    found = demo.runtime.node.account(account)  # type: ignore[union-attr]
    assert found is not None
    return found.balance_minor


def test_a_members_api_token_does_not_sign_in(demo: Demo) -> None:
    with _browser(demo) as browser:
        refused = browser.post("/funding/sign-in", data={"token": load_api_keys(demo.data_dir)["silkpay"]})
        assert refused.status_code == 401 and "not an officer token" in refused.text
        assert COOKIE not in refused.cookies


def test_an_officer_signs_in_approves_on_the_page_and_signs_out(demo: Demo) -> None:
    token = demo.providers.officer_token("sbk")  # type: ignore[union-attr]
    request_id = _deposit(demo, 1_234_00)
    before = _balance(demo, "silkpay:usd")
    with _browser(demo) as browser:
        signed_in = browser.post("/funding/sign-in", data={"token": token})
        assert signed_in.status_code == 303
        cookie = signed_in.headers["set-cookie"]
        session_id = signed_in.cookies[COOKIE]
        assert token not in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert "Path=/funding" in cookie
        page = browser.get("/funding")
        assert "Signed in as" in page.text and request_id in page.text
        assert page.headers["cache-control"] == "no-store"
        assert browser.post(f"/funding/requests/{request_id}/approve", data={"note": "wire seen"}).status_code == 303
        assert f'data-request="{request_id}" data-state="approved"' in browser.get("/funding").text
        assert _balance(demo, "silkpay:usd") == before + 1_234_00
        assert browser.post("/funding/sign-out").status_code == 303
    with _browser(demo) as replay:  # the signed-out id decides nothing, though a browser may still send it
        replay.cookies.set(COOKIE, session_id, path="/funding")
        other = _deposit(demo, 99_00)
        refused = replay.post(f"/funding/requests/{other}/approve", data={})
        assert refused.status_code == 401 and "Sign in first" in refused.text


@pytest.mark.parametrize("forged", ["", "x" * 65, "not-a-session", "%C2%B2" * 10])
def test_a_forged_cookie_decides_nothing(demo: Demo, forged: str) -> None:
    request_id = _deposit(demo, 7_00)
    with _browser(demo) as browser:
        browser.cookies.set(COOKIE, forged, path="/funding")
        refused = browser.post(f"/funding/requests/{request_id}/approve", data={})
        assert refused.status_code == 401
        assert "Signed in as" not in browser.get("/funding").text


def test_signing_in_again_ends_the_earlier_session_and_sign_out_only_from_this_site(demo: Demo) -> None:
    """A shared desk: the officer who signs in after another leaves no second live session behind, and a page
    of another origin (a sibling site gets SameSite cookies) cannot sign the officer out."""
    first_token = demo.providers.officer_token("sbk")  # type: ignore[union-attr]
    second_token = demo.providers.officer_token("cbr")  # type: ignore[union-attr]
    with _browser(demo) as browser:
        assert browser.post("/funding/sign-in", data={"token": first_token}).status_code == 303
        first_id = browser.cookies[COOKIE]
        assert browser.post("/funding/sign-in", data={"token": second_token}).status_code == 303
        assert browser.cookies[COOKIE] != first_id
        refused = browser.post("/funding/sign-out", headers={"Origin": "https://evil.example"})
        assert refused.status_code == 403 and "another site" in refused.text
        assert "Signed in as" in browser.get("/funding").text
    with _browser(demo) as replay:
        replay.cookies.set(COOKIE, first_id, path="/funding")
        request_id = _deposit(demo, 5_00)
        refused = replay.post(f"/funding/requests/{request_id}/approve", data={})
        assert refused.status_code == 401 and "Sign in first" in refused.text


def _file(demo: Demo, holder: str, account: str, ref: str) -> str:
    token = demo.providers.funding_tokens[holder]  # type: ignore[union-attr]
    with httpx.Client(base_url=demo.url.rstrip("/"), headers={"Authorization": f"Bearer {token}"},
                      timeout=HTTP_TIMEOUT_S) as http:
        filed = http.post("/funding/v1/deposits", json={"account": account, "amount_minor": 3_00,
                                                        "settlement_reference": ref})
    assert filed.status_code == 202, filed.text
    return str(filed.json()["id"])


@contextmanager
def _signed_in(demo: Demo) -> Iterator[httpx.Client]:
    token = demo.providers.officer_token("sbk")  # type: ignore[union-attr]
    with _browser(demo) as browser:
        assert browser.post("/funding/sign-in", data={"token": token}).status_code == 303
        yield browser


def test_the_page_shows_a_contested_reference_and_funds_it_once(demo: Demo) -> None:
    ref = f"wire-{uuid.uuid4().hex[:12]}"
    squatter = _file(demo, "silkpay", "silkpay:usd", ref)
    rightful = _file(demo, "eurosend", "eurosend:eur", ref.upper())
    with _signed_in(demo) as browser:
        page = browser.get("/funding", params={"state": "pending"}).text
        for mine, other in ((squatter, rightful), (rightful, squatter)):
            row = page[page.index(f'data-request="{mine}"'):]
            row = row[:row.index("</tr>")]
            assert 'data-contested="1"' in row and other in row
        assert browser.post(f"/funding/requests/{rightful}/approve", data={"note": "payer is eurosend"}) \
            .status_code == 303
        refused = browser.post(f"/funding/requests/{squatter}/approve", data={})
        assert refused.status_code == 409 and "(3106)" in refused.text
        page = browser.get("/funding").text
        assert f'data-request="{squatter}" data-state="rejected"' in page
        assert f'data-request="{rightful}" data-state="approved"' in page


def test_the_pages_walk_every_request_once_while_new_ones_arrive(demo: Demo) -> None:
    # More than the 200 rows the page showed before it paged, from three holders (each under its pending limit).
    filed = {_file(demo, holder, account, f"wire-{uuid.uuid4().hex[:12]}") for _ in range(70)
             for holder, account in (("silkpay", "silkpay:usd"), ("eurosend", "eurosend:eur"),
                                     ("imari-fx", "imari-fx:aed"))}
    seen: list[str] = []
    address: str | None = "/funding"
    with _signed_in(demo) as browser:
        for _ in range(PAGES_MAX):
            if address is None:
                break
            page = browser.get(address)
            assert page.status_code == 200
            rows = re.findall(r'data-request="(fr-[0-9a-f]{32})"', page.text)
            assert len(rows) <= 50  # a page of the page's size
            seen += rows
            _file(demo, "eurosend", "eurosend:eur", f"wire-{uuid.uuid4().hex[:12]}")  # arrives between pages
            found = re.search(r'rel="next" href="([^"]+)"', page.text)
            address = html.unescape(found.group(1)) if found else None
        assert address is None and len(seen) == len(set(seen)) and filed <= set(seen)
        pending = browser.get("/funding", params={"state": "pending"}).text
        assert 'data-state="approved"' not in pending and 'rel="next"' in pending
        for bad in ({"cursor": "bm90LWEtY3Vyc29y"}, {"cursor": "!"}, {"state": "bogus"}):
            refused = browser.get("/funding", params=bad)
            assert refused.status_code == 400 and "data-request" not in refused.text, bad
    with demo_http(demo, demo.providers.officer_token("sbk")) as officer:  # type: ignore[union-attr]  # leave the module's other tests a desk without this queue
        for request_id in filed:
            assert officer.post(f"/funding/v1/requests/{request_id}/reject", json={}).status_code == 200


def test_the_page_after_a_decision_says_what_became_of_the_request(demo: Demo) -> None:
    """A second officer's approval is still needed at 10,000 units: the page says so, instead of showing the
    same pending row as before the click."""
    request_id = _deposit(demo, 10_000_00)
    with _signed_in(demo) as browser:
        approved = browser.post(f"/funding/requests/{request_id}/approve", data={"note": "wire seen"})
        assert approved.status_code == 303 and approved.headers["location"] == f"/funding?decided={request_id}"
        page = browser.get(approved.headers["location"]).text
        note = page[page.index("data-decided"):].split("</p>", 1)[0]
        assert f"approval of {request_id} (10,000.00 USD) is recorded: 1 of 2 approvals" in note
        assert "another officer" in note
        rejected = browser.post(f"/funding/requests/{_deposit(demo, 3_00)}/reject", data={"note": "no wire"})
        page = browser.get(rejected.headers["location"]).text
        assert "is now rejected" in page and "<small data-rejected-by>by " in page
        assert "data-decided" not in browser.get("/funding", params={"decided": "fr-" + "0" * 32}).text
        edited = browser.get("/funding", params={"decided": "<script>" * 100})
        assert edited.status_code == 200 and "data-decided" not in edited.text and "<script><script>" not in edited.text


def test_the_page_keeps_to_the_content_security_policy_and_fits_a_phone(demo: Demo) -> None:
    """No inline style (the CSP blocks it, so the sign-out button lost its layout), no form inside a paragraph,
    the wide table scrolls inside its own box at 390 px, and each note box is named for a screen reader."""
    request_id = _deposit(demo, 4_00)
    with _signed_in(demo) as browser:
        shown = browser.get("/funding")
    page = shown.text
    assert "style-src 'self'" in shown.headers["content-security-policy"]
    assert " style=" not in page
    assert re.search(r"<p\b[^>]*>(?:(?!</p>).)*<form", page, re.S) is None
    assert re.search(r'<div class="table-wrap">\s*<table>', page)
    assert f'aria-label="Note on approving {request_id}"' in page
    assert f'aria-label="Why you reject {request_id}"' in page


def test_the_page_names_the_issuer_and_holder_and_shows_when_each_request_was_made_and_decided(demo: Demo) -> None:
    """Display names, not member ids, and times as on every other page (UTC, then CAT)."""
    when = r'<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</time> <span class="cat">[^<]+ CAT</span>'
    node = demo.runtime.node  # type: ignore[union-attr]
    pending, decided = _deposit(demo, 5_00), _deposit(demo, 6_00)
    with _signed_in(demo) as browser:
        assert browser.post(f"/funding/requests/{decided}/reject", data={"note": "no wire"}).status_code == 303
        page = browser.get("/funding").text
    assert f"<h1>Funding requests to {html.escape(node.state.members['sbk'].name)}</h1>" in page
    rows = {rid: page.split(f'data-request="{rid}"', 1)[1].split("</tr>", 1)[0] for rid in (pending, decided)}
    assert f"<td>{html.escape(node.state.members['silkpay'].name)}</td>" in rows[pending]
    assert re.search(r'<td data-when="created">' + when + "</td>", rows[pending])
    assert '<td data-when="decided"><span class="muted">—</span></td>' in rows[pending]
    assert re.search(r'<td data-when="decided">' + when + "</td>", rows[decided])
