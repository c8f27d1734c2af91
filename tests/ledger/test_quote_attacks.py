"""A member with a genuine firm quote of the FX provider tries to get more out of it than the quote gives:
another chain, a longer life than policy, replays (same block, later block, after expiry), another member's
use, other currencies, and holding the quoted price open as a free option in a long pending transfer."""

from __future__ import annotations

import hashlib

from inzira.ledger.codes import Code
from inzira.ledger.records import POSTED, Leg
from inzira.ledger.tx import PostPending, Quote, Transfer, decode_quote, sign_quote

from .test_envelope_and_fx import _fx_setup
from .test_transfers import _tx_id, fund

HOUR_MS = 3600 * 1000


def _quote(net, quote_id: str, *, expires_in_ms: int = 30_000, chain_id: bytes | None = None,
           for_member: str = "eurosend", sell: tuple[str, int] = ("RWF", 300_000),
           buy: tuple[str, int] = ("EUR", 200_00)):
    q = Quote(chain_id or net.chain_id, quote_id, "imari-fx", for_member, sell[0], sell[1], buy[0], buy[1], "1500",
              net.now_ms + expires_in_ms)
    return sign_quote(q, net.keys["imari-fx"])


def test_a_quote_binds_its_chain_its_life_its_member_and_its_currencies(net):
    s, fx_eur, fx_rwf, p = _fx_setup(net)
    legs = (Leg(s, fx_eur, 200_00, "EUR"), Leg(fx_rwf, p, 300_000, "RWF"))
    other_chain = _quote(net, "a", chain_id=hashlib.sha256(b"another chain").digest())
    assert net.one(net.tx("eurosend", Transfer(legs, quotes=(other_chain,)))) == Code.WRONG_NETWORK
    too_long = _quote(net, "b", expires_in_ms=net.state.policy.quote_validity_max_ms + 60_000)
    assert net.one(net.tx("eurosend", Transfer(legs, quotes=(too_long,)))) == Code.VALIDATION
    # A quote for USD cannot pay for a EUR leg, nor a quote selling EUR for an RWF one.
    usd = _quote(net, "c", buy=("USD", 200_00))
    assert net.one(net.tx("eurosend", Transfer(legs, quotes=(usd,)))) == Code.QUOTE_MISMATCH
    eur = _quote(net, "d", sell=("EUR", 300_000))
    assert net.one(net.tx("eurosend", Transfer(legs, quotes=(eur,)))) == Code.QUOTE_MISMATCH
    # silkpay holds eurosend's quote: it cannot use it, even with its own money on the legs.
    silk_eur = fund(net, "silkpay", "EUR", 1_000_00)
    theirs = _quote(net, "e")
    silk_legs = (Leg(silk_eur, fx_eur, 200_00, "EUR"), Leg(fx_rwf, p, 300_000, "RWF"))
    assert net.one(net.tx("silkpay", Transfer(silk_legs, quotes=(theirs,)))) == Code.PERMISSION
    assert net.balance(p) == 0 and net.balance(fx_rwf) == 50_000_000
    net.state.check_invariants()


def test_a_quote_moves_money_once_whatever_the_replay(net):
    s, fx_eur, fx_rwf, p = _fx_setup(net)
    legs = (Leg(s, fx_eur, 200_00, "EUR"), Leg(fx_rwf, p, 300_000, "RWF"))
    q = _quote(net, "once", expires_in_ms=5_000)
    # Twice in one block, under two references; then again in a later block; then for a smaller amount.
    assert net.block(net.tx("eurosend", Transfer(legs, quotes=(q,))),
                     net.tx("eurosend", Transfer(legs, quotes=(q,)))) == [Code.OK, Code.QUOTE_USED]
    assert net.one(net.tx("eurosend", Transfer(legs, quotes=(q,)))) == Code.QUOTE_USED
    half = (Leg(s, fx_eur, 100_00, "EUR"), Leg(fx_rwf, p, 150_000, "RWF"))
    assert net.one(net.tx("eurosend", Transfer(half, quotes=(q,)))) == Code.QUOTE_USED
    # Once the quote has expired its use is forgotten, and the quote is refused as expired.
    net.block(advance_ms=10_000)
    assert net.one(net.tx("eurosend", Transfer(legs, quotes=(q,)))) == Code.QUOTE_EXPIRED
    # Both copies of a quote in one transaction: one use only.
    q2 = _quote(net, "twice")
    double = (Leg(s, fx_eur, 400_00, "EUR"), Leg(fx_rwf, p, 600_000, "RWF"))
    assert net.one(net.tx("eurosend", Transfer(double, quotes=(q2, q2)))) == Code.QUOTE_USED
    assert net.balance(p) == 300_000 and net.balance(fx_eur) == 200_00
    net.state.check_invariants()


def test_a_quoted_price_is_not_a_week_long_option(net):
    """The client locks a 30 s quote into a pending transfer whose hashlock is its own, open for the policy's
    week: it posts if the rate moves its way and lets it expire if not. The FX provider, credited, may not void
    a hashlocked transfer. A transfer a quote authorizes is settled or void within quote_validity_max_ms."""
    s, fx_eur, fx_rwf, _p = _fx_setup(net)
    own_rwf = fund(net, "eurosend", "RWF", 0)
    legs = (Leg(s, fx_eur, 200_00, "EUR"), Leg(fx_rwf, own_rwf, 300_000, "RWF"))
    preimage = b"\x07" * 32
    lock = hashlib.sha256(preimage).digest()
    week = Transfer(legs, quotes=(_quote(net, "option"),), expires_at_ms=net.now_ms + 7 * 24 * HOUR_MS - 60_000,
                    condition=lock, payee="eurosend")
    assert net.one(net.tx("eurosend", week)) == Code.VALIDATION
    unlocked = Transfer(legs, quotes=(_quote(net, "option-2"),), expires_at_ms=net.now_ms + 2 * HOUR_MS)
    assert net.one(net.tx("eurosend", unlocked)) == Code.VALIDATION
    assert net.state.accounts[fx_rwf].debits_pending == 0
    # Within the policy's window (and its quote's) a quoted pending transfer stands, and posts as before.
    policy_ms = net.state.policy.quote_validity_max_ms
    hour_quote = _quote(net, "ok", expires_in_ms=policy_ms - 60_000)
    raw = net.tx("eurosend", Transfer(legs, quotes=(hour_quote,), expires_at_ms=net.now_ms + policy_ms,
                                      condition=lock, payee="eurosend"))
    assert net.one(raw) == Code.OK
    assert net.one(net.tx("eurosend", PostPending(_tx_id(raw), preimage))) == Code.OK
    assert net.state.pendings[_tx_id(raw)].status == POSTED and net.balance(own_rwf) == 300_000
    net.state.check_invariants()


def _option(net, accounts: tuple[str, str, str], hold_ms_past_quote: int, quotes: tuple) -> bytes:
    """eurosend reserves the FX provider's RWF at the quotes' price, hashlocked and payable to itself alone."""
    sender_eur, fx_eur, fx_rwf = accounts
    legs = (Leg(sender_eur, fx_eur, 200_00, "EUR"), Leg(fx_rwf, "eurosend:rwf", 300_000, "RWF"))
    earliest_ms = min(decode_quote(q.body).expires_at_ms for q in quotes)
    op = Transfer(legs, quotes=quotes, expires_at_ms=earliest_ms + hold_ms_past_quote,
                  condition=hashlib.sha256(b"\x07" * 32).digest(), payee="eurosend")
    return net.tx("eurosend", op)


def test_a_firm_quote_is_not_an_hour_long_option(net):
    """Near the end of its 30 s quote, the client reserves the quoted legs in a hashlocked transfer whose payee
    is itself, open for nearly the hour quote_validity_max_ms allows: it would post only if the market moved its
    way, and the FX provider may not void it. A quoted hold ends at most quote_hold_after_max_ms after its
    quote; one millisecond more is refused and reserves nothing."""
    s, fx_eur, fx_rwf, _p = _fx_setup(net)
    fund(net, "eurosend", "RWF", 0)
    accounts = (s, fx_eur, fx_rwf)
    grace_ms = net.state.policy.quote_hold_after_max_ms
    assert grace_ms < HOUR_MS - 2 * 60_000  # the attack fits in the hour the old rule gave
    assert net.one(_option(net, accounts, HOUR_MS - 2 * 60_000, (_quote(net, "hour"),))) == Code.VALIDATION
    assert net.one(_option(net, accounts, grace_ms + 1, (_quote(net, "over"),))) == Code.VALIDATION
    assert net.state.accounts[fx_rwf].debits_pending == 0 and not net.state.quotes_used
    # Exactly at the bound it stands, and the quote is spent.
    quote = _quote(net, "at")
    raw = _option(net, accounts, grace_ms, (quote,))
    assert net.one(raw) == Code.OK
    assert net.state.pendings[_tx_id(raw)].expires_at_ms == decode_quote(quote.body).expires_at_ms + grace_ms
    assert net.state.accounts[fx_rwf].debits_pending == 300_000
    net.state.check_invariants()


def test_the_earliest_quote_bounds_the_hold(net):
    """Two quotes pay for one transfer: its hold ends within the grace of the one that ends first."""
    s, fx_eur, fx_rwf, _p = _fx_setup(net)
    fund(net, "eurosend", "RWF", 0)
    grace_ms = net.state.policy.quote_hold_after_max_ms
    halves = (("RWF", 150_000), ("EUR", 100_00))
    for suffix, expected in (("a", Code.VALIDATION), ("b", Code.OK)):
        long = _quote(net, f"long-{suffix}", expires_in_ms=20 * 60_000, sell=halves[0], buy=halves[1])
        short = _quote(net, f"short-{suffix}", sell=halves[0], buy=halves[1])
        hold_ms = grace_ms + (1 if expected == Code.VALIDATION else 0)
        assert net.one(_option(net, (s, fx_eur, fx_rwf), hold_ms, (long, short))) == expected
    net.state.check_invariants()
