"""Who may say what to the gateway: only the hub ends a transfer to Inzira, and with peers' keys configured,
a message from a source without a key is refused rather than taken unsigned.

A real demo and the recording hub of payee_env; the hub's FSP id is ``switch`` (GatewaySettings.hub_fsp_id).
"""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator
from email.utils import formatdate

import pytest

from inzira.interop.mojaloop import jws
from inzira.interop.mojaloop.demo import JWS_DIR, PEERS_DIR
from inzira.interop.mojaloop.errors import FspiopError
from inzira.interop.mojaloop.server import signature_check
from tests.mojaloop.payee_env import PAYER_FSP, Bench, bench, quote_body, start_bench, transfer_body  # noqa: F401
from tests.mojaloop.waiting import wait_for

HUB = "switch"
PATCH_ABORTED = {"completedTimestamp": "2026-12-05T12:00:00.000Z", "transferState": "ABORTED"}
ABORT = {"errorInformation": {"errorCode": "2004", "errorDescription": "the hub timed out"}}
PAYER_KEY = jws.generate_key()
HUB_KEY = jws.generate_key()


def _committed_transfer(bench: Bench) -> dict:
    quote = quote_body(amount="500")
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    transfer = transfer_body(quote, bench.hub.take(f"/quotes/{quote['quoteId']}").body)
    assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
    assert bench.hub.take(f"/transfers/{transfer['transferId']}").body["transferState"] == "COMMITTED"
    return transfer


@pytest.mark.parametrize(("method", "suffix", "body"), [("PATCH", "", PATCH_ABORTED), ("PUT", "/error", ABORT)])
def test_only_the_hub_may_end_a_transfer_to_inzira(bench, method, suffix, body):
    transfer = _committed_transfer(bench)
    path = f"/transfers/{transfer['transferId']}{suffix}"
    store = bench.demo.gateway.store
    for source in (PAYER_FSP, "inzira", "evilfsp"):
        answer = bench.send(method, path, "transfers", body, drop=("Accept",), headers={"FSPIOP-Source": source})
        assert answer.status_code == 400
        info = answer.json()["errorInformation"]
        assert info["errorCode"] == "3100" and HUB in info["errorDescription"]
        stored = store.transfer(transfer["transferId"])
        assert (stored.state, stored.hub_state, stored.reconcile) == ("COMMITTED", "", "")
    answer = bench.send(method, path, "transfers", body, drop=("Accept",), headers={"FSPIOP-Source": HUB})
    assert answer.status_code == 200
    wait_for(lambda: store.transfer(transfer["transferId"]).hub_state == "ABORTED")
    assert store.transfer(transfer["transferId"]).state == "COMMITTED"  # Inzira's leg stands, flagged
    assert store.transfer(transfer["transferId"]).reconcile


def test_another_fsp_resending_a_quote_gets_3106_not_the_quote(bench):
    quote = quote_body(amount="900")
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    assert bench.hub.take(f"/quotes/{quote['quoteId']}").body["condition"]
    assert bench.send("POST", "/quotes", "quotes", quote, headers={"FSPIOP-Source": "evilfsp"}).status_code == 202
    refused = bench.hub.take(f"/quotes/{quote['quoteId']}/error")
    assert refused.headers["fspiop-destination"] == "evilfsp"
    assert refused.body["errorInformation"]["errorCode"] == "3106"


def test_signature_check_refuses_a_source_without_a_key_unless_told_to_take_it_unsigned():
    peers = {PAYER_FSP: jws.load_public_key(PAYER_KEY.as_pem(private=False))}
    headers = {"fspiop-source": "strangerfsp", "content-type": "application/vnd.interoperability.quotes+json;"
               "version=1.1", "date": formatdate(usegmt=True)}
    with pytest.raises(FspiopError) as refused:
        signature_check(peers)("POST", "/fspiop/quotes", headers, b"{}")
    assert int(refused.value.code) == 3105
    signature_check(peers, signed_only=False)("POST", "/fspiop/quotes", headers, b"{}")


@pytest.fixture(scope="module")
def signed_bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    data = tmp_path_factory.mktemp("signed")
    (data / JWS_DIR / PEERS_DIR).mkdir(parents=True)
    (data / JWS_DIR / PEERS_DIR / f"{PAYER_FSP}.pem").write_bytes(PAYER_KEY.as_pem(private=False))
    (data / JWS_DIR / PEERS_DIR / f"{HUB}.pem").write_bytes(HUB_KEY.as_pem(private=False))
    yield from start_bench(data)


def _signed(key, method: str, path: str, resource: str, body: dict, source: str) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    media = f"application/vnd.interoperability.{resource}+json;version=1.1"
    headers = {"Content-Type": media, "Date": formatdate(usegmt=True), "FSPIOP-Source": source}
    if method == "POST":
        headers["Accept"] = media
    if key is not None:
        headers.update(jws.sign(key, method, path, headers, raw).headers())
    return raw, headers


def test_with_keys_configured_an_unknown_source_cannot_send_unsigned(signed_bench):
    quote = quote_body()
    raw, headers = _signed(None, "POST", "/quotes", "quotes", quote, "strangerfsp")
    answer = signed_bench.send("POST", "/quotes", "quotes", raw, version="1.1", headers=headers)
    assert answer.status_code == 400 and answer.json()["errorInformation"]["errorCode"] == "3105"
    raw, headers = _signed(PAYER_KEY, "POST", "/quotes", "quotes", quote, PAYER_FSP)
    assert signed_bench.send("POST", "/quotes", "quotes", raw, version="1.1", headers=headers).status_code == 202
    assert signed_bench.hub.take(f"/quotes/{quote['quoteId']}").body["condition"]


def test_with_keys_configured_the_hubs_patch_must_carry_the_hubs_signature(signed_bench):
    transfer_id = "6e0c7e2a-3b61-4c1e-9a3f-6f1d2c3b4a5e"
    path = f"/transfers/{transfer_id}"
    for key in (None, PAYER_KEY):
        raw, headers = _signed(key, "PATCH", path, "transfers", PATCH_ABORTED, HUB)
        answer = signed_bench.send("PATCH", path, "transfers", raw, version="1.1", headers=headers,
                                   drop=("Accept",))
        assert answer.status_code == 400 and answer.json()["errorInformation"]["errorCode"] == "3105"
    raw, headers = _signed(HUB_KEY, "PATCH", path, "transfers", PATCH_ABORTED, HUB)
    answer = signed_bench.send("PATCH", path, "transfers", raw, version="1.1", headers=headers, drop=("Accept",))
    assert answer.status_code == 200


def test_a_transfer_whose_payerfsp_is_not_its_source_is_refused_and_moves_nothing(bench):
    """The hub debits the body's payerFsp; the gateway would book the payment as the source's. A transfer
    claiming another FSP as its payer is refused at once (3100, as Mojaloop's switch refuses it), nothing kept."""
    quote = quote_body(amount="700")
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    transfer = transfer_body(quote, bench.hub.take(f"/quotes/{quote['quoteId']}").body, payerFsp="otherfsp")
    answer = bench.send("POST", "/transfers", "transfers", transfer)
    assert answer.status_code == 400
    info = answer.json()["errorInformation"]
    assert info["errorCode"] == "3100" and "payerFsp" in info["errorDescription"]
    assert bench.demo.gateway.store.transfer(transfer["transferId"]) is None
    assert bench.demo.gateway.store.quote(quote["quoteId"]).transfer_id == ""


def test_another_fsp_reusing_a_transfer_id_is_refused_at_once_and_nothing_about_it_goes_to_the_hub(bench):
    """A ``PUT /transfers/{ID}/error`` from the payee makes the hub abort that transfer: the gateway never sends
    one about a transfer of another FSP's because a stranger posted under its id (an honest hub would never
    forward that POST: its ids are global). The stranger is answered at once, 400 with 3106."""
    transfer = _committed_transfer(bench)
    path = f"/transfers/{transfer['transferId']}"
    forged = {**transfer, "payerFsp": "evilfsp", "expiration": "2099-01-01T00:00:00.000Z"}
    answer = bench.send("POST", "/transfers", "transfers", forged, headers={"FSPIOP-Source": "evilfsp"})
    assert answer.status_code == 400 and answer.json()["errorInformation"]["errorCode"] == "3106"
    with pytest.raises(queue.Empty):
        bench.hub.take(f"{path}/error", wait_s=1.0)
    stored = bench.demo.gateway.store.transfer(transfer["transferId"])
    assert (stored.state, stored.payer_fsp) == ("COMMITTED", PAYER_FSP)
