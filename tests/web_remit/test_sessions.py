"""Signing in and out: demo buttons, pasted tokens, the cookie's flags, and what a session opens."""

from __future__ import annotations

import httpx

from inzira.demo.setup import load_api_keys
from inzira.web.remit.sessions import COOKIE_NAME
from tests.hosted import set_roles
from tests.web_remit.helpers import HTTP_TIMEOUT_S


def test_sign_in_page_lists_the_demo_roles_but_never_a_power(anonymous: httpx.Client) -> None:
    page = anonymous.get("/remit/sign-in")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for member, role in [("eurosend", "sending agent"), ("silkpay", "sending agent"), ("mobimo", "receiving FSP"),
                         ("ubumwe", "receiving FSP"), ("cbr", "regulator")]:
        assert f'aria-label="Sign in as {role} of {member}"' in page.text
    assert "Sign in as compliance officer" not in page.text
    assert "remit-officers.json" in page.text and "api-keys.json" in page.text  # how to sign in with a power
    assert 'name="token"' in page.text and 'type="password"' in page.text
    assert "Content-Security-Policy" in page.headers and "script-src 'self'" in page.headers["content-security-policy"]


def test_demo_sign_in_sets_a_strict_http_only_cookie_and_no_token(demo, anonymous: httpx.Client) -> None:
    response = anonymous.post("/remit/sign-in", data={"member": "eurosend", "role": "agent"})
    assert response.status_code == 303 and response.headers["location"] == "/remit/send"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/remit" in cookie
    page = anonymous.get("/remit/send")
    assert page.status_code == 200 and 'data-signed-in="eurosend"' in page.text
    tokens = load_api_keys(demo.data_dir)
    session_id = anonymous.cookies[COOKIE_NAME]
    assert all(token not in page.text and token != session_id for token in tokens.values())


def test_proxy_headers_from_an_untrusted_client_change_nothing(anonymous: httpx.Client) -> None:
    """The demo trusts no proxy unless told (--trusted-proxy): a client cannot claim HTTPS or another address."""
    response = anonymous.post("/remit/sign-in", data={"member": "eurosend", "role": "agent"},
                              headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 303 and "Secure" not in response.headers["set-cookie"]
    assert anonymous.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 200  # loopback


def test_unknown_member_or_role_is_refused(anonymous: httpx.Client) -> None:
    for form in [{"member": "mobimo", "role": "agent"}, {"member": "imari-fx", "role": "regulator"},
                 {"member": "nobody", "role": "agent"}, {"member": "eurosend", "role": "admin"}]:
        response = anonymous.post("/remit/sign-in", data=form)
        assert response.status_code == 400 and COOKIE_NAME not in response.headers.get("set-cookie", ""), form


def test_sign_in_with_api_and_officer_tokens(demo, service, base_url: str) -> None:
    tokens = load_api_keys(demo.data_dir)
    cases = [(tokens["silkpay"], "/remit/send"), (tokens["ubumwe"], "/remit/incoming"),
             (tokens["cbr"], "/remit/regulator"), (service.officer_tokens["silkpay"], "/remit/compliance")]
    for token, home in cases:
        with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S) as client:
            response = client.post("/remit/sign-in", data={"token": token})
            assert response.status_code == 303 and response.headers["location"] == home
            assert client.get(home).status_code == 200
    with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S) as client:
        assert client.post("/remit/sign-in", data={"token": "not-a-token"}).status_code == 401
        assert client.post("/remit/sign-in", data={"token": tokens["imari-fx"]}).status_code == 403
        assert COOKIE_NAME not in client.cookies


def test_signed_out_session_is_gone(anonymous: httpx.Client) -> None:
    anonymous.post("/remit/sign-in", data={"member": "mobimo", "role": "receiving"})
    old_id = anonymous.cookies[COOKIE_NAME]
    response = anonymous.post("/remit/sign-out")
    assert response.status_code == 303 and response.headers["location"] == "/remit/sign-in"
    assert 'Max-Age=0' in response.headers["set-cookie"] or "expires=" in response.headers["set-cookie"].lower()
    anonymous.cookies.clear()
    anonymous.cookies.set(COOKIE_NAME, old_id, path="/remit")  # the old id, replayed
    assert anonymous.get("/remit/incoming").status_code == 303


def test_nobody_becomes_a_compliance_officer_without_the_officers_token(anonymous: httpx.Client) -> None:
    """Before: in the demo, posting member=eurosend&role=officer opened a session that cleared holds."""
    response = anonymous.post("/remit/sign-in", data={"member": "eurosend", "role": "officer"})
    assert response.status_code == 403 and COOKIE_NAME not in response.headers.get("set-cookie", "")
    assert anonymous.get("/remit/compliance").status_code == 303  # still signed out


def test_a_page_asks_to_sign_in_then_returns_there(anonymous: httpx.Client, service) -> None:
    response = anonymous.get("/remit/compliance")
    assert response.status_code == 303
    assert response.headers["location"] == "/remit/sign-in?next=%2Fremit%2Fcompliance"
    page = anonymous.get(response.headers["location"])
    assert 'name="next" value="/remit/compliance"' in page.text
    officer = service.officer_tokens["eurosend"]
    signed = anonymous.post("/remit/sign-in", data={"token": officer, "next": "/remit/compliance"})
    assert signed.headers["location"] == "/remit/compliance"
    elsewhere = anonymous.post("/remit/sign-in", data={"token": officer, "next": "//evil.example/"})
    assert elsewhere.headers["location"] == "/remit/compliance"  # no open redirect
    assert anonymous.get("/remit").headers["location"] == "/remit/compliance"


def test_forms_posted_from_another_origin_are_refused(signed_in) -> None:
    agent = signed_in("eurosend", "agent")
    response = agent.post("/remit/send/lookup", data={"msisdn": "+250788123456"},
                          headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and "another site" in response.text
    big = agent.post("/remit/send/lookup", content=b"msisdn=" + b"1" * 20_000,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert big.status_code == 413


def test_session_pages_carry_no_inline_script(signed_in) -> None:
    agent = signed_in("eurosend", "agent")
    page = agent.get("/remit/send").text
    assert "<script>" not in page and "onclick" not in page and "style=" not in page
    assert 'src="/static/remit-send.js"' in page


def test_a_session_ends_when_its_member_no_longer_holds_the_role(demo, signed_in) -> None:
    """Page roles follow the ledger at every request, as the API's and the explorer's do: a sending FSP that the
    members take the sending role from is no sending agent any more, even in a session opened before."""
    before = demo.runtime.node.state.members["silkpay"].roles
    agent = signed_in("silkpay", "agent")
    assert agent.get("/remit/send").status_code == 200
    set_roles(demo, "silkpay", tuple(r for r in before if r != "sending_fsp"))
    try:
        page = agent.get("/remit/send")
        assert page.status_code == 303 and page.headers["location"].startswith("/remit/sign-in")
        assert agent.get("/remit/transfers/00000000-0000-4000-8000-000000000000/events").status_code == 401
        refused = agent.post("/remit/send/lookup", data={"msisdn": "+250788123456"})
        assert refused.status_code == 303 and refused.headers["location"].startswith("/remit/sign-in")
    finally:
        set_roles(demo, "silkpay", before)
