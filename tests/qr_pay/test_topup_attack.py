"""Issue 9, case 3: a visitor's wallet token topped itself up from its issuer's float with no card payment
behind it (``card_reference`` was free text, 1,000,000.00 per call, any number of calls). Now a top-up only
opens a card payment at the issuer's acquirer; the wallet token alone moves nothing."""

from __future__ import annotations

from inzira.qr.settings import DAY_MS
from tests.qr_pay.conftest import TEST_SETTINGS
from tests.qr_pay.helpers import Qr, created, problem


def test_a_wallet_token_alone_moves_nothing_from_the_issuers_float(qr: Qr) -> None:
    wallet = qr.wallet("CNY")
    page = qr.visitor(wallet)
    path = f"/v1/qr/wallets/{wallet['wallet_id']}/topups"
    float_before = qr.balance("silkpay:cny")

    for _ in range(3):  # the attack as it was: a made-up card reference, the old maximum
        refused = page.post(path, json={"amount_minor": 1_000_000_00, "card_reference": "no card at all"})
        assert refused.status_code in (400, 422), refused.text
    for _ in range(TEST_SETTINGS.topup_day_count_max):  # asking within the limits opens a card payment only
        opened = created(page.post(path, json={"amount_minor": 1_000_00}))
        assert opened["status"] == "awaiting_card" and opened["tx_id"] is None
    refused = page.post(path, json={"amount_minor": 1_000_00})  # and not without end
    body = problem(refused, 429, 4241)
    assert 0 < body["retry_after_s"] <= DAY_MS // 1000 and refused.headers["Retry-After"] == str(body["retry_after_s"])

    assert qr.balance(wallet["account"]) == 0
    assert qr.balance("silkpay:cny") == float_before
    balance = page.get(f"/v1/qr/wallets/{wallet['wallet_id']}").json()
    assert balance["balance_minor"] == balance["store_balance_minor"] == 0
