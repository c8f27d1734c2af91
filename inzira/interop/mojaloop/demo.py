"""The eKash gateway as the demo runs it: FSPIOP at ``/fspiop`` on the demo's server, requests and callbacks
to the hub given with ``inzira demo --mojaloop-hub URL``, Inzira's wallets and merchants as payees.

The gateway is the demo member ``ekash`` (its Mojaloop FSP id is ``inzira``): it signs on Inzira through its
own port, and pays eKash payments out of its prefunded RWF position.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fastapi import FastAPI

from inzira.interop.mojaloop.gateway import Gateway, GatewaySettings
from inzira.interop.mojaloop.inzira_ledger import InziraPayeeLedger
from inzira.interop.mojaloop.inzira_parties import InziraParties
from inzira.interop.mojaloop.schemas import definitions
from inzira.interop.mojaloop.server import fspiop_router, schema_check
from inzira.node.custody import MemberPort
from inzira.node.signer import wall_clock_ms
from inzira.qr.directory import Directory as MerchantBook
from inzira.remit.service import RemitService
from inzira.remit.settings import PAYOUT_CURRENCY, position_account

GATEWAY_MEMBER = "ekash"


class GatewayMissing(RuntimeError):
    """The data folder's network has no gateway member (it was made before the gateway existed)."""


def check_gateway_member(members: Iterable[str]) -> None:
    if GATEWAY_MEMBER not in set(members):
        raise GatewayMissing(f"this network has no {GATEWAY_MEMBER!r} member: start the demo with a new --data folder")


def start_gateway(app: FastAPI, hub_url: str, port: MemberPort, data_dir: Path, remit: RemitService,
                  merchants: MerchantBook | None) -> Gateway:
    """Start the gateway and mount its router on ``app`` (before the server starts)."""

    async def wallet(text: str):  # type: ignore[no-untyped-def]
        return await remit.lookup(port.member, text)

    parties = InziraParties(wallet, merchants)
    ledger = InziraPayeeLedger(port, position_account(port.member, PAYOUT_CURRENCY))
    gateway = Gateway(GatewaySettings(hub_url=hub_url), data_dir, parties, ledger, wall_clock_ms).start()
    app.include_router(fspiop_router(gateway, check_body=schema_check(definitions())))
    # FastAPI matches routes in order: the FSPIOP routes go first, before any page's catch-all.
    fspiop = [route for route in app.router.routes if getattr(route, "path", "").startswith("/fspiop/")]
    others = [route for route in app.router.routes if route not in fspiop]
    app.router.routes[:] = fspiop + others
    return gateway
