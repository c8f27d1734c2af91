"""One transfer's page (its live status, then its receipt), the receipt file it offers, and the receipt's
verification as a form post, so Verify works without JavaScript too (the script verifies in place instead)."""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from inzira.ledger.genesis import Genesis
from inzira.remit.api.views import fsp_name
from inzira.remit.receipts import build_receipt
from inzira.remit.records import TransferRecord
from inzira.web.forms import NO_STORE
from inzira.web.receipts import check_receipt
from inzira.web.remit.ekash_view import receipt_part
from inzira.web.remit.roles import PageRole
from inzira.web.remit.send_form import UUID_RE
from inzira.web.remit.sessions import Session
from inzira.web.remit.site import RemitSite
from inzira.web.remit.transfer_view import transfer_context


def visible_transfer(site: RemitSite, session: Session, transfer_id: str) -> TransferRecord | None:
    if not UUID_RE.fullmatch(transfer_id):
        return None
    record = site.service.transfers.get(transfer_id)
    return record if record is not None and site.may_view(session, record) else None


def _check_each(entries: list[dict[str, Any]], genesis: Genesis) -> list[tuple[str, dict[str, Any]]]:
    """Each ledger receipt of a remittance receipt, by role, checked against the genesis."""
    return [(entry["role"], check_receipt(msgspec.json.encode(entry["receipt"]), genesis)) for entry in entries]


def transfer_router(site: RemitSite) -> APIRouter:
    router = APIRouter()
    service = site.service

    def built_receipt(record: TransferRecord, who: Session) -> dict[str, Any] | None:
        # The disclosure is the sending side's pricing: the receiving FSP's receipt has none, as from the API.
        found = None if who.role is PageRole.RECEIVING else service.transfers.quote(record.quote_id)
        return build_receipt(service.node, record, found[0] if found else None,
                             fsp_name(service, record.receiving_fsp), service.settings.transfer_ttl_ms)

    @router.get("/remit/transfers/{transfer_id}", include_in_schema=False)
    def transfer(request: Request, transfer_id: str) -> Response:
        who = site.gate(request, *PageRole)
        if isinstance(who, Response):
            return who
        record = visible_transfer(site, who, transfer_id)
        if record is None:
            return site.render(request, "remit/not_found.html", who, 404, transfer_id=transfer_id[:64])
        return site.render(request, "remit/transfer.html", who,
                           **transfer_context(site, record, who.role is PageRole.RECEIVING))

    @router.get("/remit/transfers/{transfer_id}/receipt.json", include_in_schema=False)
    def receipt(request: Request, transfer_id: str) -> Response:
        """The customer's receipt: the ledger receipts of the transfer, verifiable offline."""
        who = site.gate_data(request, *PageRole)
        if isinstance(who, Response):
            return who
        record = visible_transfer(site, who, transfer_id)
        if record is None:
            return JSONResponse({"detail": f"no transfer {transfer_id}"}, 404, headers=NO_STORE)
        built = built_receipt(record, who)
        if built is None:
            return JSONResponse({"detail": f"transfer {transfer_id} is {record.state.value}: nothing of it is "
                                 "in the chain yet"}, 409, headers=NO_STORE)
        ekash = receipt_part(service, record)
        if ekash is not None:
            built["ekash_leg"] = ekash
        disposition = f'attachment; filename="inzira-remittance-{transfer_id}.json"'
        return Response(msgspec.json.format(msgspec.json.encode(built)), media_type="application/json",
                        headers={"Content-Disposition": disposition, **NO_STORE})

    @router.post("/remit/transfers/{transfer_id}/verify", include_in_schema=False)
    async def verify(request: Request, transfer_id: str) -> Response:
        """Each ledger receipt of the transfer checked against the genesis alone, as the script does."""
        got = await site.gate_post(request, *PageRole)
        if isinstance(got, Response):
            return got
        who = got[0]
        record = visible_transfer(site, who, transfer_id)
        if record is None:
            return site.render(request, "remit/not_found.html", who, 404, transfer_id=transfer_id[:64])
        built = built_receipt(record, who)
        entries = built["ledger_receipts"] if built is not None else []
        checked = await run_in_threadpool(_check_each, entries, service.node.genesis)  # signatures: off the loop
        verified = {"valid": bool(checked) and all(outcome["valid"] for _, outcome in checked), "entries": checked}
        return site.render(request, "remit/transfer.html", who, verified=verified,
                           **transfer_context(site, record, who.role is PageRole.RECEIVING))

    return router
