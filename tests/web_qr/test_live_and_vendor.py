"""The POS screen's live stream (relayed on this site with the session: no token in the page) and the
browser-side QR decoder served from node_modules, with the wallet page's fallback when it is missing."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from inzira.web.qr.vendor import DECODER_URL, JSQR_FILE
from tests.web_qr.helpers import quote_shown

FRAMES_MAX = 20


def status_frames(client: httpx.Client, path: str, after_first: Any = None) -> list[dict[str, Any]]:
    """The ``event: status`` frames of a relay that ends by itself (bounded by the client's timeout)."""
    frames: list[dict[str, Any]] = []
    with client.stream("GET", path) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        event = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "status":
                frames.append(json.loads(line[6:]))
                if len(frames) == 1 and after_first is not None:
                    after_first()
                if len(frames) >= FRAMES_MAX:
                    break
    return frames


def test_the_bill_stream_turns_to_paid(signed_in, api) -> None:
    pos = signed_in("pos")
    bill = api.bill(7_700)
    paid: list[dict[str, Any]] = []
    frames = status_frames(pos, f"/qr/pos/bills/{bill['bill_id']}/events",
                           after_first=lambda: paid.append(api.pay(bill["payload"])))
    assert [f["status"] for f in frames] == ["open", "paid"] and frames[-1]["final"]
    assert 'data-bill-status="paid"' in frames[-1]["html"] and "7,700 RWF" in frames[-1]["html"]
    assert paid[0]["wallet_amount"] in frames[-1]["html"] and paid[0]["tx_id"] in frames[-1]["html"]
    again = status_frames(pos, f"/qr/pos/bills/{bill['bill_id']}/events")  # a late screen learns it at once
    assert [f["status"] for f in again] == ["paid"]
    page = pos.get(f"/qr/pos/bills/{bill['bill_id']}")
    assert api.customers.merchant_token.split(".")[1] not in page.text  # the page never holds the token


def test_unknown_bill_stream_is_refused(signed_in) -> None:
    pos = signed_in("pos")
    assert pos.get("/qr/pos/bills/bill_0000000000000000f/events").status_code == 404


def test_the_decoder_is_served_from_node_modules(signed_in, anonymous: httpx.Client) -> None:
    if not JSQR_FILE.is_file():
        pytest.fail("node_modules/jsqr is missing: run `make install` (npm ci)")
    script = anonymous.get(DECODER_URL)
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert script.content == JSQR_FILE.read_bytes()
    page = signed_in("wallet").get("/qr/wallet/pay")
    assert f'<script src="{DECODER_URL}" defer>' in page.text and 'data-scanner="ready"' in page.text
    package = json.loads((JSQR_FILE.parents[1] / "package.json").read_text())
    pinned = json.loads((JSQR_FILE.parents[3] / "package.json").read_text())["dependencies"]["jsqr"]
    assert package["version"] == pinned


def test_without_node_modules_the_wallet_falls_back_to_the_server(signed_in, demo, api,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    monkeypatch.setattr(demo.qr_pages.site.decoder, "path", tmp_path / "missing" / "jsQR.js")
    wallet = signed_in("wallet")
    assert wallet.get(DECODER_URL).status_code == 404
    page = wallet.get("/qr/wallet/pay")
    assert DECODER_URL not in page.text and "data-scanner-unavailable" in page.text
    assert "camera scanner is unavailable" in page.text and 'enctype="multipart/form-data"' in page.text
    bill = api.bill(1_100)
    files = {"image": ("shot.png", api.bill_png(bill["bill_id"]), "image/png")}
    confirm = quote_shown(wallet, wallet.post("/qr/wallet/pay/scan", files=files, data={"source": "upload"}))
    assert confirm.status_code == 200 and re.search(r'data-source="upload"', confirm.text)


def test_an_expired_bill_shows_expired_and_its_stream_ends(signed_in, api) -> None:
    pos = signed_in("pos")
    bill = api.bill(2_200, expires_in_ms=1_000)
    time.sleep(1.3)
    page = pos.get(f"/qr/pos/bills/{bill['bill_id']}")
    assert 'data-bill-status="expired"' in page.text and 'data-final="true"' in page.text
    assert [f["status"] for f in status_frames(pos, f"/qr/pos/bills/{bill['bill_id']}/events")] == ["expired"]
