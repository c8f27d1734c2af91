"""Transactions: what members sign and submit.

A ``SignedTx`` carries the canonical bytes of its ``TxBody`` and the signatures over the transaction id,
which is the domain-separated SHA-256 of those bytes. Keeping the body as bytes means the id and the
signatures are checked without re-encoding anything.
"""

from __future__ import annotations

from typing import Union

import msgspec

from inzira.crypto import Hasher, KeyPair
from inzira.ledger.encoding import CanonicalDecoder, encode
from inzira.ledger.records import Leg

TX_VERSION = 1
TX_BODY_BYTES_MAX = 16 * 1024
TX_SIGNATURES_MAX = 16
TX_LEGS_MAX = 64
TX_QUOTES_MAX = 8
SIG_BYTES_MAX = 128  # one signature in a signed transaction, with room to spare
TX_BYTES_MAX = TX_BODY_BYTES_MAX + TX_SIGNATURES_MAX * SIG_BYTES_MAX  # a whole signed transaction

tx_hash = Hasher("inzira/tx")
quote_hash = Hasher("inzira/quote")


class _Record(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """Base of every canonical record: immutable, encoded as a msgpack array."""


class Sig(_Record):
    key: bytes  # Ed25519 public key of a member
    sig: bytes  # signature over the transaction id (or the quote hash)


class Quote(_Record):
    """An FX provider's firm quote: it pays ``sell`` and receives ``buy``, until ``expires_at_ms``."""

    chain_id: bytes
    quote_id: str
    fx: str  # the FX provider's member id
    for_member: str  # only this member may use the quote
    sell_currency: str
    sell_amount_minor: int
    buy_currency: str
    buy_amount_minor: int
    rate: str  # exact decimal, buy units per sell unit; for people, the legs are what binds
    expires_at_ms: int


class SignedQuote(_Record):
    body: bytes  # canonical Quote
    sig: Sig


# --- operations (tagged: the first array element says which) ---


class OpenAccount(_Record, tag=1):
    account: str
    currency: str


class Transfer(_Record, tag=2):
    """An atomic batch of legs. With ``expires_at_ms`` > 0 every leg is pending (two-phase) until then.

    A hashlocked transfer (``condition`` set) names its ``payee``, the member that pays out and holds the
    preimage: only the preimage, that payee's void or the expiry end it.
    """

    legs: tuple[Leg, ...]
    quotes: tuple[SignedQuote, ...] = ()
    memo: str = ""
    expires_at_ms: int = 0
    condition: bytes = b""  # SHA-256 hashlock; empty when none
    payee: str = ""  # the member that owns the hashlock; empty when there is none


class PostPending(_Record, tag=3):
    pending_id: bytes  # the id of the transaction that created the pending transfer
    fulfilment: bytes = b""


class VoidPending(_Record, tag=4):
    pending_id: bytes


class Issue(_Record, tag=5):
    account: str
    amount_minor: int
    currency: str
    reference: str = ""  # the settlement reference of the funds the issuer received (for auditors)


class Redeem(_Record, tag=6):
    account: str
    amount_minor: int
    currency: str
    reference: str = ""  # the settlement reference of the payment the issuer makes to the holder


class SetDebitCap(_Record, tag=7):
    account: str
    cap_minor: int


class SetFrozen(_Record, tag=8):
    account: str
    frozen: bool


class SetParty(_Record, tag=9):
    """Directory entry: keyed hash of a phone number -> the FSP that serves it (``active=False`` removes it).

    Only the directory operator signs it: it alone holds the hash key, so no other member can list, squat or
    reverse a number.
    """

    party: bytes
    active: bool
    fsp: str = ""  # the receiving FSP or wallet issuer listed (or, on removal, the one listed until now)


class MemberSpec(_Record):
    id: str
    name: str
    roles: tuple[str, ...]
    keys: tuple[bytes, ...]
    threshold: int = 1  # keys of this member needed to change its own keys or roles


class AddMember(_Record, tag=10):
    """A new member, admitted by a quorum of the current members."""

    spec: MemberSpec


class RotateKeys(_Record, tag=11):
    """A member replaces its own keys: ``threshold`` of its current keys sign, nobody else can."""

    member: str
    keys: tuple[bytes, ...]
    threshold: int


class SetRoles(_Record, tag=12):
    """A member's roles change with its own signatures (its threshold) and a quorum of the members."""

    member: str
    roles: tuple[str, ...]


class RemoveMember(_Record, tag=13):
    """A quorum of the other members removes one whose accounts are empty or frozen."""

    member: str


MEMBERSHIP_OPS = (AddMember, RotateKeys, SetRoles, RemoveMember)

Op = Union[
    OpenAccount, Transfer, PostPending, VoidPending, Issue, Redeem, SetDebitCap, SetFrozen, SetParty,
    AddMember, RotateKeys, SetRoles, RemoveMember,
]


class TxBody(_Record):
    version: int
    chain_id: bytes
    submitter: str  # the member whose own signature spends this transaction's id
    ref: str  # the submitter's own reference: unique per submitter within the validity window
    expires_at_ms: int  # the transaction is refused in any block after this time
    op: Op


class SignedTx(_Record):
    body: bytes
    sigs: tuple[Sig, ...]


decode_body = CanonicalDecoder(TxBody)
decode_signed = CanonicalDecoder(SignedTx)
decode_quote = CanonicalDecoder(Quote)


def tx_id_of(body_bytes: bytes) -> bytes:
    return tx_hash(body_bytes)


def sign_body(body: TxBody, *keys: KeyPair) -> bytes:
    """Encode and sign a body (one of ``keys`` must be the submitter's). Returns the signed transaction."""
    body_bytes = encode(body)
    tx_id = tx_hash(body_bytes)
    return encode(SignedTx(body_bytes, tuple(Sig(k.public_key, k.sign(tx_id)) for k in keys)))


def add_signatures(signed: bytes, *keys: KeyPair) -> bytes:
    """Countersign an already signed transaction (redeem, a membership quorum, a key rotation)."""
    tx = decode_signed(signed)
    tx_id = tx_hash(tx.body)
    extra = tuple(Sig(k.public_key, k.sign(tx_id)) for k in keys)
    return encode(SignedTx(tx.body, tx.sigs + extra))


def sign_quote(quote: Quote, fx_key: KeyPair) -> SignedQuote:
    body = encode(quote)
    return SignedQuote(body, Sig(fx_key.public_key, fx_key.sign(quote_hash(body))))
