"""The attacks of a hostile member on the state machine, each a regression test (issue 8).

Each case was a working attack on the ledger before: a transaction that raised out of ``apply``, a payment
applied twice or blocked by a re-signed copy, a hashlock voided by its payer, balances past 2^63, a block
time run ahead of the ordering log, a broken invariant noticed only by ``chain verify``.
"""

from __future__ import annotations

import hashlib

import msgspec
import pytest

from inzira.crypto.keygen import generate_keypair
from inzira.ledger.apply import prepare
from inzira.ledger.block import BlockHeader
from inzira.ledger.chain import ChainError, Replayer, check_block_time
from inzira.ledger.codes import Code
from inzira.ledger.encoding import encode
from inzira.ledger.records import Leg
from inzira.ledger.invariants import InvariantError
from inzira.ledger.tx import (
    TX_VERSION,
    Issue,
    PostPending,
    Quote,
    Sig,
    SignedQuote,
    SignedTx,
    Transfer,
    TxBody,
    VoidPending,
    decode_signed,
    sign_body,
    sign_quote,
    tx_id_of,
)
from inzira.money import AMOUNT_MINOR_MAX
from inzira.peer.tx_batch import TX_BATCH_TXS_MAX, TxBatch, decode_batch

from .conftest import verify_all
from .test_envelope_and_fx import _fx_setup
from .test_transfers import fund


def _tx_id(raw: bytes) -> bytes:
    return prepare(raw).tx_id


def test_no_transaction_signature_with_a_strangers_quote_gets_a_verdict(net):
    """Before: ``sig_ok`` counted only the quote's check, and ``apply`` raised IndexError on ``signers[0]``:
    the cutter died, and every cutter after it died on the same entry."""
    s, fx_eur, fx_rwf, p = _fx_setup(net)
    stranger = generate_keypair()
    quote = sign_quote(Quote(net.chain_id, "q", "imari-fx", "eurosend", "RWF", 300_000, "EUR", 200_00, "1500",
                             net.now_ms + 30_000), stranger)
    op = Transfer((Leg(s, fx_eur, 200_00, "EUR"), Leg(fx_rwf, p, 300_000, "RWF")), quotes=(quote,))
    body = encode(TxBody(TX_VERSION, net.chain_id, "eurosend", "poison", net.now_ms + 60_000, op))
    poison = encode(SignedTx(body, ()))
    honest_quote = net.tx("eurosend", Transfer(op.legs, quotes=(quote,)))
    assert net.block(poison, honest_quote) == [Code.BAD_SIGNATURE, Code.PERMISSION]
    assert net.one(net.tx("eurosend", Transfer((Leg(s, fx_eur, 1_00, "EUR"),)))) == Code.OK  # the chain goes on
    replayer = Replayer(net.genesis, verify_all)
    for built in net.blocks:
        replayer.apply(built.header.height, built.block)
    assert replayer.state.state_hash == net.state.state_hash


def test_a_body_resigned_by_another_member_spends_nothing_and_blocks_nothing(net):
    """Before: the id was a hash of the body and the key (first signer, reference): a member that re-signed
    someone's body alone got PERMISSION recorded under that id, and the real transaction was dropped."""
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    real = net.tx("eurosend", Transfer((Leg(a, b, 1_00, "EUR"),)), ref="pay-1")
    body = decode_signed(real).body
    resigned = encode(SignedTx(body, (Sig(net.keys["ubumwe"].public_key, net.keys["ubumwe"].sign(_tx_id(real))),)))
    assert _tx_id(resigned) == _tx_id(real)
    assert net.block(resigned, real) == [Code.PERMISSION, Code.OK]
    assert net.balance(b) == 1_00
    # Spent by the real one: every copy of it from now on is a duplicate, whoever else signed and in what order.
    again = encode(SignedTx(body, decode_signed(real).sigs + (Sig(net.keys["ubumwe"].public_key,
                                                                  net.keys["ubumwe"].sign(_tx_id(real))),)))
    assert net.block(again, real) == [Code.DUPLICATE, Code.DUPLICATE]
    assert net.balance(b) == 1_00


def test_signature_order_does_not_make_a_new_payment(net):
    """Before: a member that put its own signature first made a new idempotency key: 100 paid became 200."""
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    op = Transfer((Leg(a, b, 1_00, "EUR"),))
    body = TxBody(TX_VERSION, net.chain_id, "eurosend", "pay-2", net.now_ms + 60_000, op)
    first = sign_body(body, net.keys["eurosend"], net.keys["mobimo"])
    reordered = sign_body(body, net.keys["mobimo"], net.keys["eurosend"])
    assert net.block(reordered, first) == [Code.OK, Code.DUPLICATE]
    assert net.balance(b) == 1_00
    # The same reference with another body is a modified request, not a second payment.
    other = sign_body(TxBody(TX_VERSION, net.chain_id, "eurosend", "pay-2", net.now_ms + 60_000,
                             Transfer((Leg(a, b, 2_00, "EUR"),))), net.keys["eurosend"])
    assert net.one(other) == Code.MODIFIED_REQUEST
    assert net.balance(b) == 1_00


def test_a_failed_copy_does_not_spend_the_id_but_an_authenticated_failure_does(net):
    a = fund(net, "eurosend", "EUR", 1_00)
    b = fund(net, "mobimo", "EUR", 0)
    real = net.tx("eurosend", Transfer((Leg(a, b, 5_00, "EUR"),)), ref="too-much")
    forged = encode(SignedTx(decode_signed(real).body, (Sig(net.keys["eurosend"].public_key, bytes(64)),)))
    assert net.one(forged) == Code.BAD_SIGNATURE
    assert net.one(real) == Code.INSUFFICIENT_LIQUIDITY  # authenticated: its id is spent with this verdict
    assert net.one(real) == Code.DUPLICATE


def test_the_payer_cannot_void_a_hashlock_by_becoming_a_payee(net):
    """Before: "any payee may void": a payer that added a 1-unit leg to its own account became a payee."""
    a = fund(net, "eurosend", "EUR", 10_00)
    own = fund(net, "eurosend", "EUR", 0, name="side")
    b = fund(net, "mobimo", "EUR", 0)
    preimage = b"p" * 32
    lock = hashlib.sha256(preimage).digest()
    legs = (Leg(a, b, 7_00, "EUR"), Leg(a, own, 1, "EUR"))
    raw = net.tx("eurosend", Transfer(legs, expires_at_ms=net.now_ms + 60_000, condition=lock, payee="mobimo"))
    assert net.one(raw) == Code.OK
    pending = _tx_id(raw)
    assert net.one(net.tx("eurosend", VoidPending(pending))) == Code.PERMISSION
    assert net.one(net.tx("ubumwe", VoidPending(pending))) == Code.PERMISSION
    assert net.one(net.tx("mobimo", PostPending(pending, preimage))) == Code.OK
    assert net.balance(b) == 7_00


def test_in_the_remittance_shape_the_fx_provider_cannot_void(net):
    s, fx_eur, fx_rwf, p = _fx_setup(net)
    quote = sign_quote(Quote(net.chain_id, "q", "imari-fx", "eurosend", "RWF", 300_000, "EUR", 200_00, "1500",
                             net.now_ms + 30_000), net.keys["imari-fx"])
    lock = hashlib.sha256(b"q" * 32).digest()
    legs = (Leg(s, fx_eur, 200_00, "EUR"), Leg(fx_rwf, p, 300_000, "RWF"))
    raw = net.tx("eurosend", Transfer(legs, (quote,), expires_at_ms=net.now_ms + 60_000, condition=lock,
                                      payee="mobimo"))
    assert net.one(raw) == Code.OK
    assert net.one(net.tx("imari-fx", VoidPending(_tx_id(raw)))) == Code.PERMISSION
    assert net.one(net.tx("mobimo", VoidPending(_tx_id(raw)))) == Code.OK  # the payee declines: money back


def test_a_hashlock_names_a_credited_member_as_payee(net):
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    lock = hashlib.sha256(b"x" * 32).digest()
    later = net.now_ms + 60_000
    leg = (Leg(a, b, 1_00, "EUR"),)
    cases = [
        Transfer(leg, expires_at_ms=later, condition=lock),  # no payee
        Transfer(leg, expires_at_ms=later, condition=lock, payee="ubumwe"),  # not credited
        Transfer(leg, expires_at_ms=later, condition=lock, payee="ghost"),  # not a member
        Transfer(leg, expires_at_ms=later, payee="mobimo"),  # a payee without a hashlock
        Transfer(leg, payee="mobimo"),  # posted at once
    ]
    assert net.block(*(net.tx("eurosend", op) for op in cases)) == [Code.VALIDATION] * len(cases)


def test_no_balance_field_passes_2_63(net):
    x = AMOUNT_MINOR_MAX // 3 + 1
    a = fund(net, "eurosend", "EUR", x)
    b = fund(net, "mobimo", "EUR", 0)
    there, back = Transfer((Leg(a, b, x, "EUR"),)), Transfer((Leg(b, a, x, "EUR"),))
    assert net.one(net.tx("eurosend", there)) == Code.OK
    assert net.one(net.tx("mobimo", back)) == Code.OK
    assert net.one(net.tx("eurosend", there)) == Code.OK
    # a was credited x (issued) and x (back): once more would be 3x > 2^63 - 1, refused at once or when posted.
    assert net.one(net.tx("mobimo", back)) == Code.AMOUNT_LIMIT
    lock = hashlib.sha256(b"y" * 32).digest()
    pending = net.tx("mobimo", Transfer((Leg(b, a, x, "EUR"),), expires_at_ms=net.now_ms + 60_000,
                                        condition=lock, payee="eurosend"))
    assert net.one(pending) == Code.OK
    assert net.one(net.tx("eurosend", PostPending(_tx_id(pending), b"y" * 32))) == Code.AMOUNT_LIMIT
    assert net.one(net.tx("eurosend", VoidPending(_tx_id(pending)))) == Code.OK
    net.state.check_invariants()


def test_issuing_past_2_63_is_refused_on_both_sides(net):
    half = AMOUNT_MINOR_MAX // 2
    a = fund(net, "eurosend", "EUR", half)
    b = fund(net, "mobimo", "EUR", 0)
    assert net.one(net.tx("eurosend", Transfer((Leg(a, b, half, "EUR"),)))) == Code.OK
    assert net.one(net.tx("mobimo", Transfer((Leg(b, a, half, "EUR"),)))) == Code.OK
    # a has been credited 2 * half; the issuance account has issued only half.
    assert net.one(net.tx("sbk", Issue(a, half + 1, "EUR"))) == Code.AMOUNT_LIMIT
    assert net.one(net.tx("sbk", Issue(b, half + 1, "EUR"))) == Code.OK  # b was credited half only
    assert net.one(net.tx("sbk", Issue(b, 1, "EUR"))) == Code.AMOUNT_LIMIT  # the issuance account is full
    net.state.check_invariants()


def test_firm_quotes_have_a_maximum_validity(net):
    s, fx_eur, fx_rwf, p = _fx_setup(net)
    too_long = net.state.policy.quote_validity_max_ms + 5_000
    quote = sign_quote(Quote(net.chain_id, "long", "imari-fx", "eurosend", "RWF", 300_000, "EUR", 200_00, "1500",
                             net.now_ms + too_long), net.keys["imari-fx"])
    legs = (Leg(s, fx_eur, 200_00, "EUR"), Leg(fx_rwf, p, 300_000, "RWF"))
    assert net.one(net.tx("eurosend", Transfer(legs, (quote,)))) == Code.VALIDATION


def test_resolved_pending_transfers_are_pruned_and_a_late_void_gets_a_clear_code(net):
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    raw = net.tx("eurosend", Transfer((Leg(a, b, 1_00, "EUR"),), expires_at_ms=net.now_ms + 60_000))
    assert net.one(raw) == Code.OK
    pending = _tx_id(raw)
    assert net.one(net.tx("eurosend", PostPending(pending))) == Code.OK
    assert net.one(net.tx("eurosend", VoidPending(pending))) == Code.ALREADY_RESOLVED
    net.block(advance_ms=net.state.policy.resolved_kept_ms + 1_000)
    assert pending not in net.state.pendings
    assert [p.id for p in net.blocks[-1].pruned] == [pending]  # handed to the node's archive
    assert net.one(net.tx("eurosend", VoidPending(pending))) == Code.TRANSFER_NOT_FOUND
    net.state.check_invariants()


def test_a_broken_invariant_stops_the_block_not_chain_verify_later(net):
    a = fund(net, "eurosend", "EUR", 10_00)
    account = net.state.accounts[a]
    # A bug (simulated): money appears in an account without a matching debit.
    net.state.put_account(msgspec.structs.replace(account, credits_posted=account.credits_posted + 5))
    with pytest.raises(InvariantError, match="EUR: posted balances sum to 5"):
        net.block()


def test_a_block_time_may_not_run_ahead_of_the_ordering_log():
    header = BlockHeader(1, b"c" * 32, 2, b"p" * 32, 1_000_000, 0, b"r" * 32, b"s" * 32, "orderer")
    assert check_block_time(header, 1_000_000 - 2_000, 999_000, 2_000) == ""
    assert "ahead of the ordering log" in check_block_time(header, 1_000_000 - 600_000, 999_000, 2_000)
    assert check_block_time(header, 0, 999_000, 2_000) == ""  # solo: no log, the orderer's own clock
    assert "backwards" in check_block_time(header, 1_000_000, 1_000_001, 2_000)


def test_a_follower_refuses_a_block_from_a_fast_clock(net):
    a = fund(net, "eurosend", "EUR", 10_00)
    built = net.blocks[-1]
    replayer = Replayer(net.genesis, verify_all)
    for block in net.blocks[:-1]:
        replayer.apply(block.header.height, block.block, block.header.timestamp_ms)
    ten_minutes_ms = 600_000
    with pytest.raises(ChainError, match="ahead of the ordering log"):
        replayer.apply(built.header.height, built.block, built.header.timestamp_ms - ten_minutes_ms)
    replayer.apply(built.header.height, built.block, built.header.timestamp_ms - 1_000)
    assert replayer.state.accounts[a].balance_minor == 10_00


def test_an_oversize_batch_is_refused_whole_never_cut_short():
    raws = tuple(b"x" for _ in range(TX_BATCH_TXS_MAX + 1))
    assert decode_batch(msgspec.msgpack.encode(TxBatch(1, raws))) == ()
    assert decode_batch(msgspec.msgpack.encode(TxBatch(1, raws[:-1]))) == raws[:-1]


def test_invalid_utf8_anywhere_is_malformed_never_an_exception(net):
    """Found by the soak (``inzira soak ledger``): msgspec reports a string that is not UTF-8 with
    UnicodeDecodeError, not DecodeError, so ``prepare`` raised on a member's properly signed transaction and
    the cutter (and every follower) died on it. The same held for a quote's body and a stored block."""
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    honest = net.tx("eurosend", Transfer((Leg(a, b, 1_00, "EUR"),)))
    key = net.keys["eurosend"]

    def signed(body: bytes) -> bytes:
        return encode(SignedTx(body, (Sig(key.public_key, key.sign(tx_id_of(body))),)))

    body = decode_signed(honest).body
    at = body.index(b"mobimo:eur")
    spoiled = signed(body[:at] + b"\xff" + body[at + 1 :])
    quote = sign_quote(Quote(net.chain_id, "q-\u00e9", "imari-fx", "eurosend", "RWF", 1, "EUR", 1, "1",
                             net.now_ms + 30_000), net.keys["imari-fx"])
    bad_quote = SignedQuote(quote.body.replace("q-\u00e9".encode(), b"q-\xc3\x28"), quote.sig)
    with_quote = net.tx("eurosend", Transfer((Leg(a, b, 1_00, "EUR"),), quotes=(bad_quote,)))
    assert prepare(spoiled).code == Code.MALFORMED
    assert prepare(with_quote).code == Code.MALFORMED
    assert net.block(spoiled, with_quote, honest) == [Code.MALFORMED, Code.MALFORMED, Code.OK]
    # A stored block whose header is not UTF-8 where a string is: a fault of that block, not a crash.
    built = net.blocks[-1]
    header = built.block.signed.header
    orderer = header.index(b"orderer-1")
    bad_header = header[:orderer] + b"\xfe" + header[orderer + 1 :]
    block = msgspec.structs.replace(built.block, signed=msgspec.structs.replace(built.block.signed, header=bad_header))
    replayer = Replayer(net.genesis, verify_all)
    for earlier in net.blocks[:-1]:
        replayer.apply(earlier.header.height, earlier.block)
    with pytest.raises(ChainError, match="header does not decode"):
        replayer.apply_encoded(built.header.height, encode(block))
