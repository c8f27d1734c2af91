"""Signed checkpoints: what a peer says about its chain, so others can tell whether they agree.

After each block a peer signs (with its member key) its height, block hash and state hash, where it is in
the ordering logs, and the last block entry it refused; at snapshot heights it adds the digest of its whole
state. Anyone holding the genesis can check who said what.
"""

from __future__ import annotations

import msgspec

from inzira.crypto import Hasher, KeyPair, verify
from inzira.ledger.encoding import CanonicalDecoder, encode

CHECKPOINT_VERSION = 1
API_URL_CHARS_MAX = 200

checkpoint_hash = Hasher("inzira/checkpoint")


class Checkpoint(msgspec.Struct, frozen=True, array_like=True):
    version: int
    chain_id: bytes
    member: str
    height: int
    block_hash: bytes
    state_hash: bytes
    blocks_seq: int  # the blocks-stream entry holding this block
    source_last: int  # the transactions stream is covered up to here by blocks up to this one
    digest: bytes = b""  # digest of the whole state, at snapshot heights only
    rejected_height: int = 0  # the last block entry this peer refused: the height it claimed ...
    rejected_hash: bytes = b""  # ... and its hash
    api_url: str = ""  # where this peer serves its API (snapshots for peers catching up)
    at_ms: int = 0  # wall clock when signed: for people, not for agreement

    @property
    def value(self) -> tuple[bytes, bytes, bytes]:
        """What peers compare at a height."""
        return self.block_hash, self.state_hash, self.digest


class SignedCheckpoint(msgspec.Struct, frozen=True, array_like=True):
    body: bytes
    key: bytes
    sig: bytes


_decode_signed = CanonicalDecoder(SignedCheckpoint)
_decode_body = CanonicalDecoder(Checkpoint)


def sign_checkpoint(checkpoint: Checkpoint, key: KeyPair) -> bytes:
    body = encode(checkpoint)
    return encode(SignedCheckpoint(body, key.public_key, key.sign(checkpoint_hash(body))))


def open_checkpoint(data: bytes, chain_id: bytes, member_keys: dict[str, tuple[bytes, ...]]) -> Checkpoint | None:
    """The checkpoint if it is well formed (its ``api_url`` none or an HTTP URL of at most ``API_URL_CHARS_MAX``),
    of this network and signed by a key of the member it names."""
    try:
        signed = _decode_signed(data)
        checkpoint = _decode_body(signed.body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    if checkpoint.version != CHECKPOINT_VERSION or checkpoint.chain_id != chain_id:
        return None
    if not _fetchable(checkpoint.api_url):
        return None
    if signed.key not in member_keys.get(checkpoint.member, ()):
        return None
    if not verify(signed.key, checkpoint_hash(signed.body), signed.sig):
        return None
    return checkpoint


def _fetchable(api_url: str) -> bool:
    """No URL, or an HTTP one of bounded length: peers catching up call it for snapshots."""
    return not api_url or (len(api_url) <= API_URL_CHARS_MAX and api_url.startswith(("http://", "https://")))
