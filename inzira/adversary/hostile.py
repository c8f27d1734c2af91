"""Hostile traffic: what a member that does not follow the rules sends (copies of honest transactions with
their signatures changed are in ``copies``).

Replays and modified references; envelopes for another network or out of time; quotes of a stranger,
reused, stretched, for someone else or held past their end; hashlocks voided by a non-payee; money moved,
issued or frozen without the authority; amounts near 2^63; payloads past every limit. Each shot that no rule
lets commit is marked so (``Traffic.hostile``).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from inzira.adversary import honest
from inzira.adversary.cast import (
    CURRENCIES,
    DIRECTORY_FSPS,
    RECEIVERS,
    SENDERS,
    TRADERS,
    WHALE_CURRENCY,
    WHALES,
    Signed,
    account_of,
)
from inzira.ledger.encoding import encode
from inzira.ledger.ids import REF_CHARS_MAX, account_owner
from inzira.ledger.records import Leg
from inzira.ledger.tx import (
    TX_LEGS_MAX,
    TX_QUOTES_MAX,
    TX_SIGNATURES_MAX,
    TX_VERSION,
    Issue,
    OpenAccount,
    PostPending,
    Quote,
    Redeem,
    SetDebitCap,
    SetFrozen,
    SetParty,
    SignedTx,
    Transfer,
    VoidPending,
    decode_body,
    decode_quote,
    decode_signed,
    sign_quote,
)
from inzira.money import AMOUNT_MINOR_MAX

if TYPE_CHECKING:
    from inzira.adversary.traffic import Shot, Traffic

NEAR_MAX = (AMOUNT_MINOR_MAX, AMOUNT_MINOR_MAX - 1, AMOUNT_MINOR_MAX // 2 + 1, 2**62, AMOUNT_MINOR_MAX // 3 + 1)
PAST_MAX = (AMOUNT_MINOR_MAX + 1, 2**64 - 1, 0, -1, -(2**63))


def replay(t: "Traffic", shape: str = "replay") -> list["Shot"]:
    """Resubmit a committed transaction, recent (its reference still held) or old (its deadline past)."""
    pool = t.old if t.old and t.rng.random() < 0.2 else t.recent
    if not pool:
        return []
    shot = pool[t.rng.randrange(len(pool))]
    return [t.hostile(shape, shot.raw, shot.tx_id)]


def modified_ref(t: "Traffic") -> list["Shot"]:
    """Another body under a reference the state still holds: a modified request, never a second payment."""
    if not t.recent:
        return []
    shot = t.recent[t.rng.randrange(len(t.recent))]
    if shot.deadline_ms <= t.now_ms + 1 + t.clock_slack_ms:  # its reference still held when it lands
        return []
    body = decode_body(decode_signed(shot.raw).body)
    if body.submitter not in t.cast.keys:
        return []
    changed = t.cast.body(body.submitter, body.ref, body.expires_at_ms + 1, body.op)
    signed = t.cast.sign(changed, t.cast.keys[body.submitter][0])
    return [t.hostile("modified_ref", signed.raw, signed.tx_id)]


def bad_envelope(t: "Traffic") -> list["Shot"]:
    batch = honest.legs(t, 1)
    owner, op, cast = account_owner(batch[0].debit), Transfer(batch), t.cast
    choice = t.rng.randrange(6)
    deadline, ref, chain_id, version = t.deadline(), t.ref(), cast.chain_id, TX_VERSION
    if choice == 0:
        chain_id = hashlib.sha256(b"another network").digest()
    elif choice == 1:
        deadline = t.now_ms - t.rng.randint(0, 1)
    elif choice == 2:
        deadline = t.now_ms + t.policy.tx_validity_max_ms + t.clock_slack_ms + t.rng.randint(1, 10**6)
    elif choice == 3:
        version = t.rng.choice((0, 2, 99, -1))
    elif choice == 4:
        ref = ""
    else:
        ref = "r" * (REF_CHARS_MAX + t.rng.randint(1, 40))
    signed = cast.sign(cast.body(owner, ref, deadline, op, chain_id, version), cast.keys[owner][0])
    return [t.hostile("bad_envelope", signed.raw, signed.tx_id)]


def _fx_parts(t: "Traffic") -> tuple[str, str, int, str]:
    return t.rng.choice(SENDERS), t.rng.choice(honest.FX_SOURCES), honest.amount(t) + 100, t.rng.choice(RECEIVERS)


def stranger_quote(t: "Traffic") -> list["Shot"]:
    sender, source, source_minor, receiver = _fx_parts(t)
    good, target_minor = honest.firm_quote(t, sender, source, source_minor, 30_000)
    forger = t.cast.stranger if t.rng.random() < 0.5 else t.cast.keys[sender][0]
    forged = sign_quote(Quote(*(list(_quote_fields(good)))), forger)
    op = Transfer(honest.fx_legs(sender, source, source_minor, receiver, target_minor), (forged,))
    signed = t.signed(sender, op)
    return [t.hostile("stranger_quote", signed.raw, signed.tx_id)]


def _quote_fields(signed_quote) -> tuple:
    q = decode_quote(signed_quote.body)
    return tuple(getattr(q, f) for f in q.__struct_fields__)


def zero_sigs_quote(t: "Traffic") -> list["Shot"]:
    sender, source, source_minor, receiver = _fx_parts(t)
    quote, target_minor = honest.firm_quote(t, sender, source, source_minor, 30_000)
    op = Transfer(honest.fx_legs(sender, source, source_minor, receiver, target_minor), (quote,))
    signed = t.signed(sender, op)
    return [t.hostile("zero_sigs_quote", encode(SignedTx(signed.body, ())), signed.tx_id)]


def quote_abuse(t: "Traffic") -> list["Shot"]:
    sender, source, source_minor, receiver = _fx_parts(t)
    choice = t.rng.randrange(5)
    ttl_ms = 30_000
    if choice == 3:
        ttl_ms = -t.rng.randint(0, 5_000)  # already expired
    elif choice == 4:
        ttl_ms = t.policy.quote_validity_max_ms + t.clock_slack_ms + t.rng.randint(1, 10**6)  # firm too long
    for_member = next(m for m in SENDERS if m != sender) if choice == 1 else sender
    quote, target_minor = honest.firm_quote(t, for_member, source, source_minor, ttl_ms)
    legs = honest.fx_legs(sender, source, source_minor, receiver, target_minor + (1 if choice == 2 else 0))
    abused = t.signed(sender, Transfer(legs, (quote,)))
    shot = t.hostile("quote_abuse", abused.raw, abused.tx_id)
    if choice == 0:  # the same quote twice, back to back: the first may commit, the second never
        first = t.signed(sender, Transfer(legs, (quote,)))
        return [t.anything("fx_first_use", first.raw, first.tx_id), shot]
    return [shot]


def quoted_hold(t: "Traffic") -> list["Shot"]:
    """A quoted hold past its quote: near the end of a short firm quote, the sender reserves the FX provider's
    RWF at the quoted price in a hashlock payable to itself, open past the quote's grace (within the hour the
    ledger once allowed), to post only if the market moves its way; the FX provider may not void it."""
    sender, source, source_minor, _ = _fx_parts(t)
    quote, target_minor = honest.firm_quote(t, sender, source, source_minor, t.rng.randint(1_000, 30_000))
    quote_end_ms = decode_quote(quote.body).expires_at_ms
    room_ms = t.now_ms + t.policy.quote_validity_max_ms - quote_end_ms - t.policy.quote_hold_after_max_ms
    expires_at_ms = quote_end_ms + t.policy.quote_hold_after_max_ms + t.rng.randint(1, max(1, room_ms))
    legs = honest.fx_legs(sender, source, source_minor, sender, target_minor)
    lock = hashlib.sha256(t.rng.randbytes(32)).digest()
    signed = t.signed(sender, Transfer(legs[1:] + legs[:1], (quote,), expires_at_ms=expires_at_ms, condition=lock,
                                       payee=sender))
    return [t.hostile("quoted_hold", signed.raw, signed.tx_id)]


def hashlock_abuse(t: "Traffic") -> list["Shot"]:
    """Resolve an open pending transfer without the right: a void by a non-payee, a post without the
    preimage (or, without a hashlock, by someone other than its creator)."""
    pending_id = t.pick_open()
    found = t.model.open.get(pending_id) if pending_id else None
    if found is None:
        return []
    view = found.view
    if view.condition:
        if t.rng.random() < 0.5:
            who = t.rng.choice([m for m in TRADERS if m != view.payee])
            op = VoidPending(pending_id)  # type: ignore[arg-type]
        else:
            who = t.rng.choice(TRADERS)
            op = PostPending(pending_id, t.rng.choice((b"", t.rng.randbytes(32), view.condition)))  # type: ignore
    else:
        outsiders = [m for m in TRADERS if m != view.creator and m not in view.payees]
        if not outsiders:
            return []
        who = t.rng.choice(outsiders)
        op = t.rng.choice((PostPending(pending_id), VoidPending(pending_id)))  # type: ignore[arg-type]
    signed = t.signed(who, op)
    return [t.hostile("hashlock_abuse", signed.raw, signed.tx_id)]


def no_authority(t: "Traffic") -> list["Shot"]:
    """Money moved, issued, redeemed, capped, frozen or accounts opened by a member without the right."""
    code = t.rng.choice(CURRENCIES)
    issuer = t.cast.issuers[code]
    victim, thief = t.rng.sample(TRADERS, 2)
    choice = t.rng.randrange(8)
    if choice == 0:
        signed = t.signed(thief, Transfer((Leg(account_of(victim, code), account_of(thief, code), 1, code),)))
    elif choice == 1:
        signed = t.signed(thief, Issue(account_of(thief, code), 10**6, code))
    elif choice == 2:  # in the issuer's name, with a key that is not the issuer's
        body = t.cast.body(issuer, t.ref(), t.deadline(), Issue(account_of(thief, code), 10**6, code))
        signed = t.cast.sign(body, t.rng.choice((t.cast.stranger, t.cast.keys[thief][0])))
    elif choice == 3:
        signed = t.signed(issuer, Redeem(account_of(victim, code), 1, code))
    elif choice == 4:
        signed = t.signed(thief, SetFrozen(account_of(victim, code), t.rng.random() < 0.5))
    elif choice == 5:
        signed = t.signed(thief, SetDebitCap(account_of(thief, code), 10**9))
    elif choice == 6:
        signed = t.signed(thief, OpenAccount(f"{victim}:opened-by-{thief}", code))
    else:  # issuance accounts move only through Issue and Redeem, even for their issuer
        signed = t.signed(issuer, Transfer((Leg(t.cast.issuance(code), account_of(thief, code), 1, code),)))
    return [t.hostile("no_authority", signed.raw, signed.tx_id)]


def party_squat(t: "Traffic") -> list["Shot"]:
    entries = [(p, fsp) for p, fsp in t.parties.items() if p not in t.touched]
    if not entries or t.rng.random() < 0.3:
        # an FSP lists a number itself, for itself: only the directory operator signs the directory
        fsp = t.rng.choice(DIRECTORY_FSPS)
        signed = t.signed(fsp, SetParty(t.rng.randbytes(32), True, fsp))
        return [t.hostile("party_squat", signed.raw, signed.tx_id)]
    entry, owner = t.rng.choice(entries)
    t.touched.add(entry)
    squatter = t.rng.choice([f for f in DIRECTORY_FSPS if f != owner])
    active = t.rng.random() < 0.5  # take the number over, or remove it from its owner
    signed = t.signed(squatter, SetParty(entry, active, squatter if active else owner))
    return [t.hostile("party_squat", signed.raw, signed.tx_id)]


def near_limit(t: "Traffic") -> list["Shot"]:
    """Balances pushed to 2^63 - 1 in a currency of their own: refused at the limit, never past it."""
    rich, poor = t.rng.sample(WHALES, 2)
    owner = account_owner(rich)
    choice = t.rng.randrange(5)
    if choice == 0:
        signed = t.signed(t.cast.issuers[WHALE_CURRENCY], Issue(rich, t.rng.choice(NEAR_MAX), WHALE_CURRENCY))
    elif choice == 1:
        signed = t.signed(owner, Transfer((Leg(rich, poor, t.rng.choice(NEAR_MAX), WHALE_CURRENCY),)))
    elif choice == 2:
        op, preimage = honest.pending_op(t, (Leg(rich, poor, t.rng.choice(NEAR_MAX), WHALE_CURRENCY),))
        shot = t.anything("near_limit", *_raw_id(t.signed(owner, op)))
        if preimage:
            shot.on_ok = lambda: t.preimages.__setitem__(shot.tx_id, preimage)
        return [shot]
    elif choice == 3:
        signed = t.signed(owner, Redeem(rich, t.rng.choice(NEAR_MAX), WHALE_CURRENCY),
                          (t.cast.issuers[WHALE_CURRENCY],))
    else:  # an amount no balance may hold, or none at all
        signed = t.signed(owner, Transfer((Leg(rich, poor, t.rng.choice(PAST_MAX), WHALE_CURRENCY),)))
        return [t.hostile("past_limit", signed.raw, signed.tx_id)]
    return [t.anything("near_limit", signed.raw, signed.tx_id)]


def _raw_id(signed: Signed) -> tuple[bytes, bytes]:
    return signed.raw, signed.tx_id


def oversize(t: "Traffic") -> list["Shot"]:
    """Past every limit of a transaction: legs, signatures, quotes, memo, body and whole bytes."""
    batch = honest.legs(t, 1)
    owner = account_owner(batch[0].debit)
    key = t.cast.keys[owner][0]
    choice = t.rng.randrange(5)
    if choice == 0:
        signed = t.signed(owner, Transfer(batch * (TX_LEGS_MAX + t.rng.randint(1, 10))))
    elif choice == 1:
        plain = t.signed(owner, Transfer(batch))
        sig = plain.sigs[0]
        raw = encode(SignedTx(plain.body, (sig,) * (TX_SIGNATURES_MAX + t.rng.randint(1, 4))))
        return [t.hostile("oversize", raw, plain.tx_id)]
    elif choice == 2:
        quote, _ = honest.firm_quote(t, owner, "EUR", 100, 30_000)
        signed = t.signed(owner, Transfer(batch, (quote,) * (TX_QUOTES_MAX + 1)))
    elif choice == 3:
        signed = t.signed(owner, Transfer(batch, memo="m" * t.rng.choice((129, 500, 17_000))))
    else:
        body = t.cast.body(owner, t.ref(), t.deadline(), Transfer(batch, memo="m" * 40_000))
        signed = t.cast.sign(body, key)
    return [t.hostile("oversize", signed.raw, signed.tx_id)]
