"""Which refusals of the cluster are worth asking again: those that clear as servers restart and leaders
settle; never those that only a change of settings or time beyond the budget would clear."""

from __future__ import annotations

import asyncio

import nats.errors
import pytest
from nats.js.errors import APIError, BadRequestError, ServiceUnavailableError

from inzira.ordering.jetstream.errors import OrderingUnavailableError
from inzira.ordering.jetstream.retry import RetryPolicy, is_transient, with_retries

NO_PEERS = BadRequestError(code=400, err_code=10005, description="no suitable peers for placement, peer offline")
QUICK = RetryPolicy(attempt_timeout_ms=100, deadline_ms=300, backoff_initial_ms=1, backoff_max_ms=5)


@pytest.mark.parametrize(("err", "transient"), [
    (NO_PEERS, True),  # a replica's server restarting (seen in CI right after a failover test)
    (APIError(code=400, err_code=10158, description="duplicate message id is in process"), True),
    (ServiceUnavailableError(code=503, err_code=10008, description="JetStream system temporarily unavailable"), True),
    (nats.errors.TimeoutError(), True),
    (BadRequestError(code=400, err_code=10058, description="stream name already in use"), False),
    (BadRequestError(code=400, err_code=10052, description="replicas > 1 not supported in non-clustered mode"), False),
    (APIError(code=503, err_code=10077, description="maximum messages per subject exceeded"), False),
    (ValueError("not the cluster's"), False),
])
def test_only_what_clears_by_itself_is_transient(err: BaseException, transient: bool) -> None:
    assert is_transient(err) is transient


def test_a_stream_placed_once_the_peer_is_back() -> None:
    refusals = [NO_PEERS, NO_PEERS]

    async def attempt() -> str:
        if refusals:
            raise refusals.pop()
        return "placed"

    assert asyncio.run(with_retries("create stream", QUICK, attempt)) == "placed"


def test_a_peer_that_never_returns_ends_the_tries_within_the_budget() -> None:
    async def attempt() -> str:
        raise NO_PEERS

    with pytest.raises(OrderingUnavailableError, match="no success within 300 ms") as gave_up:
        asyncio.run(with_retries("create stream", QUICK, attempt))
    assert gave_up.value.__cause__ is NO_PEERS
