"""Paying a QR from the wallet: get the code (camera or picture read in the browser, a picture read by the
server, or pasted text), see the merchant and the price in RWF and in the wallet's currency with the FX
margin and the quote's expiry (a counter QR first asks for the amount), confirm, and land on the receipt.

Each step is a form post answered with the next step, so paying works without JavaScript; the script only
reads QR codes in the browser and then posts the payload like a paste. A quote is answered with a redirect to
its own page (``inzira.web.drafts``): Back from the receipt and reload show the same quote without posting
again, and confirming it again lands on the same payment (the API pays a quote once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from inzira.money import MoneyError
from inzira.qr.api.paying import IMAGE_BYTES_MAX
from inzira.qr.emv.spec import PAYLOAD_CHARS_MAX_LENIENT
from inzira.web.drafts import Drafts
from inzira.web.forms import NO_STORE, field_text
from inzira.http import HttpProblem
from inzira.web.qr.messages import Notice
from inzira.web.qr.sessions import Grant, QrKind
from inzira.web.qr.site import AMOUNT_CHARS_MAX, QrSite, notice_of, parse_rwf
from inzira.web.qr.wallet import wallet_path

SCAN_PATH = "/qr/wallet/pay/scan"
QUOTES_PATH = "/qr/wallet/pay/quotes"
UPLOAD_BYTES_MAX = IMAGE_BYTES_MAX  # what the API's image decoder takes (8 MiB, a phone photo)
SCAN_FORM_BYTES_MAX = UPLOAD_BYTES_MAX + 64 * 1024  # the picture plus the multipart framing and fields
FILE_NAME_CHARS_MAX = 80
QUOTE_ID_CHARS_MAX = 64
SOURCES = ("camera", "image", "upload", "paste")  # read in the browser (camera, image), by the server, typed
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")


@dataclass(frozen=True, slots=True)
class Scanned:
    """A payload and how it was read, carried from step to step in hidden fields."""

    payload: str
    source: str
    file_name: str

    @classmethod
    def read(cls, form: FormData) -> "Scanned":
        source = field_text(form, "source", 8)
        return cls(field_text(form, "payload", PAYLOAD_CHARS_MAX_LENIENT),
                   source if source in SOURCES else "paste", field_text(form, "file_name", FILE_NAME_CHARS_MAX))


@dataclass(frozen=True, slots=True)
class QuoteDraft:
    """A quote as the API gave it, with how its code was read and the amount typed."""

    scanned: Scanned
    terms: dict[str, Any]
    amount: str


def pay_router(site: QrSite) -> APIRouter:
    router = APIRouter()
    drafts: Drafts[QuoteDraft] = Drafts()

    def page(request: Request, grant: Grant, step: str, status_code: int = 200, notice: Notice | None = None,
             **context: Any) -> Response:
        defaults: dict[str, Any] = {"scanned": None, "scan": None, "quote": None, "amount": ""}
        return site.render(request, "qr/wallet_pay.html", grant, status_code, step=step, notice=notice,
                           decoder=site.decoder, upload_bytes_max=UPLOAD_BYTES_MAX, **(defaults | context))

    def refusal(request: Request, grant: Grant, error: HttpProblem, step: str = "scan",
                **context: Any) -> Response:
        status, notice = notice_of(QrKind.WALLET, error)
        return page(request, grant, step, status, notice, **context)

    async def quote(request: Request, grant: Grant, scanned: Scanned, scan: dict[str, Any] | None,
                    amount_text: str) -> Response:
        body: dict[str, Any] = {"payload": scanned.payload}
        if amount_text:
            try:
                body["amount_minor"] = parse_rwf(amount_text)
            except MoneyError as exc:
                notice = Notice(400, "Enter the amount to pay in RWF, like 12000.", str(exc))
                return page(request, grant, "amount", 400, notice, scanned=scanned, scan=scan, amount=amount_text)
        try:
            terms = await site.api.post(grant.token, f"{wallet_path(grant)}/quotes", body)
        except HttpProblem as exc:
            step = "amount" if amount_text and exc.answered and exc.status == 400 else "scan"
            return refusal(request, grant, exc, step, scanned=scanned, scan=scan, amount=amount_text)
        quote_id = str(terms.get("quote_id", ""))
        drafts.put(quote_id, grant.owner_id, QuoteDraft(scanned, terms, amount_text))
        return RedirectResponse(f"{QUOTES_PATH}/{quote_id}", 303, headers=NO_STORE)

    @router.get("/qr/wallet/pay", include_in_schema=False)
    def start(request: Request) -> Response:
        grant = site.gate(request, QrKind.WALLET)
        if isinstance(grant, Response):
            return grant
        return page(request, grant, "scan")

    @router.post(SCAN_PATH, include_in_schema=False)
    async def scan(request: Request) -> Response:
        got = await site.gate_post(request, QrKind.WALLET, SCAN_FORM_BYTES_MAX, files_max=1)
        if isinstance(got, Response):
            return got
        grant, form = got
        scanned = Scanned.read(form)
        if not scanned.payload:
            read = await _read_upload(site, grant, form.get("image"))
            if isinstance(read, Notice):
                return page(request, grant, "scan", read.code, read)
            if isinstance(read, HttpProblem):
                return refusal(request, grant, read)
            scanned = read
        try:
            found = await site.api.post(grant.token, "/v1/qr/decode", {"payload": scanned.payload})
        except HttpProblem as exc:
            return refusal(request, grant, exc, scanned=scanned)
        if found.get("amount_required"):
            return page(request, grant, "amount", scanned=scanned, scan=found)
        return await quote(request, grant, scanned, found, "")

    @router.post("/qr/wallet/pay/quote", include_in_schema=False)
    async def quote_step(request: Request) -> Response:
        got = await site.gate_post(request, QrKind.WALLET)
        if isinstance(got, Response):
            return got
        grant, form = got
        scanned = Scanned.read(form)
        if not scanned.payload:
            return page(request, grant, "scan", 400, Notice(400, "Scan or paste the QR code first.", "no payload"))
        return await quote(request, grant, scanned, None, field_text(form, "amount", AMOUNT_CHARS_MAX))

    @router.get(QUOTES_PATH + "/{quote_id}", include_in_schema=False)
    def quote_page(request: Request, quote_id: str) -> Response:
        """A quote this wallet asked for, ready to confirm: the same one at every load."""
        grant = site.gate(request, QrKind.WALLET)
        if isinstance(grant, Response):
            return grant
        draft = drafts.get(grant.owner_id, quote_id) if len(quote_id) <= QUOTE_ID_CHARS_MAX else None
        if draft is None:
            return page(request, grant, "scan", 404, Notice(404, "This quote is no longer here: scan the code again.",
                                                              "quote not found on this page"))
        return page(request, grant, "confirm", scanned=draft.scanned, quote=draft.terms, amount=draft.amount)

    @router.post("/qr/wallet/pay/confirm", include_in_schema=False)
    async def confirm(request: Request) -> Response:
        got = await site.gate_post(request, QrKind.WALLET)
        if isinstance(got, Response):
            return got
        grant, form = got
        scanned = Scanned.read(form)
        quote_id = field_text(form, "quote_id", QUOTE_ID_CHARS_MAX)
        try:
            paid = await site.api.post(grant.token, f"{wallet_path(grant)}/payments", {"quote_id": quote_id})
        except HttpProblem as exc:
            return refusal(request, grant, exc, "retry", scanned=scanned,
                           amount=field_text(form, "amount", AMOUNT_CHARS_MAX))
        return RedirectResponse(f"/qr/wallet/payments/{paid['payment_id']}", 303, headers=NO_STORE)

    return router


async def _read_upload(site: QrSite, grant: Grant, upload: object) -> Scanned | Notice | HttpProblem:
    """The server's reading of an uploaded picture (the way without the browser's decoder)."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        return Notice(400, "Choose a picture of the QR code, or paste its text.", "no payload and no picture")
    data = await upload.read(UPLOAD_BYTES_MAX + 1)
    if len(data) > UPLOAD_BYTES_MAX:
        return Notice(413, f"The picture is too large: at most {UPLOAD_BYTES_MAX // (1024 * 1024)} MB.",
                      f"{upload.filename} is over {UPLOAD_BYTES_MAX} bytes")
    media_type = upload.content_type if upload.content_type in IMAGE_TYPES else "application/octet-stream"
    try:
        found = await site.api.post_bytes(grant.token, "/v1/qr/decode/image", data, media_type)
    except HttpProblem as exc:
        return exc
    payloads = found.get("payloads") or []
    if not payloads:
        return Notice(400, "No QR code was found in this picture. Try a sharper one, or paste the code's text.",
                      f"nothing readable in {upload.filename}")
    return Scanned(str(payloads[0]), "upload", upload.filename[:FILE_NAME_CHARS_MAX])
