"""DNS rebinding against every kind of product server on loopback: a page on evil.example whose name re-resolves
to 127.0.0.1 sends same-origin requests with ``Host: evil.example``; each server refuses them (400 problem+json,
code 3042) and still answers its own clients, who call it by 127.0.0.1 or localhost."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.demo.setup import load_api_keys
from inzira.qr.serve import QrServer
from inzira.sim.card.serve import serve as serve_card_sim
from inzira.sim.momo.serve import serve as serve_momo_sim

HOST_REFUSED = 3042
EVIL = "evil.example"
FSPIOP = "application/vnd.interoperability.parties+json;version=1.1"


def _refused(response: httpx.Response) -> bool:
    return (response.status_code == 400 and response.headers.get("content-type") == "application/problem+json"
            and response.json().get("code") == HOST_REFUSED)


def _both(base_url: str, path: str, headers: dict[str, str] | None = None) -> tuple[httpx.Response, httpx.Response]:
    """The same GET with the attacker's Host and with the client's own (the URL's host and port)."""
    with httpx.Client(base_url=base_url, headers=headers or {}, timeout=30) as client:
        port = httpx.URL(base_url).port
        return client.get(path, headers={"Host": f"{EVIL}:{port}"}), client.get(path)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    # With the eKash gateway (its hub unreachable: nothing here needs an answer from it)
    running = Demo(Path(tmp_path_factory.mktemp("hosts")) / "data", port=0, mojaloop_hub="http://127.0.0.1:9",
                   allowed_hosts=("pay.example.rw",))
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_the_demo_refuses_a_rebound_host_on_every_surface(demo: Demo) -> None:
    token = load_api_keys(demo.data_dir)["eurosend"]
    fspiop = {"Accept": FSPIOP, "Content-Type": FSPIOP, "Date": formatdate(usegmt=True),
              "FSPIOP-Source": "switch", "FSPIOP-Destination": "inzira"}
    surfaces = [("/", {}), ("/remit", {}), ("/qr", {}), ("/funding", {}), ("/docs", {}),
                ("/v1/accounts", {"Authorization": f"Bearer {token}"}),
                ("/fspiop/parties/MSISDN/250788123456", fspiop)]
    for path, headers in surfaces:
        evil, own = _both(demo.url, path, headers)
        assert _refused(evil), (path, evil.status_code, evil.text[:200])
        assert not _refused(own) and own.status_code < 500, (path, own.status_code, own.text[:200])
    assert _both(demo.url.replace("127.0.0.1", "localhost"), "/health")[1].status_code == 200
    # the name a TLS proxy passes on, listed with --allowed-host
    assert httpx.get(demo.url + "health", headers={"Host": "pay.example.rw"}, timeout=30).status_code == 200


def test_the_demo_refuses_an_unusable_allowed_host_before_setting_up_anything(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "inzira.cli.main", "demo", "--data", str(tmp_path / "data"),
                           "--port", "0", "--allowed-host", "pay.example.rw:443"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "--allowed-host: allowed_hosts entry 'pay.example.rw:443' is not a DNS name" in " ".join(
        done.stderr.split()), done.stderr
    assert not (tmp_path / "data").exists()


def test_the_demo_card_acquirer_pages_refuse_a_rebound_host(demo: Demo) -> None:
    for link in demo.cards.links().values():  # type: ignore[union-attr]
        evil, own = _both(link.base_url, "/openapi.json")
        assert _refused(evil) and own.status_code == 200


def test_the_simulators_refuse_a_rebound_host() -> None:
    with serve_momo_sim() as momo, serve_card_sim() as card:
        for base_url in (momo.base_url, card.base_url):
            evil, own = _both(base_url, "/openapi.json")
            assert _refused(evil) and own.status_code == 200


def test_the_qr_server_refuses_a_rebound_host(tmp_path: Path) -> None:
    with QrServer(tmp_path, block_interval_ms=5) as server:
        token = server.api_tokens()["ubumwe"]
        evil, own = _both(server.base_url, "/v1/accounts", {"Authorization": f"Bearer {token}"})
        assert _refused(evil) and own.status_code == 200, (evil.text, own.text)
