"""The demo with and without the gateway: without ``--mojaloop-hub`` it runs as before, and a network made
without the gateway cannot grow one by restarting with the flag."""

from __future__ import annotations

import time
import uuid
from email.utils import formatdate

import httpx
import pytest
from typer.testing import CliRunner

from inzira.cli.main import app
from inzira.demo.app import Demo
from inzira.demo.members import DEMO_MEMBERS
from inzira.demo.setup import load_api_keys
from inzira.interop.mojaloop.demo import GATEWAY_MEMBER, GatewayMissing
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


def test_the_hubs_fsp_id_is_set_once_for_both_sides(tmp_path):
    """``--mojaloop-hub-id``: the payee side takes PATCH and aborts only from that id, the payer side believes
    aborts from it; the default ``switch`` is then refused like any other FSP."""
    demo = Demo(tmp_path / "data", port=0, mojaloop_hub="http://127.0.0.1:9", mojaloop_hub_id="hub-7")
    demo.start()
    try:
        assert demo.gateway.settings.hub_fsp_id == "hub-7"
        payer = demo.remit.service.agents[GATEWAY_MEMBER].adapter.payer
        assert payer.config.hub_fsp_id == "hub-7"
        headers = {"Content-Type": "application/vnd.interoperability.transfers+json;version=1.1",
                   "Date": formatdate(usegmt=True), "FSPIOP-Source": "switch", "FSPIOP-Destination": "inzira"}
        body = {"completedTimestamp": "2026-12-05T12:00:00.000Z", "transferState": "ABORTED"}
        answer = httpx.patch(f"{demo.url}fspiop/transfers/{uuid.uuid4()}", json=body, headers=headers, timeout=10)
        assert answer.status_code == 400
        info = answer.json()["errorInformation"]
        assert info["errorCode"] == "3100" and "hub-7" in info["errorDescription"]
    finally:
        demo.stop()


@pytest.mark.parametrize("hub_id", ["", "hub 7", "h" * 33, "hüb"])
def test_a_hub_id_that_is_no_fsp_id_is_refused_before_anything_starts(tmp_path, hub_id):
    data = tmp_path / "data"
    outcome = CliRunner().invoke(app, ["demo", "--data", str(data), "--port", "0",
                                       "--mojaloop-hub", "http://127.0.0.1:9", "--mojaloop-hub-id", hub_id])
    assert outcome.exit_code == 1 and "--mojaloop-hub-id must be" in outcome.output
    assert not data.exists()
