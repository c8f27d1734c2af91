"""The demo's merchant and wallet: created once, remembered in the data folder (its tokens, mode 0600), the
same after a restart, and signed into with one click."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx

from inzira.demo.app import Demo
from inzira.web.qr.demo_customers import DEMO_FILE, TOPUP_MINOR

HTTP_TIMEOUT_S = 20.0


def test_demo_customers_survive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Demo(data, port=0)
    first.start()
    try:
        created = first.qr_demo
        assert created is not None and created.merchant_name.endswith("(demo)")
        wallet = httpx.get(f"{first.url}v1/qr/wallets/{created.wallet_id}", timeout=HTTP_TIMEOUT_S,
                           headers={"Authorization": f"Bearer {created.wallet_token}"}).json()
        assert wallet["currency"] == "CNY" and wallet["balance_minor"] == TOPUP_MINOR
    finally:
        first.stop()
    saved = data / DEMO_FILE
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert json.loads(saved.read_text())["merchant_token"] == created.merchant_token
    again = Demo(data, port=0)
    again.start()
    try:
        assert again.qr_demo == created
        with httpx.Client(base_url=again.url, timeout=HTTP_TIMEOUT_S) as browser:
            assert browser.post("/qr/pos/sign-in", data={"demo": "1"}).status_code == 303
            assert created.merchant_name in browser.get("/qr/pos").text
    finally:
        again.stop()
