"""The sending agent's page: number -> masked name -> amount -> full disclosure -> Send -> the transfer.

Each step is a form post answered with the next step, so the page works without JavaScript; a script only
adds the quote's live countdown and the amount's unit. The quote step redirects to the quote's own page
(``inzira.web.drafts``), so Back and reload show that quote again rather than asking for a new one. Send creates the
transfer under a UUID chosen with the quote: pressing Send twice resends the same transfer instead of making a
second one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from inzira.remit.api.views import fsp_name, summary
from inzira.remit.codes import RemitError
from inzira.remit.disclosure import disclosure
from inzira.remit.parties import Party
from inzira.remit.records import QuoteTerms
from inzira.remit.sending import TransferRequest
from inzira.web.forms import NO_STORE, field_text
from inzira.web.remit.messages import NUMBER_MISSING, QUOTE_GONE, form_error, number_error
from inzira.web.drafts import Drafts
from inzira.web.remit.roles import PageRole
from inzira.web.remit.send_form import (
    ID_CHARS_MAX,
    UUID_RE,
    FormProblem,
    SendForm,
    source_currencies,
    transfer_id_of,
)
from inzira.web.remit.sessions import Session
from inzira.web.remit.site import RemitSite

RECENT_MAX = 20


@dataclass(frozen=True, slots=True)
class Draft:
    """What the agent typed with a quote, and the transfer id its Send will use."""

    form: SendForm
    transfer_id: str


def send_router(site: RemitSite) -> APIRouter:
    router = APIRouter()
    service = site.service
    drafts: Drafts[Draft] = Drafts()

    def page(request: Request, session: Session, step: str, form: SendForm, status_code: int = 200,
             party: Party | None = None, problem: FormProblem | None = None, **extra: Any) -> Response:
        recent = [summary(r) for r in service.transfers.page(sending_fsp=session.member, limit=RECENT_MAX)]
        currencies = source_currencies(site.node, session.member)
        return site.render(request, "remit/send.html", session, status_code, step=step, form=form, party=party,
                           problem=problem, currencies=currencies, recent=recent, **extra)

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
        got = await site.gate_post(request, PageRole.AGENT)
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
        got = await site.gate_post(request, PageRole.AGENT)
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
        drafts.put(terms.quote_id, session.member, Draft(replace(form, msisdn=party.msisdn), str(uuid.uuid4())))
        return RedirectResponse(f"/remit/send/quotes/{terms.quote_id}", 303, headers=NO_STORE)

    @router.get("/remit/send/quotes/{quote_id}", include_in_schema=False)
    def quote_page(request: Request, quote_id: str) -> Response:
        """A quote this session's member asked for, with its Send form: the same transfer id at every load."""
        who = site.gate(request, PageRole.AGENT)
        if isinstance(who, Response):
            return who
        draft = drafts.get(who.member, quote_id) if UUID_RE.fullmatch(quote_id) else None
        found = service.transfers.quote(quote_id) if draft is not None else None
        if draft is None or found is None or found[0].sending_fsp != who.member:
            return page(request, who, "number", SendForm(), 404, problem=FormProblem("msisdn", QUOTE_GONE))
        terms, used_by = found
        shown = disclosure(terms, fsp_name(service, terms.receiving_fsp), service.settings.transfer_ttl_ms)
        return page(request, who, "quote", draft.form, party=_party(terms, shown["receiving_fsp_name"]),
                    quote=shown, transfer_id=draft.transfer_id, sent_as=used_by, now_ms=service.clock_ms())

    @router.post("/remit/send/transfer", include_in_schema=False)
    async def send(request: Request) -> Response:
        got = await site.gate_post(request, PageRole.AGENT)
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


def _party(terms: QuoteTerms, fsp_title: str) -> Party:
    return Party(terms.msisdn, terms.receiving_fsp, fsp_title, terms.masked_name)


def _status(error: RemitError) -> int:
    return error.status if 400 <= error.status < 600 else 400
