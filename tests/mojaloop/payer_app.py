"""The gateway's real FSPIOP router (``server.fspiop_router``) with a payer attached, for the payer tests.

The payer tests answer no payee requests, so the gateway's party book finds nobody and its ledger makes no
move; the callbacks to the payer go through the same header, schema and signature checks as in the demo.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI

from inzira.interop.mojaloop.gateway import Gateway, GatewaySettings
from inzira.interop.mojaloop.jws import RSAKey
from inzira.interop.mojaloop.payee import PayeeSettings
from inzira.interop.mojaloop.payer import Payer
from inzira.interop.mojaloop.ports import Party, Verdict
from inzira.interop.mojaloop.schemas import definitions
from inzira.interop.mojaloop.server import fspiop_router, schema_check, signature_check
from inzira.node.signer import wall_clock_ms


class NobodyServed:
    async def find(self, id_type: str, id_value: str) -> Party | None:
        return None


class NoMoves:
    async def reserve(self, transfer_id: str, party: Party, amount_minor: int, currency: str, condition: bytes,
                      expires_at_ms: int) -> Verdict | None:
        return None

    async def commit(self, pending_id: bytes, fulfilment: bytes) -> Verdict | None:
        return None

    async def abort(self, pending_id: bytes) -> Verdict | None:
        return None

    def state(self, pending_id: bytes) -> str:
        return ""


@contextmanager
def payer_app(payer: Payer, data_dir: Path, peer_keys: Mapping[str, RSAKey] | None = None) -> Iterator[FastAPI]:
    """An app serving FSPIOP at /fspiop whose callbacks reach ``payer``; peers without a key in ``peer_keys``
    may send unsigned (the payer tests play signed and unsigned peers side by side)."""
    settings = GatewaySettings(hub_url=payer.config.hub_url, payee=PayeeSettings(fsp_id=payer.config.fsp_id))
    gateway = Gateway(settings, data_dir, NobodyServed(), NoMoves(), wall_clock_ms).start()
    app = FastAPI()
    app.state.gateway = gateway  # for a test that holds the gateway's loop, where callbacks are handed on
    app.include_router(fspiop_router(gateway, payer=payer, check_body=schema_check(definitions()),
                                     check_signature=signature_check(peer_keys, signed_only=False)
                                     if peer_keys else None))
    try:
        yield app
    finally:
        gateway.stop()
