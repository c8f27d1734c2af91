"""Attacks on the payee side's fulfilment: a condition issued twice, so that a fulfilment already public opens
a new reservation; and a book of paid quotes that would refuse every quote once full.

A committed transfer's fulfilment is public (on Inzira's chain, and in the hub's PUT). Whoever reveals a
preimage may commit a hashlocked reservation, so if a payer FSP could agree a forgotten quote id again and get
the same condition, any third party could commit the gateway's new reservation with the old fulfilment at a
moment the gateway chose not to (the hub aborted): the gateway pays out without being paid.

Against a real demo (real ledger, real HTTP) and the recording hub of payee_env; each test has a demo of its
own, whose quote book it shrinks to the quotes it made.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from inzira.demo.setup import demo_keyring
from inzira.interop.mojaloop import fulfilment, ilp
from inzira.interop.mojaloop.gateway import Gateway, GatewaySettings
from inzira.interop.mojaloop.store import QuoteRecord, TransferRecord
from inzira.interop.mojaloop.timefmt import iso_ms, parse_ms
from inzira.ledger.codes import Code
from inzira.ledger.tx import PostPending
from inzira.node.signer import wall_clock_ms
from inzira.remit.settings import position_account
from tests.mojaloop.payee_env import PAYER_FSP, WALLET, Bench, Hub, quote_body, start_bench, transfer_body
from tests.mojaloop.payer_app import NobodyServed, NoMoves
from tests.mojaloop.test_mojaloop_attacks_money import WAIT_S, HeldLedger
from tests.mojaloop.waiting import wait_for

SHORT_QUOTE_MS = 4_000  # long enough to pay (the gateway wants 1 s left), short enough to wait out
THIEF = "eurosend"  # any member: the ledger lets whoever reveals the preimage commit


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Bench]:
    yield from start_bench(tmp_path)


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _answer(bench: Bench, quote: dict) -> dict:
    """The gateway's answer to ``quote``: its PUT body, or its error's errorInformation."""
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    path = f"/quotes/{quote['quoteId']}"
    message = bench.hub.take_either(path, path + "/error")
    return message.body.get("errorInformation") or message.body


def _paid_and_expired(bench: Bench, amount: str) -> tuple[dict, dict, dict]:
    """A short quote, paid by a committed transfer, then waited out: (quote, answer, the hub's COMMITTED)."""
    quote = quote_body(amount=amount, expiration=iso_ms(wall_clock_ms() + SHORT_QUOTE_MS))
    answer = _answer(bench, quote)
    transfer = transfer_body(quote, answer)
    assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
    done = bench.hub.take(f"/transfers/{transfer['transferId']}").body
    assert done["transferState"] == "COMMITTED"
    expiry_ms = parse_ms(answer["expiration"])
    wait_for(lambda: wall_clock_ms() > expiry_ms)
    return quote, answer, done


def test_a_book_full_of_settled_quotes_still_takes_new_quotes(fresh):
    """Paid quotes were kept for ever: once ``quotes_max`` were paid (1 RWF each, for a payer FSP set on it),
    every quote was refused 2003, for good. A quote whose transfer ended and that expired now makes room."""
    store = fresh.demo.gateway.store
    _paid_and_expired(fresh, "1")
    store.quotes_max = 1  # the book is full of that one settled quote
    later = _answer(fresh, quote_body(amount="1"))
    assert "condition" in later, later


def test_a_quote_agreed_again_after_it_was_forgotten_gets_a_condition_the_public_fulfilment_cannot_open(fresh):
    node = fresh.demo.runtime.node
    store = fresh.demo.gateway.store
    transfers = fresh.demo.gateway.transfers
    party_account = position_account("mobimo", "RWF")
    first, first_answer, first_done = _paid_and_expired(fresh, "1000")
    public = _unb64(first_done["fulfilment"])
    assert ilp.condition_of(public) == _unb64(first_answer["condition"])
    store.quotes_max = 1  # the book forgets the paid quote to make room for another, then that one
    other = quote_body(amount="10", expiration=iso_ms(wall_clock_ms() + SHORT_QUOTE_MS))
    other_expiry_ms = parse_ms(_answer(fresh, other)["expiration"])
    assert store.quote(first["quoteId"]) is None
    wait_for(lambda: wall_clock_ms() > other_expiry_ms)

    # The payer FSP agrees the same quote id again, same payee and amount.
    again = quote_body(amount="1000", quoteId=first["quoteId"])
    answer = _answer(fresh, again)
    assert "condition" in answer, answer
    assert answer["condition"] != first_answer["condition"]
    assert not ilp.fulfils(first_done["fulfilment"], answer["condition"])

    # Its transfer reserves on Inzira; the hub aborts before the gateway commits; a third party who read the old
    # fulfilment on the chain tries to commit the reservation with it.
    before = node.account(party_account).credits_posted
    held = HeldLedger(transfers.ledger, "commit")
    transfer = transfer_body(again, answer)
    transfers.ledger = held
    try:
        assert fresh.send("POST", "/transfers", "transfers", transfer).status_code == 202
        assert held.entered.wait(WAIT_S)  # reserved on Inzira, the gateway's commit held
        stored = store.transfer(transfer["transferId"])
        pending_id = bytes.fromhex(stored.pending_id)
        thief = demo_keyring(fresh.demo.data_dir).port(fresh.demo.runtime, THIEF)
        stolen = thief.execute(PostPending(pending_id, public), "post-with-the-public-fulfilment")
        assert stolen.code != Code.OK
        assert held.state(pending_id) == "RESERVED"
        assert node.account(party_account).credits_posted == before
    finally:
        held.gate.set()
        transfers.ledger = held.inner
    done = fresh.hub.take(f"/transfers/{transfer['transferId']}").body
    assert done["transferState"] == "COMMITTED" and ilp.fulfils(done["fulfilment"], answer["condition"])
    assert done["fulfilment"] != first_done["fulfilment"]
    assert node.account(party_account).credits_posted == before + 1000


FOREIGN = ilp.condition_of(hashlib.sha256(b"not the gateway's").digest())


def _foreign(packet: str) -> str:
    """``packet`` with a condition the gateway's key does not give it (as a quote agreed before the fulfilment
    was bound to its packet, whose condition came from the quote id alone)."""
    view = ilp.read_packet(packet)
    return ilp.transaction_packet(view.transaction, view.amount_minor, view.expires_at, FOREIGN)


def test_a_kept_quote_whose_packet_the_gateway_cannot_open_is_refused_before_any_reservation(fresh):
    """A quote whose kept packet the gateway's key does not open is never reserved: the reservation could end
    only at its expiry, the gateway's funds locked until then."""
    node = fresh.demo.runtime.node
    store = fresh.demo.gateway.store
    party_account = position_account("mobimo", "RWF")
    quote = quote_body(amount="700")
    answer = _answer(fresh, quote)
    kept = store.quote(quote["quoteId"])
    packet, foreign = _foreign(kept.ilp_packet), FOREIGN
    store.put_quote(msgspec.structs.replace(kept, ilp_packet=packet, condition=ilp.encode_condition(foreign)))
    before = node.account(party_account).credits_pending
    transfer = transfer_body(quote, answer, ilpPacket=packet, condition=ilp.encode_condition(foreign))
    assert fresh.send("POST", "/transfers", "transfers", transfer).status_code == 202
    refused = fresh.hub.take(f"/transfers/{transfer['transferId']}/error").body["errorInformation"]
    assert refused["errorCode"] == "5105", refused
    stored = store.transfer(transfer["transferId"])
    assert stored.state == "ABORTED" and not stored.pending_id
    assert node.account(party_account).credits_pending == before


def test_a_reservation_whose_packet_the_gateway_can_no_longer_open_is_aborted_never_committed(fresh):
    """Reserved under a quote whose packet the gateway's key no longer opens (in flight across the upgrade that
    bound the fulfilment to the packet): the hub is told 5105, nothing is revealed, the reservation expires."""
    node = fresh.demo.runtime.node
    store = fresh.demo.gateway.store
    transfers = fresh.demo.gateway.transfers
    party_account = position_account("mobimo", "RWF")
    before = node.account(party_account).credits_posted
    quote = quote_body(amount="800")
    answer = _answer(fresh, quote)
    transfer = transfer_body(quote, answer)
    held = HeldLedger(transfers.ledger, "reserve")
    transfers.ledger = held
    try:
        assert fresh.send("POST", "/transfers", "transfers", transfer).status_code == 202
        assert held.entered.wait(WAIT_S)  # checked and claimed; its reservation held
        kept = store.quote(quote["quoteId"])
        store.put_quote(msgspec.structs.replace(kept, ilp_packet=_foreign(kept.ilp_packet)))
        held.gate.set()
        refused = fresh.hub.take(f"/transfers/{transfer['transferId']}/error").body["errorInformation"]
    finally:
        held.gate.set()
        transfers.ledger = held.inner
    assert refused["errorCode"] == "5105", refused
    stored = store.transfer(transfer["transferId"])
    assert stored.state == "ABORTED" and stored.pending_id and not stored.fulfilment
    assert held.state(bytes.fromhex(stored.pending_id)) == "RESERVED"  # ends at its expiry
    assert node.account(party_account).credits_posted == before


class CommittedOnInzira(NoMoves):
    """A ledger on which every reservation the gateway asks about is committed."""

    def state(self, pending_id: bytes) -> str:
        return "COMMITTED"


def test_a_commit_the_gateway_cannot_fulfil_towards_the_hub_is_aborted_there_and_flagged(tmp_path: Path):
    """Committed on Inzira (before a restart) under a quote whose packet the gateway's key no longer opens: the
    hub cannot be given the fulfilment, so it is told 5105, and the transfer is flagged for reconciliation."""
    hub = Hub().start()
    gateway = Gateway(GatewaySettings(hub_url=hub.url, sweep_interval_ms=50), tmp_path, NobodyServed(),
                      CommittedOnInzira(), wall_clock_ms)
    now_ms = wall_clock_ms()
    packet = _foreign(fulfilment.locked_packet(bytes(32), {"quoteId": "q-old"}, 500, datetime.now(UTC))[0])
    condition = ilp.encode_condition(FOREIGN)
    gateway.store.put_quote(QuoteRecord(
        quote_id="q-old", digest="-", payer_fsp=PAYER_FSP, transaction_id="t-old", party_type="MSISDN",
        party_id=WALLET, amount_minor=500, currency="RWF", created_at_ms=now_ms, expires_at_ms=now_ms + 60_000,
        ilp_packet=packet, condition=condition, transfer_id="t-old"))
    gateway.store.put_transfer(TransferRecord(
        transfer_id="t-old", digest="-", payer_fsp=PAYER_FSP, quote_id="q-old", amount_minor=500, currency="RWF",
        condition=condition, expires_at_ms=now_ms + 60_000, state="RESERVED", created_at_ms=now_ms,
        updated_at_ms=now_ms, pending_id="ab" * 32))
    gateway.start()
    try:
        refused = hub.take("/transfers/t-old/error").body["errorInformation"]
        stored = wait_for(lambda: (t := gateway.store.transfer("t-old")).reconcile and t)
    finally:
        gateway.stop()
        hub.stop()
    assert refused["errorCode"] == "5105", refused
    assert stored.state == "ABORTED" and "recover the payment" in stored.reconcile and not stored.fulfilment
