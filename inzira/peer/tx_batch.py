"""What peers publish to the transactions stream: signed transactions, many to a message.

One message per batch rather than per transaction: JetStream's cost is per message (a Raft entry stored on
three servers), so batching is what lets the ordering service carry thousands of transactions a second.
JetStream's duplicate filter (`Nats-Msg-Id`) gets the hash of a transaction's exact bytes for a batch of one,
and a hash of those hashes otherwise, so a retried publish is dropped (a copy of the body under other
signatures is other bytes, not dropped); beyond that the ledger's own transaction index decides what is a
duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from inzira.crypto import Hasher
from inzira.decoding import refusing_depth

TX_BATCH_VERSION = 1
TX_BATCH_TXS_MAX = 1_000
TX_BATCH_BYTES_MAX = 256 * 1024  # well under a block, so a whole batch always fits in one block
ENVELOPE_BYTES = 16  # msgpack framing of one transaction in a batch, at most

batch_id_hash = Hasher("inzira/txbatch")


class TxBatch(msgspec.Struct, frozen=True, array_like=True):
    version: int
    txs: tuple[bytes, ...]


_decode = refusing_depth(msgspec.msgpack.Decoder(TxBatch).decode)


def encode_batch(raws: Sequence[bytes]) -> bytes:
    if not 0 < len(raws) <= TX_BATCH_TXS_MAX:
        raise ValueError(f"a batch holds 1 to {TX_BATCH_TXS_MAX} transactions")
    if sum(len(raw) + ENVELOPE_BYTES for raw in raws) > TX_BATCH_BYTES_MAX:
        raise ValueError(f"a batch holds at most {TX_BATCH_BYTES_MAX} bytes")
    return msgspec.msgpack.encode(TxBatch(TX_BATCH_VERSION, tuple(raws)))


def batch_id(keys: Sequence[bytes]) -> bytes:
    """The message id of a batch, from its transactions' keys (``raw_tx_hash``, of the exact bytes): the key
    itself for one, a hash of all the keys otherwise."""
    return keys[0] if len(keys) == 1 else batch_id_hash(b"".join(keys))


def decode_batch(payload: bytes) -> tuple[bytes, ...]:
    """The transactions of a message; empty for anything that is not a batch within the limits (a member
    may publish anything to its subject: garbage is refused whole, never fatal, never cut short)."""
    if len(payload) > TX_BATCH_BYTES_MAX + TX_BATCH_TXS_MAX * ENVELOPE_BYTES:
        return ()
    try:
        batch = _decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return ()
    if batch.version != TX_BATCH_VERSION or len(batch.txs) > TX_BATCH_TXS_MAX:
        return ()
    return batch.txs
