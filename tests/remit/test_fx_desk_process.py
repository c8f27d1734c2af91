"""The FX provider's quote desk in its own process (``inzira bench remit``): the child is handed the FX
provider's key file and nothing that holds a key; it signs quotes the remittance side's FX client accepts,
and refuses as the in-process quote service does."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inzira.bench.fx_desk import DeskConfig, desk_process
from inzira.demo.providers import Providers
from inzira.demo.setup import create_demo_network, demo_keyring, key_path
from inzira.fx.client import FxClient
from inzira.ledger.tx import Quote
from inzira.node.custody import CustodyError, QuoteKey
from inzira.node.embedded import Embedded
from inzira.node.keystore import load_key
from inzira.node.signer import wall_clock_ms

HTTP_TIMEOUT_S = 30.0
ASK = {"for_member": "eurosend", "source_currency": "EUR", "target_currency": "RWF", "source_amount_minor": 100_00}


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Embedded, Providers, DeskConfig, str]]:
    folder = Path(tmp_path_factory.mktemp("fx-desk"))
    create_demo_network(folder, wall_clock_ms() - 1_000)
    with Embedded(folder) as net:
        providers = Providers(net, demo_keyring(folder), folder)
        try:
            config = DeskConfig.of(providers.fx_desk, key_path(folder, providers.fx_member), providers.fx_tokens)
            with desk_process(config) as (base_url, _pid):
                yield net, providers, config, base_url
        finally:
            providers.close()


def test_the_desks_process_is_handed_no_key(running: tuple[Embedded, Providers, DeskConfig, str]) -> None:
    net, _providers, config, _url = running
    handed = pickle.dumps(config)
    folder = config.key_file.parent.parent
    for member in net.node.state.members:
        if key_path(folder, member).exists():
            assert load_key(key_path(folder, member)).seed not in handed, member
    assert config.key_file == key_path(folder, "imari-fx")


def test_a_quote_key_signs_its_own_members_quotes_on_its_own_chain_only(
        running: tuple[Embedded, Providers, DeskConfig, str]) -> None:
    net, _providers, config, _url = running
    key = QuoteKey("imari-fx", net.chain_id, load_key(config.key_file))
    own = Quote(net.chain_id, "q", "imari-fx", "eurosend", "RWF", 300_000, "EUR", 200_00, "1500", 10**13)
    assert key.sign_quote(own).sig.key in net.node.state.members["imari-fx"].keys
    for other in (Quote(net.chain_id, "q", "eurosend", "eurosend", "RWF", 300_000, "EUR", 200_00, "1500", 10**13),
                  Quote(b"\x00" * 32, "q", "imari-fx", "eurosend", "RWF", 300_000, "EUR", 200_00, "1500", 10**13)):
        with pytest.raises(CustodyError):
            key.sign_quote(other)
    assert "seed" not in repr(key) and config.key_file.name not in repr(key)


def test_the_fx_client_accepts_the_desks_quotes(running: tuple[Embedded, Providers, DeskConfig, str]) -> None:
    net, providers, _config, url = running
    client = FxClient(net.node, "imari-fx", {"eurosend": providers.fx_tokens["eurosend"]}, url)

    async def ask() -> object:
        try:
            return await client.quote("eurosend", "EUR", "RWF", ttl_ms=60_000, source_amount_minor=100_00)
        finally:
            await client.aclose()

    firm = asyncio.run(ask())
    assert firm.fx == "imari-fx" and firm.for_member == "eurosend"  # type: ignore[attr-defined]
    assert firm.signed.sig.key in net.node.state.members["imari-fx"].keys  # type: ignore[attr-defined]


def test_the_desk_refuses_as_the_quote_service_does(running: tuple[Embedded, Providers, DeskConfig, str]) -> None:
    _net, providers, _config, url = running
    token = providers.fx_tokens["eurosend"]
    with httpx.Client(base_url=url, timeout=HTTP_TIMEOUT_S) as http:
        anonymous = http.post("/fx/v1/fxQuotes", json=ASK)
        other = http.post("/fx/v1/fxQuotes", json={**ASK, "for_member": "silkpay"},
                          headers={"Authorization": f"Bearer {token}"})
        bad = http.post("/fx/v1/fxQuotes", json={**ASK, "source_currency": "eur"},
                        headers={"Authorization": f"Bearer {token}"})
        unknown = http.get("/v1/accounts")
    for answer, status in ((anonymous, 401), (other, 403), (bad, 400), (unknown, 404)):
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="inzira-fx"'
