"""``inzira bench qr``: visitor QR payments through the HTTP API at an offered rate.

The server (an embedded network, seeded, with the ledger API and the QR service on 127.0.0.1) runs in a
process of its own (``python -m inzira.qr.serve``), as it would in production, so the client's work does
not share its interpreter. Before the clock starts: merchants, CNY and USD wallets topped up (by card, through
the server's card acquirer simulator, one top-up each: the server's wallet limits are raised to what that
needs), a bill (dynamic QR) for every other payment, and one event stream per merchant, as the POS screens
would hold.

Then payment ``i`` starts at ``i / rate`` seconds, whatever the earlier ones are doing (an open loop: a slow
server is not let off by a slower client). Each does what a wallet does: decode the scanned payload, get a
quote (static QRs with an amount), pay. Measured: from sending the pay request to the merchant's server-sent
``payment.completed`` event arriving, per payment.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import uvloop

from inzira.bench.raw_http import Connections, listen
from inzira.bench.stats import machine, percentile_ms
from inzira.demo.setup import load_api_keys
from inzira.fx.rates import DEMO_RWF_PER_UNIT

MERCHANTS = 20
WALLETS = 100
START_TIMEOUT_S = 120.0
DRAIN_TIMEOUT_S = 15.0  # after the last payment starts, wait this long for the stragglers
CONNECTIONS_MAX = 400
STREAM_READY_S = 30.0
SETUP_CONCURRENCY = 32
PRICE_MIN_RWF = 1_000
PRICE_SPREAD_RWF = 19_000  # prices from 1,000 to 20,000 RWF
HTTP_TIMEOUT_S = 60.0
CARD = {"card_number": "4242424242424242", "expiry": "12/39", "cvc": "123"}  # the simulator's approved test card


@dataclass
class Fixture:
    merchants: list[dict[str, Any]]
    wallets: list[dict[str, Any]]
    bills: list[str]  # dynamic QR payloads, one per dynamic payment


@dataclass
class Tally:
    sent_s: dict[str, float] = field(default_factory=dict)  # payment id -> when its pay request left
    answered_s: dict[str, float] = field(default_factory=dict)
    flow_s: list[float] = field(default_factory=list)  # decode + quote + pay, per payment
    events_s: dict[str, float] = field(default_factory=dict)  # payment id -> when the merchant heard
    failures: dict[str, int] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)  # over the measured window

    def fail(self, what: str) -> None:
        self.failures[what] = self.failures.get(what, 0) + 1


def _cpu_s(pid: int) -> float:
    """CPU seconds of a process and its children (the signature verifiers), from /proc; 0 once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return 0.0
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK") + sum(_cpu_s(int(c)) for c in children)


def _machine_busy_s() -> float:
    """CPU seconds every process on the machine has used (to see what else was running)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def _start_server(folder: Path, wallet_limit_minor: int, rate: int,
                  bills: int) -> tuple[subprocess.Popen[bytes], str]:
    # Each wallet quotes rate / WALLETS times a second, all bills are made before the first payment: the
    # server's per-wallet and per-merchant limits, sized for people, are raised to that (twice the quotes).
    process = subprocess.Popen([sys.executable, "-m", "inzira.qr.serve", "--data", str(folder),
                                "--wallet-limit-minor", str(wallet_limit_minor),
                                "--wallet-quotes-per-minute", str(2 * rate * 60 // WALLETS + 1),
                                "--bills-unpaid-day-max", str(bills // MERCHANTS + 1)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    line = process.stdout.readline() if process.stdout is not None else b""
    if not line:
        process.kill()
        raise RuntimeError("the QR server did not start (see its output above)")
    return process, json.loads(line)["url"]


def _stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.stdin is not None:
        process.stdin.close()  # the server stops when its standard input closes
    try:
        process.wait(START_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()


async def _ok(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 300:
        raise RuntimeError(f"{response.request.method} {response.request.url.path}: {response.status_code} "
                           f"{response.text[:300]}")
    return response.json()


def _topup_minor(currency: str, payments: int) -> int:
    """Enough for ``payments`` at the highest price, with 10% to spare for the FX spread."""
    rwf_per_unit = Decimal(DEMO_RWF_PER_UNIT[currency])
    price_max = PRICE_MIN_RWF + PRICE_SPREAD_RWF
    return int(payments * price_max * 110 / rwf_per_unit) + 100  # minor units (two decimals): x100 / 100%


def _per_wallet(bills: int) -> int:
    return 2 * bills // WALLETS + 1


async def _setup(client: httpx.AsyncClient, tokens: dict[str, str], bills: int) -> Fixture:
    acquirer = {"Authorization": f"Bearer {tokens['ubumwe']}"}
    issuer = {"Authorization": f"Bearer {tokens['silkpay']}"}
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def post(path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        async with gate:
            return await _ok(await client.post(path, json=body, headers=headers))

    merchants = await asyncio.gather(*(post("/v1/qr/merchants", {
        "name": f"Bench Shop {i}", "city": "Kigali", "mcc": "5812", "location": f"KN {i} St"}, acquirer)
        for i in range(MERCHANTS)))
    wallets = await asyncio.gather(*(post("/v1/qr/wallets", {"currency": "CNY" if i % 2 else "USD"}, issuer)
                                     for i in range(WALLETS)))
    per_wallet = _per_wallet(bills)

    async def top_up(wallet: dict[str, Any]) -> None:
        path = f"/v1/qr/wallets/{wallet['wallet_id']}/topups"
        opened = await post(path, {"amount_minor": _topup_minor(wallet["currency"], per_wallet)}, issuer)
        async with gate:
            paid = await client.post(opened["card_form_url"], data=CARD)
        if paid.status_code != 200:
            raise RuntimeError(f"the card payment of a bench top-up: {paid.status_code} {paid.text[:300]}")
        done = await post(f"{path}/{opened['topup_id']}/check", {}, issuer)
        if done["status"] != "completed":
            raise RuntimeError(f"a bench top-up ended {done['status']}: {done['reason']}")

    await asyncio.gather(*(top_up(w) for w in wallets))
    made = await asyncio.gather(*(post(f"/v1/qr/merchants/{merchants[i % MERCHANTS]['merchant_id']}/bills",
                                       {"amount_minor": _price(i), "expires_in_ms": 3_600_000}, acquirer)
                                  for i in range(bills)))
    return Fixture(merchants, wallets, [b["payload"] for b in made])


def _price(i: int) -> int:
    return PRICE_MIN_RWF + (i * 7_919) % PRICE_SPREAD_RWF


async def _pay_one(http: Connections, fixture: Fixture, i: int, tally: Tally) -> None:
    wallet = fixture.wallets[i % WALLETS]
    token, base = wallet["wallet_token"], f"/v1/qr/wallets/{wallet['wallet_id']}"
    dynamic = i % 2 == 0
    payload = fixture.bills[i // 2] if dynamic else fixture.merchants[i % MERCHANTS]["static_qr"]["payload"]
    started = time.perf_counter()
    try:
        status, _ = await http.request("POST", "/v1/qr/decode", json.dumps({"payload": payload}).encode(), token)
        if status != 200:
            return tally.fail(f"decode {status}")
        body: dict[str, Any] = {"payload": payload} if dynamic else {"payload": payload, "amount_minor": _price(i)}
        status, quoted = await http.request("POST", f"{base}/quotes", json.dumps(body).encode(), token)
        if status != 201:
            return tally.fail(f"quote {status}")
        pay = json.dumps({"quote_id": json.loads(quoted)["quote_id"]}).encode()
        sent = time.perf_counter()
        status, paid = await http.request("POST", f"{base}/payments", pay, token)
        answered = time.perf_counter()
    except (OSError, asyncio.IncompleteReadError) as exc:
        return tally.fail(type(exc).__name__)
    if status != 201:
        return tally.fail(f"pay {status} {json.loads(paid).get('code')}")
    payment_id = json.loads(paid)["payment_id"]
    tally.sent_s[payment_id], tally.answered_s[payment_id] = sent, answered
    tally.flow_s.append(answered - started)


async def _drive(url: str, tokens: dict[str, str], rate: int, seconds: float, server_pid: int) -> tuple[Tally, float]:
    total = max(1, int(rate * seconds))
    async with httpx.AsyncClient(base_url=url, timeout=HTTP_TIMEOUT_S) as client:
        fixture = await _setup(client, tokens, (total + 1) // 2)
    host, port = httpx.URL(url).host, httpx.URL(url).port or 80
    http = Connections(host, port, CONNECTIONS_MAX)
    tally = Tally()
    readies = [asyncio.Event() for _ in fixture.merchants]
    listeners = [asyncio.create_task(listen(host, port, tokens["ubumwe"], m["merchant_id"], tally.events_s, r))
                 for m, r in zip(fixture.merchants, readies)]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), STREAM_READY_S)
    started = time.perf_counter()
    tally.cpu_s = {"server": -_cpu_s(server_pid), "client": -time.process_time(), "machine": -_machine_busy_s()}
    payments = []
    for i in range(total):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        payments.append(asyncio.create_task(_pay_one(http, fixture, i, tally)))
    await asyncio.gather(*payments)
    deadline = time.perf_counter() + DRAIN_TIMEOUT_S
    while set(tally.sent_s) - set(tally.events_s) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    last_event = max(tally.events_s.values(), default=started)
    for key, now_s in (("server", _cpu_s(server_pid)), ("client", time.process_time()), ("machine", _machine_busy_s())):
        tally.cpu_s[key] += now_s
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    http.close()
    return tally, max(last_event - started, 1e-9)


def run(rate: int, seconds: float, data_dir: Path | None = None) -> dict[str, object]:
    folder = data_dir or Path(tempfile.mkdtemp(prefix="inzira-bench-qr-"))
    bills = (max(1, int(rate * seconds)) + 1) // 2
    per_wallet = _per_wallet(bills)
    process, url = _start_server(folder, max(_topup_minor(c, per_wallet) for c in ("CNY", "USD")), rate, bills)
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            tally, elapsed_s = runner.run(_drive(url, load_api_keys(folder), rate, seconds, process.pid))
    finally:
        _stop_server(process)
        if data_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    heard = [tally.events_s[p] - sent for p, sent in tally.sent_s.items() if p in tally.events_s]
    answers = [tally.answered_s[p] - sent for p, sent in tally.sent_s.items()]
    return {
        "benchmark": "qr",
        "offered_rate_per_s": rate,
        "seconds": seconds,
        "payments": len(heard),
        "payments_per_s": round(len(heard) / elapsed_s, 1),
        "p50_ms": percentile_ms(heard, 0.50),
        "p99_ms": percentile_ms(heard, 0.99),
        "max_ms": percentile_ms(heard, 1.0),
        "pay_response_p50_ms": percentile_ms(answers, 0.50),
        "pay_response_p99_ms": percentile_ms(answers, 0.99),
        "flow_p50_ms": percentile_ms(tally.flow_s, 0.50),
        "flow_p99_ms": percentile_ms(tally.flow_s, 0.99),
        "events_missing": len(tally.sent_s) - len(heard),
        "failures": tally.failures,
        **{f"{who}_cpu_percent": round(100 * cpu_s / elapsed_s, 1) for who, cpu_s in tally.cpu_s.items()},
        "server_cpu_ms_per_payment": round(1000 * tally.cpu_s["server"] / max(1, len(heard)), 2),
        "measured": "pay request sent -> merchant's payment.completed server-sent event received",
        "flow": "decode + quote + pay over HTTP; half static QRs (amount entered), half dynamic (bills)",
        "merchants": MERCHANTS,
        "wallets": WALLETS,
        "server": "separate process: embedded network (solo orderer) + ledger API + QR service",
        "data": str(folder) if data_dir else None,
        **machine(),
    }
