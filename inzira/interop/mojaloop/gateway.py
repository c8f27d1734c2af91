"""The gateway, composed: its store, its messages to the hub, the payee side, on one asyncio loop of its own.

The HTTP server (any thread) admits each request (``admit``) and, once its 202 is sent, ``run``s it: the work,
the callbacks to the hub and the periodic sweep (with the book's retention, retention.py) all run on the
gateway's loop, so its HTTP client and store are used from one place.
At most ``tasks_max`` requests are in progress at once: beyond that the server answers 503 (2003) at once.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inzira.durable_files import create_private_once
from inzira.interop.mojaloop.callbacks import ATTEMPTS_MAX, TIMEOUT_MS, HubClient, Signer
from inzira.interop.mojaloop.payee import Payee, PayeeSettings
from inzira.interop.mojaloop.payee_transfers import PayeeTransfers
from inzira.interop.mojaloop.ports import PartyBook, PayeeLedger
from inzira.interop.mojaloop.retention import Retention, RetentionSettings
from inzira.interop.mojaloop.store import DB_FILE, Store

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
SECRET_FILE = "mojaloop-fulfilment.key"
SECRET_BYTES = 32
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    hub_url: str  # where requests and callbacks go, e.g. http://127.0.0.1:4040
    payee: PayeeSettings = PayeeSettings()
    hub_fsp_id: str = "switch"  # the hub's own FSP id: the only source of PATCH and abort notifications
    callback_timeout_ms: int = TIMEOUT_MS
    callback_attempts_max: int = ATTEMPTS_MAX
    sweep_interval_ms: int = 1_000
    tasks_max: int = 1_000
    retention: RetentionSettings = RetentionSettings()


def fulfilment_secret(data_dir: Path) -> bytes:
    """The gateway's fulfilment key, made once and kept in the data folder (owner-only)."""
    path = data_dir / SECRET_FILE
    create_private_once(path, secrets.token_bytes(SECRET_BYTES))
    secret = path.read_bytes()
    if len(secret) != SECRET_BYTES:
        raise RuntimeError(f"{path} must hold {SECRET_BYTES} bytes")
    return secret


class Gateway:
    def __init__(self, settings: GatewaySettings, data_dir: Path, parties: PartyBook, ledger: PayeeLedger,
                 clock_ms: Callable[[], int], sign: Signer | None = None) -> None:
        self.settings = settings
        self.store = Store(data_dir / DB_FILE, settings.payee.quotes_max)
        self.hub = HubClient(settings.hub_url, settings.payee.fsp_id, sign=sign,
                             timeout_ms=settings.callback_timeout_ms, attempts_max=settings.callback_attempts_max)
        self.payee = Payee(settings.payee, self.store, parties, self.hub, fulfilment_secret(data_dir), clock_ms)
        self.transfers = PayeeTransfers(self.payee, self.store, ledger, self.hub, clock_ms)
        self.retention = Retention(settings.retention, self.store)
        self._clock_ms = clock_ms
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._in_flight = 0
        self._count_lock = threading.Lock()

    @property
    def fsp_id(self) -> str:
        return self.settings.payee.fsp_id

    def start(self) -> "Gateway":
        ready: Future[None] = Future()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="mojaloop-gateway", daemon=True)
        self._thread.start()
        ready.result(START_TIMEOUT_S)
        return self

    def _serve(self, ready: "Future[None]") -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._sweeper = loop.create_task(self._sweep_forever())
        loop.call_soon(ready.set_result, None)
        loop.run_forever()
        self._sweeper.cancel()
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(self.hub.aclose())
        loop.close()

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.sweep_interval_ms / 1000)
            try:
                await self.transfers.sweep()
                self.retention.run(self._clock_ms())
            except Exception:
                log.exception("the FSPIOP transfer sweep failed; it runs again")

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(STOP_TIMEOUT_S)
        self._loop = self._thread = None
        self.store.close()

    def admit(self) -> bool:
        """Take a slot for one request's work; False when ``tasks_max`` are in progress or the gateway stopped."""
        with self._count_lock:
            if self._loop is None or self._in_flight >= self.settings.tasks_max:
                return False
            self._in_flight += 1
            return True

    def run(self, work: Coroutine[Any, Any, None]) -> None:
        """Run admitted ``work`` on the gateway's loop (its slot is given back when it ends)."""
        loop = self._loop
        if loop is None:  # stopped meanwhile: the hub times the request out, as for any lost message
            work.close()
            self._release()
            return
        future = asyncio.run_coroutine_threadsafe(work, loop)
        future.add_done_callback(self._done)

    def _release(self) -> None:
        with self._count_lock:
            self._in_flight -= 1

    def _done(self, future: "Future[None]") -> None:
        self._release()
        if not future.cancelled() and future.exception() is not None:
            log.error("an FSPIOP request failed after its 202", exc_info=future.exception())
