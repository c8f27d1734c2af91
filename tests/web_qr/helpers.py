"""Driving the QR pages over HTTP as a browser would, and the QR API directly for what a test sets up."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import httpx

from inzira.demo.setup import load_api_keys
from inzira.web.qr import DemoCustomers

HTTP_TIMEOUT_S = 20.0
# Thailand's PromptPay: a valid EMVCo QR of another scheme (not an Inzira merchant).
PROMPTPAY = "00020101021129370016A000000677010111011300668012345675802TH530376463046197"


def sign_in(base_url: str, kind: str, token: str | None = None) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S)
    form = {"token": token} if token else {"demo": "1"}
    response = client.post(f"/qr/{kind}/sign-in", data=form)
    if response.status_code != 303:
        client.close()
        raise AssertionError(f"sign-in to {kind}: {response.status_code} {response.text[:300]}")
    return client


def quote_shown(client: httpx.Client, posted: httpx.Response) -> httpx.Response:
    """The quote's own page that a quote step redirects to (post-redirect-get)."""
    location = posted.headers.get("location", "")
    if posted.status_code != 303 or not re.fullmatch(r"/qr/wallet/pay/quotes/[^/?#]+", location):
        raise AssertionError(f"no redirect to a quote: {posted.status_code} {location} {posted.text[-1000:]}")
    return client.get(location)


def assert_verified(checked: httpx.Response, tx_id: str) -> None:
    """A Verify form's answer: the page again, not stored, with the receipt's verdict valid for ``tx_id``."""
    assert checked.status_code == 200 and checked.headers["cache-control"] == "no-store"
    result = checked.text[checked.text.index('class="verify-result"'):].split("</div>", 1)[0]
    assert '<p class="verdict verdict-valid">✓ valid</p>' in result
    assert f"Transaction {tx_id[:16]}… was committed in block" in result


def hidden(page: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)
    if found is None:
        raise AssertionError(f"no hidden field {name} in the page")
    return html.unescape(found.group(1))


def text_of(page: str, attribute: str) -> str:
    """The text of the first element carrying ``attribute`` (tags removed, spaces squeezed)."""
    found = re.search(rf'<(\w+)[^>]*\s{re.escape(attribute)}(?=[\s>=])[^>]*>(.*?)</\1>', page, re.S)
    if found is None:
        raise AssertionError(f"no element with {attribute} in the page")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(2))).split())


def notice_code(page: str) -> int | None:
    found = re.search(r'data-notice="(\d+)"', page)
    return int(found.group(1)) if found else None


class Api:
    """The QR API, as the members and the demo customers call it."""

    def __init__(self, base_url: str, data_dir: Path, customers: DemoCustomers) -> None:
        self.customers = customers
        tokens = load_api_keys(data_dir)
        self._clients = {name: httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S,
                                            headers={"Authorization": f"Bearer {token}"})
                         for name, token in (("ubumwe", tokens["ubumwe"]), ("silkpay", tokens["silkpay"]),
                                             ("pos", customers.merchant_token), ("wallet", customers.wallet_token))}

    def __enter__(self) -> "Api":
        return self

    def __exit__(self, *exc: object) -> None:
        for client in self._clients.values():
            client.close()

    def call(self, who: str, method: str, path: str, expected: int = 200, **kwargs: Any) -> Any:
        response = self._clients[who].request(method, path, **kwargs)
        assert response.status_code == expected, response.text
        return response.json() if response.headers.get("content-type", "").endswith("json") else response.content

    def bill(self, amount_minor: int, **extra: Any) -> dict[str, Any]:
        path = f"/v1/qr/merchants/{self.customers.merchant_id}/bills"
        return self.call("pos", "POST", path, 201, json={"amount_minor": amount_minor, **extra})

    def pay(self, payload: str, amount_minor: int | None = None, who: str = "wallet",
            wallet_id: str | None = None) -> dict[str, Any]:
        wallet = wallet_id or self.customers.wallet_id
        body: dict[str, Any] = {"payload": payload}
        if amount_minor is not None:
            body["amount_minor"] = amount_minor
        quote = self.call(who, "POST", f"/v1/qr/wallets/{wallet}/quotes", 201, json=body)
        return self.call(who, "POST", f"/v1/qr/wallets/{wallet}/payments", 201, json={"quote_id": quote["quote_id"]})

    def wallet(self) -> dict[str, Any]:
        return self.call("wallet", "GET", f"/v1/qr/wallets/{self.customers.wallet_id}")

    def merchant(self) -> dict[str, Any]:
        return self.call("pos", "GET", f"/v1/qr/merchants/{self.customers.merchant_id}")

    def bill_png(self, bill_id: str) -> bytes:
        path = f"/v1/qr/merchants/{self.customers.merchant_id}/bills/{bill_id}/qr.png"
        content: bytes = self.call("pos", "GET", path)
        return content

    def new_wallet(self, topup_minor: int = 0) -> dict[str, Any]:
        """Another visitor's CNY wallet, with its token (for a token sign-in)."""
        wallet = self.call("silkpay", "POST", "/v1/qr/wallets", 201, json={"currency": "CNY", "holder": "Zhang Min"})
        if topup_minor:
            path = f"/v1/qr/wallets/{wallet['wallet_id']}/topups"
            opened = self.call("silkpay", "POST", path, 201, json={"amount_minor": topup_minor})
            paid = httpx.post(opened["card_form_url"], timeout=HTTP_TIMEOUT_S,
                              data={"card_number": "4242424242424242", "expiry": "12/39", "cvc": "123"})
            assert paid.status_code == 200, paid.text
            checked = self.call("silkpay", "POST", f"{path}/{opened['topup_id']}/check")
            assert checked["status"] == "completed", checked
        return wallet

