"""The simulator's own admin API (not part of MTN's): wallets, the float, behaviour knobs and counters.

Every call carries ``Authorization: Bearer <admin token>`` (``MomoSimConfig.admin_token``); anything else is
401 UNAUTHORIZED: whoever reaches the port must not mint wallets, refill the float or inject failures.

POST /admin/wallets                     NewWallet -> 201 WalletView (409 if it exists)
GET  /admin/wallets/{msisdn}            -> WalletView
GET  /admin/wallets/{msisdn}/history    ?limit=N -> {"entries": [HistoryEntry, ...]} newest first
GET  /admin/float, PUT /admin/float     {"balance_minor": int}
GET  /admin/behaviour, PUT /admin/behaviour   Behaviour (replaced whole; reseeds the failure generator)
GET  /admin/stats                       -> SimStats
Amounts here are integers of minor units.
"""

from __future__ import annotations

import hmac
from typing import Any, TypeVar

import msgspec
from fastapi import APIRouter, Depends, Request, Response

from inzira.money import AMOUNT_MINOR_MAX
from inzira.sim.momo.auth import TokenIssuer
from inzira.sim.momo.config import Behaviour, MomoSimConfig
from inzira.sim.momo.processor import Processor
from inzira.sim.momo.store import WalletStore
from inzira.sim.momo.wire import (
    NAME_CHARS_MAX,
    BadRequest,
    FloatView,
    NewWallet,
    SimStats,
    check_msisdn,
    check_text,
    error_body,
)

T = TypeVar("T")


def msgspec_response(value: Any, status_code: int = 200) -> Response:
    return Response(msgspec.json.encode(value), status_code=status_code, media_type="application/json")


async def _decode(request: Request, kind: type[T]) -> T:
    try:
        return msgspec.json.decode(await request.body(), type=kind)
    except msgspec.DecodeError as exc:
        raise BadRequest("INVALID_BODY", f"the body is not a {kind.__name__}: {exc}") from None


class AdminUnauthorized(Exception):
    """A call to the admin API without the admin token."""


def admin_router(config: MomoSimConfig, store: WalletStore, issuer: TokenIssuer, processor: Processor) -> APIRouter:
    expected = f"Bearer {config.admin_token}".encode()

    async def require_admin(request: Request) -> None:
        given = request.headers.get("authorization", "").encode("latin-1")
        if not hmac.compare_digest(given, expected):
            raise AdminUnauthorized

    router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)])

    @router.post("/wallets")
    async def create_wallet(request: Request) -> Response:
        new = await _decode(request, NewWallet)
        check_msisdn(new.msisdn)
        for field, name in (("given_name", new.given_name), ("family_name", new.family_name)):
            if not check_text(field, name, NAME_CHARS_MAX).strip():
                raise BadRequest("INVALID_BODY", f"{field} must not be empty")
        return msgspec_response(store.create_wallet(new), status_code=201)

    @router.get("/wallets/{msisdn}")
    async def wallet(msisdn: str) -> Response:
        found = store.wallet(check_msisdn(msisdn))
        if found is None:
            return msgspec_response(error_body("WALLET_NOT_FOUND", f"no wallet for {msisdn}"), status_code=404)
        return msgspec_response(found)

    @router.get("/wallets/{msisdn}/history")
    async def history(msisdn: str, limit: int = 100) -> Response:
        if not 0 < limit <= config.history_limit_max:
            raise BadRequest("INVALID_LIMIT", f"limit must be in 1..{config.history_limit_max}")
        if store.wallet(check_msisdn(msisdn)) is None:
            return msgspec_response(error_body("WALLET_NOT_FOUND", f"no wallet for {msisdn}"), status_code=404)
        return msgspec_response({"entries": store.history(msisdn, limit)})

    @router.get("/float")
    async def float_balance() -> Response:
        return msgspec_response(FloatView(store.float_minor(), config.currency))

    @router.put("/float")
    async def set_float(request: Request) -> Response:
        wanted = await _decode(request, FloatView)
        if wanted.currency not in ("", config.currency):
            raise BadRequest("INVALID_CURRENCY", f"the float is held in {config.currency}")
        if not 0 <= wanted.balance_minor <= AMOUNT_MINOR_MAX:
            raise BadRequest("INVALID_BALANCE", "balance_minor must be in 0..2**63-1")
        store.set_float(wanted.balance_minor)
        return msgspec_response(FloatView(wanted.balance_minor, config.currency))

    @router.get("/behaviour")
    async def behaviour() -> Response:
        return msgspec_response(processor.behaviour)

    @router.put("/behaviour")
    async def set_behaviour(request: Request) -> Response:
        wanted = await _decode(request, Behaviour)
        for forced in wanted.forced:
            check_msisdn(forced.msisdn)
        processor.set_behaviour(wanted)
        return msgspec_response(wanted)

    @router.get("/stats")
    async def stats() -> Response:
        counts = store.counts()
        return msgspec_response(
            SimStats(
                tokens_issued=issuer.issued,
                transfers=sum(counts.values()),
                pending=counts.get("PENDING", 0),
                successful=counts.get("SUCCESSFUL", 0),
                failed=counts.get("FAILED", 0),
                callbacks_sent=processor.callbacks_sent,
                callbacks_failed=processor.callbacks_failed,
                callbacks_dropped=processor.callbacks_dropped,
                status_reads=processor.status_reads,
            )
        )

    return router
