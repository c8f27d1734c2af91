"""Transaction-level rules (signatures, network, deadlines, idempotency) and FX quotes as authorization."""

from __future__ import annotations

from inzira.crypto.keygen import generate_keypair
from inzira.ledger.apply import prepare
from inzira.ledger.codes import Code
from inzira.ledger.encoding import encode
from inzira.ledger.records import Leg
from inzira.ledger.tx import (
    TX_VERSION,
    OpenAccount,
    Quote,
    SetParty,
    Sig,
    SignedTx,
    Transfer,
    TxBody,
    decode_signed,
    sign_body,
    sign_quote,
)

from .test_transfers import fund


def test_signature_rules(net):
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    op = Transfer((Leg(a, b, 1_00, "EUR"),))
    good = decode_signed(net.tx("eurosend", op))
    unsigned = encode(SignedTx(good.body, ()))
    wrong_sig = encode(SignedTx(good.body, (Sig(good.sigs[0].key, bytes(64)),)))
    short_key = encode(SignedTx(good.body, (Sig(b"k", good.sigs[0].sig),)))
    stranger = generate_keypair()
    body = TxBody(TX_VERSION, net.chain_id, "eurosend", "s1", net.now_ms + 60_000, op)
    by_stranger = sign_body(body, stranger)
    assert net.block(unsigned, wrong_sig, short_key, by_stranger, b"\x93garbage", b"") == [
        Code.BAD_SIGNATURE, Code.BAD_SIGNATURE, Code.BAD_SIGNATURE, Code.PERMISSION, Code.MALFORMED, Code.MALFORMED,
    ]
    assert net.balance(a) == 10_00


def test_network_deadline_and_version(net):
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    op = Transfer((Leg(a, b, 1, "EUR"),))
    key = net.keys["eurosend"]
    other_chain = sign_body(TxBody(TX_VERSION, b"\x00" * 32, "eurosend", "n1", net.now_ms + 60_000, op), key)
    expired = sign_body(TxBody(TX_VERSION, net.chain_id, "eurosend", "n2", net.now_ms, op), key)
    too_far = sign_body(TxBody(TX_VERSION, net.chain_id, "eurosend", "n3", net.now_ms + 2 * 24 * 3600 * 1000, op), key)
    bad_version = sign_body(TxBody(99, net.chain_id, "eurosend", "n4", net.now_ms + 60_000, op), key)
    no_ref = sign_body(TxBody(TX_VERSION, net.chain_id, "eurosend", "", net.now_ms + 60_000, op), key)
    assert net.block(other_chain, expired, too_far, bad_version, no_ref) == [
        Code.WRONG_NETWORK, Code.EXPIRED, Code.VALIDATION, Code.VALIDATION, Code.VALIDATION,
    ]


def test_non_canonical_bytes_are_malformed(net):
    raw = net.tx("eurosend", OpenAccount("eurosend:x", "EUR"))
    signed = decode_signed(raw)
    assert signed.body[:2] == b"\x96\x01"  # array of 6 fields, then version 1 in its shortest form
    # The same body with the version written as a one-byte uint (0xcc 0x01): decodes to equal values,
    # properly signed, but not canonical, so refused.
    long_form = b"\x96\xcc\x01" + signed.body[2:]
    key = net.keys["eurosend"]
    from inzira.ledger.tx import tx_id_of

    resigned = encode(SignedTx(long_form, (Sig(key.public_key, key.sign(tx_id_of(long_form))),)))
    assert prepare(resigned).code == Code.MALFORMED
    assert net.block(resigned, raw + b"\x00", raw) == [Code.MALFORMED, Code.MALFORMED, Code.OK]


def test_idempotency_duplicate_and_modified(net):
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    first = net.tx("eurosend", Transfer((Leg(a, b, 1_00, "EUR"),)), ref="pay-1")
    assert net.one(first) == Code.OK
    assert net.one(first) == Code.DUPLICATE
    changed = net.tx("eurosend", Transfer((Leg(a, b, 2_00, "EUR"),)), ref="pay-1")
    assert net.one(changed) == Code.MODIFIED_REQUEST
    assert net.balance(b) == 1_00
    # The same reference in one block: the second copy is a duplicate, applied once.
    twice = net.tx("eurosend", Transfer((Leg(a, b, 1_00, "EUR"),)), ref="pay-2")
    assert net.block(twice, twice) == [Code.OK, Code.DUPLICATE]
    assert net.balance(b) == 2_00
    # Another member may use the same reference text: references are per submitter.
    c = fund(net, "ubumwe", "EUR", 0)
    assert net.one(net.tx("mobimo", Transfer((Leg(b, c, 1, "EUR"),)), ref="pay-1")) == Code.OK


def _fx_setup(net):
    sender_eur = fund(net, "eurosend", "EUR", 1_000_00)
    fx_eur = fund(net, "imari-fx", "EUR", 0)
    fx_rwf = fund(net, "imari-fx", "RWF", 50_000_000)
    payee_rwf = fund(net, "mobimo", "RWF", 0)
    return sender_eur, fx_eur, fx_rwf, payee_rwf


def _quote(net, sell_minor=300_000, buy_minor=200_00, expires_in_ms=30_000, quote_id="q1", for_member="eurosend"):
    q = Quote(net.chain_id, quote_id, "imari-fx", for_member, "RWF", sell_minor, "EUR", buy_minor, "1500",
              net.now_ms + expires_in_ms)
    return sign_quote(q, net.keys["imari-fx"])


def test_fx_quote_authorizes_the_fx_leg(net):
    s, fx_eur, fx_rwf, p = _fx_setup(net)
    legs = (Leg(s, fx_eur, 200_00, "EUR"), Leg(fx_rwf, p, 300_000, "RWF"))
    assert net.one(net.tx("eurosend", Transfer(legs))) == Code.PERMISSION  # no quote: FX did not sign
    assert net.one(net.tx("eurosend", Transfer(legs, quotes=(_quote(net),)))) == Code.OK
    assert net.balance(p) == 300_000 and net.balance(fx_eur) == 200_00
    net.state.check_invariants()


def test_fx_quote_rules(net):
    s, fx_eur, fx_rwf, p = _fx_setup(net)
    legs = (Leg(s, fx_eur, 200_00, "EUR"), Leg(fx_rwf, p, 300_000, "RWF"))
    greedy = (Leg(s, fx_eur, 200_00, "EUR"), Leg(fx_rwf, p, 300_001, "RWF"))
    stingy = (Leg(s, fx_eur, 199_99, "EUR"), Leg(fx_rwf, p, 300_000, "RWF"))
    assert net.one(net.tx("eurosend", Transfer(greedy, quotes=(_quote(net, quote_id="a"),)))) == Code.QUOTE_MISMATCH
    assert net.one(net.tx("eurosend", Transfer(stingy, quotes=(_quote(net, quote_id="b"),)))) == Code.QUOTE_MISMATCH
    expired = _quote(net, quote_id="c", expires_in_ms=500)
    assert net.one(net.tx("eurosend", Transfer(legs, quotes=(expired,)))) == Code.QUOTE_EXPIRED
    other = _quote(net, quote_id="d", for_member="silkpay")
    assert net.one(net.tx("eurosend", Transfer(legs, quotes=(other,)))) == Code.PERMISSION
    forged = sign_quote(Quote(net.chain_id, "e", "imari-fx", "eurosend", "RWF", 300_000, "EUR", 200_00, "1500",
                              net.now_ms + 30_000), net.keys["eurosend"])
    assert net.one(net.tx("eurosend", Transfer(legs, quotes=(forged,)))) == Code.PERMISSION
    tampered_body = bytearray(_quote(net, quote_id="f").body)
    good = _quote(net, quote_id="f")
    tampered_body[-5] ^= 1
    tampered = type(good)(bytes(tampered_body), good.sig)
    assert net.one(net.tx("eurosend", Transfer(legs, quotes=(tampered,)))) in (Code.BAD_SIGNATURE, Code.MALFORMED)
    q = _quote(net, quote_id="g")
    assert net.one(net.tx("eurosend", Transfer(legs, quotes=(q,)))) == Code.OK
    assert net.one(net.tx("eurosend", Transfer(legs, quotes=(q,)))) == Code.QUOTE_USED
    assert net.balance(p) == 300_000
    net.state.check_invariants()


def test_only_the_directory_operator_signs_the_directory(net):
    """Squatting: a member that serves wallets (silkpay) or sends (eurosend) lists a number for itself or for
    a rival before the real FSP does. Only the directory operator (cbr) signs SetParty."""
    party = b"\x07" * 32
    assert net.one(net.tx("silkpay", SetParty(party, True, "silkpay"))) == Code.PERMISSION
    assert net.one(net.tx("mobimo", SetParty(party, True, "mobimo"))) == Code.PERMISSION
    assert net.one(net.tx("eurosend", SetParty(party, True, "mobimo"))) == Code.PERMISSION
    assert net.one(net.tx("silkpay", SetParty(party, True), "cbr")) == Code.PERMISSION  # a co-signature is not it
    assert party not in net.state.parties
    assert net.one(net.tx("cbr", SetParty(b"short", True, "mobimo"))) == Code.VALIDATION
    assert net.one(net.tx("cbr", SetParty(party, True, "nobody"))) == Code.MEMBER_NOT_FOUND
    assert net.one(net.tx("cbr", SetParty(party, True, "eurosend"))) == Code.PERMISSION  # serves no wallets
    assert net.one(net.tx("cbr", SetParty(party, True))) == Code.MEMBER_NOT_FOUND  # names no FSP
    assert net.one(net.tx("cbr", SetParty(party, True, "mobimo"))) == Code.OK
    assert net.state.parties[party] == "mobimo"
    assert net.one(net.tx("cbr", SetParty(party, True, "mobimo"))) == Code.ALREADY_EXISTS
    # Neither the listed FSP nor a rival removes or moves the entry.
    assert net.one(net.tx("mobimo", SetParty(party, False, "mobimo"))) == Code.PERMISSION
    assert net.one(net.tx("ubumwe", SetParty(party, True, "ubumwe"))) == Code.PERMISSION
    # The operator moves it (a dispute the regulator decided), and a late removal naming the old FSP fails.
    assert net.one(net.tx("cbr", SetParty(party, True, "ubumwe"))) == Code.OK
    assert net.state.parties[party] == "ubumwe"
    assert net.one(net.tx("cbr", SetParty(party, False, "mobimo"))) == Code.PARTY_NOT_FOUND
    assert net.one(net.tx("cbr", SetParty(party, False, "ubumwe"))) == Code.OK
    assert net.one(net.tx("cbr", SetParty(party, False, "ubumwe"))) == Code.PARTY_NOT_FOUND
    assert party not in net.state.parties
    net.state.check_invariants()
