"""A sending FSP's service reaching a receiving FSP it does not act for, at that FSP's own service (``/v1/fsp``):
two remittance services on one ledger, each holding one member's port (eurosend's, mobimo's), as two members'
own deployments do. The receiving side answers only requests signed by a sending FSP's member key, with an
allowance per sending FSP, keeps the terms it agreed to with the originator's names, and screens them; the sending
side takes from another deployment only answers within bounds. (How the receiving side pays out a reservation:
test_inter_fsp_payout.py.)
"""

from __future__ import annotations

import base64
import contextlib
import json
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

from inzira.api.app import create_app
from inzira.api.server import serve_in_thread
from inzira.crypto.keygen import generate_keypair
from inzira.http import HttpProblem
from inzira.ledger.codes import Code
from inzira.node.keystore import load_key
from inzira.peer.peer_auth import REQUEST_SKEW_MS, Replays, sign_request
from inzira.remit.api import mount_fsp
from inzira.remit.client import RemitClient
from inzira.remit.codes import RemitCode
from inzira.remit.payout import PayoutUnavailableError
from inzira.remit.remote_receiving import RemoteReceivingFsp
from inzira.remit.settings import RemitSettings
from tests.remit_flow.conftest import HTTP_TIMEOUT_S, now_ms
from tests.remit_flow.helpers import problem, remit
from tests.remit_flow.inter_fsp import MOBIMO_FEE_MINOR, QUOTES, Pair, pair, quote_body  # noqa: F401 (fixture)

SANCTIONED = "Mohammed Youssef Karzanithi"  # an alias of a fictional entry of the sample list


def test_a_remittance_to_a_wallet_another_service_pays_out(pair: Pair) -> None:
    flow = pair.flow
    msisdn = flow.wallet("mobimo")
    before = flow.balances("mobimo:rwf", "mobimo:fees-rwf")
    with RemitClient(pair.sender_url, flow.tokens["eurosend"], timeout_s=HTTP_TIMEOUT_S) as client:
        party = client.lookup(msisdn)
        assert party["fsp_id"] == "mobimo" and party["masked_name"] == "J***** U****"
        done = remit(client, msisdn, 20_000)
    assert done["state"] == "COMMITTED", done
    record = pair.sender.transfers.get(done["transfer_id"])  # the sending side's books ...
    assert record is not None and pair.payee.transfers.get(done["transfer_id"]) is None  # ... not the receiving's
    terms = pair.sender.transfers.quote(done["quote_id"])[0]  # type: ignore[index]
    payout = pair.payee.payouts.get(record.reserve_tx_id)
    assert payout is not None and payout.status == "SUCCESSFUL" and payout.amount_minor == terms.amount_received_minor
    assert flow.sims["mobimo"].admin.wallet(msisdn[1:]).balance_minor == terms.amount_received_minor  # type: ignore[union-attr]
    after = flow.balances("mobimo:rwf", "mobimo:fees-rwf")
    assert after["mobimo:rwf"] - before["mobimo:rwf"] == terms.amount_received_minor
    assert after["mobimo:fees-rwf"] - before["mobimo:fees-rwf"] == terms.receiving_fee_minor == MOBIMO_FEE_MINOR


def test_the_fsp_routes_answer_only_a_fresh_request_signed_by_a_sending_fsp(pair: Pair) -> None:
    msisdn = pair.flow.wallet("mobimo")
    path = f"/v1/fsp/mobimo/parties/MSISDN/{msisdn}"
    chain_id = pair.flow.net.chain_id
    own_key = load_key(pair.flow.data_dir / "keys" / "eurosend.key")
    with pair.fsp() as http:
        problem(http.get(path), 401, 3040)  # unsigned
        foreign = sign_request(chain_id, "eurosend", generate_keypair(), "GET", path, now_ms())
        problem(http.get(path, headers=foreign), 401, 3040)  # a key that is not eurosend's
        stale = sign_request(chain_id, "eurosend", own_key, "GET", path, now_ms() - REQUEST_SKEW_MS - 5_000)
        problem(http.get(path, headers=stale), 401, 3040)
        other_chain = sign_request(b"\x01" * 32, "eurosend", own_key, "GET", path, now_ms())
        problem(http.get(path, headers=other_chain), 401, 3040)
        fresh = pair.signed("eurosend", "GET", path)
        found = http.get(path, headers=fresh)
        assert found.status_code == 200 and found.json()["masked_name"] == "J***** U****", found.text
        assert "Jeanne" not in found.text
        problem(http.get(path, headers=fresh), 401, 3040)  # the same signed request again: a replay
        problem(http.get(path, headers=pair.signed("ubumwe", "GET", path)), 403, Code.PERMISSION)  # no sending role
        elsewhere = "/v1/fsp/mobimo/parties/MSISDN/+250788000001"
        problem(http.get(path, headers=pair.signed("eurosend", "GET", elsewhere)), 401, 3040)  # signed another path
        body = quote_body(msisdn)
        tampered = body.replace(b'"amount_received_minor": 10000', b'"amount_received_minor": 99000')
        problem(http.post(QUOTES, content=tampered, headers=pair.signed("eurosend", "POST", QUOTES, body)), 401, 3040)


def test_one_member_filling_the_replay_store_does_not_lock_out_the_others(pair: Pair) -> None:
    """Each signature is remembered for two minutes; a member signing requests as fast as the server takes them
    (resent quotes and refused requests count against no allowance) fills only its own share."""
    replays, at_ms = Replays(member_max=3), now_ms()

    def signed(member: str) -> dict[str, str]:  # each request its own (the same one signed again is the same)
        return pair.signed(member, "GET", f"/v1/fsp/mobimo/parties/MSISDN/+25078{uuid.uuid4().int % 10**7:07d}")

    flood = [signed("silkpay") for _ in range(3)]
    assert [replays.take("silkpay", h, at_ms) for h in flood] == ["", "", ""]
    assert replays.take("silkpay", signed("silkpay"), at_ms) == "busy"
    honest = signed("eurosend")
    assert replays.take("eurosend", honest, at_ms) == ""  # its own share
    upper = {**honest, "X-Inzira-Signature": honest["X-Inzira-Signature"].upper()}
    assert replays.take("eurosend", upper, at_ms) == "replayed"
    later_ms = at_ms + 2 * REQUEST_SKEW_MS + 1_000  # the flood's requests can no longer be replayed: forgotten
    assert replays.take("silkpay", signed("silkpay"), later_ms) == ""


def test_each_sending_fsp_has_an_allowance_of_look_ups_and_quotes(pair: Pair) -> None:
    """A sending FSP asking the receiving FSP's deployment directly, not after a directory look-up, would learn
    masked names without the directory operator's allowance: the desk keeps its own, per sending FSP."""
    msisdn = pair.flow.wallet("mobimo")
    path = f"/v1/fsp/mobimo/parties/MSISDN/{msisdn}"
    settings, desk = pair.payee.settings, pair.payee.payee_desk
    spent = (desk.allowance.take("silkpay", settings.fsp_requests_per_day, settings.fsp_requests_burst)
             for _ in range(settings.fsp_requests_burst + 10))
    assert any(wait_s > 0 for wait_s in spent)  # silkpay's burst spent, as by that many look-ups
    with pair.fsp() as http:
        refused = http.get(path, headers=pair.signed("silkpay", "GET", path))
        problem(refused, 429, 3041)
        assert 0 < int(refused.headers["Retry-After"]) <= 86_400 // settings.fsp_requests_per_day + 1
        body = quote_body(msisdn)
        problem(http.post(QUOTES, content=body, headers=pair.signed("silkpay", "POST", QUOTES, body)), 429, 3041)
        assert http.get(path, headers=pair.signed("eurosend", "GET", path)).status_code == 200  # its own allowance


def test_a_quote_is_refused_for_a_number_not_served_other_fees_or_other_terms(pair: Pair) -> None:
    msisdn = pair.flow.wallet("mobimo")
    with pair.fsp() as http:
        def post(body: bytes) -> httpx.Response:
            return http.post(QUOTES, content=body, headers=pair.signed("eurosend", "POST", QUOTES, body))

        problem(post(quote_body("+250788000002")), 404, Code.PARTY_NOT_FOUND)  # no wallet there
        ubumwe_wallet = pair.flow.wallet("ubumwe")
        problem(post(quote_body(ubumwe_wallet)), 404, Code.PARTY_NOT_FOUND)  # another FSP's wallet
        problem(post(quote_body(msisdn, fee=0)), 422, 5105)  # not mobimo's fee
        problem(post(quote_body(msisdn, amount_received_minor="10000")), 400, Code.VALIDATION)
        problem(post(quote_body(msisdn, expires_at_ms=now_ms() + 7_200_000)), 400, Code.VALIDATION)
        problem(post(quote_body(msisdn, received=2**63 - 1)), 400, Code.VALIDATION)  # no total the ledger takes
        body = quote_body(msisdn)
        first = post(body)
        assert first.status_code == 200, first.text
        assert post(body).json() == first.json()  # a resend, signed anew: the same answer
        quote_id = json.loads(body)["quote_id"]
        problem(post(quote_body(msisdn, received=20_000, quote_id=quote_id)), 409, Code.MODIFIED_REQUEST)
        path = "/v1/fsp/ubumwe/quotes"
        other = http.post(path, content=body, headers=pair.signed("eurosend", "POST", path, body))
        problem(other, 404, Code.NOT_FOUND)  # ubumwe pays out nothing here


def _refused(call: Callable[[], object], status: int, code: int) -> str:
    with pytest.raises(HttpProblem) as refused:
        call()
    assert (refused.value.status, refused.value.code) == (status, code), refused.value
    return refused.value.detail


def test_the_originator_travels_with_the_quote_and_the_receiving_fsp_screens_it(pair: Pair) -> None:
    """The travel rule (FATF R.16): the sender's name (and the receiver's as the customer gave it) goes with the
    quote to the receiving FSP's deployment, which keeps it with the terms and screens the sender's name against
    its own list: a listed sender is a refusal of the quote (422 4140), never a 5xx."""
    msisdn = pair.flow.wallet("mobimo")
    with RemitClient(pair.sender_url, pair.flow.tokens["eurosend"], timeout_s=HTTP_TIMEOUT_S) as client:
        client.lookup(msisdn)
        _refused(lambda: client.quote(msisdn, "SEND", 20_000, "EUR"), 400, Code.VALIDATION)  # who sends?
        _refused(lambda: client.quote(msisdn, "SEND", 20_000, "EUR", sender_name="Marie\u202e Dupont",
                                      receiver_name="Jeanne Uwase"), 400, Code.VALIDATION)
        detail = _refused(lambda: client.quote(msisdn, "SEND", 20_000, "EUR", sender_name=SANCTIONED,
                                               receiver_name="Jeanne Uwase"), 422, RemitCode.COMPLIANCE_REJECTED)
        assert "mobimo" in detail
        quote = client.quote(msisdn, "SEND", 20_000, "EUR", sender_name="Marie Dupont", receiver_name="Jeanne Uwase")
        kept = pair.payee.payee_quotes.get(quote["quote_id"])
        assert kept is not None and (kept[0].sender_name, kept[0].receiver_name) == ("Marie Dupont", "Jeanne Uwase")
        _refused(lambda: client.send(str(uuid.uuid4()), quote["quote_id"], "cust-1", "Someone Else", "Jeanne Uwase"),
                 400, Code.VALIDATION)  # the receiving FSP was told another sender
    with pair.fsp() as http:
        def post(body: bytes) -> httpx.Response:
            return http.post(QUOTES, content=body, headers=pair.signed("eurosend", "POST", QUOTES, body))

        problem(post(quote_body(msisdn, sender_name=SANCTIONED)), 422, RemitCode.COMPLIANCE_REJECTED)
        for name in ("Marie\x1b[2J Dupont", "Marie \u202eDupont", "Marie\r\nDupont", "M" * 301, "", "  "):
            problem(post(quote_body(msisdn, sender_name=name)), 400, Code.VALIDATION)
        problem(post(quote_body(msisdn, receiver_name="J\u202eU")), 400, Code.VALIDATION)
        body = json.loads(quote_body(msisdn))
        del body["sender_name"]
        problem(post(json.dumps(body).encode()), 400, Code.VALIDATION)  # required
        first = quote_body(msisdn)
        assert post(first).status_code == 200
        other_sender = quote_body(msisdn, quote_id=json.loads(first)["quote_id"], sender_name="Marie Dupond")
        problem(post(other_sender), 409, Code.MODIFIED_REQUEST)  # the resend's hash covers the names


@contextlib.contextmanager
def _hostile(pair: Pair, answers: list[dict | bytes]) -> Iterator[RemoteReceivingFsp]:
    """eurosend's view of mobimo served by a hostile deployment on loopback: one scripted answer per call (a dict
    as JSON, bytes as they are)."""
    async def app(scope: dict, receive: object, send: object) -> None:
        if scope["type"] != "http":
            return
        answer = answers.pop(0)
        body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": 200,  # type: ignore[operator]
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})  # type: ignore[operator]

    served, _port = serve_in_thread(app)
    remote = RemoteReceivingFsp("mobimo", served.base_url, pair.keys.port(pair.flow.net, "eurosend"),
                                RemitSettings(), now_ms)
    try:
        yield remote
    finally:
        pair.sender.submit(remote.aclose()).result(HTTP_TIMEOUT_S)
        served.stop()


def test_a_receiving_deployment_answering_out_of_bounds_is_unavailable_not_shown(pair: Pair) -> None:
    """Another member's deployment answers within bounds or not at all: a masked name too long for any
    disclosure, or with control or format characters (a terminal's escape, a right-to-left override that
    reorders the receipt), or a flood of screening reasons, is that FSP failing to confirm the wallet (5140)."""
    msisdn = pair.flow.wallet("mobimo")
    names = ["J" * 301, "J\x1b[2J U***", "J*** U***\r\nPaid: 1000000", "J*** \u202eU***", "J\u200b U"]
    answers = [{"msisdn": msisdn, "fsp_id": "mobimo", "masked_name": name, "active": True} for name in names]
    answers.append({"msisdn": msisdn, "fsp_id": "mobimo", "masked_name": "J*** U***", "active": True,
                    "holder_reasons": [{"code": "list", "message": "m"}] * 21})
    with _hostile(pair, answers) as remote:
        for _ in range(len(names) + 1):
            with pytest.raises(PayoutUnavailableError, match="out of shape"):
                pair.sender.submit(remote.lookup(msisdn)).result(HTTP_TIMEOUT_S)


def test_a_receiving_deployment_answering_json_nested_too_deep_is_unavailable(pair: Pair) -> None:
    """10 KB of brackets in a field msgspec skips raised RecursionError out of the look-up and the quote (a 500
    to the sending customer): they are answers out of shape, that FSP failing to answer (5140)."""
    msisdn = pair.flow.wallet("mobimo")
    deep = b'{"msisdn": "%s", "x": ' % msisdn.encode() + b"[" * 5_000 + b"]" * 5_000 + b"}"
    with _hostile(pair, [deep, deep.replace(b'"msisdn"', b'"quote_id"')]) as remote:
        with pytest.raises(PayoutUnavailableError, match="answered a look-up out of shape: JSON nested too deep"):
            pair.sender.submit(remote.lookup(msisdn)).result(HTTP_TIMEOUT_S)
        with pytest.raises(PayoutUnavailableError, match="answered a quote out of shape: JSON nested too deep"):
            pair.sender.submit(remote.hashlock(str(uuid.uuid4()), msisdn, 10_000, True, "eurosend",
                                               now_ms() + 60_000, MOBIMO_FEE_MINOR,
                                               names=("Marie Dupont", "Jeanne Uwase"))).result(HTTP_TIMEOUT_S)


def test_a_receiving_deployment_agreeing_other_terms_is_unavailable(pair: Pair) -> None:
    """A quote's answer must be the terms asked, within bounds: an expiry already past, or an operator's fee on
    top that makes the amount the FX provider is asked for no amount at all, is refused (5140 to the customer)."""
    msisdn, asked_ms = pair.flow.wallet("mobimo"), now_ms() + 60_000
    quote_id = str(uuid.uuid4())
    condition = base64.urlsafe_b64encode(b"\x07" * 32).decode().rstrip("=")
    terms = {"quote_id": quote_id, "condition": condition, "amount_received_minor": 10_000,
             "receiving_fee_minor": MOBIMO_FEE_MINOR, "currency": "RWF", "expires_at_ms": asked_ms}
    answers = [{**terms, "expires_at_ms": 1}, {**terms, "receiving_fee_minor": 2**63 - 1}, terms]
    with _hostile(pair, answers) as remote:
        def agree() -> object:
            return pair.sender.submit(remote.hashlock(quote_id, msisdn, 10_000, True, "eurosend", asked_ms,
                                                      MOBIMO_FEE_MINOR, names=("Marie Dupont", "Jeanne Uwase"))
                                      ).result(HTTP_TIMEOUT_S)

        for _ in range(2):
            with pytest.raises(PayoutUnavailableError):
                agree()
        assert agree().expires_at_ms == asked_ms  # type: ignore[attr-defined]


def test_a_quote_id_of_the_services_own_quotes_cannot_be_agreed_again_by_another_sending_fsp(pair: Pair) -> None:
    """A service that both sends (its own quotes) and answers other deployments (``/v1/fsp``) keeps one
    namespace of quote ids: an operator's hashlock (eKash) and the payout flow find a quote by its id alone. A
    quote id is public on chain (the reservation's memo), so another sending FSP agreeing one of the service's
    own quote ids would have the operator quote that id anew (eKash replaces its kept condition and fulfilment),
    voiding the honest transfer or leaving its payout unable to commit. It is refused as a reused id, 409 3106."""
    flow = pair.flow
    msisdn = flow.wallet("mobimo")
    app = create_app(flow.net, routers=[])
    mount_fsp(app, flow.service)  # mobimo answers other deployments here; eurosend sends through the same service
    with contextlib.ExitStack() as stack:
        served, _port = serve_in_thread(app)
        stack.callback(served.stop)
        both = served.base_url
        with flow.client("eurosend") as client:
            own = client.quote(msisdn, "SEND", 20_000, "EUR", sender_name="Marie Dupont",
                               receiver_name="Jeanne Uwase")
        body = quote_body(msisdn, quote_id=own["quote_id"])
        with httpx.Client(base_url=both, timeout=HTTP_TIMEOUT_S) as http:
            answer = http.post(QUOTES, content=body, headers=pair.signed("silkpay", "POST", QUOTES, body))
        problem(answer, 409, Code.MODIFIED_REQUEST)
        assert flow.service.payee_quotes.get(own["quote_id"]) is None  # nothing kept under the service's id
        with httpx.Client(base_url=both, timeout=HTTP_TIMEOUT_S) as http:
            fresh = quote_body(msisdn)
            assert http.post(QUOTES, content=fresh, headers=pair.signed("silkpay", "POST", QUOTES, fresh)
                             ).status_code == 200  # another id is agreed as ever
