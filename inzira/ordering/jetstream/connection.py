"""Connecting to the NATS cluster as one user (its nkey), with settings suited to fast fail-over on loopback or
a LAN. Servers refuse anonymous clients; each user may use only the subjects its role needs (permissions.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import nats
from nats.aio.client import Client as NATS

from inzira.ordering.jetstream.credentials import NatsCredentials

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS_DEFAULT = 2_000
RECONNECT_WAIT_MS_DEFAULT = 100  # NATS' own 2 s default would dominate fail-over time
RECONNECT_ATTEMPTS_DEFAULT = 600  # per server; about a minute of trying before giving up
PING_INTERVAL_MS_DEFAULT = 5_000  # notices a silently dead server in about 15 s, not 4 min
PENDING_BYTES_DEFAULT = 16 * 1024 * 1024  # buffered while reconnecting; bounded so memory is too


async def _on_error(err: Exception) -> None:
    log.debug("nats connection error: %r", err)


async def _on_disconnected() -> None:
    log.info("nats disconnected")


async def _on_reconnected() -> None:
    log.info("nats reconnected")


async def connect(
    urls: Sequence[str],
    name: str = "inzira",
    *,
    credentials: NatsCredentials,
    connect_timeout_ms: int = CONNECT_TIMEOUT_MS_DEFAULT,
    reconnect_wait_ms: int = RECONNECT_WAIT_MS_DEFAULT,
    reconnect_attempts: int = RECONNECT_ATTEMPTS_DEFAULT,
    ping_interval_ms: int = PING_INTERVAL_MS_DEFAULT,
    pending_bytes: int = PENDING_BYTES_DEFAULT,
) -> NATS:
    """A client that knows every server and fails over between them on its own.

    A rotated seed takes effect with the next client: this one announces the public key read now.
    """
    if not urls:
        raise ValueError("at least one server URL is needed")
    credentials.check()
    return await nats.connect(
        servers=list(urls),
        name=name,
        nkeys_seed=str(credentials.seed_file),
        inbox_prefix=credentials.inbox_prefix,
        connect_timeout=connect_timeout_ms / 1000,  # type: ignore[arg-type]
        reconnect_time_wait=reconnect_wait_ms / 1000,  # type: ignore[arg-type]
        max_reconnect_attempts=reconnect_attempts,
        ping_interval=ping_interval_ms / 1000,  # type: ignore[arg-type]
        max_outstanding_pings=3,
        pending_size=pending_bytes,
        error_cb=_on_error,
        disconnected_cb=_on_disconnected,
        reconnected_cb=_on_reconnected,
    )
