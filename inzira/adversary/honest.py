"""Honest traffic: what the members do when they follow the rules.

Every shape returns a list of shots (usually one), signed by the members whose consent it needs. An honest
transaction may still be refused (a payer short of funds, a frozen account, a pending transfer already
expired) but always authenticates and is never taken for a duplicate.
"""

from __future__ import annotations

import hashlib
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from inzira.adversary.cast import (
    CURRENCIES,
    DIRECTORY_FSPS,
    DIRECTORY_OPERATOR,
    FX,
    RECEIVERS,
    REGULATOR,
    SENDERS,
    TRADERS,
    account_of,
)
from inzira.ledger.ids import account_owner
from inzira.ledger.records import Leg
from inzira.ledger.tx import (
    Issue,
    PostPending,
    Quote,
    Redeem,
    SetDebitCap,
    SetFrozen,
    SetParty,
    SignedQuote,
    Transfer,
    VoidPending,
    decode_quote,
    sign_quote,
)
from inzira.money import currency

if TYPE_CHECKING:
    from inzira.adversary.traffic import Shot, Traffic

FX_SOURCES = ("EUR", "USD", "CNY")
FX_TARGET = "RWF"


def amount(t: "Traffic") -> int:
    return t.rng.randint(1, 100_000)


def legs(t: "Traffic", count: int) -> tuple[Leg, ...]:
    code = t.rng.choice(CURRENCIES)
    chosen = []
    for _ in range(count):
        debit, credit = t.rng.sample(TRADERS, 2)
        chosen.append(Leg(account_of(debit, code), account_of(credit, code), amount(t), code))
    return tuple(chosen)


def _signers(batch: tuple[Leg, ...]) -> tuple[str, tuple[str, ...]]:
    owners = [account_owner(leg.debit) for leg in batch]
    return owners[0], tuple(owners[1:])


def transfer(t: "Traffic") -> list["Shot"]:
    batch = legs(t, t.rng.choice((1, 1, 1, 2, 3)))
    submitter, cosigners = _signers(batch)
    return [t.honest("transfer", submitter, Transfer(batch), cosigners)]


def pending_op(t: "Traffic", batch: tuple[Leg, ...], quotes: tuple[SignedQuote, ...] = ()) -> tuple[Transfer, bytes]:
    """A two-phase transfer of ``batch``, hashlocked half the time (its payee: the first leg's payee); with
    quotes, over by the policy's grace after the earliest of them at the latest, as the ledger requires."""
    expires_at_ms = t.now_ms + t.rng.randint(2_000, 120_000)
    if quotes:
        earliest_ms = min(decode_quote(q.body).expires_at_ms for q in quotes)
        expires_at_ms = min(expires_at_ms, earliest_ms + t.policy.quote_hold_after_max_ms)
    if t.rng.random() < 0.5:
        return Transfer(batch, quotes, expires_at_ms=expires_at_ms), b""
    preimage = t.rng.randbytes(32)
    op = Transfer(batch, quotes, expires_at_ms=expires_at_ms, condition=hashlib.sha256(preimage).digest(),
                  payee=account_owner(batch[0].credit))
    return op, preimage


def _remember_preimage(t: "Traffic", shot: "Shot", preimage: bytes) -> "Shot":
    if preimage:
        shot.on_ok = lambda: t.preimages.__setitem__(shot.tx_id, preimage)
    return shot


def pending(t: "Traffic") -> list["Shot"]:
    batch = legs(t, t.rng.choice((1, 1, 2)))
    op, preimage = pending_op(t, batch)
    submitter, cosigners = _signers(batch)
    return [_remember_preimage(t, t.honest("pending", submitter, op, cosigners), preimage)]


def post(t: "Traffic") -> list["Shot"]:
    pending_id = t.pick_open(take=True)
    found = t.model.open.get(pending_id) if pending_id else None
    if found is None:
        return transfer(t)
    view = found.view
    if view.condition:
        preimage = t.preimages.get(pending_id)  # type: ignore[arg-type]
        if preimage is None or view.payee not in t.cast.keys:
            return transfer(t)
        return [t.honest("post", view.payee, PostPending(pending_id, preimage))]  # type: ignore[arg-type]
    if view.creator not in t.cast.keys:
        return transfer(t)
    return [t.honest("post", view.creator, PostPending(pending_id))]  # type: ignore[arg-type]


def void(t: "Traffic") -> list["Shot"]:
    pending_id = t.pick_open(take=True)
    found = t.model.open.get(pending_id) if pending_id else None
    if found is None:
        return transfer(t)
    view = found.view
    who = view.payee if view.condition else t.rng.choice(sorted({view.creator} | view.payees))
    if who not in t.cast.keys:
        return transfer(t)
    return [t.honest("void", who, VoidPending(pending_id))]  # type: ignore[arg-type]


def issue(t: "Traffic") -> list["Shot"]:
    code = t.rng.choice(CURRENCIES)
    account = account_of(t.rng.choice(TRADERS), code)
    return [t.honest("issue", t.cast.issuers[code], Issue(account, amount(t) * 100, code))]


def redeem(t: "Traffic") -> list["Shot"]:
    code = t.rng.choice(CURRENCIES)
    holder = t.rng.choice(TRADERS)
    op = Redeem(account_of(holder, code), amount(t), code)
    return [t.honest("redeem", holder, op, (t.cast.issuers[code],))]


def firm_quote(t: "Traffic", for_member: str, source: str, source_minor: int, ttl_ms: int) -> tuple[SignedQuote, int]:
    """The FX desk's price for ``source_minor`` of ``source`` in RWF, signed by the FX provider: (quote,
    RWF delivered). Quote ids are the traffic's own, so a run is reproduced from its seed."""
    _, rate = t.desk.customer_rate(source, FX_TARGET, t.now_ms)
    units = Decimal(source_minor).scaleb(-currency(source).exponent) * rate
    target_minor = int(units.scaleb(currency(FX_TARGET).exponent).to_integral_value(rounding=ROUND_FLOOR))
    quote = Quote(t.cast.chain_id, f"q{t.ref()}", FX, for_member, FX_TARGET, target_minor, source, source_minor,
                  str(rate), t.now_ms + ttl_ms)
    return sign_quote(quote, t.cast.keys[FX][0]), target_minor


def fx_legs(sender: str, source: str, source_minor: int, receiver: str, target_minor: int) -> tuple[Leg, ...]:
    return (Leg(account_of(sender, source), account_of(FX, source), source_minor, source),
            Leg(account_of(FX, FX_TARGET), account_of(receiver, FX_TARGET), target_minor, FX_TARGET))


def fx(t: "Traffic") -> list["Shot"]:
    """A remittance: the sender pays the FX provider in its currency, the provider pays RWF to the receiver,
    on the provider's signed firm quote; a third of them hashlocked until the receiver pays out."""
    sender, source, receiver = t.rng.choice(SENDERS), t.rng.choice(FX_SOURCES), t.rng.choice(RECEIVERS)
    source_minor = amount(t) + 100
    quote, target_minor = firm_quote(t, sender, source, source_minor, t.rng.randint(5_000, 600_000))
    batch = fx_legs(sender, source, source_minor, receiver, target_minor)
    if t.rng.random() < 0.3:
        op, preimage = pending_op(t, batch[1:] + batch[:1], (quote,))  # the receiver's leg first: the payee
        return [_remember_preimage(t, t.honest("fx", sender, op), preimage)]
    return [t.honest("fx", sender, Transfer(batch, (quote,)))]


def party(t: "Traffic") -> list["Shot"]:
    fsp = t.rng.choice(DIRECTORY_FSPS)
    own = [p for p, owner in t.parties.items() if owner == fsp and p not in t.touched]
    if own and t.rng.random() < 0.4:
        entry = t.rng.choice(own)
        t.touched.add(entry)
        return [t.honest("party", DIRECTORY_OPERATOR, SetParty(entry, False, fsp),
                         on_ok=lambda: t.parties.pop(entry, None))]
    entry = t.rng.randbytes(32)
    return [t.honest("party", DIRECTORY_OPERATOR, SetParty(entry, True, fsp),
                     on_ok=lambda: t.parties.__setitem__(entry, fsp))]


def cap(t: "Traffic") -> list["Shot"]:
    code = t.rng.choice(CURRENCIES)
    account = account_of(t.rng.choice(TRADERS), code)
    return [t.honest("cap", t.cast.issuers[code], SetDebitCap(account, t.rng.randint(0, 1_000_000)))]


def freeze(t: "Traffic") -> list["Shot"]:
    """The regulator freezes an account for a while (rarely: a frozen account blocks much honest traffic)."""
    if t.frozen:
        account = t.rng.choice(sorted(t.frozen))
        return [t.honest("freeze", REGULATOR, SetFrozen(account, False), on_ok=lambda: t.frozen.discard(account))]
    if t.rng.random() < 0.7:
        return transfer(t)
    account = account_of(t.rng.choice(TRADERS), t.rng.choice(CURRENCIES))
    return [t.honest("freeze", REGULATOR, SetFrozen(account, True), on_ok=lambda: t.frozen.add(account))]
