"""The API's limits and timings, with production defaults; tests shorten the timings."""

from __future__ import annotations

from dataclasses import dataclass, field

BATCH_TXS_MAX = 1_000  # transactions in one batch request (the request model enforces it)
ACCOUNTS_PAGE_MAX = 500
BLOCKS_PAGE_MAX = 100
BLOCK_TXS_PAGE_MAX = 2_000  # transactions listed per page of a block's detail
# FastAPI's native OpenTelemetry, off in every app: Inzira exports Prometheus metrics (GET /metrics), and with
# it on FastAPI asks OpenTelemetry's global providers (environment look-ups) on every request, ~1.8 % of the
# remittance server's interpreter lock (docs/performance.md).
TELEMETRY_OFF = {"tracing": False, "metrics": False, "logs": False}


@dataclass(frozen=True, slots=True)
class ApiSettings:
    title: str = "Inzira ledger API"
    submit_timeout_ms: int = 30_000  # how long a submit waits for the durable verdict before 504
    body_bytes_max: int = 64 * 1024  # any request body, unless its path has its own limit below
    batch_body_bytes_max: int = 4 * 1024 * 1024
    # Extra per-path body limits, for routers added by other services (path -> bytes).
    body_bytes_max_by_path: dict[str, int] = field(default_factory=dict)
    retry_after_s: int = 1  # told to callers refused because the ledger is busy
    events_heartbeat_ms: int = 15_000  # comment line on an idle event stream, to keep proxies from closing it
    events_replay_page_blocks: int = 100  # blocks read from the store at a time when a stream catches up
    events_queue_blocks_max: int = 1_000  # live blocks queued per stream before it is dropped and catches up
    event_streams_max: int = 100  # open event streams per app
    # GET /metrics: with a token, only `Authorization: Bearer <metrics_token>` (an operator's Prometheus,
    # wherever it runs); without one, only clients on loopback (the server's own host).
    metrics_token: str | None = None
