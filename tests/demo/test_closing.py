"""Stopping leaves no connection open: the HTTP client pools a server's handlers opened on its event loop (the QR
service's card acquirer and FX clients, the QR pages' API client), and those the services keep on loops of
their own (the remittance service's, the simulators'), are closed as they stop. aiohttp reports each one left
behind as it is finalized ("Unclosed client session", "Unclosed connector"): the demo runs in a process of its
own (``tests.demo.demo_process``), which is stopped and ended, and its standard error read."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from inzira.demo.setup import load_api_keys
from inzira.remit.client import RemitClient
from inzira.web.qr.demo_customers import DEMO_FILE

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
HTTP_TIMEOUT_S = 20.0
POLL_S = 0.05
REMIT_WAIT_MS = 10_000
UNCLOSED = ("Unclosed client session", "Unclosed connector")
ROOT = Path(__file__).resolve().parents[2]  # where ``tests`` is a package to run


def _served_at(demo: subprocess.Popen[bytes], stdout: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        written = stdout.read_text()
        if written.endswith("\n"):
            return str(json.loads(written)["url"])
        if demo.poll() is not None:
            raise AssertionError(f"the demo exited with {demo.returncode} while starting")
        time.sleep(POLL_S)
    raise AssertionError(f"the demo did not serve within {START_TIMEOUT_S} s")


def _call_every_client(base_url: str, data: Path) -> None:
    """One call through each service's outbound clients: the pages' sign-in (the QR API), a quote (the FX
    provider), a top-up (the card acquirer), a remittance (FX, funding, directory, the mobile-money payout)."""
    customers = json.loads((data / DEMO_FILE).read_text())
    wallet, merchant = customers["wallet_id"], customers["merchant_id"]
    with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S) as http:
        assert http.post("/qr/wallet/sign-in", data={"demo": "1"}).status_code == 303
        as_merchant = {"Authorization": f"Bearer {customers['merchant_token']}"}
        as_wallet = {"Authorization": f"Bearer {customers['wallet_token']}"}
        bill = http.post(f"/v1/qr/merchants/{merchant}/bills", json={"amount_minor": 5_000}, headers=as_merchant)
        assert bill.status_code == 201, bill.text
        quote = http.post(f"/v1/qr/wallets/{wallet}/quotes", json={"payload": bill.json()["payload"]},
                          headers=as_wallet)
        assert quote.status_code == 201, quote.text
        topup = http.post(f"/v1/qr/wallets/{wallet}/topups", json={"amount_minor": 100_00}, headers=as_wallet)
        assert topup.status_code == 201, topup.text
    remit = RemitClient(base_url, load_api_keys(data)["eurosend"], timeout_s=HTTP_TIMEOUT_S)
    try:
        offer = remit.quote("+250788123456", "SEND", 20_000, "EUR")
        sent = remit.send(str(uuid.uuid4()), offer["quote_id"], "cust-1", "Marie Dupont", "Jeanne Uwase",
                          wait_ms=REMIT_WAIT_MS)
        assert sent["state"] == "COMMITTED", sent
    finally:
        remit.close()


def test_the_demo_stops_without_leaving_a_connection_open(tmp_path: Path) -> None:
    data, stdout, stderr = tmp_path / "data", tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        demo = subprocess.Popen([sys.executable, "-m", "tests.demo.demo_process", str(data)],
                                stdin=subprocess.PIPE, stdout=out, stderr=err, cwd=ROOT)
    try:
        _call_every_client(_served_at(demo, stdout), data)
        demo.communicate(timeout=STOP_TIMEOUT_S)  # closes its standard input: it stops, and ends
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait(STOP_TIMEOUT_S)
    errors = stderr.read_text()
    assert demo.returncode == 0, errors
    assert not any(message in errors for message in UNCLOSED), errors
