"""The remittance service, composed: one object the API, the CLI's server, the bench and tests start and stop.

    service = RemitService(runtime, ports, data_dir, RemitSettings(payout_adapters={"mobimo": {...}}),
                           fx=FxClient(...), funding=FundingClient(...))
    service.start()            # its own asyncio loop on a thread: feed, payouts, reconciliation, webhooks
    app = create_app(runtime, routers=remit_routers(service))
    ...
    service.stop()

Its state is remit.db in the data folder. The service acts only for the members whose ports it is given
(``inzira.node.custody``): sending FSPs (quotes, transfers, withdrawals they sign) and receiving FSPs
(look-ups, payouts, commits). A receiving FSP it does not act for is reached at that FSP's own deployment
(``settings.receiving_fsp_urls``, ``RemoteReceivingFsp``), which answers look-ups and quotes signed by this
service's sending FSP and pays out there; a receiving FSP it acts for answers other deployments the same way
(``payee_desk``, served by ``inzira.remit.api.fsp``). It holds no other key: firm quotes come from the FX
provider's own quote
service (``fx``, checked before use), and funding from the issuers' own funding APIs (``funding``).
Phone numbers are looked up and listed through the directory operator's API: once its address is known,

    service.directory.connect(operator_url, {member: token})
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import uvloop

from inzira.directory.client import DirectoryClient
from inzira.funding.client import FundingClient
from inzira.fx.client import FxClient
from inzira.http import HttpProblem
from inzira.http.closing import aclose_each
from inzira.ledger.codes import Code
from inzira.ledger.tx import OpenAccount
from inzira.node.custody import MemberPort
from inzira.node.signer import wall_clock_ms
from inzira.remit import secrets_files
from inzira.remit.block_watcher import BlockWatcher
from inzira.remit.codes import RemitError
from inzira.remit.compliance.freshness import ListFreshness
from inzira.remit.compliance.list_formats import load_list_file
from inzira.remit.compliance.sanctions import load_sample_sanctions
from inzira.remit.compliance.screening import SanctionsIndex
from inzira.remit.events import EventHub
from inzira.remit.loop_server import LoopServer
from inzira.remit.liquidity import Liquidity
from inzira.remit.parties import Party, PartyLookup, parse_number
from inzira.remit.payout import adapter_from_config
from inzira.remit.quotes import QuoteDesk, QuoteRequest
from inzira.remit.payee_desk import PayeeDesk
from inzira.remit.receiving import ReceivingFsp
from inzira.remit.remote_receiving import remote_agents
from inzira.remit.reconcile import Reconciler
from inzira.remit.records import QuoteTerms, Reason
from inzira.remit.runtime import RemitRuntime
from inzira.remit.rescreen import Rescreen, RescreenReport
from inzira.remit.screening import Screening
from inzira.remit.sending import TransferDesk
from inzira.remit.settings import PAYOUT_CURRENCY, RemitSettings, fee_account
from inzira.remit.store.db import DB_FILE, Db
from inzira.remit.store.notices import NoticeStore
from inzira.remit.store.payee_quotes import PayeeQuotes
from inzira.remit.store.payouts import PayoutStore
from inzira.remit.store.transfers import TransferStore
from inzira.remit.transitions import Transitions
from inzira.remit.webhooks import Webhooks
from inzira.tasks import end_tasks

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
T = TypeVar("T")
log = logging.getLogger(__name__)


class RemitService:
    def __init__(self, runtime: RemitRuntime, ports: Mapping[str, MemberPort], data_dir: Path,
                 settings: RemitSettings | None = None, clock_ms: Callable[[], int] = wall_clock_ms, *,
                 fx: FxClient, funding: FundingClient) -> None:
        self.runtime = runtime
        self.ports = dict(ports)
        self.node = runtime.node
        self.data_dir = data_dir
        self.settings = settings = settings or RemitSettings()
        for fsp in settings.payout_adapters:
            if fsp not in self.ports:
                raise ValueError(f"{fsp} has a payout adapter but this service does not act for it")
        self.clock_ms = clock_ms
        self.db = Db(data_dir / DB_FILE)
        self.transfers = TransferStore(self.db)
        self.payouts = PayoutStore(self.db)
        self.payee_quotes = PayeeQuotes(self.db, clock_ms())
        self.notices = NoticeStore(self.db)
        self.hub = EventHub(settings.event_subscribers_max, settings.event_queue_max, clock_ms,
                            settings.event_subscribers_per_member_max)
        self.transitions = Transitions(self.transfers, self.hub, clock_ms)
        self.directory = DirectoryClient()
        sending = [m.id for m in self.node.state.members.values() if "sending_fsp" in m.roles and m.id in ports]
        self.officer_tokens = secrets_files.officer_tokens(data_dir, sorted(sending))
        sanctions = load_list_file(settings.sanctions_file) if settings.sanctions_file else load_sample_sanctions()
        freshness = ListFreshness(settings.sanctions_alert_age_ms, settings.sanctions_hold_age_ms) \
            if settings.sanctions_file else None  # the fictional sample has no age to check
        self.screening = Screening(settings.compliance, SanctionsIndex(sanctions), self.transfers, freshness)
        self.fx = fx
        self.funding = funding
        self.agents: dict[str, ReceivingFsp] = {}
        self.remote_agents = remote_agents(settings, self.ports, sending, clock_ms)
        self.parties = PartyLookup(self.directory, self.agents, self.node, clock_ms, settings.lookup_reuse_ms,
                                   settings.directory_calls_max, settings.fallback_fsp, self.remote_agents)
        self.quotes = QuoteDesk(fx, settings, self.transfers, self.node, self.agents, clock_ms, self.call,
                                self.remote_agents)
        self.payee_desk = PayeeDesk(self.agents, self.screening, self.payee_quotes, self.transfers, self.node,
                                    settings, clock_ms, self.call)
        self.desk = TransferDesk(runtime, self.ports, self.transfers, self.transitions, self.screening, settings,
                                 clock_ms)
        self.rescreen = Rescreen(self.screening, self.transfers, self.transitions, self.agents, clock_ms)
        self.liquidity = Liquidity(runtime, self.ports, funding, self.notices, self.hub, settings, clock_ms)
        self.webhooks = Webhooks(self.notices, self.ports, settings, clock_ms)
        self.hub.listeners.append(self.webhooks.on_event)
        self.watcher = BlockWatcher(self.node, self.desk, self.transitions, self.agents, self.transfers, self.payouts,
                                    self.payee_quotes, self._after_block)
        self.reconciler = Reconciler(runtime, settings, self.desk, self.watcher, self.transitions, self.transfers,
                                     self.payouts, self.payee_quotes, self.agents, clock_ms)
        self.closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._last_check_ms = 0

    # --- life cycle ---

    def start(self) -> "RemitService":
        self._open_fee_accounts()
        ready: Future[None] = Future()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="remit-service", daemon=True)
        self._thread.start()
        ready.result(START_TIMEOUT_S)
        return self

    def _open_fee_accounts(self) -> None:
        for fsp in self.settings.payout_adapters:
            account = fee_account(fsp, PAYOUT_CURRENCY)
            if self.node.account(account) is None:
                raw = self.ports[fsp].sign(OpenAccount(account, PAYOUT_CURRENCY))
                code = self.runtime.submit(raw).result(START_TIMEOUT_S).code
                if code not in (Code.OK, Code.ALREADY_EXISTS):
                    raise RuntimeError(f"cannot open {account}: ledger code {code}")

    def _serve(self, ready: "Future[None]") -> None:
        # libuv's loop: every remittance is a dozen socket reads and writes on this one thread.
        loop = self._loop = uvloop.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._startup())
        except BaseException as exc:
            ready.set_exception(exc)
            loop.close()
            return
        ready.set_result(None)
        loop.run_forever()
        loop.run_until_complete(self._shutdown())
        loop.close()

    async def _startup(self) -> None:
        for fsp, config in self.settings.payout_adapters.items():
            secret = secrets_files.fulfilment_key(self.data_dir, fsp)
            self.agents[fsp] = ReceivingFsp(self.ports[fsp], secret, adapter_from_config(config), self.runtime,
                                            self.settings, self.transfers, self.payouts, self.transitions.note,
                                            self.clock_ms, self.payee_quotes)
            self.agents[fsp].payout_flow.callbacks.base_url = self.settings.payout_callback_base_url
        self.webhooks.start()
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self.watcher.run()), loop.create_task(self._reconcile_forever())]

    async def _reconcile_forever(self) -> None:
        starting = True  # the first pass takes up everything a previous run left unfinished
        while True:
            try:
                await self.reconciler.run_once(starting)
                starting = False
            except Exception:
                log.exception("remittance reconciliation pass failed")
            await asyncio.sleep(self.settings.reconcile_interval_ms / 1000)

    async def _shutdown(self) -> None:
        await end_tasks(self._tasks)
        await aclose_each([*(agent.aclose for agent in self.agents.values()),
                           *(agent.aclose for agent in self.remote_agents.values()), self.webhooks.stop,
                           self.directory.aclose, self.fx.aclose, self.funding.aclose])

    def stop(self) -> None:
        """End event streams, stop the loop (payouts in progress resume at the next start), close remit.db."""
        self.close_streams()
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(STOP_TIMEOUT_S)
        self._loop = self._thread = None
        self.db.close()

    def close_streams(self) -> None:
        self.closing = True
        self.hub.close_all()

    def __enter__(self) -> "RemitService":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- running work on the service's loop ---

    def submit(self, coro: Coroutine[Any, Any, T]) -> "Future[T]":
        if self._loop is None:
            coro.close()
            raise RuntimeError("the remittance service is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await a coroutine that must run on the service's loop, from any loop (the API's, or this one)."""
        if asyncio.get_running_loop() is self._loop:
            return await coro
        return await asyncio.wrap_future(self.submit(coro))

    def serve_http(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> "LoopServer":
        """Serve an ASGI app on the service's own loop: one thread for the API and the service's work, so
        requests and payouts do not hand the interpreter lock back and forth between two busy loops."""
        return LoopServer(self.submit, app, host, port)

    # --- operations that span several parts ---

    async def lookup(self, member: str, text: str, reuse: bool = False) -> Party:
        """Who serves the number, as ``member`` asks the directory operator (``PartyLookup.find``)."""
        return await self.call(self.parties.find(member, parse_number(text), reuse))

    def acts_for(self, member: str) -> None:
        """Refuse a request for a member this service holds no port of (403)."""
        if member not in self.ports:
            raise RemitError(403, Code.PERMISSION, f"this remittance service does not act for {member}")

    async def quote(self, sender: str, text: str, request: QuoteRequest) -> QuoteTerms:
        self.acts_for(sender)
        party = await self.lookup(sender, text, reuse=True)  # the customer's look-up just before
        return await self.quotes.quote(sender, party, request, await self.call(self._screen_holder(party)))

    async def _screen_holder(self, party: Party) -> tuple[Reason, ...]:
        """The receiving FSP screens the name of the wallet's holder, as its operator reports it at the name
        check (cached from the look-up); only the matches travel with the quote, never the name."""
        remote = self.remote_agents.get(party.fsp)
        if remote is not None:  # screened over there: its answer carried only the matches
            await remote.lookup(party.msisdn)
            return remote.holder_reasons(party.msisdn)
        holder = await self.agents[party.fsp].lookup(party.msisdn)
        return self.screening.holder_reasons(holder.name) if holder is not None else ()

    async def load_sanctions(self, path: Path) -> RescreenReport:
        """Screen against the list in `path` from now on, and screen held and in-flight transfers again."""
        sanctions = await asyncio.to_thread(load_list_file, path)
        if self.screening.freshness is None:  # a list from a file has an age, even after the sample
            self.screening.freshness = ListFreshness(self.settings.sanctions_alert_age_ms,
                                                     self.settings.sanctions_hold_age_ms)
        return await self.call(self.rescreen.load(sanctions))

    async def register_number(self, fsp: str, text: str, active: bool = True) -> dict[str, Any]:
        """A receiving FSP asks the directory operator to list (or unlist) a wallet's number, with a request
        signed by its own key; the operator confirms the wallet with the FSP's account-holder API. A number
        listed for another FSP comes back ``"state": "DISPUTED"``: the regulator decides."""
        e164 = parse_number(text)
        if fsp not in self.agents:
            raise RemitError(403, Code.PERMISSION, f"{fsp} has no payout service here: it cannot list numbers")
        try:
            _status, answer = await self.call(self.directory.register(self.ports[fsp], e164, active))
        except HttpProblem as exc:
            # The operator refusing this service's own signature is this deployment's fault, not the caller's.
            raise RemitError(503 if exc.status == 401 else exc.status, exc.code, exc.detail,
                             headers=exc.headers) from None  # a 429's Retry-After is the operator's
        return answer

    def connect_payout_callbacks(self, base_url: str) -> None:
        """Have operators post payout callbacks to this service's API at ``base_url`` (known once served)."""
        for agent in self.agents.values():
            agent.payout_flow.callbacks.base_url = base_url.rstrip("/")

    async def payout_callback(self, fsp: str, reference_id: str, token: str, body: bytes) -> None:
        agent = self.agents.get(fsp)
        if agent is None:
            raise RemitError(403, Code.PERMISSION, "not a callback URL a receiving FSP here gave an operator")
        await self.call(agent.payout_flow.operator.callback(reference_id, token, body))

    def _after_block(self) -> None:
        now_ms = self.clock_ms()
        if now_ms - self._last_check_ms >= self.settings.alert_check_interval_ms:
            self._last_check_ms = now_ms
            self.liquidity.check()
