"""Copies of honest transactions with their signatures reordered, repeated, stripped, forged, replaced or
joined by a stranger's.

A copy as valid as its original (reordered, repeated) spends the same id: whichever goes first gets the
verdict, the other must be a duplicate. A copy that fails to authenticate goes first and must spend nothing
and block nothing: the original after it is never taken for a duplicate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inzira.adversary import honest
from inzira.adversary.cast import TRADERS, Signed, account_of
from inzira.ledger.codes import Code
from inzira.ledger.encoding import encode
from inzira.ledger.ids import account_owner
from inzira.ledger.records import Leg
from inzira.ledger.tx import Sig, SignedTx, Transfer, decode_body

if TYPE_CHECKING:
    from inzira.adversary.traffic import Shot, Traffic

DUPLICATE_ONLY = frozenset({Code.DUPLICATE})


def _original(t: "Traffic", signers: int) -> Signed:
    """An honest posted transfer signed by ``signers`` (1 or 2) different members."""
    batch = honest.legs(t, signers)
    if signers == 2 and account_owner(batch[1].debit) == account_owner(batch[0].debit):
        other = next(m for m in TRADERS if m != account_owner(batch[0].debit))
        code = batch[1].currency
        batch = (batch[0], Leg(account_of(other, code), batch[0].debit, batch[1].amount_minor, code))
    owners = [account_owner(leg.debit) for leg in batch]
    return t.signed(owners[0], Transfer(batch), tuple(owners[1:]))


def _copy(t: "Traffic", shape: str, original: Signed, sigs: tuple[Sig, ...]) -> list["Shot"]:
    """A copy that authenticates as its original does: whichever goes first gets the verdict, the other is a
    duplicate."""
    copy = t.honest_shot(shape, original)
    copy.raw, copy.honest = encode(SignedTx(original.body, sigs)), False
    first = t.honest_shot("transfer", original)
    if t.rng.random() < 0.5:
        first, copy = copy, first
    copy.forbidden, copy.allowed = frozenset(), DUPLICATE_ONLY
    return [first, copy]


def reordered_sigs(t: "Traffic") -> list["Shot"]:
    original = _original(t, 2)
    return _copy(t, "reordered_sigs", original, original.sigs[::-1])


def duplicated_sig(t: "Traffic") -> list["Shot"]:
    original = _original(t, t.rng.choice((1, 2)))
    return _copy(t, "duplicated_sig", original, original.sigs + original.sigs[:1])


def _spoiled_then_original(t: "Traffic", shape: str, original: Signed, sigs: tuple[Sig, ...]) -> list["Shot"]:
    """A copy that fails to authenticate, then the original: the copy must spend nothing and block nothing."""
    return [t.hostile(shape, encode(SignedTx(original.body, sigs)), original.tx_id),
            t.honest_shot("transfer", original)]


def missing_sig(t: "Traffic") -> list["Shot"]:
    original = _original(t, t.rng.choice((1, 2)))
    return _spoiled_then_original(t, "missing_sig", original, original.sigs[1:])


def foreign_sig(t: "Traffic") -> list["Shot"]:
    original = _original(t, 1)
    stranger = Sig(t.cast.stranger.public_key, t.cast.stranger.sign(original.tx_id))
    sigs = original.sigs + (stranger,) if t.rng.random() < 0.5 else (stranger,) + original.sigs
    return _spoiled_then_original(t, "foreign_sig", original, sigs)


def resigned_by_other(t: "Traffic") -> list["Shot"]:
    original = _original(t, 1)
    submitter = decode_body(original.body).submitter
    other = t.cast.keys[t.rng.choice([m for m in TRADERS if m != submitter])][0]
    resigned = (Sig(other.public_key, other.sign(original.tx_id)),)
    return _spoiled_then_original(t, "resigned_by_other", original, resigned)


def forged_sig(t: "Traffic") -> list["Shot"]:
    original = _original(t, 1)
    sig = original.sigs[0]
    spoiled = bytearray(sig.sig)
    spoiled[t.rng.randrange(len(spoiled))] ^= 1 << t.rng.randrange(8)
    return _spoiled_then_original(t, "forged_sig", original, (Sig(sig.key, bytes(spoiled)),))
