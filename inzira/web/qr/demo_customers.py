"""The demo's merchant and visitor: one hotel at the acquirer, one CNY wallet at the wallet issuer, created
once through the QR API with the members' tokens and remembered in the data folder (``qr-demo.json``,
mode 0600: it holds their page tokens, which the API shows only once), so the demo sign-in buttons open the
same merchant and wallet after a restart. Every name is fictional.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from inzira.http import HttpClient
from inzira.json_files import read_json
from inzira.private_files import write_private

DEMO_FILE = "qr-demo.json"
DEMO_FILE_BYTES_MAX = 16 * 1024
HTTP_TIMEOUT_MS = 40_000  # creating them waits for their accounts to be opened on chain
MERCHANT = {"name": "Hotel Umusozi (demo)", "city": "Kigali", "mcc": "7011",
            "location": "KN 3 Rd, Kiyovu, Kigali (fictional)"}
WALLET_CURRENCY = "CNY"
WALLET_HOLDER = "Li Wei (demo)"
TOPUP_MINOR = 2_000_00  # 2,000.00 CNY on creation...
TOPUP_FLOOR_MINOR = 500_00  # ...and again at a start that finds less than 500.00 CNY
DEMO_CARD = {"card_number": "4242424242424242", "expiry": "12/39", "cvc": "123", "name": WALLET_HOLDER}


@dataclass(frozen=True, slots=True)
class DemoCustomers:
    merchant_id: str
    merchant_name: str
    merchant_token: str
    wallet_id: str
    wallet_holder: str
    wallet_token: str


class DemoSetupError(RuntimeError):
    """The demo customers could not be made ready (an ``HttpProblem`` says why when the API refused)."""


def _object(http: HttpClient, method: str, path: str, token: str, what: str, body: Any = None) -> dict[str, Any]:
    answer = http.call(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
    if not isinstance(answer, dict):
        raise DemoSetupError(f"{what}: not a JSON object")
    return answer


def _load(path: Path) -> DemoCustomers | None:
    try:
        return DemoCustomers(**read_json(path, DEMO_FILE_BYTES_MAX))
    except (OSError, ValueError, TypeError):
        return None


def _save(path: Path, customers: DemoCustomers) -> None:
    write_private(path, json.dumps(asdict(customers), indent=2).encode())


def _works(http: HttpClient, customers: DemoCustomers) -> bool:
    """Both tokens still open their merchant and wallet (a data folder whose qr.db was removed: no)."""
    merchant = http.send("GET", f"/v1/qr/merchants/{customers.merchant_id}",
                         headers={"Authorization": f"Bearer {customers.merchant_token}"})
    wallet = http.send("GET", f"/v1/qr/wallets/{customers.wallet_id}",
                       headers={"Authorization": f"Bearer {customers.wallet_token}"})
    return merchant.status == 200 and wallet.status == 200


def _create(http: HttpClient, acquirer_token: str, issuer_token: str) -> DemoCustomers:
    merchant = _object(http, "POST", "/v1/qr/merchants", acquirer_token, "the demo merchant", MERCHANT)
    wallet = _object(http, "POST", "/v1/qr/wallets", issuer_token, "the demo wallet",
                     {"currency": WALLET_CURRENCY, "holder": WALLET_HOLDER})
    return DemoCustomers(merchant["merchant_id"], merchant["name"], merchant["merchant_token"],
                         wallet["wallet_id"], WALLET_HOLDER, wallet["wallet_token"])


def _top_up(http: HttpClient, customers: DemoCustomers, issuer_token: str) -> None:
    """A card top-up as the visitor would make it, paid with the acquirer's approved test card."""
    path = f"/v1/qr/wallets/{customers.wallet_id}"
    if _object(http, "GET", path, issuer_token, "the demo wallet")["balance_minor"] >= TOPUP_FLOOR_MINOR:
        return
    opened = _object(http, "POST", f"{path}/topups", issuer_token, "the demo wallet's top-up",
                     {"amount_minor": TOPUP_MINOR})
    paid = http.send("POST", opened["card_form_url"], data=DEMO_CARD)
    if paid.status != 200:
        raise DemoSetupError(f"the demo top-up's card payment: {paid.status} {paid.text[:300]}")
    done = _object(http, "POST", f"{path}/topups/{opened['topup_id']}/check", issuer_token, "the demo top-up")
    if done["status"] != "completed":
        raise DemoSetupError(f"the demo top-up ended {done['status']}: {done['reason']}")


def ensure_demo_customers(api_url: str, data_dir: Path, acquirer_token: str, issuer_token: str) -> DemoCustomers:
    """The remembered demo merchant and wallet, or new ones; the wallet topped up if it runs low."""
    path = data_dir / DEMO_FILE
    with HttpClient(api_url, timeout_ms=HTTP_TIMEOUT_MS) as http:
        customers = _load(path)
        if customers is None or not _works(http, customers):
            customers = _create(http, acquirer_token, issuer_token)
            _save(path, customers)
        _top_up(http, customers, issuer_token)
    return customers
