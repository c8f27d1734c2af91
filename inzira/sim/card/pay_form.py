"""The card form's target: ``POST /pay/{session id}`` with ``card_number``, ``expiry`` (MM/YY), ``cvc`` and
``name``, form-encoded, straight from the payer's browser (the merchant never sees the card). The payment is
decided, then the browser goes back to the session's ``return_url`` (303), or reads a short page saying what
happened when there is none. The session id in the URL is the capability, as with hosted payment pages."""

from __future__ import annotations

import html
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from starlette.responses import HTMLResponse, RedirectResponse

from inzira.sim.card.cards import FIELD_CHARS_MAX
from inzira.sim.card.processor import Processor
from inzira.sim.card.wire import SESSION_ID_RE, Refused

FORM_FIELDS_MAX = 8
_NO_STORE = {"Cache-Control": "no-store"}


def _page(status_code: int, title: str, text: str) -> HTMLResponse:
    body = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></html>")
    return HTMLResponse(body, status_code, headers=_NO_STORE)


def pay_router(processor: Processor) -> APIRouter:
    router = APIRouter(tags=["card form"])

    @router.post("/pay/{session_id}")
    async def pay(session_id: str, request: Request) -> Response:
        if not SESSION_ID_RE.fullmatch(session_id):
            return _page(404, "No such payment", "This payment page does not exist.")
        try:
            fields = parse_qs((await request.body()).decode("utf-8"), max_num_fields=FORM_FIELDS_MAX)
        except (UnicodeDecodeError, ValueError):
            return _page(400, "Not a card form", "The form could not be read.")

        def field(name: str) -> str:
            return (fields.get(name) or [""])[0][:FIELD_CHARS_MAX]

        try:
            session = processor.pay(session_id, field("card_number"), field("expiry"), field("cvc"))
        except Refused:
            return _page(404, "No such payment", "This payment page does not exist.")
        if session.return_url is not None:
            return RedirectResponse(session.return_url, 303, headers=_NO_STORE)
        reason = f" ({session.reason})" if session.reason else ""
        return _page(200, f"Payment {session.status}", f"Payment {session.payment_id}: {session.status}{reason}.")

    return router
