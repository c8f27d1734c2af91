"""The demo: one command starts the network with its API and pages; starting again continues the chain."""

from __future__ import annotations

import socket
import subprocess
import sys

import httpx

from inzira.demo.app import Demo
from inzira.demo.seed import DEMO_ACCOUNTS, seed
from inzira.demo.setup import create_demo_network, demo_keyring, key_path, load_api_keys
from inzira.ledger.tx import OpenAccount
from inzira.node.embedded import Embedded
from inzira.node.signer import wall_clock_ms


def test_demo_starts_serves_and_resumes(tmp_path):
    data = tmp_path / "data"
    first = Demo(data, port=0)
    first.start()
    try:
        assert first.created and first.seeded.accounts_opened == len(DEMO_ACCOUNTS)
        health = httpx.get(first.url + "health", timeout=10).json()
        assert health["status"] == "ok" and health["height"] >= 2 * len(DEMO_ACCOUNTS)
        token = load_api_keys(data)["eurosend"]
        party = httpx.get(first.url + "v1/remit/parties/MSISDN/+250788123456", timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
        assert party.status_code == 200 and party.json()["masked_name"] == "J***** U****"
        page = httpx.get(first.url, timeout=10)
        assert page.status_code == 200 and "inzira-demo" in page.text
        assert httpx.get(first.url + "docs", timeout=10).status_code == 200
        height = health["height"]
    finally:
        first.stop()
    again = Demo(data, port=0)
    again.start()
    try:
        assert not again.created and again.seeded.accounts_opened == 0
        health = httpx.get(again.url + "health", timeout=10).json()
        assert health["height"] == height
        assert health["chain_id"] == again.runtime.chain_id.hex()
    finally:
        again.stop()


def test_demo_on_a_port_in_use_says_so_and_what_to_do(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "inzira.cli.main", "demo", "--data", str(tmp_path / "data"),
                               "--port", str(port)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert f"127.0.0.1:{port} is in use" in done.stderr and "another --port" in done.stderr, done.stderr
    assert not (tmp_path / "data").exists()  # checked before anything was set up: nothing half-made is left


def test_demo_refuses_a_trusted_proxy_that_is_not_an_address(tmp_path):
    for proxy in ("proxy.example", "10.0.0.1/24", "*"):
        done = subprocess.run([sys.executable, "-m", "inzira.cli.main", "demo", "--data", str(tmp_path / "data"),
                               "--port", "0", "--trusted-proxy", proxy], capture_output=True, text=True, timeout=60)
        assert done.returncode == 1 and "--trusted-proxy must be an IP address or network" in done.stderr, done.stderr
        assert not (tmp_path / "data").exists()


def test_demo_refuses_a_webhook_allowance_that_is_not_a_network(tmp_path):
    done = _demo_cli(tmp_path / "data", "--port", "0", "--webhook-allow", "localhost")
    assert done.returncode == 1 and "--webhook-allow must be an IP network" in done.stderr, done.stderr
    assert not (tmp_path / "data").exists()


def test_a_refused_demo_option_answers_before_the_demo_loads(tmp_path):
    """The demo's modules take seconds to load: a refused option is answered without them."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "inzira.cli.main", "demo", "--data",
                           str(tmp_path / "data"), "--port", "0", "--webhook-allow", "localhost"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "--webhook-allow must be an IP network" in done.stderr, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "inzira.cli.demo" in imported and "inzira.demo.app" not in imported


def _demo_cli(data, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inzira.cli.main", "demo", "--data", str(data), *options],
                          capture_output=True, text=True, timeout=120)


def test_demo_refuses_a_host_it_cannot_listen_on_before_setting_up_anything(tmp_path):
    data = tmp_path / "data"
    for host, says in [("256.1.1.1", "is not an IPv4 address"), ("1.2.3", "is not an IPv4 address"),
                       ("::1", "IPv6 addresses are not supported"),
                       ("192.0.2.1", "is not an address of this machine")]:  # TEST-NET-1: never local
        done = _demo_cli(data, "--host", host, "--port", "0")
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert f"--host {host}" in done.stderr and says in done.stderr, done.stderr
        assert not data.exists()


def test_demo_that_fails_while_seeding_says_the_folder_resumes_and_it_does(tmp_path):
    data = tmp_path / "data"
    create_demo_network(data, wall_clock_ms())
    key = key_path(data, "mobimo")  # its account comes after others': seeding stops half-way
    aside = tmp_path / "mobimo.key"
    key.rename(aside)
    done = _demo_cli(data, "--port", "0")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    text = " ".join(done.stderr.split())
    assert "no key of mobimo" in text and f"inzira demo --data {data}` again resumes" in text, text
    aside.rename(key)
    again = Demo(data, port=0)
    again.start()
    try:
        left = again.seeded.accounts_opened
        assert not again.created and 0 < left < len(DEMO_ACCOUNTS)
        for member, name, _, amount_minor in DEMO_ACCOUNTS:
            # prefunded once each (the demo's start moves some of silkpay's CNY out to the demo wallet's issuer)
            assert again.runtime.node.account(f"{member}:{name}").credits_posted == amount_minor
    finally:
        again.stop()


def test_seeding_prefunds_an_account_a_stopped_start_opened_without_its_prefunding(tmp_path):
    data = tmp_path / "data"
    create_demo_network(data, wall_clock_ms())
    with Embedded(data) as net:  # a start stopped between opening eurosend:eur and issuing its prefunding
        keys = demo_keyring(data)
        assert keys.port(net, "eurosend").execute(OpenAccount("eurosend:eur", "EUR")).code == 0
    with Embedded(data) as net:
        report = seed(net, demo_keyring(data))
        assert report.accounts_opened == len(DEMO_ACCOUNTS) - 1 and report.issued == len(DEMO_ACCOUNTS)
        for member, name, _, amount_minor in DEMO_ACCOUNTS:
            assert net.node.account(f"{member}:{name}").balance_minor == amount_minor
        again = seed(net, demo_keyring(data))
        assert (again.accounts_opened, again.issued) == (0, 0)
