"""Signing in and out of the QR pages: demo buttons, pasted tokens, the cookie's protections, the gate."""

from __future__ import annotations

import httpx
import pytest

from tests.web_qr.helpers import notice_code


@pytest.mark.parametrize("kind", ["pos", "wallet"])
def test_pages_ask_to_sign_in_first(anonymous: httpx.Client, kind: str) -> None:
    response = anonymous.get(f"/qr/{kind}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/qr/{kind}/sign-in?next=%2Fqr%2F{kind}"
    page = anonymous.get(f"/qr/{kind}/sign-in")
    assert page.status_code == 200 and "Sign in to the" in page.text
    assert page.headers["cache-control"] == "no-store" and "script-src 'self'" in page.headers["content-security-policy"]


def test_landing_offers_both_demo_sign_ins(anonymous: httpx.Client, customers) -> None:
    page = anonymous.get("/qr")
    assert page.status_code == 200
    assert f"Sign in as {customers.merchant_name}" in page.text and f"Sign in as {customers.wallet_holder}" in page.text
    assert '<a href="/qr">QR payments</a>' in anonymous.get("/").text  # one link in the site's navigation


def test_demo_sign_in_sets_a_strict_http_only_cookie_and_keeps_the_token_server_side(anonymous, customers) -> None:
    response = anonymous.post("/qr/pos/sign-in", data={"demo": "1"})
    assert response.status_code == 303 and response.headers["location"] == "/qr/pos"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("inzira_qr_pos_session=")
    for part in ("HttpOnly", "Path=/qr/pos", "SameSite=strict"):
        assert part in cookie
    home = anonymous.get("/qr/pos")
    assert home.status_code == 200 and customers.merchant_name in home.text
    assert customers.merchant_token not in home.text and customers.merchant_token.split(".")[1] not in cookie
    bill = anonymous.get("/qr/wallet")  # the POS session opens no wallet
    assert bill.status_code == 303


def test_token_sign_in_for_any_wallet_and_refusals(anonymous: httpx.Client, api, customers) -> None:
    other = api.new_wallet()
    response = anonymous.post("/qr/wallet/sign-in", data={"token": other["wallet_token"]})
    assert response.status_code == 303
    home = anonymous.get("/qr/wallet")
    assert home.status_code == 200 and 'data-signed-in="' + other["wallet_id"] + '"' in home.text
    assert "Zhang Min" in home.text and "0.00 CNY" in home.text

    wrong_kind = anonymous.post("/qr/pos/sign-in", data={"token": other["wallet_token"]})
    assert wrong_kind.status_code == 401 and "qrm_" in wrong_kind.text
    forged = anonymous.post("/qr/wallet/sign-in", data={"token": f"qrw_{other['wallet_id']}.not-the-secret"})
    assert forged.status_code == 401 and "not valid" in forged.text and notice_code(forged.text) == 3040
    assert anonymous.post("/qr/wallet/sign-in", data={"token": "garbage"}).status_code == 401


def test_sign_out_ends_the_session(signed_in) -> None:
    client = signed_in("wallet")
    assert client.get("/qr/wallet").status_code == 200
    response = client.post("/qr/wallet/sign-out")
    assert response.status_code == 303 and response.headers["location"] == "/qr/wallet/sign-in"
    assert 'inzira_qr_wallet_session=""' in response.headers["set-cookie"]
    assert client.get("/qr/wallet").status_code == 303


def test_next_is_followed_only_inside_the_pages(anonymous: httpx.Client) -> None:
    inside = anonymous.post("/qr/pos/sign-in", data={"demo": "1", "next": "/qr/pos/statement"})
    assert inside.headers["location"] == "/qr/pos/statement"
    for target in ("https://elsewhere.example/", "//elsewhere.example/qr/pos", "/qr/wallet", "/remit/send"):
        outside = anonymous.post("/qr/pos/sign-in", data={"demo": "1", "next": target})
        assert outside.headers["location"] == "/qr/pos", target


def test_forms_from_another_site_are_refused(signed_in) -> None:
    client = signed_in("pos")
    response = client.post("/qr/pos/bills", data={"amount": "1000"}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and "another site" in response.text


@pytest.mark.parametrize("path", ["/qr/pos/counter/qr.svg", "/qr/pos/bills/bill_1/qr.svg",
                                  "/qr/pos/bills/bill_1/events", "/qr/pos/payments/pay_1/receipt.json",
                                  "/qr/wallet/payments/pay_1/receipt.json"])
def test_what_scripts_and_images_fetch_needs_a_session(anonymous: httpx.Client, path: str) -> None:
    assert anonymous.get(path).status_code == 401
