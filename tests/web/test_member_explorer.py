"""A member's explorer (issue 9): every address needs the member signed in with its own API token, and each
page shows exactly what the HTTP API shows that member.

The explorer is mounted in member mode on the real API app over an embedded network, served over real HTTP;
the attacks come as a member reading another member's transaction, receipt, pending transfer or account by
its address, and as anonymous, forged, expired and signed-out sessions. ``tests/network`` drives the same
explorer through a member's own deployment on its own peer.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest

from inzira.api.app import create_app
from inzira.api.codes import ApiCode
from inzira.api.server import serve_in_thread
from inzira.api.tokens import TokenBook
from inzira.demo.setup import load_api_keys
from inzira.ledger.records import Leg
from inzira.ledger.tx import Issue, OpenAccount, Transfer
from inzira.web.assets import mount_static
from inzira.web.explorer import explorer_router
from inzira.web.explorer_access import COOKIE_NAME, SIGN_IN_PATH, MemberAccess
from inzira.web.sessions import SESSION_TTL_MS, SessionBook
from tests.stream_end import STREAM_TIMEOUT, closed_frame
from tests.web.conftest import HTTP_TIMEOUT_S, PENDING_FOR_MS, Demo

HTTPS = {"X-Forwarded-Proto": "https"}
UNKNOWN_TX = "ab" * 32
# eurosend, and the members it never deals with in these transactions; cbr is the regulator (sees all).
MEMBERS = ("eurosend", "silkpay", "mobimo", "ubumwe", "cbr")


class Clock:
    def __init__(self) -> None:
        self.now_ms = time.time_ns() // 1_000_000

    def __call__(self) -> int:
        return self.now_ms


@dataclass
class Others:
    """SilkPay's transactions: none of eurosend's business."""

    issue_id: str
    pending_id: str
    account: str


@dataclass
class Served:
    url: str
    demo: Demo
    others: Others
    tokens: dict[str, str]
    clock: Clock


def _silkpay(demo: Demo) -> Others:
    net = demo.net
    for member, account in [("silkpay", "silkpay:eur"), ("ubumwe", "ubumwe:eur")]:
        if net.execute(member, OpenAccount(account, "EUR")).code != 0:
            raise RuntimeError(f"could not open {account}")
    issue = net.execute("sbk", Issue("silkpay:eur", 90_000, "EUR"))
    pending = net.execute("silkpay", Transfer(legs=(Leg("silkpay:eur", "ubumwe:eur", 1_200, "EUR"),),
                                              expires_at_ms=time.time_ns() // 1_000_000 + PENDING_FOR_MS,
                                              condition=hashlib.sha256(b"silk").digest(), payee="ubumwe"))
    if (issue.code, pending.code) != (0, 0):
        raise RuntimeError("silkpay's transactions did not commit")
    return Others(issue.tx_id.hex(), pending.tx_id.hex(), "silkpay:eur")


@pytest.fixture(scope="module")
def served(demo: Demo) -> Iterator[Served]:
    others = _silkpay(demo)
    clock = Clock()
    access = MemberAccess(demo.net.node, TokenBook(demo.net.api_tokens), SessionBook(clock))
    app = create_app(demo.net, routers=[explorer_router(demo.net, access=access)])  # public_accounts left on
    mount_static(app)
    server, _ = serve_in_thread(app, trusted_proxies=("127.0.0.1",))
    try:
        yield Served(server.base_url, demo, others, load_api_keys(demo.net.data_dir), clock)
    finally:
        server.stop()


def _client(served: Served) -> httpx.Client:
    return httpx.Client(base_url=served.url, timeout=HTTP_TIMEOUT_S, follow_redirects=False)


@contextmanager
def _signed_in(served: Served, member: str) -> Iterator[httpx.Client]:
    with _client(served) as client:
        r = client.post(SIGN_IN_PATH, data={"token": served.tokens[member]})
        assert r.status_code == 303, r.text
        yield client


@pytest.fixture
def eurosend(served: Served) -> Iterator[httpx.Client]:
    with _signed_in(served, "eurosend") as client:
        yield client


def _addresses(served: Served) -> list[str]:
    tx = served.demo.transfer_id
    height = served.demo.net.node.store.tip().height
    return ["/", "/blocks", "/blocks?before=3", f"/blocks/{height}", f"/tx/{tx}", f"/tx/{tx}/receipt.json",
            f"/tx/{UNKNOWN_TX}", "/accounts", "/accounts/eurosend:eur", "/search?q=1", f"/search?q={tx}", "/verify"]


def test_anonymous_is_sent_to_sign_in_from_every_explorer_address(served: Served) -> None:
    with _client(served) as anonymous:
        for address in _addresses(served):
            r = anonymous.get(address)
            assert r.status_code == 303, address
            assert r.headers["location"] == f"{SIGN_IN_PATH}?next={quote(address, safe='')}", address
            assert served.demo.transfer_id not in r.text
        assert anonymous.post("/verify", data={"receipt": "{}"}).status_code == 303
        for refused in (anonymous.get("/explorer/events"), anonymous.post("/explorer/verify-receipt", content=b"{}")):
            assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["code"] == ApiCode.UNAUTHENTICATED
        page = anonymous.get(SIGN_IN_PATH)
        assert page.status_code == 200 and 'name="token"' in page.text and "no-store" in page.headers["cache-control"]
        assert 'action="/remit/sign-in"' not in page.text and 'name="member"' not in page.text  # no role buttons
        assert 'href="/remit"' not in page.text and "demo network" not in page.text


def test_a_token_opens_a_strict_http_only_session(served: Served) -> None:
    with _client(served) as client:
        wrong = client.post(SIGN_IN_PATH, data={"token": "not-a-token"})
        assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
        target = f"/tx/{served.demo.transfer_id}"
        r = client.post(SIGN_IN_PATH, data={"token": served.tokens["eurosend"], "next": target})
        assert r.status_code == 303 and r.headers["location"] == target
        cookie = r.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE_NAME}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert "Path=/;" in cookie and "Secure" not in cookie
        page = client.get(target)
        assert page.status_code == 200 and "EuroSend" in page.text and "no-store" in page.headers["cache-control"]
        over_tls = client.post(SIGN_IN_PATH, data={"token": served.tokens["eurosend"]}, headers=HTTPS)
        assert "Secure" in over_tls.headers["set-cookie"]


def test_sign_in_never_redirects_off_the_site(served: Served) -> None:
    with _client(served) as client:
        for target in ["//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "blocks"]:
            r = client.post(SIGN_IN_PATH, data={"token": served.tokens["eurosend"], "next": target})
            assert r.status_code == 303 and r.headers["location"] == "/", target


def test_a_member_sees_its_own(served: Served, eurosend: httpx.Client) -> None:
    demo = served.demo
    assert eurosend.get(f"/tx/{demo.transfer_id}").status_code == 200
    pending = eurosend.get(f"/tx/{demo.pending_id}")
    assert pending.status_code == 200 and "Deadline" in pending.text
    assert eurosend.get(f"/tx/{demo.transfer_id}/receipt.json").json()["format"] == "inzira-receipt/1"
    accounts = eurosend.get("/accounts")
    assert accounts.status_code == 200 and 'href="/accounts/eurosend:eur"' in accounts.text
    assert "mobimo:eur" not in accounts.text and "silkpay:eur" not in accounts.text
    assert eurosend.get("/accounts/eurosend:eur").status_code == 200
    transfer = eurosend.get(f"/tx/{demo.transfer_id}").text
    assert 'href="/accounts/eurosend:eur"' in transfer and 'href="/accounts/mobimo:eur"' not in transfer
    assert 'action="/explorer/sign-out"' in transfer and 'href="/remit"' not in transfer
    assert "demo network" not in transfer


def test_a_signed_in_member_gets_the_stream_and_the_verifier(served: Served, eurosend: httpx.Client) -> None:
    tip = served.demo.net.node.store.tip().height
    with eurosend.stream("GET", "/explorer/events", params={"after": tip - 1}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        assert any(line.startswith(f"id: {tip}") for line in itertools.islice(r.iter_lines(), 10))
    receipt = eurosend.get(f"/tx/{served.demo.transfer_id}/receipt.json").content
    assert eurosend.post("/explorer/verify-receipt", content=receipt).json()["valid"] is True
    assert "✓ valid" in eurosend.post("/verify", data={"receipt": receipt.decode()}).text


def test_the_stream_ends_when_its_session_signs_out(served: Served) -> None:
    """Not when the stream would have ended anyway (10 minutes): a member signed out sees no further block."""
    with _signed_in(served, "eurosend") as client:
        with client.stream("GET", "/explorer/events", timeout=STREAM_TIMEOUT) as r:
            assert r.status_code == 200
            lines = r.iter_lines()
            assert next(lines).startswith("retry: ")
            assert client.post("/explorer/sign-out").status_code == 303
            closed = closed_frame(lines)
        assert closed["reason"] == "session_ended" and closed["code"] == ApiCode.UNAUTHENTICATED
        assert client.get("/explorer/events").status_code == 401


def _not_found_body(client: httpx.Client, address: str, hidden: str) -> str:
    r = client.get(address)
    assert r.status_code == 404, address
    return r.text.replace(hidden, "<id>")


def test_another_members_things_answer_like_unknown_ids(served: Served, eurosend: httpx.Client) -> None:
    others = served.others
    unknown = _not_found_body(eurosend, f"/tx/{UNKNOWN_TX}", UNKNOWN_TX)
    for hidden in (others.issue_id, others.pending_id):  # silkpay's issuance, and its pending transfer to ubumwe
        assert _not_found_body(eurosend, f"/tx/{hidden}", hidden) == unknown
        assert _not_found_body(eurosend, f"/tx/{hidden}/receipt.json", hidden) == \
            _not_found_body(eurosend, f"/tx/{UNKNOWN_TX}/receipt.json", UNKNOWN_TX)
    assert _not_found_body(eurosend, f"/accounts/{others.account}", others.account) == \
        _not_found_body(eurosend, "/accounts/silkpay:none", "silkpay:none")
    assert eurosend.get(f"/search?q={others.account}").headers["location"] == f"/accounts/{others.account}"
    with _signed_in(served, "silkpay") as silkpay:
        assert silkpay.get(f"/tx/{others.pending_id}").status_code == 200
        assert silkpay.get(f"/accounts/{others.account}").status_code == 200
        assert silkpay.get(f"/tx/{served.demo.transfer_id}").status_code == 404


def _block_ids(served: Served, height: int) -> list[str]:
    with httpx.Client(base_url=served.url, timeout=HTTP_TIMEOUT_S,
                      headers={"Authorization": f"Bearer {served.tokens['cbr']}"}) as regulator:
        return [t["tx_id"] for t in regulator.get(f"/v1/blocks/{height}").json()["txs"] if t["tx_id"]]


def test_every_page_answers_each_member_as_the_api_does(served: Served) -> None:
    node = served.demo.net.node
    tx_ids = [t for h in range(1, node.store.tip().height + 1) for t in _block_ids(served, h)]
    accounts = [a.id for a in node.accounts(limit=100)] + ["eurosend:none"]
    for member in MEMBERS:
        api = httpx.Client(base_url=served.url, timeout=HTTP_TIMEOUT_S,
                           headers={"Authorization": f"Bearer {served.tokens[member]}"})
        with api, _signed_in(served, member) as page:
            for tx_id in tx_ids:
                shown = page.get(f"/tx/{tx_id}")
                assert shown.status_code == api.get(f"/v1/transactions/{tx_id}").status_code, (member, tx_id)
                assert page.get(f"/tx/{tx_id}/receipt.json").status_code == \
                    api.get(f"/v1/transactions/{tx_id}/receipt").status_code, (member, tx_id)
                if shown.status_code == 200:  # the pending transfer it created, as /v1/pending shows it
                    assert ("Deadline" in shown.text) == (api.get(f"/v1/pending/{tx_id}").status_code == 200), \
                        (member, tx_id)
            for account in accounts:
                assert page.get(f"/accounts/{account}").status_code == \
                    api.get(f"/v1/accounts/{account}").status_code, (member, account)
            listed = set(re.findall(r'href="/accounts/([^"]+)"', page.get("/accounts").text))
            assert listed == {a["id"] for a in api.get("/v1/accounts").json()["accounts"]}, member


def test_a_block_page_details_only_what_the_api_shows_that_member(served: Served) -> None:
    node = served.demo.net.node
    others = served.others
    height = node.tx(bytes.fromhex(others.pending_id)).height
    with _signed_in(served, "eurosend") as eurosend, _signed_in(served, "silkpay") as silkpay:
        hidden = eurosend.get(f"/blocks/{height}").text
        assert f'href="/tx/{others.pending_id}"' not in hidden and "not eurosend's" in hidden
        assert f'href="/tx/{others.pending_id}"' in silkpay.get(f"/blocks/{height}").text
        for member, page in (("eurosend", eurosend), ("silkpay", silkpay)):
            api = httpx.Client(base_url=served.url, timeout=HTTP_TIMEOUT_S,
                               headers={"Authorization": f"Bearer {served.tokens[member]}"})
            with api:
                for h in range(1, node.store.tip().height + 1):
                    linked = set(re.findall(r'href="/tx/([0-9a-f]{64})"', page.get(f"/blocks/{h}").text))
                    visible = {t["tx_id"] for t in api.get(f"/v1/blocks/{h}").json()["txs"] if t["visible"]}
                    assert linked == visible, (member, h)


def test_forged_and_expired_sessions_are_refused(served: Served) -> None:
    address = f"/tx/{served.demo.transfer_id}"
    with _client(served) as forged:
        forged.cookies.set(COOKIE_NAME, "A" * 43)
        assert forged.get(address).status_code == 303
        forged.cookies.set(COOKIE_NAME, "x" * 5000)
        assert forged.get(address).status_code == 303
    with _signed_in(served, "eurosend") as client:
        assert client.get(address).status_code == 200
        served.clock.now_ms += SESSION_TTL_MS
        try:
            assert client.get(address).headers["location"].startswith(SIGN_IN_PATH)
            assert client.get("/explorer/events").status_code == 401
        finally:
            served.clock.now_ms -= SESSION_TTL_MS
        assert client.get(address).status_code == 303  # an expired session is gone for good


def test_sign_out_ends_the_session(served: Served) -> None:
    address = f"/tx/{served.demo.transfer_id}"
    with _signed_in(served, "eurosend") as client:
        session_id = client.cookies[COOKIE_NAME]
        other_site = client.post("/explorer/sign-out", headers={"Origin": "https://evil.example"})
        assert other_site.status_code == 403 and client.get(address).status_code == 200
        out = client.post("/explorer/sign-out")
        assert out.status_code == 303 and out.headers["location"] == SIGN_IN_PATH
        assert f'{COOKIE_NAME}=""' in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]
        assert client.get(address).status_code == 303
    with _client(served) as replay:
        replay.cookies.set(COOKIE_NAME, session_id)
        assert replay.get(address).status_code == 303


def test_signing_in_again_and_again_pushes_out_only_ones_own_sessions(served: Served) -> None:
    """A member signing in without end (a script, no cookie) would fill the book and push every other member's
    session out; it drops its own oldest instead."""
    book = SessionBook(served.clock, SESSION_TTL_MS, sessions_max=6, member_sessions_max=2)
    access = MemberAccess(served.demo.net.node, TokenBook(served.demo.net.api_tokens), book)
    app = create_app(served.demo.net, routers=[explorer_router(served.demo.net, access=access)])
    server, _ = serve_in_thread(app)
    address = f"/tx/{served.others.issue_id}"
    try:
        with httpx.Client(base_url=server.base_url, timeout=HTTP_TIMEOUT_S) as silkpay:
            assert silkpay.post(SIGN_IN_PATH, data={"token": served.tokens["silkpay"]}).status_code == 303
            ids = []
            for _ in range(10):
                with httpx.Client(base_url=server.base_url, timeout=HTTP_TIMEOUT_S) as flood:
                    signed = flood.post(SIGN_IN_PATH, data={"token": served.tokens["eurosend"]})
                    assert signed.status_code == 303
                    ids.append(flood.cookies[COOKIE_NAME])
            assert silkpay.get(address).status_code == 200  # still signed in
            assert len(book) == 3
        with httpx.Client(base_url=server.base_url, timeout=HTTP_TIMEOUT_S) as eurosend:
            eurosend.cookies.set(COOKIE_NAME, ids[-1])
            assert eurosend.get("/accounts").status_code == 200
            eurosend.cookies.set(COOKIE_NAME, ids[0])
            assert eurosend.get("/accounts").status_code == 303  # its oldest, dropped
    finally:
        server.stop()
