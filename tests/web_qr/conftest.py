"""One demo for the QR page tests: the whole demo (network, seeding, remittance and QR services, the demo
merchant and wallet, API, explorer and pages) on one real server in a temporary folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.web.qr import DemoCustomers
from tests.web_qr.helpers import HTTP_TIMEOUT_S, Api, sign_in
from tests.running_demo import running_demo


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory, "qr-pages") as running:
        yield running


@pytest.fixture(scope="package")
def base_url(demo: Demo) -> str:
    return demo.url.rstrip("/")


@pytest.fixture(scope="package")
def customers(demo: Demo) -> DemoCustomers:
    if demo.qr_demo is None:
        pytest.fail("the demo did not create its QR merchant and wallet")
    return demo.qr_demo


@pytest.fixture(scope="package")
def api(demo: Demo, base_url: str, customers: DemoCustomers) -> Iterator[Api]:
    with Api(base_url, demo.data_dir, customers) as calls:
        yield calls


@pytest.fixture
def signed_in(base_url: str) -> Iterator[Callable[..., httpx.Client]]:
    """``signed_in("pos")`` or ``signed_in("wallet", token=...)``: a client holding that page session."""
    clients: list[httpx.Client] = []

    def open_session(kind: str, token: str | None = None) -> httpx.Client:
        client = sign_in(base_url, kind, token)
        clients.append(client)
        return client

    yield open_session
    for client in clients:
        client.close()


@pytest.fixture
def anonymous(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S) as client:
        yield client
