"""Each member runs its own services against its own peer, holding only its own key (issue 9, 4).

A network of two peer processes (cbr, mobimo) plus three members' own deployments in this process, each its
peer and its roles' services: the settlement bank's funding desk (sbk), the FX provider's quote service
(imari-fx), and a sending FSP's remittance service (eurosend). EuroSend funds its position through the
settlement bank's API and gets firm quotes from the FX provider's API; neither deployment could sign for
another member. Each deployment's explorer shows its member alone, signed in with its own token.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest

from inzira.deploy.links import Links
from inzira.deploy.member import MemberDeployment
from inzira.funding.api import FUNDING_CLIENTS_FILE, FUNDING_OFFICERS_FILE
from inzira.funding.desk import Officer
from inzira.fx.service import FX_CLIENTS_FILE
from inzira.ledger.codes import Code
from inzira.ledger.tx import OpenAccount
from inzira.network.layout import write_peer_config
from inzira.network.nats_cluster import NatsCluster
from inzira.peer.config import load_api_token, load_config, save_config
from inzira.web.explorer_access import SIGN_IN_PATH, SIGN_OUT_PATH
from tests.custody import members_signing
from tests.network.helpers import Net, running_network, wait_until

PROCESS_PEERS = ["cbr", "mobimo"]
HTTP_TIMEOUT_S = 30.0
SBK_NAME = "funding.sbk.example"
ALLOWED_HOOKS = "127.0.0.1/32"  # EuroSend's links file lets its webhooks reach this non-public network


def _token(folder: Path, file: str, name: str) -> str:
    return json.loads((folder / file).read_text())[name]


@pytest.fixture(scope="module")
def deployments(tmp_path_factory: pytest.TempPathFactory,
                nats_cluster: NatsCluster) -> Iterator[tuple[Net, dict[str, MemberDeployment]]]:
    with running_network(Path(tmp_path_factory.mktemp("own")), nats_cluster, PROCESS_PEERS) as net, \
            contextlib.ExitStack() as stack:
        local = net.local
        folder = {m: write_peer_config(local.folder, local.manifest, m, local.nats_urls, quorum=1)
                  for m in ("sbk", "imari-fx", "eurosend")}
        # the name a TLS proxy in front of the settlement bank passes on (DNS rebinding: any other is refused)
        save_config(folder["sbk"], msgspec.structs.replace(load_config(folder["sbk"]), allowed_hosts=[SBK_NAME]))
        sbk = stack.enter_context(MemberDeployment(folder["sbk"], Links()))
        fx = stack.enter_context(MemberDeployment(folder["imari-fx"], Links()))
        links_file = folder["eurosend"] / "links.json"  # as `inzira remit serve --links` reads it
        links_file.write_text(json.dumps({
            "fx_url": fx.served.base_url,  # type: ignore[union-attr]
            "fx_token": _token(folder["imari-fx"], FX_CLIENTS_FILE, "eurosend"),
            "funding_urls": {"sbk": sbk.served.base_url},  # type: ignore[union-attr]
            "funding_token": _token(folder["sbk"], FUNDING_CLIENTS_FILE, "eurosend"),
            "webhook_allowed_networks": [ALLOWED_HOOKS]}))
        eurosend = stack.enter_context(MemberDeployment(folder["eurosend"], Links.load(links_file)))
        yield net, {"sbk": sbk, "imari-fx": fx, "eurosend": eurosend}


@pytest.mark.timeout(180)
def test_a_members_deployment_holds_its_own_key_only(deployments: tuple[Net, dict[str, MemberDeployment]]) -> None:
    _net, own = deployments
    for member, deployment in own.items():
        peer = deployment.peer
        assert peer is not None and not hasattr(peer.runtime, "keys")
        services = [s for s in (deployment.remit, deployment.qr, deployment.fx_desk, deployment.funding) if s]
        assert services, member
        for service in services:
            assert members_signing(service, peer.node) == {member}, (member, service)
    assert own["eurosend"].funding is None and own["eurosend"].fx_desk is None


@pytest.mark.timeout(180)
def test_funding_and_quotes_cross_deployments(deployments: tuple[Net, dict[str, MemberDeployment]]) -> None:
    net, own = deployments
    eurosend, sbk = own["eurosend"], own["sbk"]
    assert eurosend.peer is not None and eurosend.remit is not None and sbk.peer is not None
    assert eurosend.peer.port.execute(OpenAccount("eurosend:eur", "EUR")).code in (Code.OK, Code.ALREADY_EXISTS)
    wait_until("the settlement bank's peer to see the account",  # it checks the account before filing
               lambda: sbk.peer.node.account("eurosend:eur") is not None, timeout_s=30)  # type: ignore[union-attr]
    token = net.local.api_token("eurosend")
    with httpx.Client(base_url=eurosend.served.base_url, timeout=HTTP_TIMEOUT_S,  # type: ignore[union-attr]
                      headers={"Authorization": f"Bearer {token}"}) as http:
        filed = http.post("/v1/remit/liquidity/deposits", json={
            "account": "eurosend:eur", "amount_minor": 250_00, "settlement_reference": "SEPA-OWN-1"})
        assert filed.status_code == 202, filed.text
        assert filed.json()["issuer"] == "sbk" and filed.json()["state"] == "pending"
        assert http.post("/v1/remit/liquidity/withdrawals", json={
            "account": "mobimo:eur", "amount_minor": 1}).status_code in (403, 404)  # never another's money
        assert http.get("/funding/v1/requests").status_code == 404  # eurosend runs no funding desk
    officer = _token(sbk.folder, FUNDING_OFFICERS_FILE, "sbk/officer-1")
    with httpx.Client(base_url=sbk.served.base_url, timeout=HTTP_TIMEOUT_S,  # type: ignore[union-attr]
                      headers={"Authorization": f"Bearer {officer}"}) as bank:
        approved = bank.post(f"/funding/v1/requests/{filed.json()['id']}/approve", json={}).json()
    assert approved["state"] == "approved", approved
    wait_until("eurosend's peer to see the issuance",
               lambda: (a := eurosend.peer.node.account("eurosend:eur")) is not None  # type: ignore[union-attr]
               and a.balance_minor == 250_00, timeout_s=30)
    firm = asyncio.run(eurosend.remit.fx.quote("eurosend", "EUR", "RWF", ttl_ms=60_000, source_amount_minor=100_00))
    assert firm.fx == "imari-fx" and firm.signed.sig.key in eurosend.peer.node.state.members["imari-fx"].keys


@pytest.mark.timeout(180)
def test_the_issuers_desk_settles_an_approval_whose_verdict_it_lost_by_itself(
        deployments: tuple[Net, dict[str, MemberDeployment]]) -> None:
    _net, own = deployments
    eurosend, sbk = own["eurosend"], own["sbk"]
    assert eurosend.peer is not None and sbk.peer is not None and sbk.funding is not None
    assert sbk.funding_settler is not None and sbk.funding_settler.running
    assert eurosend.peer.port.execute(OpenAccount("eurosend:eur", "EUR")).code in (Code.OK, Code.ALREADY_EXISTS)
    wait_until("the settlement bank's peer to see the account",
               lambda: sbk.peer.node.account("eurosend:eur") is not None, timeout_s=30)  # type: ignore[union-attr]
    desk = sbk.funding
    filed = desk.request_deposit("eurosend", "eurosend:eur", 3_00, "SEPA-OWN-LOST")
    approved = asyncio.run(desk.approve(Officer("sbk", "sbk/officer-1"), filed.id, ""))
    assert approved.state == "approved", approved
    with desk.store._lock:  # the desk submitted the issuance and never heard back
        desk.store._conn.execute("UPDATE requests SET state = 'approving', code = NULL, height = NULL WHERE id = ?",
                                 (filed.id,))
    wait_until("the desk's settler to settle the request",
               lambda: desk.store.get(filed.id).state != "approving", timeout_s=60)  # type: ignore[union-attr]
    settled = desk.store.get(filed.id)
    assert settled is not None and (settled.state, settled.height) == ("approved", approved.height)


@pytest.mark.timeout(60)
def test_a_members_links_file_sets_where_its_webhooks_may_reach(
        deployments: tuple[Net, dict[str, MemberDeployment]]) -> None:
    net, own = deployments
    with httpx.Client(base_url=own["eurosend"].served.base_url, timeout=HTTP_TIMEOUT_S,  # type: ignore[union-attr]
                      headers={"Authorization": f"Bearer {net.local.api_token('eurosend')}"}) as http:
        allowed = http.post("/v1/remit/webhooks", json={"url": "http://127.0.0.1:9/hooks"})
        assert allowed.status_code == 201, allowed.text
        assert http.delete(f"/v1/remit/webhooks/{allowed.json()['id']}").status_code == 204
        refused = http.post("/v1/remit/webhooks", json={"url": "http://127.0.0.2:9/hooks"})  # loopback, not listed
    assert refused.status_code == 400 and refused.json()["code"] == Code.VALIDATION, refused.text


def _unheighted(page: str) -> str:
    """A page without the chain's height, which other members' blocks may move between two reads."""
    return re.sub(r"height (<span data-live-height>)?\d+", "height", page)


@pytest.mark.timeout(180)
def test_a_members_explorer_shows_that_member_only(deployments: tuple[Net, dict[str, MemberDeployment]]) -> None:
    _net, own = deployments
    eurosend, sbk = own["eurosend"], own["sbk"]
    assert eurosend.peer is not None and sbk.peer is not None
    theirs = sbk.peer.port.execute(OpenAccount("sbk:explorer-test", "EUR")).tx_id.hex()
    mine = eurosend.peer.port.execute(OpenAccount("eurosend:explorer-test", "EUR")).tx_id.hex()
    node = eurosend.peer.node
    wait_until("eurosend's peer to hold sbk's transaction", lambda: node.tx(bytes.fromhex(theirs)) is not None,
               timeout_s=30)
    unknown = "ab" * 32
    with httpx.Client(base_url=eurosend.served.base_url, timeout=HTTP_TIMEOUT_S,  # type: ignore[union-attr]
                      follow_redirects=True) as browser:
        for address in ("/", "/blocks", f"/tx/{mine}", f"/tx/{theirs}/receipt.json", "/accounts", "/verify"):
            r = browser.get(address)
            assert r.status_code == 200 and r.url.path == SIGN_IN_PATH, address
            assert 'name="member"' not in r.text and "explorer-test" not in r.text  # no role buttons, nothing shown
        assert browser.get("/remit/sign-in").status_code == 404  # the demo's pages are not here
        refused = browser.post(SIGN_IN_PATH, data={"token": load_api_token(sbk.folder, "sbk")})
        assert refused.status_code == 401  # another member's token is no key to this deployment
        signed_in = browser.post(SIGN_IN_PATH, data={"token": load_api_token(eurosend.folder, "eurosend")})
        assert signed_in.status_code == 200 and signed_in.url.path == "/"
        assert "demo network" not in signed_in.text and 'href="/remit"' not in signed_in.text
        assert browser.get(f"/tx/{mine}").status_code == 200
        assert browser.get("/accounts/eurosend:explorer-test").status_code == 200
        hidden = browser.get(f"/tx/{theirs}")
        assert hidden.status_code == 404
        assert _unheighted(hidden.text.replace(theirs, unknown)) == _unheighted(browser.get(f"/tx/{unknown}").text)
        assert browser.get(f"/tx/{theirs}/receipt.json").status_code == 404
        assert browser.get("/accounts/sbk:explorer-test").status_code == 404
        height = node.tx(bytes.fromhex(theirs)).height  # type: ignore[union-attr]
        assert f'href="/tx/{theirs}"' not in browser.get(f"/blocks/{height}").text
        browser.post(SIGN_OUT_PATH)
        assert browser.get(f"/tx/{mine}").url.path == SIGN_IN_PATH
    with httpx.Client(base_url=sbk.served.base_url, timeout=HTTP_TIMEOUT_S,  # type: ignore[union-attr]
                      follow_redirects=True) as bank:
        bank.post(SIGN_IN_PATH, data={"token": load_api_token(sbk.folder, "sbk")})
        assert bank.get(f"/tx/{theirs}").status_code == 200


@pytest.mark.timeout(180)
def test_a_peer_and_a_deployment_refuse_a_rebound_host(deployments: tuple[Net, dict[str, MemberDeployment]]) -> None:
    """DNS rebinding: evil.example re-resolved to 127.0.0.1 is refused by a peer process and a member's own
    deployment (its API, explorer, funding pages); the name in its peer.json's allowed_hosts is answered."""
    net, own = deployments
    sbk = own["sbk"].served.base_url  # type: ignore[union-attr]
    for url in (f"{net.local.api_url('cbr')}/health", f"{sbk}/health", f"{sbk}/", f"{sbk}/funding"):
        evil = httpx.get(url, headers={"Host": "evil.example"}, timeout=HTTP_TIMEOUT_S)
        assert evil.status_code == 400 and evil.json()["code"] == 3042, (url, evil.text)
        assert httpx.get(url, timeout=HTTP_TIMEOUT_S).status_code < 400, url
    named = httpx.get(f"{sbk}/health", headers={"Host": f"{SBK_NAME}:443"}, timeout=HTTP_TIMEOUT_S)
    assert named.status_code == 200
