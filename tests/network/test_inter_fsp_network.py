"""A remittance across two members' own deployments on a network of peer processes: EuroSend's deployment
(its key only) sends to a wallet the directory lists for MobiMo, whose own deployment (its key only, its
payout links entry pointing at a mobile-money simulator) confirms the wallet, agrees the quote with its own
condition, pays out when the reservation appears in its peer's chain and commits with the fulfilment. The
sending side learns COMMITTED from its own peer's chain."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from inzira.deploy.links import Links
from inzira.deploy.member import MemberDeployment
from inzira.directory.deployment import SETTINGS_FILE, TOKENS_FILE
from inzira.fx.service import FX_CLIENTS_FILE
from inzira.ledger.codes import Code
from inzira.ledger.tx import Issue, OpenAccount
from inzira.network.layout import peer_folder, write_peer_config
from inzira.network.nats_cluster import NatsCluster
from inzira.remit.client import RemitClient
from inzira.sim.momo import MomoSimConfig, serve
from tests.network.helpers import FAST, HTTP_TIMEOUT_S, running_network, wait_until
from tests.remit_flow.helpers import remit

PROCESS_PEERS = ["cbr", "sbk"]  # the directory operator and RWF issuer; the EUR issuer
NUMBER = "+250788333444"
FUNDED = {("eurosend:eur", "EUR", "sbk"): 1_000_00, ("imari-fx:rwf", "RWF", "cbr"): 10_000_000_00}


def _token(folder: Path, file: str, name: str) -> str:
    return json.loads((folder / file).read_text())[name]


def _directory_settings(account_holder_api: dict) -> Callable[[Path], None]:
    """The directory operator (cbr's peer) confirms MobiMo's wallets with the simulator's account-holder API."""
    def write(folder: Path) -> None:
        (peer_folder(folder, "cbr") / SETTINGS_FILE).write_text(
            json.dumps({"account_holder_apis": {"mobimo": account_holder_api}}))
    return write


def _open(deployment: MemberDeployment, account: str, currency: str) -> None:
    assert deployment.peer is not None
    assert deployment.peer.port.execute(OpenAccount(account, currency)).code in (Code.OK, Code.ALREADY_EXISTS)


@pytest.mark.timeout(300)
def test_a_remittance_from_one_members_deployment_is_paid_out_by_anothers(tmp_path: Path,
                                                                        nats_cluster: NatsCluster) -> None:
    with serve(MomoSimConfig(float_minor=10**9)) as sim, \
            running_network(tmp_path, nats_cluster, PROCESS_PEERS, FAST,
                            _directory_settings(sim.adapter_config())) as net, contextlib.ExitStack() as stack:
        sim.admin.create_wallet(NUMBER[1:], "Jeanne", "Uwase")
        local = net.local
        folder = {m: write_peer_config(local.folder, local.manifest, m, local.nats_urls, quorum=1)
                  for m in ("imari-fx", "mobimo", "eurosend")}
        directory_url = local.api_url("cbr")
        directory_tokens = json.loads((peer_folder(tmp_path, "cbr") / TOKENS_FILE).read_text())
        fx = stack.enter_context(MemberDeployment(folder["imari-fx"], Links()))
        fx_url = fx.served.base_url  # type: ignore[union-attr]
        mobimo = stack.enter_context(MemberDeployment(folder["mobimo"], Links(
            fx_url=fx_url, fx_token=_token(folder["imari-fx"], FX_CLIENTS_FILE, "mobimo"),
            directory_url=directory_url, directory_token=directory_tokens["mobimo"], payout=sim.adapter_config())))
        links_file = folder["eurosend"] / "links.json"  # as `inzira remit serve --links` reads it
        links_file.write_text(json.dumps({
            "fx_url": fx_url, "fx_token": _token(folder["imari-fx"], FX_CLIENTS_FILE, "eurosend"),
            "directory_url": directory_url, "directory_token": directory_tokens["eurosend"],
            "receiving_fsp_urls": {"mobimo": mobimo.served.base_url}}))  # type: ignore[union-attr]
        eurosend = stack.enter_context(MemberDeployment(folder["eurosend"], Links.load(links_file)))
        assert eurosend.peer is not None and mobimo.peer is not None and mobimo.remit is not None
        assert set(eurosend.remit.agents) == set() and set(mobimo.remit.agents) == {"mobimo"}  # type: ignore[union-attr]
        for deployment, account, currency in ((eurosend, "eurosend:eur", "EUR"), (fx, "imari-fx:eur", "EUR"),
                                              (fx, "imari-fx:rwf", "RWF"), (mobimo, "mobimo:rwf", "RWF")):
            _open(deployment, account, currency)
        opened_at = max(d.peer.node.height for d in (eurosend, fx, mobimo))  # type: ignore[union-attr]
        for (account, currency, issuer), amount in FUNDED.items():  # the issuer's peer checks the account first
            wait_until(f"{issuer}'s peer to hold the accounts", lambda i=issuer: (
                s := net.status(i)) is not None and s["height"] >= opened_at, timeout_s=60)
            net.submit_ok(issuer, [net.signer(issuer).sign(Issue(account, amount, currency, f"t-{account}"))])
        with httpx.Client(base_url=mobimo.served.base_url, timeout=HTTP_TIMEOUT_S,  # type: ignore[union-attr]
                          headers={"Authorization": f"Bearer {local.api_token('mobimo')}"}) as http:
            listed = http.post("/v1/remit/directory", json={"msisdn": NUMBER})
            documented = http.get("/openapi.json").json()["paths"]
        assert {"/v1/fsp/{fsp}/parties/MSISDN/{msisdn}", "/v1/fsp/{fsp}/quotes"} <= set(documented)
        with httpx.Client(base_url=eurosend.served.base_url, timeout=HTTP_TIMEOUT_S) as http:  # type: ignore[union-attr]
            assert not any(path.startswith("/v1/fsp/") for path in http.get("/openapi.json").json()["paths"])
        assert listed.status_code == 200 and listed.json()["state"] == "LISTED", listed.text
        node = eurosend.peer.node
        wait_until("eurosend's peer to hold the funding and the listing",
                   lambda: (a := node.account("eurosend:eur")) is not None and a.balance_minor == FUNDED[
                       ("eurosend:eur", "EUR", "sbk")] and (r := node.account("imari-fx:rwf")) is not None
                   and r.balance_minor > 0 and node.tx(bytes.fromhex(listed.json()["tx_id"])) is not None,
                   timeout_s=60)
        accounts = ("eurosend:eur", "imari-fx:eur", "imari-fx:rwf", "mobimo:rwf", "mobimo:fees-rwf")
        before = {a: node.account(a).balance_minor for a in accounts}  # type: ignore[union-attr]

        with RemitClient(eurosend.served.base_url, local.api_token("eurosend"),  # type: ignore[union-attr]
                         timeout_s=HTTP_TIMEOUT_S) as client:
            party = client.lookup(NUMBER)
            assert party["fsp_id"] == "mobimo" and party["masked_name"] == "J***** U****", party
            done = remit(client, NUMBER, 100_00, wait_ms=30_000)
        assert done["state"] == "COMMITTED", done
        record = eurosend.remit.transfers.get(done["transfer_id"])  # type: ignore[union-attr]
        terms, _ = eurosend.remit.transfers.quote(done["quote_id"])  # type: ignore[union-attr,misc]
        assert record is not None and record.resolve_tx_id
        payout = mobimo.remit.payouts.get(record.reserve_tx_id)
        assert payout is not None and payout.status == "SUCCESSFUL" and payout.amount_minor == terms.amount_received_minor
        assert sim.admin.wallet(NUMBER[1:]).balance_minor == terms.amount_received_minor  # type: ignore[union-attr]
        resolved = node.tx(record.resolve_tx_id)
        assert resolved is not None and resolved.result.code == Code.OK
        commit_height = resolved.height
        wait_until("mobimo's peer to reach the commit", lambda: mobimo.peer.node.height >= commit_height,  # type: ignore[union-attr]
                   timeout_s=60)
        assert mobimo.peer.node.header(commit_height) == node.header(commit_height)  # one chain, one state hash
        after = {a: node.account(a).balance_minor for a in accounts}  # type: ignore[union-attr]
        assert after["eurosend:eur"] - before["eurosend:eur"] == -terms.amount_sent_minor
        assert after["imari-fx:eur"] - before["imari-fx:eur"] == terms.amount_sent_minor
        assert after["mobimo:rwf"] - before["mobimo:rwf"] == terms.amount_received_minor
        assert after["mobimo:fees-rwf"] - before["mobimo:fees-rwf"] == terms.receiving_fee_minor
        assert after["imari-fx:rwf"] - before["imari-fx:rwf"] == -terms.gross_target_minor
        for account in accounts:  # mobimo's deployment sees the same positions
            assert mobimo.peer.node.account(account).balance_minor == after[account]  # type: ignore[union-attr]

