"""The bench's load process: ``concurrency`` customers, each doing look-up -> quote -> send (waiting for the
outcome) in turn, over keep-alive HTTP/1.1 connections.

It speaks HTTP with a minimal client of its own: a general client library would spend more CPU than the
server it is measuring, on the same two cores. A transfer that screening holds for a compliance officer (a
namesake on the generated list) is counted apart: it is the right answer, not a failure, but not a complete
remittance either.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import uuid
from typing import Any

AMOUNT_MINOR_RANGE = (1_000, 50_000)  # EUR cents per remittance
RESPONSE_BYTES_MAX = 1 << 20
WAIT_MS = 30_000


class _Connection:
    """One keep-alive HTTP/1.1 connection: JSON in, (status, JSON) out."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.auth = f"Authorization: Bearer {token}\r\nHost: {host}\r\n".encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        payload = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        self.writer.write(head.encode() + self.auth + b"\r\n" + payload)
        reader = self.reader
        if reader is None:
            raise ConnectionError("the benchmark's connection is not open")
        status_line = await reader.readuntil(b"\r\n")
        length = 0
        while True:
            line = await reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length > RESPONSE_BYTES_MAX:
            raise ValueError("response too large")
        content = await reader.readexactly(length)
        return int(status_line.split()[1]), json.loads(content) if content else None


async def customers(base_url: str, token: str, numbers: list[str], count: int, concurrency: int,
                    seed_value: int, names: list[str]) -> dict[str, Any]:
    host, port = base_url.removeprefix("http://").split(":")
    rng = random.Random(seed_value)
    latencies: list[float] = []
    transfer_latencies: list[float] = []
    failures: dict[str, int] = {}
    held = [0]
    remaining = [count]

    async def customer() -> None:
        conn = _Connection(host, int(port), token)
        while remaining[0] > 0:
            remaining[0] -= 1
            number = rng.choice(numbers)
            started = time.perf_counter()
            status, _ = await conn.request("GET", f"/v1/remit/parties/MSISDN/{number}")
            if status != 200:
                failures[f"lookup {status}"] = failures.get(f"lookup {status}", 0) + 1
                continue
            status, quote = await conn.request("POST", "/v1/remit/quotes", {
                "receiver_msisdn": number, "amount_type": "SEND", "currency": "EUR",
                "amount_minor": rng.randrange(*AMOUNT_MINOR_RANGE)})
            if status != 201:
                failures[f"quote {status}"] = failures.get(f"quote {status}", 0) + 1
                continue
            sent = time.perf_counter()
            status, view = await conn.request("POST", f"/v1/remit/transfers?wait_ms={WAIT_MS}", {
                "transfer_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "quote_id": quote["quote_id"],
                "sender": {"id": f"customer-{rng.getrandbits(48):x}", "name": rng.choice(names)},
                "receiver": {"name": rng.choice(names)}})
            state = view.get("state") if isinstance(view, dict) else None
            if status == 202 and state == "HELD":
                held[0] += 1
                continue
            if status != 201 or state != "COMMITTED":
                key = f"transfer {status} {state or view.get('code')}"
                failures[key] = failures.get(key, 0) + 1
                continue
            done = time.perf_counter()
            latencies.append(done - started)
            transfer_latencies.append(done - sent)
        if conn.writer is not None:
            conn.writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(customer() for _ in range(concurrency)))
    return {"seconds": time.perf_counter() - started, "latencies": latencies,
            "transfer_latencies": transfer_latencies, "failures": failures, "held": held[0]}


def run(base_url: str, token: str, numbers: list[str], count: int, concurrency: int, seed_value: int,
          names: list[str]) -> dict:
    return asyncio.run(customers(base_url, token, numbers, count, concurrency, seed_value, names))




def pid() -> int:
    """This load process's id (its CPU is counted with the rest)."""
    return os.getpid()
