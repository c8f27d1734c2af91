"""Ledger semantics: accounts, issue/redeem, posted and two-phase transfers, batches, limits."""

from __future__ import annotations

import hashlib

from inzira.ledger.codes import Code
from inzira.ledger.ids import issuance_account
from inzira.ledger.records import EXPIRED, POSTED, VOIDED, Leg
from inzira.ledger.tx import Issue, OpenAccount, PostPending, Redeem, SetDebitCap, SetFrozen, Transfer, VoidPending


def fund(net, member: str, currency: str, amount_minor: int, name: str | None = None) -> str:
    account = f"{member}:{name or currency.lower()}"
    issuer = net.state.issuers[currency]
    codes = net.block(net.tx(member, OpenAccount(account, currency)))
    assert codes == [Code.OK]
    if amount_minor:
        assert net.one(net.tx(issuer, Issue(account, amount_minor, currency))) == Code.OK
    return account


def test_open_issue_transfer(net):
    a = fund(net, "eurosend", "EUR", 100_00)
    b = fund(net, "mobimo", "EUR", 0)
    assert net.one(net.tx("eurosend", Transfer((Leg(a, b, 25_00, "EUR"),)))) == Code.OK
    assert net.balance(a) == 75_00 and net.balance(b) == 25_00
    assert net.balance(issuance_account("sbk", "EUR")) == -100_00
    net.state.check_invariants()


def test_open_account_rules(net):
    assert net.one(net.tx("eurosend", OpenAccount("mobimo:x", "EUR"))) == Code.PERMISSION
    assert net.one(net.tx("eurosend", OpenAccount("eurosend:x", "XYZ"))) == Code.VALIDATION
    assert net.one(net.tx("eurosend", OpenAccount("eurosend:X Y", "EUR"))) == Code.VALIDATION
    assert net.one(net.tx("eurosend", OpenAccount("eurosend:x", "EUR"))) == Code.OK
    assert net.one(net.tx("eurosend", OpenAccount("eurosend:x", "EUR"))) == Code.ALREADY_EXISTS


def test_issue_only_by_issuer_and_redeem_needs_both(net):
    a = fund(net, "eurosend", "EUR", 50_00)
    assert net.one(net.tx("eurosend", Issue(a, 1, "EUR"))) == Code.PERMISSION
    assert net.one(net.tx("cbr", Issue(a, 1, "EUR"))) == Code.PERMISSION  # cbr issues RWF, not EUR
    assert net.one(net.tx("sbk", Issue(a, 1, "RWF"))) == Code.PERMISSION
    assert net.one(net.tx("sbk", Issue(a, 0, "EUR"))) == Code.VALIDATION
    assert net.one(net.tx("sbk", Redeem(a, 10_00, "EUR"))) == Code.PERMISSION
    assert net.one(net.tx("eurosend", Redeem(a, 10_00, "EUR"))) == Code.PERMISSION
    assert net.one(net.tx("eurosend", Redeem(a, 10_00, "EUR"), "sbk")) == Code.OK
    assert net.one(net.tx("eurosend", Redeem(a, 41_00, "EUR"), "sbk")) == Code.INSUFFICIENT_LIQUIDITY
    assert net.balance(a) == 40_00 and net.balance(issuance_account("sbk", "EUR")) == -40_00
    net.state.check_invariants()


def test_a_redemption_gives_back_money_held_never_the_credit_line(net):
    """A holder with a net debit cap files a redemption past its balance: the issuer would pay out in cash what it
    only lent for payments. Nor may money reserved for a pending transfer be redeemed."""
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    assert net.one(net.tx("sbk", SetDebitCap(a, 500_00))) == Code.OK
    before = (net.state.accounts[a], net.state.accounts[issuance_account("sbk", "EUR")])
    assert net.one(net.tx("eurosend", Redeem(a, 10_01, "EUR"), "sbk")) == Code.INSUFFICIENT_LIQUIDITY
    assert net.one(net.tx("eurosend", Redeem(a, 510_00, "EUR"), "sbk")) == Code.INSUFFICIENT_LIQUIDITY
    assert (net.state.accounts[a], net.state.accounts[issuance_account("sbk", "EUR")]) == before
    held = Transfer((Leg(a, b, 4_00, "EUR"),), expires_at_ms=net.now_ms + 30_000)
    assert net.one(net.tx("eurosend", held)) == Code.OK
    assert net.one(net.tx("eurosend", Redeem(a, 6_01, "EUR"), "sbk")) == Code.INSUFFICIENT_LIQUIDITY
    assert net.one(net.tx("eurosend", Redeem(a, 6_00, "EUR"), "sbk")) == Code.OK
    assert net.balance(a) == 4_00 and net.balance(issuance_account("sbk", "EUR")) == -4_00
    # The credit line still pays: what it lends moves to other members, not out of the network.
    assert net.one(net.tx("eurosend", Transfer((Leg(a, b, 100_00, "EUR"),)))) == Code.OK
    net.state.check_invariants()


def test_bad_transfers_change_nothing(net):
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    r = fund(net, "mobimo", "RWF", 0)
    before = net.state.digest()
    cases = [
        (Transfer((Leg(a, b, 0, "EUR"),)), Code.VALIDATION),
        (Transfer((Leg(a, b, -5, "EUR"),)), Code.VALIDATION),
        (Transfer((Leg(a, a, 5, "EUR"),)), Code.VALIDATION),
        (Transfer((Leg(a, b, 11_00, "EUR"),)), Code.INSUFFICIENT_LIQUIDITY),
        (Transfer((Leg(a, "mobimo:nope", 5, "EUR"),)), Code.ACCOUNT_NOT_FOUND),
        (Transfer((Leg(a, r, 5, "EUR"),)), Code.CURRENCY_MISMATCH),
        (Transfer((Leg(a, b, 5, "USD"),)), Code.CURRENCY_MISMATCH),
        (Transfer((Leg(b, a, 5, "EUR"),)), Code.PERMISSION),
        (Transfer((Leg(a, issuance_account("sbk", "EUR"), 5, "EUR"),)), Code.PERMISSION),
        (Transfer(()), Code.VALIDATION),
        (Transfer((Leg(a, b, 5, "EUR"),), condition=b"x" * 32), Code.VALIDATION),
        (Transfer((Leg(a, b, 5, "EUR"),), memo="m" * 129), Code.VALIDATION),
    ]
    for op, code in cases:
        got = net.one(net.tx("eurosend", op))
        assert got == code, (op, got)
    # The rejected transactions consumed references, but no balance moved.
    assert net.balance(a) == 10_00 and net.balance(b) == 0
    after_accounts = {k: v for k, v in net.state.accounts.items()}
    assert after_accounts[a].debits_posted == 0
    assert before != net.state.digest()  # refs were recorded ...
    net.state.check_invariants()


def test_batch_is_atomic(net):
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    c = fund(net, "ubumwe", "EUR", 0)
    op = Transfer((Leg(a, b, 6_00, "EUR"), Leg(a, c, 5_00, "EUR")))
    result = net.block(net.tx("eurosend", op))
    assert result == [Code.INSUFFICIENT_LIQUIDITY]
    assert net.blocks[-1].results[0].at == 1
    assert net.balance(a) == 10_00 and net.balance(b) == 0 and net.balance(c) == 0
    assert net.one(net.tx("eurosend", Transfer((Leg(a, b, 6_00, "EUR"), Leg(a, c, 4_00, "EUR"))))) == Code.OK
    assert (net.balance(a), net.balance(b), net.balance(c)) == (0, 6_00, 4_00)


def test_debit_cap_and_freeze(net):
    a = fund(net, "eurosend", "EUR", 0)
    b = fund(net, "mobimo", "EUR", 0)
    assert net.one(net.tx("eurosend", Transfer((Leg(a, b, 1, "EUR"),)))) == Code.INSUFFICIENT_LIQUIDITY
    assert net.one(net.tx("eurosend", SetDebitCap(a, 5_00))) == Code.PERMISSION
    assert net.one(net.tx("sbk", SetDebitCap(a, 5_00))) == Code.OK
    assert net.one(net.tx("eurosend", Transfer((Leg(a, b, 5_00, "EUR"),)))) == Code.OK
    assert net.one(net.tx("eurosend", Transfer((Leg(a, b, 1, "EUR"),)))) == Code.INSUFFICIENT_LIQUIDITY
    assert net.one(net.tx("sbk", SetDebitCap(a, 4_00))) == Code.VALIDATION  # already drawn 5.00
    assert net.balance(a) == -5_00
    assert net.one(net.tx("sbk", SetFrozen(b, True))) == Code.PERMISSION
    assert net.one(net.tx("cbr", SetFrozen(b, True))) == Code.OK
    assert net.one(net.tx("mobimo", Transfer((Leg(b, a, 1_00, "EUR"),)))) == Code.PAYER_BLOCKED
    assert net.one(net.tx("sbk", SetDebitCap(a, 6_00))) == Code.OK
    assert net.one(net.tx("eurosend", Transfer((Leg(a, b, 1_00, "EUR"),)))) == Code.PAYEE_BLOCKED
    assert net.one(net.tx("cbr", SetFrozen(b, False))) == Code.OK
    assert net.one(net.tx("mobimo", Transfer((Leg(b, a, 1_00, "EUR"),)))) == Code.OK
    net.state.check_invariants()


def test_two_phase_hashlock(net):
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    fulfilment = bytes(range(32))
    condition = hashlib.sha256(fulfilment).digest()
    raw = net.tx("eurosend", Transfer((Leg(a, b, 7_00, "EUR"),), expires_at_ms=net.now_ms + 30_000, condition=condition,
                                  payee="mobimo"))
    assert net.one(raw) == Code.OK
    pending_id = _tx_id(raw)
    acc = net.state.accounts[a]
    assert acc.debits_pending == 7_00 and acc.available_minor == 3_00
    assert net.one(net.tx("eurosend", Transfer((Leg(a, b, 4_00, "EUR"),)))) == Code.INSUFFICIENT_LIQUIDITY
    # The payer cannot take back a hashlocked promise; a wrong preimage does not commit.
    assert net.one(net.tx("eurosend", VoidPending(pending_id))) == Code.PERMISSION
    assert net.one(net.tx("mobimo", PostPending(pending_id, b"\x00" * 32))) == Code.BAD_FULFILMENT
    assert net.one(net.tx("mobimo", PostPending(pending_id, fulfilment))) == Code.OK
    assert net.state.pendings[pending_id].status == POSTED
    assert net.balance(a) == 3_00 and net.balance(b) == 7_00
    assert net.one(net.tx("mobimo", PostPending(pending_id, fulfilment))) == Code.ALREADY_RESOLVED
    assert net.one(net.tx("mobimo", VoidPending(pending_id))) == Code.ALREADY_RESOLVED
    net.state.check_invariants()


def test_pending_void_and_expiry(net):
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    raw1 = net.tx("eurosend", Transfer((Leg(a, b, 2_00, "EUR"),), expires_at_ms=net.now_ms + 60_000))
    raw2 = net.tx("eurosend", Transfer((Leg(a, b, 3_00, "EUR"),), expires_at_ms=net.now_ms + 5_000))
    assert net.block(raw1, raw2) == [Code.OK, Code.OK]
    p1, p2 = _tx_id(raw1), _tx_id(raw2)
    assert net.one(net.tx("mobimo", VoidPending(p1))) == Code.OK  # the payee declines
    assert net.state.pendings[p1].status == VOIDED
    assert net.one(net.tx("ubumwe", VoidPending(p2))) == Code.PERMISSION
    net.block(advance_ms=10_000)  # an empty block after the deadline expires the second one
    assert net.state.pendings[p2].status == EXPIRED
    assert net.one(net.tx("eurosend", PostPending(p2))) == Code.TRANSFER_EXPIRED
    assert net.balance(a) == 10_00 and net.state.accounts[a].debits_pending == 0
    assert net.one(net.tx("eurosend", PostPending(b"\x01" * 32))) == Code.TRANSFER_NOT_FOUND
    raw3 = net.tx("eurosend", Transfer((Leg(a, b, 1_00, "EUR"),), expires_at_ms=net.now_ms + 60_000))
    assert net.one(raw3) == Code.OK
    assert net.one(net.tx("mobimo", PostPending(_tx_id(raw3)))) == Code.PERMISSION  # unlocked: payer posts
    assert net.one(net.tx("eurosend", PostPending(_tx_id(raw3)))) == Code.OK
    assert net.balance(b) == 1_00
    net.state.check_invariants()


def test_pending_deadline_limits(net):
    a = fund(net, "eurosend", "EUR", 10_00)
    b = fund(net, "mobimo", "EUR", 0)
    past = Transfer((Leg(a, b, 1, "EUR"),), expires_at_ms=net.now_ms)
    assert net.one(net.tx("eurosend", past)) == Code.TRANSFER_EXPIRED
    far = Transfer((Leg(a, b, 1, "EUR"),), expires_at_ms=net.now_ms + 30 * 24 * 3600 * 1000)
    assert net.one(net.tx("eurosend", far)) == Code.VALIDATION
    short_condition = Transfer((Leg(a, b, 1, "EUR"),), expires_at_ms=net.now_ms + 60_000, condition=b"abc",
                                payee="mobimo")
    assert net.one(net.tx("eurosend", short_condition)) == Code.VALIDATION


def _tx_id(raw: bytes) -> bytes:
    from inzira.ledger.apply import prepare

    return prepare(raw).tx_id
