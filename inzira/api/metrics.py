"""Prometheus metrics of one app, in a registry of its own (tests create many apps in one process)."""

from __future__ import annotations

from typing import Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from inzira.ledger.codes import Code

# Seconds from request to durable verdict: a block is cut every ~20 ms, so most land in the first buckets.
SUBMIT_SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class ApiMetrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self, block_height: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.submitted = Counter("inzira_api_transactions_submitted", "Transactions handed to the ledger",
                                 registry=r)
        self.committed = Counter("inzira_api_transactions_committed", "Transactions committed (code 0)",
                                 registry=r)
        self.rejected = Counter("inzira_api_transactions_rejected", "Transactions rejected, by result code",
                                ["code"], registry=r)
        self.submit_seconds = Histogram("inzira_api_submit_seconds", "Time from request to durable verdict",
                                        ["endpoint"], buckets=SUBMIT_SECONDS_BUCKETS, registry=r)
        self.event_streams = Gauge("inzira_api_event_streams", "Open server-sent event streams", registry=r)
        height = Gauge("inzira_ledger_block_height", "Height of the last committed block", registry=r)
        height.set_function(block_height)

    def verdict(self, code: int) -> None:
        if code == Code.OK:
            self.committed.inc()
        else:
            self.rejected.labels(code=str(code)).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
