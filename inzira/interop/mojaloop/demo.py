"""The eKash gateway as the demo runs it: FSPIOP at ``/fspiop`` on the demo's server, requests and callbacks
to the hub given with ``inzira demo --mojaloop-hub URL``, Inzira's wallets and merchants as payees.

The gateway is the demo member ``ekash`` (its Mojaloop FSP id is ``inzira``): it signs on Inzira through its
own port, and pays eKash payments out of its prefunded RWF position.

FSPIOP-Signature, from files in the data folder: with ``mojaloop/jws-signing-key.pem`` (RSA, private) every
message the gateway sends is signed; each ``mojaloop/peers/<FSP id>.pem`` (public) makes the gateway verify
what that peer sends (3105 when it does not verify). Without them, nothing is signed or checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from fastapi import FastAPI
from joserfc.jwk import RSAKey

from inzira.api.body_limit import BodySizeLimit
from inzira.demo.members import GATEWAY_MEMBER as GATEWAY
from inzira.interop.mojaloop import jws
from inzira.interop.mojaloop.ekash_route import EkashRoute, payer_of
from inzira.interop.mojaloop.fields import BODY_BYTES_MAX
from inzira.interop.mojaloop.gateway import Gateway, GatewaySettings
from inzira.interop.mojaloop.inzira_ledger import InziraPayeeLedger
from inzira.interop.mojaloop.inzira_parties import InziraParties
from inzira.interop.mojaloop.merchant_payments import REPLAY_WINDOW_MS, Record, merchant_feed, replay
from inzira.interop.mojaloop.report_api import report_router
from inzira.interop.mojaloop.schemas import definitions
from inzira.interop.mojaloop.settlement import Sources
from inzira.interop.mojaloop.server import PREFIX, fspiop_router, schema_check, signature_check, too_large_answer
from inzira.node.custody import MemberPort
from inzira.node.signer import wall_clock_ms
from inzira.qr.directory import Directory as MerchantBook
from inzira.remit.parties import Party as Wallet
from inzira.remit.parties import PartyLookup, parse_number
from inzira.remit.records import TransferRecord as Remittance
from inzira.remit.service import RemitService
from inzira.remit.settings import PAYOUT_CURRENCY, RemitSettings, position_account

GATEWAY_MEMBER = GATEWAY.id
FSP_ID = "inzira"  # the gateway's id on the hub
HUB_FSP_ID = "switch"  # Mojaloop's switch sends its notifications as this FSP id
ROUTE_FILE = "mojaloop-payer.db"
JWS_DIR = "mojaloop"
SIGNING_KEY_FILE = "jws-signing-key.pem"
PEERS_DIR = "peers"
PEER_KEYS_MAX = 100


class GatewayMissing(RuntimeError):
    """The data folder's network has no gateway member (it was made before the gateway existed)."""


def check_gateway_member(members: Iterable[str]) -> None:
    if GATEWAY_MEMBER not in set(members):
        raise GatewayMissing(f"this network has no {GATEWAY_MEMBER!r} member: it was made without --mojaloop-hub; "
                             "start the demo with a new --data folder")


def signing_key(data_dir: Path) -> RSAKey | None:
    path = data_dir / JWS_DIR / SIGNING_KEY_FILE
    return jws.load_private_key(path.read_bytes()) if path.exists() else None


def peer_keys(data_dir: Path) -> dict[str, RSAKey]:
    folder = data_dir / JWS_DIR / PEERS_DIR
    if not folder.is_dir():
        return {}
    files = sorted(folder.glob("*.pem"))[:PEER_KEYS_MAX]
    return {path.stem: jws.load_public_key(path.read_bytes()) for path in files}


def payout_route(hub_url: str, data_dir: Path, hub_fsp_id: str = HUB_FSP_ID) -> RemitSettings:
    """The remittance settings of a demo with the gateway: the gateway pays out through eKash (ekash_route.py),
    and numbers the directory does not list are looked up there. Its requests are signed with the gateway's
    key, as its callbacks are, when the data folder has one."""
    route = {"kind": "mojaloop", "fsp_id": FSP_ID, "hub_url": hub_url, "hub_fsp_id": hub_fsp_id,
             "state_file": str(data_dir / ROUTE_FILE)}
    key_file = data_dir / JWS_DIR / SIGNING_KEY_FILE
    if key_file.exists():
        route["signing_key_file"] = str(key_file)
    return RemitSettings(payout_adapters={GATEWAY_MEMBER: route}, fallback_fsp=GATEWAY_MEMBER)


def settlement_sources(gateway: Gateway, route: object, port: MemberPort, remit: RemitService) -> Sources:
    """What the settlement report reads: the gateway's book, the eKash route's, the ledger, the remittances."""

    def remittance(quote_id: str) -> Remittance | None:
        found = remit.transfers.quote(quote_id)
        return None if found is None or found[1] is None else remit.transfers.get(found[1])

    return Sources(gateway.store, route.state if isinstance(route, EkashRoute) else None, port.node.pending,
                   remittance, wall_clock_ms)


def start_gateway(app: FastAPI, hub_url: str, port: MemberPort, data_dir: Path, remit: RemitService,
                  merchants: MerchantBook | None, record_payment: Record | None = None,
                  hub_fsp_id: str = HUB_FSP_ID) -> Gateway:
    """Start the gateway and mount its router on ``app`` (before the server starts); eKash payments to
    merchants go to ``record_payment`` once committed (the QR service's, for the POS and the statement)."""

    # Only Inzira's own wallets: without the remittance service's fallback to eKash, which would send an eKash
    # payer's look-up back to eKash.
    inzira_only = PartyLookup(remit.directory, remit.agents, remit.node, remit.clock_ms,
                              remit.settings.lookup_reuse_ms, remit.settings.directory_calls_max)

    async def wallet(text: str) -> Wallet:
        return await remit.call(inzira_only.find(port.member, parse_number(text)))

    parties = InziraParties(wallet, merchants)
    route = remit.agents[port.member].adapter if port.member in remit.agents else None
    payer = None if route is None else payer_of(route)
    ledger = InziraPayeeLedger(port, position_account(port.member, PAYOUT_CURRENCY))
    key = signing_key(data_dir)

    def sign(method: str, path: str, headers: Mapping[str, str], body: bytes) -> Mapping[str, str]:
        return jws.sign(key, method, path, headers, body).headers()  # type: ignore[arg-type]

    gateway = Gateway(GatewaySettings(hub_url=hub_url, hub_fsp_id=hub_fsp_id), data_dir, parties, ledger, wall_clock_ms,
                      None if key is None else sign).start()
    if record_payment is not None:
        hook = gateway.transfers.on_committed = merchant_feed(gateway.store, record_payment)
        now_ms = wall_clock_ms()
        replay(gateway.store, hook, now_ms - REPLAY_WINDOW_MS, now_ms + 1)
    peers = peer_keys(data_dir)
    app.include_router(fspiop_router(gateway, payer=payer, check_body=schema_check(definitions()),
                                     check_signature=signature_check(peers) if peers else None))
    app.include_router(report_router(settlement_sources(gateway, route, port, remit), port.member))
    # Outermost, so an oversized FSPIOP body is refused in errorInformation before the API's own limit.
    app.add_middleware(BodySizeLimit, body_bytes_max=BODY_BYTES_MAX, prefix=PREFIX + "/", answer=too_large_answer)
    # FastAPI matches routes in order: the FSPIOP routes go first, before any page's catch-all.
    fspiop = [route for route in app.router.routes if getattr(route, "path", "").startswith("/fspiop/")]
    others = [route for route in app.router.routes if route not in fspiop]
    app.router.routes[:] = fspiop + others
    return gateway
