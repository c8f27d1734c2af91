"""Bytes from anywhere: garbage, honest transactions cut short or bit-flipped, and transactions of the right
shape with wild values (integers to 2^64 - 1 and down to -2^63, empty and very long strings, unknown ids,
keys and hashes of every length), often properly signed so that they reach the handlers.

Wild shots may even commit (a wild value can be a valid one); only the invariants and the model judge them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from inzira.adversary.cast import CURRENCIES, TRADERS, WHALE_CURRENCY, WHALES, account_of
from inzira.adversary import honest
from inzira.ledger.encoding import encode
from inzira.ledger.records import Leg
from inzira.ledger.tx import (
    TX_VERSION,
    AddMember,
    Issue,
    MemberSpec,
    OpenAccount,
    PostPending,
    Quote,
    Redeem,
    RemoveMember,
    RotateKeys,
    SetDebitCap,
    SetFrozen,
    SetParty,
    SetRoles,
    Sig,
    SignedQuote,
    SignedTx,
    Transfer,
    TxBody,
    VoidPending,
    quote_hash,
    tx_hash,
)
from inzira.money import AMOUNT_MINOR_MAX

if TYPE_CHECKING:
    from inzira.adversary.traffic import Shot, Traffic

INTS = (0, 1, -1, 2, 255, 256, 2**31, 2**32, 2**53 + 1, 2**62, AMOUNT_MINOR_MAX - 1, AMOUNT_MINOR_MAX, 2**63,
        2**64 - 1, -(2**63), -(2**31))
STRINGS = ("", "x", ":", "eurosend:", ":eur", "ghost", "ghost:eur", "cbr", "sbk", "imari-fx", "EUR", "eur", "XXX",
           "RWF", "GBP", "é" * 40, "\x00", "guest-s1", "eurosend:eur\x00", "a" * 80, "🙂" * 20)
ROLE_NAMES = ("issuer", "central_bank", "regulator", "fx_provider", "receiving_fsp", "auditor", "", "root")
MEMBER_OPS_ON_DEMO = (RotateKeys, SetRoles, RemoveMember)


def wint(t: "Traffic") -> int:
    roll = t.rng.random()
    if roll < 0.5:
        return t.rng.choice(INTS)
    if roll < 0.7:
        return t.rng.randint(-(2**63), 2**64 - 1)
    return t.rng.randint(1, 10**6)


def wstr(t: "Traffic") -> str:
    roll = t.rng.random()
    if roll < 0.4:
        return t.rng.choice(STRINGS)
    if roll < 0.8:
        return account_of(t.rng.choice(TRADERS), t.rng.choice(CURRENCIES))
    if roll < 0.85:
        return t.rng.choice(WHALES)
    if roll < 0.99:
        return t.rng.choice(TRADERS)
    return "w" * t.rng.choice((65, 129, 300, 5_000))


def wbytes(t: "Traffic") -> bytes:
    roll = t.rng.random()
    if roll < 0.3 and t.open_ids:
        return t.open_ids[t.rng.randrange(len(t.open_ids))]
    if roll < 0.6:
        return t.rng.randbytes(32)
    return t.rng.choice((b"", b"\x00" * 32, b"\xff" * 33)) if roll < 0.8 else t.rng.randbytes(t.rng.randint(0, 100))


def wcurrency(t: "Traffic") -> str:
    return t.rng.choice(CURRENCIES + (WHALE_CURRENCY,)) if t.rng.random() < 0.8 else wstr(t)


def wleg(t: "Traffic") -> Leg:
    return Leg(wstr(t), wstr(t), wint(t) if t.rng.random() < 0.5 else t.rng.randint(1, 10**5), wcurrency(t))


def wquote(t: "Traffic", submitter: str) -> SignedQuote:
    quote = Quote(t.cast.chain_id if t.rng.random() < 0.8 else wbytes(t), wstr(t), t.rng.choice(("imari-fx", "")),
                  submitter if t.rng.random() < 0.7 else wstr(t), wcurrency(t), wint(t), wcurrency(t), wint(t),
                  wstr(t), t.now_ms + t.rng.randint(-1_000, 60_000) if t.rng.random() < 0.7 else wint(t))
    body = encode(quote)
    key = t.cast.keys["imari-fx"][0]
    if t.rng.random() < 0.7:
        return SignedQuote(body, Sig(key.public_key, key.sign(quote_hash(body))))
    return SignedQuote(body, Sig(wbytes(t), wbytes(t) + wbytes(t)))


def wop(t: "Traffic", submitter: str) -> Any:
    kind = t.rng.randrange(13)
    if kind == 0:
        return OpenAccount(wstr(t), wcurrency(t))
    if kind in (1, 2, 3):
        legs = tuple(wleg(t) for _ in range(t.rng.choice((0, 1, 1, 2, 3, 65))))
        quotes = tuple(wquote(t, submitter) for _ in range(t.rng.choice((0, 0, 0, 1, 2))))
        expires = t.rng.choice((0, 0, t.now_ms + t.rng.randint(-1_000, 10**6), wint(t)))
        return Transfer(legs, quotes, wstr(t), expires, wbytes(t) if t.rng.random() < 0.3 else b"",
                        wstr(t) if t.rng.random() < 0.3 else "")
    if kind == 4:
        return PostPending(wbytes(t), wbytes(t))
    if kind == 5:
        return VoidPending(wbytes(t))
    if kind == 6:
        return Issue(wstr(t), wint(t), wcurrency(t))
    if kind == 7:
        return Redeem(wstr(t), wint(t), wcurrency(t))
    if kind == 8:
        return SetDebitCap(wstr(t), wint(t))
    if kind == 9:
        return t.rng.choice((SetFrozen(wstr(t), t.rng.random() < 0.5),
                             SetParty(wbytes(t), t.rng.random() < 0.5, wstr(t))))
    if kind == 10:
        roles = tuple(t.rng.choice(ROLE_NAMES) for _ in range(t.rng.randint(0, 4)))
        keys = tuple(wbytes(t) for _ in range(t.rng.randint(0, 3)))
        return AddMember(MemberSpec(wstr(t), wstr(t), roles, keys, wint(t)))
    if kind == 11:
        return RotateKeys(wstr(t), tuple(wbytes(t) for _ in range(t.rng.randint(0, 3))), wint(t))
    return t.rng.choice((SetRoles(wstr(t), tuple(t.rng.choice(ROLE_NAMES) for _ in range(2))), RemoveMember(wstr(t))))


def wild_values(t: "Traffic") -> list["Shot"]:
    """A well-formed transaction with wild values, usually signed by the member it names (and a few others,
    sometimes enough for a quorum), so that it passes authentication and reaches the rules."""
    members = list(t.cast.keys)
    submitter = t.rng.choice(members) if t.rng.random() < 0.9 else wstr(t)
    op = wop(t, submitter)
    if type(op) in MEMBER_OPS_ON_DEMO and op.member in t.cast.keys:
        op = type(op)(*(["ghost"] + [getattr(op, f) for f in op.__struct_fields__[1:]]))  # keep the cast's keys
    deadline = t.deadline() if t.rng.random() < 0.9 else wint(t)
    ref = t.ref() if t.rng.random() < 0.8 else wstr(t)
    body = encode(TxBody(TX_VERSION if t.rng.random() < 0.95 else wint(t),
                         t.cast.chain_id if t.rng.random() < 0.95 else wbytes(t), submitter, ref, deadline, op))
    tx_id = tx_hash(body)
    if t.rng.random() < 0.75 and submitter in t.cast.keys:
        signers = [submitter] + t.rng.sample(members, t.rng.choice((0, 0, 1, 2, 5, 6)))
        sigs = tuple(Sig(t.cast.keys[m][0].public_key, t.cast.keys[m][0].sign(tx_id)) for m in signers)
    else:
        sigs = tuple(Sig(wbytes(t), wbytes(t) + wbytes(t)) for _ in range(t.rng.randint(0, 4)))
    shot = t.anything("wild", encode(SignedTx(body, sigs)), tx_id)
    if type(op) is SetFrozen and op.frozen:  # should it commit, the regulator will unfreeze it in time
        shot.on_ok = lambda: t.frozen.add(op.account)
    return [shot]


def garbage(t: "Traffic") -> list["Shot"]:
    """Bytes that are no transaction: random, msgpack of the wrong shape, or far too many."""
    roll = t.rng.random()
    if roll < 0.4:
        raw = t.rng.randbytes(t.rng.randint(0, 300))
    elif roll < 0.8:  # msgpack arrays of about the right length, with values of the wrong types
        fields = [t.rng.choice((1, "1", b"\x01", None, True, [], {}, 1.5, -1)) for _ in range(t.rng.randint(0, 7))]
        inner = msgspec.msgpack.encode(fields)
        raw = msgspec.msgpack.encode([inner, [[wbytes(t), wbytes(t)]]] if t.rng.random() < 0.5 else fields)
    elif roll < 0.95:
        raw = b"\x92" + t.rng.randbytes(t.rng.randint(0, 60))
    else:
        raw = t.rng.randbytes(t.rng.randint(20_000, 70_000))
    return [t.hostile("garbage", raw)]


def truncated(t: "Traffic") -> list["Shot"]:
    """An honest transaction cut short, lengthened or with one bit flipped; the original follows it."""
    shot = honest.transfer(t)[0]
    raw = bytearray(shot.raw)
    roll = t.rng.random()
    if roll < 0.4:
        spoiled = bytes(raw[: t.rng.randrange(len(raw))])
    elif roll < 0.5:
        spoiled = bytes(raw) + t.rng.randbytes(t.rng.randint(1, 3))
    else:
        raw[t.rng.randrange(len(raw))] ^= 1 << t.rng.randrange(8)
        spoiled = bytes(raw)
    return [t.hostile("truncated", spoiled, shot.tx_id), shot]
