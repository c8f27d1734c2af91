"""Ordering on NATS JetStream: replicated tx and blocks streams, a cutter lease, on opaque bytes.

Connect as one user (`NatsCredentials`; what each role may do is in permissions.py), set up with
`ensure_streams` (the operator's admin user) or check with `check_streams` (a member), then use `TxLog`
(members publish, the cutter reads), `CutterLease` (one block cutter at a time, with a fencing term),
`BlockLog` (append with optimistic concurrency; peers follow the chain) and `CheckpointLog` (peers'
signed checkpoints). Everything
here deals in bytes: blocks and transactions are encoded, signed and validated by the ledger, not by
this package.
"""

from inzira.ordering.jetstream.block_log import BlockLog
from inzira.ordering.jetstream.checkpoint_log import CheckpointLog
from inzira.ordering.jetstream.config import OrderingConfig
from inzira.ordering.jetstream.connection import connect
from inzira.ordering.jetstream.credentials import CredentialsError, NatsCredentials
from inzira.ordering.jetstream.errors import (
    BlockConflictError,
    LeaseLostError,
    OrderingError,
    OrderingUnavailableError,
    PayloadTooLargeError,
    StreamConfigMismatchError,
    TxQuotaExceededError,
)
from inzira.ordering.jetstream.lease import CutterLease, Lease, LeaseRecord
from inzira.ordering.jetstream.reader import LogEntry
from inzira.ordering.jetstream.retry import RetryPolicy
from inzira.ordering.jetstream.streams import check_streams, ensure_streams
from inzira.ordering.jetstream.tx_log import Published, TxLog

__all__ = [
    "BlockConflictError",
    "BlockLog",
    "CheckpointLog",
    "CredentialsError",
    "CutterLease",
    "Lease",
    "LeaseLostError",
    "LeaseRecord",
    "LogEntry",
    "NatsCredentials",
    "OrderingConfig",
    "OrderingError",
    "OrderingUnavailableError",
    "PayloadTooLargeError",
    "Published",
    "RetryPolicy",
    "StreamConfigMismatchError",
    "TxLog",
    "TxQuotaExceededError",
    "check_streams",
    "connect",
    "ensure_streams",
]
