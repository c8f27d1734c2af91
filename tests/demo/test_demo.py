"""The demo: one command starts the network with its API and pages; starting again continues the chain."""

from __future__ import annotations

import socket
import subprocess
import sys

import httpx

from inzira.demo.app import Demo
from inzira.demo.seed import DEMO_ACCOUNTS
from inzira.demo.setup import load_api_keys


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


def test_demo_refuses_a_trusted_proxy_that_is_not_an_address(tmp_path):
    for proxy in ("proxy.example", "10.0.0.1/24", "*"):
        done = subprocess.run([sys.executable, "-m", "inzira.cli.main", "demo", "--data", str(tmp_path / "data"),
                               "--port", "0", "--trusted-proxy", proxy], capture_output=True, text=True, timeout=60)
        assert done.returncode == 1 and "--trusted-proxy must be an IP address or network" in done.stderr, done.stderr
        assert not (tmp_path / "data").exists()
