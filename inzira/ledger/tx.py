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
MEMBERSHIP_CHANGES_MAX = 16
TX_BYTES_MAX = TX_BODY_BYTES_MAX + TX_SIGNATURES_MAX * 128  # a whole signed transaction

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
    """An atomic batch of legs. With ``expires_at_ms`` > 0 every leg is pending (two-phase) until then."""

    legs: tuple[Leg, ...]
    quotes: tuple[SignedQuote, ...] = ()
    memo: str = ""
    expires_at_ms: int = 0
    condition: bytes = b""  # SHA-256 hashlock; empty when none


class PostPending(_Record, tag=3):
    pending_id: bytes  # the id of the transaction that created the pending transfer
    fulfilment: bytes = b""


class VoidPending(_Record, tag=4):
    pending_id: bytes


class Issue(_Record, tag=5):
    account: str
    amount_minor: int
    currency: str


class Redeem(_Record, tag=6):
    account: str
    amount_minor: int
    currency: str


class SetDebitCap(_Record, tag=7):
    account: str
    cap_minor: int


class SetFrozen(_Record, tag=8):
    account: str
    frozen: bool


class SetParty(_Record, tag=9):
    """Directory entry: keyed hash of a phone number -> the signing receiving FSP (active=False removes)."""

    party: bytes
    active: bool


class MemberSpec(_Record):
    id: str
    name: str
    roles: tuple[str, ...]
    keys: tuple[bytes, ...]


class ChangeMembership(_Record, tag=10):
    add: tuple[MemberSpec, ...] = ()  # adds a member, or replaces one (key rotation, roles)
    remove: tuple[str, ...] = ()


Op = Union[
    OpenAccount, Transfer, PostPending, VoidPending, Issue, Redeem, SetDebitCap, SetFrozen, SetParty, ChangeMembership
]


class TxBody(_Record):
    version: int
    chain_id: bytes
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
    """Encode and sign a body; the first key is the submitter. Returns the signed transaction bytes."""
    body_bytes = encode(body)
    tx_id = tx_hash(body_bytes)
    return encode(SignedTx(body_bytes, tuple(Sig(k.public_key, k.sign(tx_id)) for k in keys)))


def add_signatures(signed: bytes, *keys: KeyPair) -> bytes:
    """Countersign an already signed transaction (redeem, membership quorum)."""
    tx = decode_signed(signed)
    tx_id = tx_hash(tx.body)
    extra = tuple(Sig(k.public_key, k.sign(tx_id)) for k in keys)
    return encode(SignedTx(tx.body, tx.sigs + extra))


def sign_quote(quote: Quote, fx_key: KeyPair) -> SignedQuote:
    body = encode(quote)
    return SignedQuote(body, Sig(fx_key.public_key, fx_key.sign(quote_hash(body))))
