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


CHECKPOINTS_PER_S = 200  # per member: an honest peer sends one per block and a heartbeat, far fewer
CHECKPOINTS_BURST = 400
QUOTA_MEMBERS_MAX = 1_000


class CheckpointQuota:
    """How many checkpoints of each member a peer opens: a token bucket per member, checked before the signature.

    Checking a signature costs some 400 us on the peer's event loop, so a member publishing a few thousand a
    second (any member may, on its own subject) held every peer's loop. Past its share, a member's checkpoints
    are dropped unopened; the others' are untouched. A checkpoint is advisory: the next one says the same."""

    def __init__(self, per_s: float = CHECKPOINTS_PER_S, burst: float = CHECKPOINTS_BURST) -> None:
        self.per_s = per_s
        self.burst = burst
        self.dropped = 0
        self._buckets: dict[str, tuple[float, float]] = {}  # member -> (tokens, when counted)

    def take(self, member: str, now_s: float) -> bool:
        found = self._buckets.get(member)
        if found is None and len(self._buckets) >= QUOTA_MEMBERS_MAX:
            self.dropped += 1
            return False
        tokens, at = found if found is not None else (self.burst, now_s)
        tokens = min(self.burst, tokens + max(0.0, now_s - at) * self.per_s)
        taken = tokens >= 1
        self._buckets[member] = (tokens - 1 if taken else tokens, now_s)
        if not taken:
            self.dropped += 1
        return taken
