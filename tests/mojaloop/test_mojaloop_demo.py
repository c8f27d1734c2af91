"""The demo with and without the gateway: without ``--mojaloop-hub`` it runs as before, and a network made
without the gateway cannot grow one by restarting with the flag."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.demo.members import DEMO_MEMBERS
from inzira.demo.setup import load_api_keys
from inzira.interop.mojaloop.demo import GatewayMissing
from inzira.remit.client import RemitClient
from tests.mojaloop import hub_rules


def test_a_demo_without_the_flag_has_no_gateway_and_cannot_gain_one(tmp_path):
    data = tmp_path / "data"
    plain = Demo(data, port=0)
    plain.start()
    try:
        assert set(plain.runtime.node.state.members) == {m.id for m in DEMO_MEMBERS}
        assert plain.gateway is None
        assert httpx.get(plain.url + "fspiop/parties/MSISDN/250788123456", timeout=10).status_code == 404
    finally:
        plain.stop()
    with_flag = Demo(data, port=0, mojaloop_hub="http://127.0.0.1:9")
    with pytest.raises(GatewayMissing):
        with_flag.start()


def test_the_demo_pays_a_remittance_out_through_ekash_and_takes_ekash_payments(ttk_hub, tmp_path):
    """With the flag the payer side runs in the demo too: eurosend remits to a number only eKash knows (the
    toolkit playing hub and payee FSP), its callbacks arriving at the same /fspiop as the payee side's."""
    demo = Demo(tmp_path / "data", port=0, mojaloop_hub=ttk_hub.fspiop_url)
    demo.start()
    try:
        ttk_hub.configure(CALLBACK_ENDPOINT=f"http://127.0.0.1:{demo.port}/fspiop")
        client = RemitClient(demo.url.rstrip("/"), load_api_keys(demo.data_dir)["eurosend"], timeout_s=60.0)
        with client:
            party = client.lookup("+" + hub_rules.KNOWN)
            assert party["fsp_id"] == "ekash"
            quote = client.quote("+" + hub_rules.KNOWN, "RECEIVE", 10_000, "RWF", "EUR")
            view = client.send(str(uuid.uuid4()), quote["quote_id"], "cust-1", "Marie Dupont", "Jeanne Uwase",
                               wait_ms=20_000)
            deadline = time.monotonic() + 20
            while view["state"] not in ("COMMITTED", "ABORTED", "EXPIRED", "FAILED") \
                    and time.monotonic() < deadline:
                view = client.transfer(view["transfer_id"], wait_ms=2_000)
        assert view["state"] == "COMMITTED", view
    finally:
        ttk_hub.configure(CALLBACK_ENDPOINT=ttk_hub.fspiop_url)
        demo.stop()
