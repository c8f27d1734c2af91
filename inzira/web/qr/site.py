"""What every QR page shares: the API client, the sessions, the gate, bounded forms, rendering, refusals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import quote

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import JSONResponse, RedirectResponse, Response

from inzira.fx.rates import RateTable
from inzira.money import MoneyError, parse_decimal_minor
from inzira.node.node import Node
from inzira.web.explorer_data import site_context
from inzira.web.forms import (
    FORM_BYTES_MAX,
    NO_STORE,
    FormRefused,
    read_form,
)
from inzira.http import HttpProblem
from inzira.web.qr.client import QrApi
from inzira.web.qr.demo_customers import DemoCustomers
from inzira.web.qr.messages import (
    Notice,
    merchant_notice,
    unreachable_notice,
    visitor_notice,
)
from inzira.web.qr.sessions import Grant, QrKind, QrSessions
from inzira.web.qr.vendor import DecoderFile
from inzira.web.receipts import check_receipt
from inzira.web.rendering import render

NEXT_CHARS_MAX = 512
AMOUNT_CHARS_MAX = 24
ID_RE = re.compile(r"[a-z0-9_]{1,64}")  # the API's id pattern: anything else is not one of ours


@dataclass
class QrSite:
    node: Node
    api: QrApi
    sessions: dict[QrKind, QrSessions]
    decoder: DecoderFile
    rates: RateTable | None  # reference rates for the "about ... RWF" of a balance (the API has none)
    public_accounts: bool
    demo: DemoCustomers | None = field(default=None)

    def grant(self, request: Request, kind: QrKind) -> Grant | None:
        return self.sessions[kind].grant(request)

    def render(self, request: Request, template: str, grant: Grant | None, status_code: int = 200,
               **context: Any) -> Response:
        frame = site_context(self.node, self.public_accounts) | {"grant": grant, "kinds": QrKind}
        response = render(request, template, frame | context, status_code)
        response.headers.update(NO_STORE)
        return response

    def gate(self, request: Request, kind: QrKind) -> Grant | Response:
        """The session's grant, or the way to sign in (coming back here afterwards)."""
        grant = self.grant(request, kind)
        if grant is not None:
            return grant
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{kind.sign_in_path}?next={quote(target, safe='')}", 303, headers=NO_STORE)

    def gate_data(self, request: Request, kind: QrKind) -> Grant | Response:
        """The same check for what scripts and images fetch: a status, no page."""
        grant = self.grant(request, kind)
        if grant is None:
            return JSONResponse({"detail": "sign in first"}, 401, headers=NO_STORE)
        return grant

    async def form(self, request: Request, bytes_max: int = FORM_BYTES_MAX, files_max: int = 0) -> FormData:
        return await read_form(request, bytes_max, files_max)

    async def gate_post(self, request: Request, kind: QrKind, bytes_max: int = FORM_BYTES_MAX,
                        files_max: int = 0) -> tuple[Grant, FormData] | Response:
        """A form post to a signed-in page: ``gate``, then this site's own form, or the page that refuses it."""
        grant = self.gate(request, kind)
        if isinstance(grant, Response):
            return grant
        try:
            return grant, await self.form(request, bytes_max, files_max)
        except FormRefused as exc:
            return self.refused(request, grant, exc)

    def refused(self, request: Request, grant: Grant | None, error: FormRefused) -> Response:
        notice = Notice(error.status, "This form was not accepted.", str(error))
        return self.render(request, "qr/problem.html", grant, error.status, notice=notice)

    def problem(self, request: Request, grant: Grant, error: HttpProblem,
                back: str | None = None) -> Response:
        """A page for a refusal with nothing to retry in place: the sentence, the detail, a way back."""
        status, notice = notice_of(grant.kind, error)
        return self.render(request, "qr/problem.html", grant, status, notice=notice, back=back or grant.kind.home)


def notice_of(kind: QrKind, error: HttpProblem) -> tuple[int, Notice]:
    """The HTTP status for the page and what to tell the person."""
    if not error.answered:
        return 503, unreachable_notice(error.detail)
    notice = merchant_notice(error) if kind is QrKind.POS else visitor_notice(error)
    return (error.status if 400 <= error.status < 600 else 502), notice


def safe_next(kind: QrKind, target: str) -> str | None:
    """A place in this kind's pages to go after signing in; None for anything else (no open redirect)."""
    inside = target == kind.home or target.startswith(kind.home + "/") or target.startswith(kind.home + "?")
    if inside and "//" not in target and "\\" not in target and len(target) <= NEXT_CHARS_MAX:
        return target
    return None


def is_id(text: str) -> bool:
    """Whether a path segment may name a bill, payment, refund or top-up (checked before it goes in a URL)."""
    return ID_RE.fullmatch(text) is not None


def parse_rwf(text: str) -> int:
    """An amount typed by a person, in whole francs ("15000", "15,000"); MoneyError when it is not one."""
    minor = parse_decimal_minor(text, "RWF")
    if minor <= 0:
        raise MoneyError("enter an amount above zero")
    return minor


def receipt_download(content: bytes, tx_id: str) -> Response:
    """A ledger receipt as a file, named like the explorer's."""
    disposition = f'attachment; filename="inzira-receipt-{tx_id[:16]}.json"'
    return Response(content, media_type="application/json", headers={"Content-Disposition": disposition, **NO_STORE})


async def payment_receipt_file(site: QrSite, request: Request, kind: QrKind, payments_of: Callable[[Grant], str],
                               payment_id: str) -> Response:
    """A payment's ledger receipt as a file, fetched with the session's token from ``payments_of(grant)``."""
    grant = site.gate_data(request, kind)
    if isinstance(grant, Response):
        return grant
    if not is_id(payment_id):
        return Response(status_code=404)
    try:
        answer = await site.api.raw(grant.token, f"{payments_of(grant)}/{payment_id}/receipt")
    except HttpProblem as exc:
        return Response(status_code=exc.status if exc.status in (401, 404) else 502 if exc.answered else 503)
    return receipt_download(answer.content, str(answer.json().get("tx_id", "")))


async def checked_receipt(site: QrSite, grant: Grant, payments_path: str, payment_id: str) -> dict[str, Any]:
    """Verify without JavaScript: the payment's ledger receipt, fetched with the session's token (so only who may
    see the payment gets it), checked against the genesis alone, as the script has the explorer do.
    HttpProblem when the API does not give the receipt."""
    answer = await site.api.raw(grant.token, f"{payments_path}/{payment_id}/receipt")
    return await run_in_threadpool(check_receipt, answer.content, site.node.genesis)  # signatures: off the loop
