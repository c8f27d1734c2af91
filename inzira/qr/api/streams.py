"""Server-sent events: a merchant's payments and refunds, one bill's (the POS screen), a wallet's.

Frames are ``id: <event id>``, ``event: <type>`` (payment.completed, refund.completed, topup.completed) and
``data: {"event_id", "type", "at_ms", "data": <the payment/refund/top-up view>}``. A stream starts with what
happens after it opens; ``?after=<event id>`` or a ``Last-Event-ID`` header (browsers send it when they
reconnect) replays what came after that id first. A stream opened with a merchant's or wallet's token ends
once that token is replaced or revoked. A bill's stream begins with an ``event: bill`` frame
holding the bill's current status, so a POS that connects late still learns that it is paid. Comment lines
(``: heartbeat``) keep idle streams open; a stream ends after 15 minutes and the browser reconnects.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

import msgspec
from fastapi import APIRouter, Depends, Header, Query
from starlette.responses import Response, StreamingResponse

from inzira.api.codes import ApiCode
from inzira.api.context import ApiContext, api_context
from inzira.api.held_stream import LiveStream
from inzira.api.models import TicketModel
from inzira.api.numbers import DIGITS_MAX, INT64_MAX, digits, parse_digits
from inzira.api.responses import json_response
from inzira.api.stream_credential import Credential, Lapse, member_lapse
from inzira.ledger.codes import Code
from inzira.qr.api.auth import Principal, merchant_for, still_valid, wallet_for
from inzira.qr.api.common import BillId, MerchantId, WalletId, unwrap
from inzira.qr.api.problems import QrProblem, docs
from inzira.qr.live.events import events_after, last_seq
from inzira.qr.live.hub import HubFull
from inzira.qr.service import QrService
from inzira.qr.views import bill_view

PrincipalDep = Callable[..., Awaitable[Principal]]
RECONNECT_MS = 2_000
WAKE_S = 0.5  # longest sleep between checks that the server is not stopping
After = Annotated[digits(0, INT64_MAX) | None, Query(description="Replay events after this id first")]
_DOC = {200: {"description": __doc__, "content": {"text/event-stream": {}}}}


class EventStream:
    def __init__(self, service: QrService, ctx: ApiContext, topic: str, owner: str, after_seq: int | None,
                 snapshot: Callable[[], bytes] | None, who: Principal) -> None:
        self.service = service
        self.who = who
        self.ctx = ctx
        self.topic = topic
        self.owner = owner
        self.after_seq = after_seq
        self.snapshot = snapshot

    def _stopping(self) -> bool:
        """The server is stopping, or the token the stream was opened with no longer opens it (the hub wakes
        the stream when that token changes)."""
        return self.ctx.closing or self.service.closing or not still_valid(self.service, self.who)

    async def frames(self) -> AsyncIterator[bytes]:
        service, settings = self.service, self.service.settings
        loop = asyncio.get_running_loop()
        try:
            sub = service.hub.subscribe(self.topic, self.owner, loop)
        except HubFull:
            yield b": too many open event streams, reconnect later\n\n"
            return
        try:
            yield b"retry: %d\n\n" % RECONNECT_MS
            # After subscribing: anything committed later is on the queue, anything earlier is in the store.
            sent = last_seq(service.reader) if self.after_seq is None else self.after_seq
            if self.snapshot is not None:
                yield self.snapshot()
            started_s = last_write_s = loop.time()
            heartbeat_s = settings.stream_heartbeat_ms / 1000
            catch_up = True
            while not self._stopping() and loop.time() - started_s < settings.stream_lifetime_ms / 1000:
                if catch_up or sub.behind:
                    catch_up = sub.behind = False
                    while True:
                        missed = events_after(service.reader, self.topic, sent, settings.stream_replay_page_events)
                        if missed:
                            yield b"".join(event.frame() for event in missed)
                            sent = missed[-1].seq
                        if len(missed) < settings.stream_replay_page_events:
                            break
                    last_write_s = loop.time()
                if not sub.ready.is_set():
                    try:
                        await asyncio.wait_for(sub.ready.wait(), min(WAKE_S, heartbeat_s))
                    except TimeoutError:
                        if loop.time() - last_write_s >= heartbeat_s:
                            yield b": heartbeat\n\n"
                            last_write_s = loop.time()
                        continue
                frames = []  # everything waiting goes out in one write
                for event in sub.take():
                    if event.seq > sent:
                        frames.append(event.frame())
                        sent = event.seq
                if frames:
                    yield b"".join(frames)
                    last_write_s = loop.time()
        finally:
            sub.close()


ACQUIRER, ISSUER = "acquirer", "wallet_issuer"  # the ledger roles over merchants and over wallets
TOKEN_REPLACED = Lapse("token_replaced", ApiCode.UNAUTHENTICATED,
                       "the token this stream was opened with was replaced or revoked")


def _credential(service: QrService, ctx: ApiContext, who: Principal, role: str) -> Credential:
    """A member's stream lasts while it is a member holding ``role`` (as ``auth.merchant_for`` asks of every
    request); a merchant's or wallet's while its token still opens it (``EventStream`` also ends at once when the
    hub wakes it on a rotation)."""
    member = who.member
    if member is None:
        return lambda: None if still_valid(service, who) else TOKEN_REPLACED
    return lambda: member_lapse(ctx.node.state, member, (role,))


def _after(after: int | None, last_event_id: str | None) -> int | None:
    if last_event_id is None:
        return after
    last = parse_digits(last_event_id)
    if last is None:
        raise QrProblem(400, Code.VALIDATION, "Last-Event-ID must be an event id")
    return last


def streams_router(service: QrService, principal: PrincipalDep, principal_or_ticket: PrincipalDep) -> APIRouter:
    router = APIRouter(prefix="/v1/qr", tags=["qr events"])

    @router.post("/tickets", summary="A 60 s ticket for the caller's event streams and QR images",
                 response_class=Response, responses={200: {"model": TicketModel, "description": "The ticket"},
                                                     **docs(401)})
    async def issue_ticket(who: Principal = Depends(principal), ctx: ApiContext = Depends(api_context)) -> Response:
        """For a browser's EventSource or <img>, which cannot send the Authorization header: pass it as
        `?ticket=`. It names the caller (a member, a merchant's POS or a wallet), expires after 60 s and opens
        only event streams and QR images. Tokens are accepted only in the header, never in a URL."""
        return json_response(ctx.tickets.issue(who.subject))

    def respond(ctx: ApiContext, who: Principal, role: str, topic: str, owner: str, after: int | None,
                snapshot: Callable[[], bytes] | None = None) -> StreamingResponse:
        """``role``: the one a member needs over ``owner`` (merchant or wallet) for the stream to go on."""
        full = service.hub.full_for(owner)
        if full is not None:
            raise QrProblem(503, ApiCode.BUSY, full, headers={"Retry-After": "5"})
        stream = EventStream(service, ctx, topic, owner, after, snapshot, who)
        return LiveStream(stream.frames(), _credential(service, ctx, who, role))

    last_h = Header(None, pattern=f"^[0-9]{{1,{DIGITS_MAX}}}$",
                    description="Sent by browsers on reconnection: resume after it")

    @router.get("/merchants/{merchant_id}/events", summary="The merchant's payments and refunds, live",
                response_class=StreamingResponse, responses={**_DOC, **docs(400, 401, 404, 503)})
    async def merchant_events(merchant_id: str = MerchantId, after: After = None,
                              last_event_id: str | None = last_h, who: Principal = Depends(principal_or_ticket),
                              ctx: ApiContext = Depends(api_context)) -> StreamingResponse:
        merchant = merchant_for(service, who, merchant_id)
        return respond(ctx, who, ACQUIRER, f"m:{merchant.id}", f"m:{merchant.id}", _after(after, last_event_id))

    @router.get("/merchants/{merchant_id}/bills/{bill_id}/events", summary="One bill, live: the POS screen",
                response_class=StreamingResponse, responses={**_DOC, **docs(400, 401, 404, 503)})
    async def bill_events(merchant_id: str = MerchantId, bill_id: str = BillId, after: After = None,
                          last_event_id: str | None = last_h, who: Principal = Depends(principal_or_ticket),
                          ctx: ApiContext = Depends(api_context)) -> StreamingResponse:
        merchant = merchant_for(service, who, merchant_id)
        unwrap(service.merchants.bill(merchant, bill_id))

        def snapshot() -> bytes:
            bill = unwrap(service.merchants.bill(merchant, bill_id))
            return b"event: bill\ndata: %s\n\n" % msgspec.json.encode(bill_view(bill, service.port.now_ms()))

        return respond(ctx, who, ACQUIRER, f"b:{bill_id}", f"m:{merchant.id}", _after(after, last_event_id), snapshot)

    @router.get("/wallets/{wallet_id}/events", summary="The wallet's top-ups, payments and refunds, live",
                response_class=StreamingResponse, responses={**_DOC, **docs(400, 401, 404, 503)})
    async def wallet_events(wallet_id: str = WalletId, after: After = None, last_event_id: str | None = last_h,
                            who: Principal = Depends(principal_or_ticket),
                            ctx: ApiContext = Depends(api_context)) -> StreamingResponse:
        wallet = wallet_for(service, who, wallet_id)
        return respond(ctx, who, ISSUER, f"w:{wallet.id}", f"w:{wallet.id}", _after(after, last_event_id))

    return router
