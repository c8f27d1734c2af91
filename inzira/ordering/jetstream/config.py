"""Names and limits of one network's ordering service on JetStream."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Network names go into subjects, stream names and a KV bucket name: keep to characters all accept.
_NETWORK_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# Member ids become one subject token (their own transactions subject, their inbox prefix).
_MEMBER_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

MIB = 1024 * 1024
# Room for our headers (Nats-Msg-Id, Nats-Expected-Last-Sequence): JetStream counts headers in its
# max message size, so the stream limit is the payload limit plus this.
HEADERS_ALLOWANCE_BYTES = 1024
TX_ID_BYTES_MAX = 64
REPLICAS_MAX = 5
CHECKPOINTS_PER_SUBJECT_MAX = 10_000
CHECKPOINT_BYTES_MAX = 4 * 1024
# Messages one member may hold in the transactions stream at once (its own subject); see docs/nats-security.md.
TX_MSGS_PER_MEMBER_DEFAULT = 1_000_000


def member_token(member: str) -> str:
    """A member id checked for use as one subject token."""
    if not _MEMBER_TOKEN_RE.match(member):
        raise ValueError(f"member id must match {_MEMBER_TOKEN_RE.pattern}: {member!r}")
    return member


@dataclass(frozen=True, slots=True)
class OrderingConfig:
    """Limits are enforced by the streams themselves; 0 (age) or -1 (bytes) means unlimited."""

    network: str
    replicas: int = 3  # 1 for a single server
    duplicate_window_ms: int = 2 * 60 * 1000  # resends of a tx id inside this window are dropped
    max_payload_bytes: int = MIB  # one transaction or one block
    tx_max_age_ms: int = 7 * 24 * 3600 * 1000  # txs only need to live until they are in a block
    # A byte limit is reserved up front on every replica's file store, so it defaults to none here:
    # the tx stream is bounded by age, and each server by its own max_file_store.
    tx_max_bytes: int = -1
    # Each member publishes on its own subject; past this many messages of its own in the stream, the stream
    # refuses that member's new ones (the others' still go in) until old ones age out.
    tx_msgs_per_member_max: int = TX_MSGS_PER_MEMBER_DEFAULT
    blocks_max_age_ms: int = 0  # the chain: kept forever unless an operator decides otherwise
    blocks_max_bytes: int = -1
    # Keep only the newest N blocks in the stream (-1: all). Older ones are dropped, so a peer that falls
    # further behind catches up from another peer's snapshot instead of the stream.
    blocks_max_msgs: int = -1
    checkpoints_per_subject: int = 64  # signed checkpoints kept per peer (and snapshot checkpoints per peer)
    # Read with direct gets (any replica answers, no consumer: no wait for a meta-leader election after a
    # server dies) rather than with a consumer per reader; see direct_reader.py.
    direct_reads: bool = False

    def __post_init__(self) -> None:
        if not _NETWORK_NAME_RE.match(self.network):
            raise ValueError(f"network name must match {_NETWORK_NAME_RE.pattern}: {self.network!r}")
        if not 1 <= self.replicas <= REPLICAS_MAX:
            raise ValueError(f"replicas must be in 1..{REPLICAS_MAX}")
        if self.duplicate_window_ms < 1_000:
            raise ValueError("duplicate_window_ms must be at least 1000")
        if self.tx_max_age_ms and self.duplicate_window_ms > self.tx_max_age_ms:
            raise ValueError("duplicate window cannot exceed the tx stream's max age")
        if not 1 <= self.max_payload_bytes <= 8 * MIB:
            raise ValueError("max_payload_bytes must be in 1..8 MiB")
        for name in ("tx_max_age_ms", "blocks_max_age_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0 (0 = unlimited)")
        for name in ("tx_max_bytes", "blocks_max_bytes", "blocks_max_msgs", "tx_msgs_per_member_max"):
            if getattr(self, name) == 0 or getattr(self, name) < -1:
                raise ValueError(f"{name} must be positive or -1 (unlimited)")
        if not 1 <= self.checkpoints_per_subject <= CHECKPOINTS_PER_SUBJECT_MAX:
            raise ValueError(f"checkpoints_per_subject must be in 1..{CHECKPOINTS_PER_SUBJECT_MAX}")

    @property
    def max_message_bytes(self) -> int:
        """The streams' limit on one message, headers included."""
        return self.max_payload_bytes + HEADERS_ALLOWANCE_BYTES

    @property
    def tx_subject_prefix(self) -> str:
        """Member `m` publishes its transactions on `<prefix>.m`; the stream takes `<prefix>.*`."""
        return f"inzira.{self.network}.tx"

    @property
    def tx_subjects(self) -> str:
        return f"{self.tx_subject_prefix}.*"

    def member_tx_subject(self, member: str) -> str:
        return f"{self.tx_subject_prefix}.{member_token(member)}"

    @property
    def blocks_subject(self) -> str:
        return f"inzira.{self.network}.blocks"

    @property
    def tx_stream(self) -> str:
        return f"INZIRA_{self.network}_TX"

    @property
    def blocks_stream(self) -> str:
        return f"INZIRA_{self.network}_BLOCKS"

    @property
    def lease_bucket(self) -> str:
        return f"inzira_{self.network}_lease"

    @property
    def checkpoints_stream(self) -> str:
        return f"INZIRA_{self.network}_CHECKPOINTS"

    @property
    def checkpoints_prefix(self) -> str:
        """Every peer's checkpoint after each block: `<prefix>.<peer>`."""
        return f"inzira.{self.network}.checkpoints"

    @property
    def snapshots_prefix(self) -> str:
        """Checkpoints of the heights where peers take snapshots: `<prefix>.<peer>`."""
        return f"inzira.{self.network}.snapshots"
