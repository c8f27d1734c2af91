"""The QR service onboards merchants and issues wallets only for members the ledger gives the role, read at every
request, as the remittance API reads a caller's roles.

An attack seen: once the members took ubumwe's acquirer role away (and silkpay's wallet issuer role), the QR API
still onboarded merchants for ubumwe, each with an account opened on chain, still set its webhook, and still
issued silkpay's wallets: the service went by its own configuration, not by the network's say.
"""

from __future__ import annotations

import httpx

from inzira.demo.setup import load_api_keys
from tests.hosted import set_roles
from tests.web_remit.helpers import HTTP_TIMEOUT_S

MERCHANT = {"name": "Role Test Cafe", "city": "Kigali", "mcc": "5812", "location": "KN 3 Rd"}


def _client(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S, headers={"Authorization": f"Bearer {token}"})


def test_no_merchant_onboarded_for_a_member_no_longer_acquiring(demo, base_url: str) -> None:
    before = demo.runtime.node.state.members["ubumwe"].roles
    with _client(base_url, load_api_keys(demo.data_dir)["ubumwe"]) as ubumwe:
        assert ubumwe.get("/v1/qr/acquirers/ubumwe/webhook").status_code == 200
        set_roles(demo, "ubumwe", tuple(r for r in before if r != "acquirer"))
        try:
            for response in (ubumwe.post("/v1/qr/merchants", json=MERCHANT),
                             ubumwe.get("/v1/qr/acquirers/ubumwe/webhook")):
                assert response.status_code == 403 and response.json()["code"] == 4300, response.text
        finally:
            set_roles(demo, "ubumwe", before)
        assert ubumwe.post("/v1/qr/merchants", json=MERCHANT).status_code == 201


def test_no_wallet_issued_for_a_member_no_longer_issuing(demo, base_url: str) -> None:
    before = demo.runtime.node.state.members["silkpay"].roles
    with _client(base_url, load_api_keys(demo.data_dir)["silkpay"]) as silkpay:
        set_roles(demo, "silkpay", tuple(r for r in before if r != "wallet_issuer"))
        try:
            response = silkpay.post("/v1/qr/wallets", json={"currency": "CNY", "holder": "Role Test"})
            assert response.status_code == 403 and response.json()["code"] == 4300, response.text
        finally:
            set_roles(demo, "silkpay", before)
        assert silkpay.post("/v1/qr/wallets", json={"currency": "CNY", "holder": "Role Test"}).status_code == 201
