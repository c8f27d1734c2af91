"""`inzira sim momo` as a user runs it: its own process on loopback, the wallets it was asked to open, the
payout links entry it prints reaching them through the real payout adapter, and a clean stop on Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import selectors
import signal
import subprocess
import sys
from typing import Any

import httpx
import pytest

from inzira.remit.payout.registry import adapter_from_config
from inzira.sim.momo import MomoSimAdmin

START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15


def _first_line(proc: subprocess.Popen[str], timeout_s: float) -> str:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout_s):
            raise AssertionError(f"no line from the simulator within {timeout_s} s")
    return proc.stdout.readline()


def _run(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "inzira.cli.main", "sim", "momo", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.timeout(60)
def test_sim_momo_serves_the_wallets_it_opened_until_ctrl_c() -> None:
    # Numbers as people write them: spaced, dashed, in the local 07... form.
    proc = _run("--port", "0", "--wallet", "+250 788 333 444 Jeanne Uwase", "--wallet", "0788-333-445 Eric Mugisha",
                "--float", "5,000,000 RWF", "--json")
    try:
        started: dict[str, Any] = json.loads(_first_line(proc, START_TIMEOUT_S))
        payout = started["payout"]
        assert payout["kind"] == "momo-http" and payout["base_url"] == started["url"]
        assert started["account_holder_apis"] == {"mobimo": payout}
        admin = MomoSimAdmin(started["url"], started["admin_token"])
        try:
            wallet = admin.wallet("250788333444")
            assert wallet is not None and (wallet.given_name, wallet.family_name) == ("Jeanne", "Uwase")
            local = admin.wallet("250788333445")
            assert local is not None and (local.given_name, local.family_name) == ("Eric", "Mugisha")
            assert [w["msisdn"] for w in started["wallets"]] == ["+250788333444", "+250788333445"]
            assert admin.float_minor() == 5_000_000
        finally:
            admin.close()

        async def holder() -> Any:
            async with adapter_from_config(payout) as adapter:  # as mobimo's deployment reaches it
                return await adapter.lookup("250788333444")

        found = asyncio.run(holder())
        assert found is not None and found.active
        proc.send_signal(signal.SIGINT)
        assert proc.wait(STOP_TIMEOUT_S) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(STOP_TIMEOUT_S)


@pytest.mark.timeout(60)
def test_sim_momo_refuses_a_wallet_without_a_number_or_a_name() -> None:
    for wallet, why in (("Jeanne Uwase", "phone number"), ("+250788333444 Jeanne", "given and family name"),
                        ("+250 788 33 Jeanne Uwase", "wrong number of digits")):
        proc = _run("--wallet", wallet)
        _, err = proc.communicate(timeout=START_TIMEOUT_S)
        assert proc.returncode == 1 and why in err and "Traceback" not in err, err


@pytest.mark.timeout(60)
def test_sim_momo_answers_its_allowed_host_and_refuses_a_rebound_one() -> None:
    bad = subprocess.run([sys.executable, "-m", "inzira.cli.main", "sim", "momo", "--allowed-host", "*.lan"],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 1 and "--allowed-host: allowed_hosts entry '*.lan'" in " ".join(bad.stderr.split())
    proc = _run("--port", "0", "--allowed-host", "momo.lan", "--json")
    try:
        url = json.loads(_first_line(proc, START_TIMEOUT_S))["url"]
        assert httpx.get(f"{url}/openapi.json", headers={"Host": "momo.lan:8091"}, timeout=10).status_code == 200
        evil = httpx.get(f"{url}/openapi.json", headers={"Host": "evil.example"}, timeout=10)
        assert evil.status_code == 400 and evil.json()["code"] == 3042
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=STOP_TIMEOUT_S)
