"""Bounded retries for requests that may fail while the cluster elects a leader or reconnects."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import nats.errors
import nats.js.errors

from inzira.ordering.jetstream.errors import OrderingUnavailableError

T = TypeVar("T")

_TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    asyncio.TimeoutError,  # nats.errors.TimeoutError derives from it
    nats.errors.NoRespondersError,
    nats.js.errors.NoStreamResponseError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.OutboundBufferLimitError,
    nats.errors.StaleConnectionError,
    nats.js.errors.ServiceUnavailableError,
)


# JSStreamDuplicateMessageConflict: the same Nats-Msg-Id is being stored right now; asked again a
# moment later, the server answers "duplicate" with the stored sequence.
_ERR_DUPLICATE_IN_PROCESS = 10158
# JSClusterNoPeersErr: too few servers seen current to place a stream's replicas, as while one restarts or the
# meta group has not yet heard from it. A cluster truly too small gets the same refusal, after the budget.
_ERR_NO_PEERS_FOR_PLACEMENT = 10005
# JSStreamStoreFailedF (a 503) with this description: the stream's per-subject limit, a member's quota.
_ERR_STORE_FAILED = 10077
_PER_SUBJECT_LIMIT = "maximum messages per subject exceeded"


def is_quota_exceeded(err: BaseException) -> bool:
    """The stream refused a message because its subject holds the most messages allowed (a member's quota)."""
    return (isinstance(err, nats.js.errors.APIError) and getattr(err, "err_code", None) == _ERR_STORE_FAILED
            and _PER_SUBJECT_LIMIT in (getattr(err, "description", None) or ""))


def is_transient(err: BaseException) -> bool:
    """Whether trying again later may succeed: timeouts, no responders, 503s, reconnects."""
    if is_quota_exceeded(err):
        return False  # a 503, but it clears only as old messages age out, not within a retry budget
    if isinstance(err, _TRANSIENT_TYPES):
        return True
    if not isinstance(err, nats.js.errors.APIError):
        return False
    # Some nats-py API errors (KeyNotFoundError) are built without code attributes.
    return getattr(err, "code", None) == 503 or getattr(err, "err_code", None) in (_ERR_DUPLICATE_IN_PROCESS,
                                                                                 _ERR_NO_PEERS_FOR_PLACEMENT)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempt_timeout_ms: int = 1_000  # short: a request lost with a dead leader is retried soon
    deadline_ms: int = 30_000  # longer than NATS' worst-case Raft election (about 9 s), with margin
    attempts_max: int = 200
    backoff_initial_ms: int = 20
    backoff_max_ms: int = 500

    def __post_init__(self) -> None:
        if self.attempt_timeout_ms <= 0 or self.deadline_ms <= 0 or self.attempts_max <= 0:
            raise ValueError("retry timeouts and attempts must be positive")

    @property
    def attempt_timeout_s(self) -> float:
        return self.attempt_timeout_ms / 1000


async def with_retries(what: str, policy: RetryPolicy, attempt: Callable[[], Awaitable[T]]) -> T:
    """Runs `attempt` until it succeeds, fails for good, or the policy's budget is spent.

    Only transient errors are retried; the attempt itself must be safe to repeat (idempotent or
    checked by the caller afterwards).
    """
    deadline = time.monotonic() + policy.deadline_ms / 1000
    backoff_s = policy.backoff_initial_ms / 1000
    last: BaseException | None = None
    for _ in range(policy.attempts_max):
        try:
            return await attempt()
        except Exception as err:  # noqa: BLE001 (classified right below)
            if not is_transient(err):
                raise
            last = err
        remaining_s = deadline - time.monotonic()
        if remaining_s <= 0:
            break
        await asyncio.sleep(min(backoff_s, remaining_s))
        backoff_s = min(backoff_s * 2, policy.backoff_max_ms / 1000)
    raise OrderingUnavailableError(f"{what}: no success within {policy.deadline_ms} ms: {last!r}") from last
