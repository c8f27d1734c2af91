"""Customers of the sending FSP, each on its own thread: quote, then send under a new transfer id, resending
the very same request across a crash until the API answers. Every answer is kept as the customer saw it."""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

HTTP_TIMEOUT_S = 15.0
RETRY_EVERY_S = 0.05
CALL_BUDGET_S = 40.0  # a request is resent (connection refused while the server is down) this long at most
TRANSFERS_MAX = 500  # per customer: the test stops them long before
AMOUNT_MINOR = (10_00, 200_00)
ACKNOWLEDGED = (200, 201, 202)
QUOTE_NOT_FOUND = 3205
SENDER_NAME, RECEIVER_NAME = "Marie Dupont", "Jeanne Uwase"


@dataclass
class Answers:
    """What every customer was told, shared by the threads (under ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)  # transfer id -> the view answered
    ended: dict[str, dict[str, Any]] = field(default_factory=dict)  # 422: ended without paying, with the view
    unanswered: list[str] = field(default_factory=list)  # sent, but no answer before the customers stopped
    # 404 3205 on sending: the quote was answered just before the crash, not yet on disk (quote again)
    lost_quotes: list[str] = field(default_factory=list)
    other: list[tuple[str, int, str]] = field(default_factory=list)  # (what, status, body) of any other answer

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


class Customer(threading.Thread):
    """``repeat_sender``: every transfer under one shared customer id, so velocity screening holds them after
    the first five."""

    def __init__(self, n: int, base_url: str, token: str, numbers: list[str], answers: Answers,
                 stop: threading.Event, *, repeat_sender: bool = False, wait_ms: int = 0) -> None:
        super().__init__(name=f"customer-{n}", daemon=True)
        self.n, self.numbers, self.answers, self.stop_event = n, numbers, answers, stop
        self.repeat_sender, self.wait_ms = repeat_sender, wait_ms
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                                 timeout=HTTP_TIMEOUT_S)

    def run(self) -> None:
        rng = random.Random(self.n)
        try:
            for i in range(TRANSFERS_MAX):
                if self.stop_event.is_set():
                    return
                self._one(rng.choice(self.numbers), rng.randint(*AMOUNT_MINOR), i)
        finally:
            self.http.close()

    def _one(self, number: str, amount_minor: int, i: int) -> None:
        quoted = self._call("/v1/remit/quotes", {"receiver_msisdn": number, "amount_type": "SEND",
                                                 "amount_minor": amount_minor, "currency": "EUR"}, {})
        if quoted is None or quoted.status_code != 201:
            self._other("quote", quoted)
            return
        transfer_id = str(uuid.uuid4())
        sender = "cust-repeat" if self.repeat_sender else f"cust-{self.n}-{i}"
        body = {"transfer_id": transfer_id, "quote_id": quoted.json()["quote_id"],
                "sender": {"id": sender, "name": SENDER_NAME}, "receiver": {"name": RECEIVER_NAME}}
        sent = self._call("/v1/remit/transfers", body, {"wait_ms": self.wait_ms})
        with self.answers.lock:
            if sent is None:
                self.answers.unanswered.append(transfer_id)
            elif sent.status_code in ACKNOWLEDGED:
                self.answers.acknowledged[transfer_id] = {"status": sent.status_code, **sent.json()}
            elif sent.status_code == 422 and "transfer" in sent.json():
                self.answers.ended[transfer_id] = sent.json()["transfer"]
            elif sent.status_code == 404 and sent.json().get("code") == QUOTE_NOT_FOUND:
                self.answers.lost_quotes.append(body["quote_id"])
            else:
                self.answers.other.append(("send", sent.status_code, sent.text[:500]))

    def _other(self, what: str, response: httpx.Response | None) -> None:
        if response is not None:
            with self.answers.lock:
                self.answers.other.append((what, response.status_code, response.text[:500]))

    def _call(self, path: str, body: dict[str, Any], params: dict[str, Any]) -> httpx.Response | None:
        """POST the same body until the server answers (None: the customers were stopped first, or the
        budget ran out)."""
        deadline = time.monotonic() + CALL_BUDGET_S
        while not self.stop_event.is_set() and time.monotonic() < deadline:
            try:
                return self.http.post(path, json=body, params=params)
            except httpx.TransportError:  # the server is down (killed) or restarting
                time.sleep(RETRY_EVERY_S)
        return None
