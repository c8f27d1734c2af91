"""One demo network for the remittance page tests: the whole demo (network, seeding, remittance service,
mobile-money simulators, API, explorer and pages) on one real server in a temporary folder."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.remit.service import RemitService
from tests.web_remit.helpers import HTTP_TIMEOUT_S, REGISTER_TIMEOUT_S, sign_in
from tests.running_demo import running_demo


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory, "remit-pages") as running:
        yield running


@pytest.fixture(scope="package")
def base_url(demo: Demo) -> str:
    return demo.url.rstrip("/")


@pytest.fixture(scope="package")
def service(demo: Demo) -> RemitService:
    if demo.remit is None or demo.remit.service is None:
        pytest.fail("the demo did not start its remittance service")
    return demo.remit.service


@pytest.fixture
def signed_in(base_url: str, service: RemitService) -> Iterator[Callable[[str, str], httpx.Client]]:
    """``signed_in(member, role)``: an HTTP client holding that session (an officer signs in with the officer's
    own token, as everywhere); all closed after the test."""
    clients: list[httpx.Client] = []

    def open_session(member: str, role: str) -> httpx.Client:
        token = service.officer_tokens[member] if role == "officer" else None
        client = sign_in(base_url, member, role, token)
        clients.append(client)
        return client

    yield open_session
    for client in clients:
        client.close()


@pytest.fixture
def anonymous(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S) as client:
        yield client


@pytest.fixture(scope="package")
def new_wallet(demo: Demo, service: RemitService) -> Callable[..., str]:
    """A new wallet at a receiving FSP's simulator, listed in the directory; its E.164 number."""
    rng = random.Random(2026)

    def create(fsp: str = "mobimo", given: str = "Jeanne", family: str = "Uwase") -> str:
        number = f"+25078{rng.randrange(10**7):07d}"
        demo.remit.sims[fsp].admin.create_wallet(number[1:], given, family)  # type: ignore[union-attr]
        service.submit(service.register_number(fsp, number)).result(REGISTER_TIMEOUT_S)
        return number

    return create
