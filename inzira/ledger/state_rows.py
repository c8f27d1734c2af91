"""The state as persisted rows: the key prefix of each kind of record and how a row's bytes decode.

A node stores the state as rows (``State.seal`` writes a block's changes, ``State.from_rows`` reads them
back), and keeps the client references apart, in its transaction index (``refs_added``, ``without_refs``).
"""

from __future__ import annotations

from typing import Any, Iterable

import msgspec

from inzira.ledger.records import Account, Member, PendingTransfer, RefEntry

# Key prefixes of the persisted rows.
K_ACCOUNT, K_PENDING, K_MEMBER, K_REF, K_QUOTE, K_PARTY = b"A", b"P", b"M", b"R", b"Q", b"D"
META_POLICY, META_ISSUERS = b"Gpolicy", b"Gissuers"

_DECODERS = {
    K_ACCOUNT: msgspec.msgpack.Decoder(Account).decode,
    K_PENDING: msgspec.msgpack.Decoder(PendingTransfer).decode,
    K_MEMBER: msgspec.msgpack.Decoder(Member).decode,
    K_REF: msgspec.msgpack.Decoder(RefEntry).decode,
    K_QUOTE: msgspec.msgpack.Decoder(int).decode,
    K_PARTY: msgspec.msgpack.Decoder(str).decode,
}

WriteSet = list[tuple[bytes, bytes | None]]


def decode_row(prefix: bytes, value: bytes) -> Any:
    """The record a row of this key prefix holds (a meta row is read by its own key, not here)."""
    return _DECODERS[prefix](value)


def refs_added(write_set: WriteSet) -> dict[bytes, tuple[bytes, int]]:
    """The client references a block consumed: tx id -> (reference key, deadline)."""
    added: dict[bytes, tuple[bytes, int]] = {}
    for key, value in write_set:
        if value is not None and key[:1] == K_REF:
            entry = _DECODERS[K_REF](value)
            added[entry.tx_id] = (key[1:], entry.expires_at_ms)
    return added


def without_refs(items: Iterable[tuple[bytes, Any]]) -> list[tuple[bytes, Any]]:
    """Rows or a write set minus the client references, which nodes keep in their transaction index."""
    return [(k, v) for k, v in items if k[:1] != K_REF]
