"""The directory operator's own deployment: its API beside its own peer process (holding only its own key),
on a network of peer processes. An FSP lists a number with a request signed by its key, every peer stores the
operator's SetParty, another member looks it up with the token the operator issued it."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest

from inzira.directory.deployment import SETTINGS_FILE, TOKENS_FILE
from inzira.directory.wire import RegistrationRequest, request_body, request_digest
from inzira.network.layout import CUTTERS_DEFAULT, peer_folder
from inzira.network.local_network import LocalNetwork
from inzira.network.nats_cluster import NatsCluster
from inzira.node.reader import load_genesis
from inzira.sim.momo import MomoSimConfig, serve
from tests.network.helpers import FAST, HTTP_TIMEOUT_S, Net

MEMBERS = ["cbr", "sbk", "mobimo"]
NUMBER = "+250788111222"


@pytest.mark.timeout(180)
def test_the_operator_serves_the_directory_from_its_own_peer(tmp_path: Path, nats_cluster: NatsCluster) -> None:
    with serve(MomoSimConfig(float_minor=10**9)) as sim:
        sim.admin.create_wallet(NUMBER[1:], "Jeanne", "Uwase")
        local = LocalNetwork(tmp_path)
        local.create(MEMBERS[:CUTTERS_DEFAULT], FAST)
        operator_folder = peer_folder(tmp_path, "cbr")
        (operator_folder / SETTINGS_FILE).write_text(json.dumps({"account_holder_apis": {"mobimo": sim.adapter_config()}}))
        nats_cluster.add_users(local.nats_users())
        try:
            local.up(MEMBERS, nats_urls=nats_cluster.urls, settings=FAST, nats_admin=nats_cluster.admin_credentials)
            net = Net(local)
            assert sorted(p.name for p in (operator_folder / "keys").glob("*.key") if "orderer" not in p.name) == \
                ["cbr.key"]  # the operator's deployment holds its own member key only
            tokens = json.loads((operator_folder / TOKENS_FILE).read_text())
            request = RegistrationRequest(load_genesis(tmp_path).chain_id, "mobimo", NUMBER, True, str(uuid.uuid4()),
                                          time.time_ns() // 1_000_000)
            signature = local.member_key("mobimo").sign(request_digest(request))
            with httpx.Client(base_url=local.api_url("cbr"), timeout=HTTP_TIMEOUT_S) as operator:
                listed = operator.post("/v1/directory/registrations", json=request_body(request, signature))
                assert listed.status_code == 200, listed.text
                assert listed.json()["state"] == "LISTED"
                found = operator.get(f"/v1/directory/parties/MSISDN/{NUMBER}",
                                     headers={"Authorization": f"Bearer {tokens['eurosend']}"})
                assert found.status_code == 200 and found.json()["fsp_id"] == "mobimo"
                member_token = operator.get(f"/v1/directory/parties/MSISDN/{NUMBER}",
                                            headers={"Authorization": f"Bearer {local.api_token('mobimo')}"})
                assert member_token.status_code == 401  # the operator's own token book, not mobimo's peer's
            tx = bytes.fromhex(listed.json()["tx_id"])
            net.wait_agreed(MEMBERS)  # every peer holds the same state, the new entry included
            with net.client("cbr") as client:
                detail = client.get_tx(tx)
            assert detail["result"]["code"] == 0 and detail["tx"]["signers"] == ["cbr"]
            with httpx.Client(base_url=local.api_url("sbk"), timeout=HTTP_TIMEOUT_S) as other:
                assert other.get(f"/v1/directory/parties/MSISDN/{NUMBER}").status_code == 404  # not served there
        finally:
            local.down()
