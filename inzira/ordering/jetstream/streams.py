"""Creates the transactions, blocks and checkpoints streams and the lease bucket of a network, idempotently
(`ensure_streams`, the operator's job), and checks that they are set up as a peer expects (`check_streams`).

The tx and blocks streams use file storage, `replicas` copies (Raft-replicated across servers), limits
retention, and DiscardPolicy.NEW: when a limit is reached the stream refuses new messages rather than
silently dropping old ones, because a dropped transaction that was never cut, or a dropped block, is data
loss (unless the operator set `blocks_max_msgs`: then peers' snapshots cover what the stream dropped).
Each member publishes transactions on its own subject, and the per-subject limit is a quota: a member
past it is refused while the others carry on. The checkpoints stream keeps only the newest checkpoints of
each peer. No stream can be purged and no message deleted through the API, whoever asks.
"""

from __future__ import annotations

import asyncio

from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, KeyValueConfig, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from inzira.ordering.jetstream.config import CHECKPOINT_BYTES_MAX, HEADERS_ALLOWANCE_BYTES, OrderingConfig
from inzira.ordering.jetstream.errors import OrderingError, StreamConfigMismatchError
from inzira.ordering.jetstream.retry import RetryPolicy, with_retries

# JSStreamNameExistErr: "stream name already in use with a different configuration"
_ERR_STREAM_NAME_IN_USE = 10058
LEASE_VALUE_BYTES_MAX = 1024
_COMPARED_FIELDS = (
    "subjects", "num_replicas", "storage", "max_msg_size", "duplicate_window", "max_age", "max_bytes", "max_msgs",
    "max_msgs_per_subject", "discard", "discard_new_per_subject", "deny_delete", "deny_purge",
)
# A peer may start while the operator is still creating the streams: "not found" is asked again this often.
CHECK_NOT_FOUND_ATTEMPTS = 20
CHECK_NOT_FOUND_PAUSE_MS = 250


def tx_stream_config(cfg: OrderingConfig) -> StreamConfig:
    return StreamConfig(
        name=cfg.tx_stream,
        description=f"Inzira {cfg.network}: signed transactions, in order",
        subjects=[cfg.tx_subjects],
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.NEW,
        max_msgs_per_subject=cfg.tx_msgs_per_member_max,
        discard_new_per_subject=True,  # the quota: refuse that member's new message, keep everyone's old ones
        storage=StorageType.FILE,
        num_replicas=cfg.replicas,
        duplicate_window=cfg.duplicate_window_ms / 1000,
        max_msg_size=cfg.max_message_bytes,
        max_age=cfg.tx_max_age_ms / 1000,
        max_bytes=cfg.tx_max_bytes,
        deny_delete=True,
        deny_purge=True,
        allow_direct=True,  # any replica answers direct gets (direct_reader.py)
    )


def blocks_stream_config(cfg: OrderingConfig) -> StreamConfig:
    return StreamConfig(
        name=cfg.blocks_stream,
        description=f"Inzira {cfg.network}: the chain, one block per message",
        subjects=[cfg.blocks_subject],
        retention=RetentionPolicy.LIMITS,
        # A count limit is a retention choice (peers hold the whole chain and serve snapshots): drop the
        # oldest blocks. Without one, a full stream refuses new blocks rather than lose any.
        discard=DiscardPolicy.OLD if cfg.blocks_max_msgs > 0 else DiscardPolicy.NEW,
        storage=StorageType.FILE,
        num_replicas=cfg.replicas,
        duplicate_window=cfg.duplicate_window_ms / 1000,
        max_msg_size=cfg.max_message_bytes,
        max_age=cfg.blocks_max_age_ms / 1000,
        max_bytes=cfg.blocks_max_bytes,
        max_msgs=cfg.blocks_max_msgs,
        deny_delete=True,  # the chain is append-only
        deny_purge=True,
        allow_direct=True,
    )


def checkpoints_stream_config(cfg: OrderingConfig) -> StreamConfig:
    return StreamConfig(
        name=cfg.checkpoints_stream,
        description=f"Inzira {cfg.network}: peers' signed checkpoints, the newest per peer",
        subjects=[f"{cfg.checkpoints_prefix}.*", f"{cfg.snapshots_prefix}.*"],
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,  # only the newest checkpoints matter
        storage=StorageType.FILE,
        num_replicas=cfg.replicas,
        max_msgs_per_subject=cfg.checkpoints_per_subject,
        duplicate_window=cfg.duplicate_window_ms / 1000,  # set, so that check_streams compares it
        max_msg_size=CHECKPOINT_BYTES_MAX + HEADERS_ALLOWANCE_BYTES,
        deny_delete=True,
        deny_purge=True,
        allow_direct=True,
    )


def lease_bucket_config(cfg: OrderingConfig) -> KeyValueConfig:
    return KeyValueConfig(
        bucket=cfg.lease_bucket,
        description=f"Inzira {cfg.network}: block-cutter lease",
        history=1,
        replicas=cfg.replicas,
        storage=StorageType.FILE,
        max_value_size=LEASE_VALUE_BYTES_MAX,
        # Reads go to the stream leader, not any replica, so a holder never decides on stale data.
        direct=False,
    )


def _differences(have: StreamConfig, wanted: StreamConfig) -> list[str]:
    return [
        f"{field}: have {getattr(have, field)!r}, want {getattr(wanted, field)!r}"
        for field in _COMPARED_FIELDS
        if getattr(wanted, field) is not None and getattr(have, field) != getattr(wanted, field)
    ]


async def _mismatch(js: JetStreamContext, wanted: StreamConfig) -> StreamConfigMismatchError:
    name = wanted.name or ""
    diffs = _differences((await js.stream_info(name)).config, wanted)
    return StreamConfigMismatchError(f"stream {name} exists with other settings: {'; '.join(diffs) or 'see server'}")


async def ensure_streams(nc: NATS, cfg: OrderingConfig, policy: RetryPolicy | None = None) -> None:
    """Creates what is missing; an existing stream with the same settings is fine, other settings are not.

    Raises StreamConfigMismatchError rather than silently changing replicas or limits of a live chain.
    """
    if nc.max_payload < cfg.max_message_bytes:
        raise OrderingError(
            f"server max_payload {nc.max_payload} is below the streams' message limit {cfg.max_message_bytes}"
        )
    retry = policy or RetryPolicy()
    js = nc.jetstream(timeout=retry.attempt_timeout_s)
    for wanted in (tx_stream_config(cfg), blocks_stream_config(cfg), checkpoints_stream_config(cfg)):
        try:
            await with_retries(f"create stream {wanted.name}", retry, lambda w=wanted: js.add_stream(w))
        except BadRequestError as err:
            if err.err_code != _ERR_STREAM_NAME_IN_USE:
                raise
            raise await _mismatch(js, wanted) from err
    bucket = lease_bucket_config(cfg)
    try:
        await with_retries(f"create bucket {bucket.bucket}", retry, lambda: js.create_key_value(bucket))
    except BadRequestError as err:
        if err.err_code != _ERR_STREAM_NAME_IN_USE:
            raise
        raise StreamConfigMismatchError(f"lease bucket {bucket.bucket} exists with other settings") from err


async def check_streams(nc: NATS, cfg: OrderingConfig, policy: RetryPolicy | None = None) -> None:
    """Waits (briefly) until the operator's `ensure_streams` made the three streams, and checks their settings.

    For a member, which may read stream settings but not create or change streams. Raises
    StreamConfigMismatchError when a stream differs from what this peer's settings expect, nats'
    NotFoundError when a stream is still missing after CHECK_NOT_FOUND_ATTEMPTS looks.
    """
    retry = policy or RetryPolicy()
    js = nc.jetstream(timeout=retry.attempt_timeout_s)
    for wanted in (tx_stream_config(cfg), blocks_stream_config(cfg), checkpoints_stream_config(cfg)):
        name = wanted.name or ""
        diffs = _differences(await _made_config(js, name, retry), wanted)
        if diffs:
            raise StreamConfigMismatchError(f"stream {name} is set up otherwise than this peer expects: "
                                            + "; ".join(diffs))


async def _made_config(js: JetStreamContext, name: str, retry: RetryPolicy) -> StreamConfig:
    for _ in range(CHECK_NOT_FOUND_ATTEMPTS - 1):
        try:
            return (await with_retries(f"stream info {name}", retry, lambda: js.stream_info(name))).config
        except NotFoundError:
            await asyncio.sleep(CHECK_NOT_FOUND_PAUSE_MS / 1000)
    return (await with_retries(f"stream info {name}", retry, lambda: js.stream_info(name))).config
