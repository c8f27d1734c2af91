"""The whole demo (ledger, every member's services, the API and pages) served on a free loopback port for a test
module or package, and an HTTP client of it holding one member's or officer's token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.funding.settler import SETTLE_INTERVAL_MS


@contextmanager
def running_demo(tmp_path_factory: pytest.TempPathFactory, name: str, settle_interval_ms: int = SETTLE_INTERVAL_MS
                 ) -> Iterator[Demo]:
    """A demo in a new temporary folder named after ``name``, stopped when the block ends."""
    running = Demo(Path(tmp_path_factory.mktemp(name)), port=0, settle_interval_ms=settle_interval_ms)
    running.start()
    try:
        yield running
    finally:
        running.stop()


HTTP_TIMEOUT_S = 60.0  # generous: other tests share the machine


def demo_http(demo: Demo, token: str, timeout_s: float = HTTP_TIMEOUT_S) -> httpx.Client:
    return httpx.Client(base_url=demo.url.rstrip("/"), headers={"Authorization": f"Bearer {token}"},
                        timeout=timeout_s)
