"""The sending agent's page: number -> masked name -> amount -> full disclosure -> Send -> the transfer.

Each step is a form post answered with the next step, so the page works without JavaScript; a script only
adds the quote's live countdown and the amount's unit. Send creates the transfer under a fresh UUID chosen when the quote was
shown: pressing Send twice resends the same transfer instead of making a second one.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from inzira.remit.api.views import fsp_name, summary
from inzira.remit.codes import RemitError
from inzira.remit.disclosure import disclosure
from inzira.remit.parties import Party
from inzira.remit.sending import TransferRequest
from inzira.web.forms import NO_STORE, FormRefused, field_text
from inzira.web.remit.messages import NUMBER_MISSING, form_error, number_error
from inzira.web.remit.roles import PageRole
from inzira.web.remit.send_form import (
    ID_CHARS_MAX,
    FormProblem,
    SendForm,
    source_currencies,
    transfer_id_of,
)
from inzira.web.remit.sessions import Session
from inzira.web.remit.site import RemitSite

RECENT_MAX = 20


def send_router(site: RemitSite) -> APIRouter:
    router = APIRouter()
    service = site.service

    def page(request: Request, session: Session, step: str, form: SendForm, status_code: int = 200,
             party: Party | None = None, problem: FormProblem | None = None, **extra: Any) -> Response:
        recent = [summary(r) for r in service.transfers.page(sending_fsp=session.member, limit=RECENT_MAX)]
        currencies = source_currencies(site.node, session.member)
        return site.render(request, "remit/send.html", session, status_code, step=step, form=form, party=party,
                           problem=problem, currencies=currencies, recent=recent, **extra)

    async def posted(request: Request) -> tuple[Session, FormData] | Response:
        who = site.gate(request, PageRole.AGENT)
        if isinstance(who, Response):
            return who
        try:
            return who, await site.form(request)
        except FormRefused as exc:
            return site.refused(request, who, exc)

    async def find(request: Request, session: Session, form: SendForm) -> Party | Response:
        if not form.msisdn.strip():
            return page(request, session, "number", form, 400, problem=FormProblem("msisdn", NUMBER_MISSING))
        try:
            return await service.lookup(session.member, form.msisdn)
        except RemitError as exc:
            problem = FormProblem("msisdn", number_error(exc))
            return page(request, session, "number", form, _status(exc), problem=problem)

    @router.get("/remit/send", include_in_schema=False)
    def start(request: Request) -> Response:
        who = site.gate(request, PageRole.AGENT)
        if isinstance(who, Response):
            return who
        return page(request, who, "number", SendForm())

    @router.post("/remit/send/lookup", include_in_schema=False)
    async def lookup(request: Request) -> Response:
        got = await posted(request)
        if isinstance(got, Response):
            return got
        session, data = got
        form = SendForm.read(data)
        party = await find(request, session, form)
        if isinstance(party, Response):
            return party
        currencies = source_currencies(site.node, session.member)
        chosen = form if form.currency else replace(form, currency=currencies[0] if currencies else "")
        return page(request, session, "amount", replace(chosen, msisdn=party.msisdn), party=party)

    @router.post("/remit/send/quote", include_in_schema=False)
    async def quote(request: Request) -> Response:
        got = await posted(request)
        if isinstance(got, Response):
            return got
        session, data = got
        form = SendForm.read(data)
        party = await find(request, session, form)
        if isinstance(party, Response):
            return party
        try:
            terms = await service.quotes.quote(session.member, party, form.quote_request(
                source_currencies(site.node, session.member)))
        except FormProblem as exc:
            return page(request, session, "amount", form, 400, party=party, problem=exc)
        except RemitError as exc:
            return page(request, session, "amount", form, _status(exc), party=party,
                        problem=FormProblem("amount", form_error(exc)))
        shown = disclosure(terms, fsp_name(service, terms.receiving_fsp), service.settings.transfer_ttl_ms)
        return page(request, session, "quote", form, party=party, quote=shown, transfer_id=str(uuid.uuid4()),
                    now_ms=service.clock_ms())

    @router.post("/remit/send/transfer", include_in_schema=False)
    async def send(request: Request) -> Response:
        got = await posted(request)
        if isinstance(got, Response):
            return got
        session, data = got
        form = SendForm.read(data)
        transfer_id = transfer_id_of(data)
        if transfer_id is None or form.names_problem() is not None:
            problem = FormProblem("msisdn", "Get a quote first: start with the receiver's number.")
            return page(request, session, "number", form, 400, problem=problem)
        quote_id = field_text(data, "quote_id", ID_CHARS_MAX)
        transfer_request = TransferRequest(transfer_id, quote_id, form.sender_id, form.sender_name, form.receiver_name)
        try:
            record, _created = await service.desk.send(session.member, transfer_request)
        except RemitError as exc:
            party = await find(request, session, form)
            if isinstance(party, Response):
                return party
            return page(request, session, "amount", form, _status(exc), party=party,
                        problem=FormProblem("amount", form_error(exc)))
        return RedirectResponse(f"/remit/transfers/{record.transfer_id}", 303, headers=NO_STORE)

    return router


def _status(error: RemitError) -> int:
    return error.status if 400 <= error.status < 600 else 400
