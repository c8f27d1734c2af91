"""The receiving FSP's deployment paying out a reservation made under a quote it agreed to another deployment
(two remittance services on one ledger, as in test_inter_fsp.py): only a reservation that matches the kept terms
exactly, by the sending FSP that agreed them, once per quote, and whatever restarts in between; a quote kept
before the v2 hashlock, or a quote id agreed again once forgotten, opens nothing its old fulfilment could.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import uuid

import msgspec
import pytest

from inzira.ledger.codes import Code
from inzira.ledger.records import PENDING, POSTED, VOIDED, Leg
from inzira.ledger.tx import PostPending, decode_body, decode_signed
from inzira.remit.condition import b64url, condition_of
from inzira.sim.momo.config import Behaviour
from tests.network.helpers import wait_until
from tests.remit_flow.conftest import now_ms
from tests.remit_flow.inter_fsp import (  # noqa: F401 (fixture)
    MOBIMO_FEE_MINOR,
    Pair,
    agree,
    pair,
    payee_service,
    reserve,
    serve_service,
    settled,
)


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
    pending = reserve(pair, {"quote_id": quote_id, "condition": b64url(condition)}, 10_000)
    assert settled(pair, pending) == VOIDED
    assert pair.payee.payouts.get(pending) is None
    assert pair.flow.sims["mobimo"].admin.wallet(msisdn[1:]).balance_minor == 0  # type: ignore[union-attr]


def _decided(pair: Pair, pending_id: bytes, quote_id: str) -> None:
    """Have the receiving side judge a reservation now, and wait for its decision (it judged it once already)."""
    flow_ = pair.payee.agents["mobimo"].payout_flow
    pair.payee.submit(flow_._pay(pending_id, quote_id)).result(30)


def test_a_reservation_is_paid_only_if_it_matches_its_quote_and_once(pair: Pair) -> None:
    msisdn = pair.flow.wallet("mobimo")
    wallet = pair.flow.sims["mobimo"].admin
    short = agree(pair, msisdn)
    assert settled(pair, reserve(pair, short, 9_999)) == VOIDED  # less than agreed: declined, money back
    more = agree(pair, msisdn)
    assert settled(pair, reserve(pair, more, 10_001)) == VOIDED  # more than agreed too
    assert wallet.wallet(msisdn[1:]).balance_minor == 0  # type: ignore[union-attr]

    other_payee = agree(pair, msisdn)  # names ubumwe as the payee: mobimo could not void it after paying
    pending = reserve(pair, other_payee, 10_000, payee="ubumwe", extra=(Leg("eurosend:rwf", "ubumwe:rwf", 1, "RWF"),))
    _decided(pair, pending, other_payee["quote_id"])
    assert pair.payee.payouts.get(pending) is None and pair.flow.net.node.pending(pending).status == PENDING  # type: ignore[union-attr]

    theirs = agree(pair, msisdn)  # agreed by eurosend; silkpay reserving under it would void eurosend's own
    foreign = reserve(pair, theirs, 10_000, by="silkpay")
    assert settled(pair, foreign) == VOIDED and pair.payee.payouts.get(foreign) is None
    assert all(q != theirs["quote_id"] for q, _ in pair.payee.payee_quotes.open_reservations(10_000))  # not noted

    unknown = reserve(pair, agree(pair, msisdn), 10_000, memo=f"remit:{uuid.uuid4()}")  # no quote of that id
    _decided(pair, unknown, "no-such-quote")
    assert pair.payee.payouts.get(unknown) is None and pair.flow.net.node.pending(unknown).status == PENDING  # type: ignore[union-attr]

    quote = agree(pair, msisdn)
    first = reserve(pair, quote, 10_000)
    assert settled(pair, first) == POSTED
    assert wallet.wallet(msisdn[1:]).balance_minor == 10_000  # type: ignore[union-attr]
    again = reserve(pair, quote, 10_000)  # the same quote, a second reservation: not paid twice
    assert settled(pair, again) == VOIDED
    assert wallet.wallet(msisdn[1:]).balance_minor == 10_000  # type: ignore[union-attr]
    assert pair.payee.payouts.get(again) is None


def test_a_reservation_naming_another_payee_is_left_to_expire_not_voided_again_and_again(
        pair: Pair, caplog: pytest.LogCaptureFixture) -> None:
    """The agreeing sender's reservation under a quote, naming ubumwe as payee: mobimo cannot void it (the
    ledger refuses), so reconciliation stops taking it up rather than signing a refused void every pass."""
    quote = agree(pair, pair.flow.wallet("mobimo"))
    pending = reserve(pair, quote, 10_000, payee="ubumwe", extra=(Leg("eurosend:rwf", "ubumwe:rwf", 1, "RWF"),))
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


def test_quotes_agreed_before_a_restart_are_paid_once_after_it(pair: Pair,
                                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("mobimo-restarted")
    msisdn = pair.flow.wallet("mobimo")
    with contextlib.ExitStack() as first_run:
        first = payee_service(pair, folder).start()
        first_run.callback(first.stop)
        agreeing = dataclasses.replace(pair, payee_url=serve_service(first_run, pair.flow, first, fsp=True))
        later, meanwhile = agree(agreeing, msisdn), agree(agreeing, msisdn)
    while_stopped = reserve(pair, meanwhile, 10_000)  # in the chain while nothing of mobimo's runs
    with payee_service(pair, folder) as restarted:
        assert settled(pair, while_stopped) == POSTED  # found in the blocks at start
        pending = reserve(pair, later, 10_000)
        assert settled(pair, pending) == POSTED
        assert restarted.payouts.get(pending).status == "SUCCESSFUL"  # type: ignore[union-attr]
        assert pair.flow.sims["mobimo"].admin.wallet(msisdn[1:]).balance_minor == 20_000  # type: ignore[union-attr]
        again = reserve(pair, later, 10_000)
        assert settled(pair, again) == VOIDED  # paid once, whatever restarts in between


def test_a_reservation_made_while_stopped_is_paid_however_many_quotes_went_unused(
        pair: Pair, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Quotes nobody reserved under (another member's, sooner to expire) do not hide, from the scan of blocks at
    start, the honest sender's reservation made while the receiving deployment was stopped: it is paid out."""
    folder = tmp_path_factory.mktemp("mobimo-crowded")
    msisdn = pair.flow.wallet("mobimo")
    before = pair.flow.sims["mobimo"].admin.wallet(msisdn[1:]).balance_minor  # type: ignore[union-attr]
    with contextlib.ExitStack() as first_run:
        first = payee_service(pair, folder).start()
        first_run.callback(first.stop)
        agreeing = dataclasses.replace(pair, payee_url=serve_service(first_run, pair.flow, first, fsp=True))
        for _ in range(3):  # more unused quotes than one reconciliation batch (2 below)
            agree(agreeing, msisdn, by="silkpay", expires_at_ms=now_ms() + 30_000)
        honest = agree(agreeing, msisdn)
    while_stopped = reserve(pair, honest, 10_000)
    with payee_service(pair, folder, batch=2):
        assert settled(pair, while_stopped) == POSTED
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
        payee = payee_service(pair, tmp_path_factory.mktemp("mobimo-forgets")).start()
        stack.callback(payee.stop)
        agreeing = dataclasses.replace(pair, payee_url=serve_service(stack, pair.flow, payee, fsp=True))
        first = agree(agreeing, msisdn)
        paid = reserve(pair, first, 10_000)
        assert settled(pair, paid) == POSTED
        public = _public_fulfilment(pair, paid)
        quotes = payee.payee_quotes
        wait_until("the reservation seen resolved", lambda: not quotes.open_reservations(10), timeout_s=30)
        assert quotes.prune(now_ms() + 3_600_000, 10) == 1  # as reconciliation does, well after its expiry
        balance = wallet.wallet(msisdn[1:]).balance_minor  # type: ignore[union-attr]

        again = agree(agreeing, msisdn, quote_id=first["quote_id"])  # the same id, agreed anew
        assert again["condition"] not in (first["condition"], b64url(condition_of(public)))
        replayed = reserve(pair, again, 10_000)
        outcome = pair.keys.port(pair.flow.net, "eurosend").execute(PostPending(replayed, public),
                                                                    f"test:{uuid.uuid4().hex}")
        assert outcome.code in (Code.BAD_FULFILMENT, Code.ALREADY_RESOLVED), outcome  # mobimo may void it first
        assert settled(pair, replayed) == VOIDED  # this quote id was paid out once already
        assert wallet.wallet(msisdn[1:]).balance_minor == balance  # type: ignore[union-attr]


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
            first = payee_service(pair, folder).start()
            first_run.callback(first.stop)
            quote = agree(dataclasses.replace(pair, payee_url=serve_service(first_run, pair.flow, first, fsp=True)), msisdn)
            assert settled(pair, reserve(pair, quote, 9_999)) == VOIDED  # the sender's own mistake: declined
            quotes = first.payee_quotes
            wait_until("the declined reservation seen resolved", lambda: not quotes.open_reservations(10), timeout_s=30)
            sim.set_behaviour(Behaviour(latency_ms=1_500))  # accepted at once, in the wallet 1.5 s later
            pending = reserve(pair, quote, 10_000)
            wait_until("the operator asked to pay", lambda: first.payouts.get(pending) is not None, timeout_s=30)
        wait_until("the wallet paid while the deployment is stopped",
                   lambda: sim.wallet(msisdn[1:]).balance_minor == 10_000, timeout_s=30)  # type: ignore[union-attr]
    finally:
        sim.set_behaviour(Behaviour())
    with payee_service(pair, folder):
        assert settled(pair, pending) == POSTED  # the payout taken up again and committed, not left to expire
