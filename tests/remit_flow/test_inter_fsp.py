"""A sending FSP's service reaching a receiving FSP it does not act for, at that FSP's own service (``/v1/fsp``):
two remittance services on one ledger, each holding one member's port (eurosend's, mobimo's), as two members'
own deployments do. The receiving side answers only requests signed by a sending FSP's member key, keeps the
terms it agreed to, and pays out only a reservation that matches them exactly, once.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import msgspec
import pytest

from inzira.api.app import create_app
from inzira.api.server import serve_in_thread
from inzira.crypto.keygen import generate_keypair
from inzira.demo.setup import demo_keyring
from inzira.http import HttpProblem
from inzira.ledger.codes import Code
from inzira.ledger.records import PENDING, POSTED, VOIDED, Leg
from inzira.ledger.tx import Issue, OpenAccount, PostPending, Transfer, decode_body, decode_signed
from inzira.node.custody import Keyring
from inzira.node.keystore import load_key
from inzira.peer.peer_auth import REQUEST_SKEW_MS, Replays, sign_request
from inzira.remit.api import mount_fsp, mount_remit
from inzira.remit.client import RemitClient
from inzira.remit.codes import RemitCode
from inzira.remit.condition import b64url, condition_of
from inzira.remit.payout import PayoutUnavailableError
from inzira.remit.remote_receiving import RemoteReceivingFsp
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from inzira.sim.momo.config import Behaviour
from tests.network.helpers import wait_until
from tests.remit_flow.conftest import HTTP_TIMEOUT_S, Flow, now_ms
from tests.remit_flow.helpers import problem, remit

QUOTES = "/v1/fsp/mobimo/quotes"
MOBIMO_FEE_MINOR = 300  # the demo schedule's fixed fee
SANCTIONED = "Mohammed Youssef Karzanithi"  # an alias of a fictional entry of the sample list


@dataclass
class Pair:
    flow: Flow
    keys: Keyring
    payee: RemitService  # mobimo's
    payee_url: str
    sender: RemitService  # eurosend's
    sender_url: str

    def fsp(self) -> httpx.Client:
        return httpx.Client(base_url=self.payee_url, timeout=HTTP_TIMEOUT_S)

    def signed(self, member: str, method: str, path: str, body: bytes = b"") -> dict[str, str]:
        headers = self.keys.port(self.flow.net, member).sign_request(method, path, body)
        return {**headers, "Content-Type": "application/json"} if body else headers


def _serve(stack: contextlib.ExitStack, flow: Flow, service: RemitService, fsp: bool) -> str:
    app = create_app(flow.net, routers=[])
    mount_remit(app, service)
    if fsp:
        mount_fsp(app, service)
    served, _port = serve_in_thread(app)
    stack.callback(served.stop)
    return served.base_url


@pytest.fixture(scope="module")
def pair(flow: Flow, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    keys = demo_keyring(flow.data_dir)
    with contextlib.ExitStack() as stack:
        payee = RemitService(flow.net, keys.ports(flow.net, ["mobimo"]), tmp_path_factory.mktemp("mobimo"),
                             RemitSettings(payout_adapters={"mobimo": flow.sims["mobimo"].adapter_config()},
                                           reconcile_interval_ms=200),
                             fx=flow.providers.fx_client(["mobimo"]), funding=flow.providers.funding_client(["mobimo"]))
        payee.start()
        stack.callback(payee.stop)
        payee_url = _serve(stack, flow, payee, fsp=True)
        sender = RemitService(flow.net, keys.ports(flow.net, ["eurosend"]), tmp_path_factory.mktemp("eurosend"),
                              RemitSettings(receiving_fsp_urls={"mobimo": payee_url}, reconcile_interval_ms=200),
                              fx=flow.providers.fx_client(["eurosend"]),
                              funding=flow.providers.funding_client(["eurosend"]))
        sender.start()
        stack.callback(sender.stop)
        sender.directory.connect(flow.base_url, flow.tokens)
        yield Pair(flow, keys, payee, payee_url, sender, _serve(stack, flow, sender, fsp=False))


def _quote_body(msisdn: str, received: int = 10_000, fee: int = MOBIMO_FEE_MINOR, **changes: object) -> bytes:
    body = {"quote_id": str(uuid.uuid4()), "msisdn": msisdn, "amount_type": "SEND", "amount_received_minor": received,
            "receiving_fee_minor": fee, "currency": "RWF", "expires_at_ms": now_ms() + 60_000,
            "sender_name": "Marie Dupont", "receiver_name": "Jeanne Uwase", **changes}
    return json.dumps(body).encode()


def _agree(pair: Pair, msisdn: str, by: str = "eurosend", **changes: object) -> dict:
    body = _quote_body(msisdn, **changes)
    with pair.fsp() as http:
        answer = http.post(QUOTES, content=body, headers=pair.signed(by, "POST", QUOTES, body))
    assert answer.status_code == 200, answer.text
    return {**json.loads(body), **answer.json()}


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
        body = _quote_body(msisdn)
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
        body = _quote_body(msisdn)
        problem(http.post(QUOTES, content=body, headers=pair.signed("silkpay", "POST", QUOTES, body)), 429, 3041)
        assert http.get(path, headers=pair.signed("eurosend", "GET", path)).status_code == 200  # its own allowance


def test_a_quote_is_refused_for_a_number_not_served_other_fees_or_other_terms(pair: Pair) -> None:
    msisdn = pair.flow.wallet("mobimo")
    with pair.fsp() as http:
        def post(body: bytes) -> httpx.Response:
            return http.post(QUOTES, content=body, headers=pair.signed("eurosend", "POST", QUOTES, body))

        problem(post(_quote_body("+250788000002")), 404, Code.PARTY_NOT_FOUND)  # no wallet there
        ubumwe_wallet = pair.flow.wallet("ubumwe")
        problem(post(_quote_body(ubumwe_wallet)), 404, Code.PARTY_NOT_FOUND)  # another FSP's wallet
        problem(post(_quote_body(msisdn, fee=0)), 422, 5105)  # not mobimo's fee
        problem(post(_quote_body(msisdn, amount_received_minor="10000")), 400, Code.VALIDATION)
        problem(post(_quote_body(msisdn, expires_at_ms=now_ms() + 7_200_000)), 400, Code.VALIDATION)
        problem(post(_quote_body(msisdn, received=2**63 - 1)), 400, Code.VALIDATION)  # no total the ledger takes
        body = _quote_body(msisdn)
        first = post(body)
        assert first.status_code == 200, first.text
        assert post(body).json() == first.json()  # a resend, signed anew: the same answer
        quote_id = json.loads(body)["quote_id"]
        problem(post(_quote_body(msisdn, received=20_000, quote_id=quote_id)), 409, Code.MODIFIED_REQUEST)
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

        problem(post(_quote_body(msisdn, sender_name=SANCTIONED)), 422, RemitCode.COMPLIANCE_REJECTED)
        for name in ("Marie\x1b[2J Dupont", "Marie \u202eDupont", "Marie\r\nDupont", "M" * 301, "", "  "):
            problem(post(_quote_body(msisdn, sender_name=name)), 400, Code.VALIDATION)
        problem(post(_quote_body(msisdn, receiver_name="J\u202eU")), 400, Code.VALIDATION)
        body = json.loads(_quote_body(msisdn))
        del body["sender_name"]
        problem(post(json.dumps(body).encode()), 400, Code.VALIDATION)  # required
        first = _quote_body(msisdn)
        assert post(first).status_code == 200
        other_sender = _quote_body(msisdn, quote_id=json.loads(first)["quote_id"], sender_name="Marie Dupond")
        problem(post(other_sender), 409, Code.MODIFIED_REQUEST)  # the resend's hash covers the names


class _PayeeTermsV1(msgspec.Struct, frozen=True, kw_only=True):
    """A kept quote's terms as a deployment stored them before the names travelled and the v2 hashlock."""

    quote_id: str
    sending_fsp: str
    receiving_fsp: str
    msisdn: str
    currency: str
    amount_received_minor: int
    receiving_fee_minor: int
    condition: bytes
    expires_at_ms: int


def test_a_quote_kept_before_the_upgrade_loads_and_its_reservation_is_voided_not_paid(pair: Pair) -> None:
    """An old row loads (no names); its condition is the v1 one (the quote id alone), which this FSP no longer
    opens: paying it out would leave a payout it cannot commit, so the reservation is voided, the money back."""
    msisdn, quote_id, expires_at_ms = pair.flow.wallet("mobimo"), str(uuid.uuid4()), now_ms() + 60_000
    secret = pair.payee.agents["mobimo"].secret
    condition = condition_of(hmac.new(secret, b"inzira/remit/fulfilment/v1\x00" + quote_id.encode(),
                                      hashlib.sha256).digest())
    old = _PayeeTermsV1(quote_id=quote_id, sending_fsp="eurosend", receiving_fsp="mobimo", msisdn=msisdn,
                        currency="RWF", amount_received_minor=10_000, receiving_fee_minor=MOBIMO_FEE_MINOR,
                        condition=condition, expires_at_ms=expires_at_ms)
    quotes = pair.payee.payee_quotes
    quotes.db.write("INSERT INTO payee_quotes VALUES (?, ?, ?, ?, ?, ?, NULL, 0)",
                    (quote_id, "eurosend", expires_at_ms, b"\x00" * 32, msgspec.msgpack.encode(old),
                     pair.flow.net.node.height))
    kept = quotes.get(quote_id)
    assert kept is not None and kept[0].condition == condition and kept[0].sender_name == ""
    pending = _reserve(pair, {"quote_id": quote_id, "condition": b64url(condition)}, 10_000)
    assert _settled(pair, pending) == VOIDED
    assert pair.payee.payouts.get(pending) is None
    assert pair.flow.sims["mobimo"].admin.wallet(msisdn[1:]).balance_minor == 0  # type: ignore[union-attr]


def _reserve(pair: Pair, quote: dict, received: int, payee: str = "mobimo", memo: str | None = None,
             extra: tuple[Leg, ...] = (), by: str = "eurosend", expires_in_ms: int = 20_000) -> bytes:
    """A hashlocked reservation crafted by ``by`` (from its own RWF, ``_rwf_of``): credits mobimo as given."""
    condition = base64.urlsafe_b64decode(quote["condition"] + "=" * (-len(quote["condition"]) % 4))
    source = _rwf_of(pair, by)
    legs = (Leg(source, "mobimo:rwf", received, "RWF"), Leg(source, "mobimo:fees-rwf", MOBIMO_FEE_MINOR, "RWF"),
            *extra)
    op = Transfer(legs, (), memo or f"remit:{quote['quote_id']}", now_ms() + expires_in_ms, condition, payee)
    outcome = pair.keys.port(pair.flow.net, by).execute(op, f"test:{uuid.uuid4().hex}")
    assert outcome.code == Code.OK, outcome
    return outcome.tx_id


def _rwf_of(pair: Pair, member: str) -> str:
    """``member``'s RWF account, opened and funded by the central bank the first time (the demo gives a sending
    FSP none: its reservations draw on the FX provider's RWF through a firm quote)."""
    account = f"{member}:rwf"
    if pair.flow.net.node.account(account) is None:
        for signer, op in ((member, OpenAccount(account, "RWF")), ("cbr", Issue(account, 10_000_000, "RWF", account))):
            assert pair.keys.port(pair.flow.net, signer).execute(op, f"test:{uuid.uuid4().hex}").code == Code.OK
    return account


def _settled(pair: Pair, pending_id: bytes) -> int:
    return wait_until("the reservation to be resolved", lambda: (
        p := pair.flow.net.node.pending(pending_id)) is not None and p.status != PENDING and p.status, timeout_s=30)


def _decided(pair: Pair, pending_id: bytes, quote_id: str) -> None:
    """Have the receiving side judge a reservation now, and wait for its decision (it judged it once already)."""
    flow_ = pair.payee.agents["mobimo"].payout_flow
    pair.payee.submit(flow_._pay(pending_id, quote_id)).result(30)


def test_a_reservation_is_paid_only_if_it_matches_its_quote_and_once(pair: Pair) -> None:
    msisdn = pair.flow.wallet("mobimo")
    wallet = pair.flow.sims["mobimo"].admin
    short = _agree(pair, msisdn)
    assert _settled(pair, _reserve(pair, short, 9_999)) == VOIDED  # less than agreed: declined, money back
    more = _agree(pair, msisdn)
    assert _settled(pair, _reserve(pair, more, 10_001)) == VOIDED  # more than agreed too
    assert wallet.wallet(msisdn[1:]).balance_minor == 0  # type: ignore[union-attr]

    other_payee = _agree(pair, msisdn)  # names ubumwe as the payee: mobimo could not void it after paying
    pending = _reserve(pair, other_payee, 10_000, payee="ubumwe", extra=(Leg("eurosend:rwf", "ubumwe:rwf", 1, "RWF"),))
    _decided(pair, pending, other_payee["quote_id"])
    assert pair.payee.payouts.get(pending) is None and pair.flow.net.node.pending(pending).status == PENDING  # type: ignore[union-attr]

    theirs = _agree(pair, msisdn)  # agreed by eurosend; silkpay reserving under it would void eurosend's own
    foreign = _reserve(pair, theirs, 10_000, by="silkpay")
    assert _settled(pair, foreign) == VOIDED and pair.payee.payouts.get(foreign) is None
    assert all(q != theirs["quote_id"] for q, _ in pair.payee.payee_quotes.open_reservations(10_000))  # not noted

    unknown = _reserve(pair, _agree(pair, msisdn), 10_000, memo=f"remit:{uuid.uuid4()}")  # no quote of that id
    _decided(pair, unknown, "no-such-quote")
    assert pair.payee.payouts.get(unknown) is None and pair.flow.net.node.pending(unknown).status == PENDING  # type: ignore[union-attr]

    quote = _agree(pair, msisdn)
    first = _reserve(pair, quote, 10_000)
    assert _settled(pair, first) == POSTED
    assert wallet.wallet(msisdn[1:]).balance_minor == 10_000  # type: ignore[union-attr]
    again = _reserve(pair, quote, 10_000)  # the same quote, a second reservation: not paid twice
    assert _settled(pair, again) == VOIDED
    assert wallet.wallet(msisdn[1:]).balance_minor == 10_000  # type: ignore[union-attr]
    assert pair.payee.payouts.get(again) is None


def test_a_reservation_naming_another_payee_is_left_to_expire_not_voided_again_and_again(
        pair: Pair, caplog: pytest.LogCaptureFixture) -> None:
    """The agreeing sender's reservation under a quote, naming ubumwe as payee: mobimo cannot void it (the
    ledger refuses), so reconciliation stops taking it up rather than signing a refused void every pass."""
    quote = _agree(pair, pair.flow.wallet("mobimo"))
    pending = _reserve(pair, quote, 10_000, payee="ubumwe", extra=(Leg("eurosend:rwf", "ubumwe:rwf", 1, "RWF"),))
    quotes = pair.payee.payee_quotes
    wait_until("the reservation noted under its quote", lambda: quotes.db.row(
        "SELECT pending_id FROM payee_quotes WHERE quote_id = ?", (quote["quote_id"],)) == (pending,), timeout_s=30)
    with caplog.at_level("WARNING", logger="inzira.remit.payout_flow"):
        for _ in range(2):
            pair.payee.submit(pair.payee.reconciler.run_once()).result(30)
        _decided(pair, pending, quote["quote_id"])
    assert all(q != quote["quote_id"] for q, _ in quotes.open_reservations(10_000))
    assert pending.hex() not in caplog.text  # no void signed that the ledger refused
    assert pair.flow.net.node.pending(pending).status == PENDING  # type: ignore[union-attr]


def _payee_service(pair: Pair, folder: Path, batch: int = 500) -> RemitService:
    return RemitService(pair.flow.net, pair.keys.ports(pair.flow.net, ["mobimo"]), folder,
                        RemitSettings(payout_adapters={"mobimo": pair.flow.sims["mobimo"].adapter_config()},
                                      reconcile_interval_ms=200, reconcile_batch_max=batch),
                        fx=pair.flow.providers.fx_client(["mobimo"]),
                        funding=pair.flow.providers.funding_client(["mobimo"]))


def test_quotes_agreed_before_a_restart_are_paid_once_after_it(pair: Pair,
                                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("mobimo-restarted")
    msisdn = pair.flow.wallet("mobimo")
    with contextlib.ExitStack() as first_run:
        first = _payee_service(pair, folder).start()
        first_run.callback(first.stop)
        agreeing = dataclasses.replace(pair, payee_url=_serve(first_run, pair.flow, first, fsp=True))
        later, meanwhile = _agree(agreeing, msisdn), _agree(agreeing, msisdn)
    while_stopped = _reserve(pair, meanwhile, 10_000)  # in the chain while nothing of mobimo's runs
    with _payee_service(pair, folder) as restarted:
        assert _settled(pair, while_stopped) == POSTED  # found in the blocks at start
        pending = _reserve(pair, later, 10_000)
        assert _settled(pair, pending) == POSTED
        assert restarted.payouts.get(pending).status == "SUCCESSFUL"  # type: ignore[union-attr]
        assert pair.flow.sims["mobimo"].admin.wallet(msisdn[1:]).balance_minor == 20_000  # type: ignore[union-attr]
        again = _reserve(pair, later, 10_000)
        assert _settled(pair, again) == VOIDED  # paid once, whatever restarts in between


def test_a_reservation_made_while_stopped_is_paid_however_many_quotes_went_unused(
        pair: Pair, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Quotes nobody reserved under (another member's, sooner to expire) do not hide, from the scan of blocks at
    start, the honest sender's reservation made while the receiving deployment was stopped: it is paid out."""
    folder = tmp_path_factory.mktemp("mobimo-crowded")
    msisdn = pair.flow.wallet("mobimo")
    before = pair.flow.sims["mobimo"].admin.wallet(msisdn[1:]).balance_minor  # type: ignore[union-attr]
    with contextlib.ExitStack() as first_run:
        first = _payee_service(pair, folder).start()
        first_run.callback(first.stop)
        agreeing = dataclasses.replace(pair, payee_url=_serve(first_run, pair.flow, first, fsp=True))
        for _ in range(3):  # more unused quotes than one reconciliation batch (2 below)
            _agree(agreeing, msisdn, by="silkpay", expires_at_ms=now_ms() + 30_000)
        honest = _agree(agreeing, msisdn)
    while_stopped = _reserve(pair, honest, 10_000)
    with _payee_service(pair, folder, batch=2):
        assert _settled(pair, while_stopped) == POSTED
    assert pair.flow.sims["mobimo"].admin.wallet(msisdn[1:]).balance_minor == before + 10_000  # type: ignore[union-attr]


def _public_fulfilment(pair: Pair, pending_id: bytes) -> bytes:
    """What anyone reads on chain once a hashlocked transfer committed: the fulfilment its commit revealed."""
    committed = pair.flow.net.node.pending(pending_id)
    assert committed is not None and committed.status == POSTED
    stored = pair.flow.net.node.tx(committed.resolved_by_tx)
    assert stored is not None
    post = decode_body(decode_signed(stored.raw).body).op
    assert isinstance(post, PostPending) and post.pending_id == pending_id
    return post.fulfilment


def test_a_quote_id_agreed_again_once_forgotten_gets_a_condition_its_old_fulfilment_does_not_open(
        pair: Pair, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Once a transfer commits, its fulfilment is public on chain; the receiving FSP forgets the quote some time
    after it expired. Were the condition derived from the quote id alone, the sending FSP could agree the same
    id again, reserve under it and commit that reservation itself with the public fulfilment: a "paid out" the
    receiving FSP never gave, with nothing paid. The condition binds all the agreed terms instead."""
    msisdn = pair.flow.wallet("mobimo")
    wallet = pair.flow.sims["mobimo"].admin
    with contextlib.ExitStack() as stack:
        payee = _payee_service(pair, tmp_path_factory.mktemp("mobimo-forgets")).start()
        stack.callback(payee.stop)
        agreeing = dataclasses.replace(pair, payee_url=_serve(stack, pair.flow, payee, fsp=True))
        first = _agree(agreeing, msisdn)
        paid = _reserve(pair, first, 10_000)
        assert _settled(pair, paid) == POSTED
        public = _public_fulfilment(pair, paid)
        quotes = payee.payee_quotes
        wait_until("the reservation seen resolved", lambda: not quotes.open_reservations(10), timeout_s=30)
        assert quotes.prune(now_ms() + 3_600_000, 10) == 1  # as reconciliation does, well after its expiry
        balance = wallet.wallet(msisdn[1:]).balance_minor  # type: ignore[union-attr]

        again = _agree(agreeing, msisdn, quote_id=first["quote_id"])  # the same id, agreed anew
        assert again["condition"] not in (first["condition"], b64url(condition_of(public)))
        replayed = _reserve(pair, again, 10_000)
        outcome = pair.keys.port(pair.flow.net, "eurosend").execute(PostPending(replayed, public),
                                                                    f"test:{uuid.uuid4().hex}")
        assert outcome.code in (Code.BAD_FULFILMENT, Code.ALREADY_RESOLVED), outcome  # mobimo may void it first
        assert _settled(pair, replayed) == VOIDED  # this quote id was paid out once already
        assert wallet.wallet(msisdn[1:]).balance_minor == balance  # type: ignore[union-attr]


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
        body = _quote_body(msisdn, quote_id=own["quote_id"])
        with httpx.Client(base_url=both, timeout=HTTP_TIMEOUT_S) as http:
            answer = http.post(QUOTES, content=body, headers=pair.signed("silkpay", "POST", QUOTES, body))
        problem(answer, 409, Code.MODIFIED_REQUEST)
        assert flow.service.payee_quotes.get(own["quote_id"]) is None  # nothing kept under the service's id
        with httpx.Client(base_url=both, timeout=HTTP_TIMEOUT_S) as http:
            fresh = _quote_body(msisdn)
            assert http.post(QUOTES, content=fresh, headers=pair.signed("silkpay", "POST", QUOTES, fresh)
                             ).status_code == 200  # another id is agreed as ever


def test_a_payout_under_way_at_a_stop_is_committed_after_the_restart_though_a_reservation_before_it_was_declined(
        pair: Pair, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The sending FSP's first reservation under a quote is declined (other amounts), its second is paid. The
    payout of the second was under way (the operator accepted it) when the receiving deployment stopped: after
    the restart it must be taken up and committed. It was not: only the first reservation seen under a quote was
    kept open for reconciliation, so the wallet was paid and the transfer expired, the money back to the sender."""
    folder = tmp_path_factory.mktemp("mobimo-mid-payout")
    msisdn, sim = pair.flow.wallet("mobimo"), pair.flow.sims["mobimo"].admin
    try:
        with contextlib.ExitStack() as first_run:
            first = _payee_service(pair, folder).start()
            first_run.callback(first.stop)
            quote = _agree(dataclasses.replace(pair, payee_url=_serve(first_run, pair.flow, first, fsp=True)), msisdn)
            assert _settled(pair, _reserve(pair, quote, 9_999)) == VOIDED  # the sender's own mistake: declined
            quotes = first.payee_quotes
            wait_until("the declined reservation seen resolved", lambda: not quotes.open_reservations(10), timeout_s=30)
            sim.set_behaviour(Behaviour(latency_ms=1_500))  # accepted at once, in the wallet 1.5 s later
            pending = _reserve(pair, quote, 10_000)
            wait_until("the operator asked to pay", lambda: first.payouts.get(pending) is not None, timeout_s=30)
        wait_until("the wallet paid while the deployment is stopped",
                   lambda: sim.wallet(msisdn[1:]).balance_minor == 10_000, timeout_s=30)  # type: ignore[union-attr]
    finally:
        sim.set_behaviour(Behaviour())
    with _payee_service(pair, folder):
        assert _settled(pair, pending) == POSTED  # the payout taken up again and committed, not left to expire
