"""The MTN MoMo-shaped Disbursement API of the simulator.

POST /disbursement/token/                                  Basic auth -> {access_token, token_type, expires_in}
POST /disbursement/v1_0/transfer                           X-Reference-Id (UUID v4) -> 202; reused id -> 409
GET  /disbursement/v1_0/transfer/{referenceId}             -> {amount, currency, ..., status, reason}
GET  /disbursement/v1_0/accountholder/msisdn/{id}/active   -> {"result": bool}
GET  /disbursement/v1_0/accountholder/msisdn/{id}/basicuserinfo -> {given_name, family_name, name}
GET  /disbursement/v1_0/account/balance                    -> {availableBalance, currency}
"""

from __future__ import annotations

import httpx
import msgspec
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from inzira.decoding import refusing_depth
from inzira.sim.momo.auth import TokenIssuer
from inzira.sim.momo.config import MomoSimConfig
from inzira.sim.momo.processor import Processor, TransferRequest, status_body
from inzira.sim.momo.store import WalletStore
from inzira.sim.momo.wire import (
    EXTERNAL_ID_CHARS_MAX,
    MESSAGE_CHARS_MAX,
    URL_CHARS_MAX,
    BadRequest,
    TransferBody,
    amount_text,
    check_msisdn,
    check_reference_id,
    check_text,
    error_body,
    parse_amount_text,
)

_decode_transfer_body = refusing_depth(msgspec.json.Decoder(TransferBody).decode)
# Azure API Management's answer to a missing or wrong subscription key, which fronts MTN's API.
_BAD_SUBSCRIPTION = {
    "statusCode": 401,
    "message": "Access denied due to invalid subscription key. "
    "Make sure to provide a valid key for an active subscription.",
}
_NOT_FOUND = error_body("RESOURCE_NOT_FOUND", "Requested resource was not found.")


def disbursement_router(
    config: MomoSimConfig, store: WalletStore, issuer: TokenIssuer, processor: Processor
) -> APIRouter:
    router = APIRouter(prefix="/disbursement", tags=["disbursement"])

    def refusal(request: Request) -> Response | None:
        """The response refusing an unauthorised or misrouted call, or None when it may proceed."""
        if not issuer.subscription_ok(request.headers.get("Ocp-Apim-Subscription-Key")):
            return JSONResponse(_BAD_SUBSCRIPTION, status_code=401)
        if not issuer.bearer_ok(request.headers.get("Authorization")):
            message = "send 'Authorization: Bearer <access_token>' from POST /disbursement/token/ (missing or expired)"
            return JSONResponse(error_body("UNAUTHORIZED", message), status_code=401)
        if request.headers.get("X-Target-Environment") != config.target_environment:
            message = f"X-Target-Environment must be {config.target_environment!r}"
            return JSONResponse(error_body("NOT_ALLOWED_TARGET_ENVIRONMENT", message), status_code=500)
        return None

    @router.post("/token/")
    async def token(request: Request) -> Response:
        if not issuer.subscription_ok(request.headers.get("Ocp-Apim-Subscription-Key")):
            return JSONResponse(_BAD_SUBSCRIPTION, status_code=401)
        issued = issuer.issue(request.headers.get("Authorization"))
        if issued is None:
            return JSONResponse({"error": "login_failed"}, status_code=401)
        return JSONResponse({"access_token": issued, "token_type": "access_token", "expires_in": config.token_ttl_s})

    @router.post("/v1_0/transfer")
    async def transfer(request: Request) -> Response:
        refused = refusal(request)
        if refused is not None:
            return refused
        reference_id = check_reference_id(request.headers.get("X-Reference-Id"))
        try:
            body = _decode_transfer_body(await request.body())
        except msgspec.DecodeError as exc:
            raise BadRequest("INVALID_BODY", f"the body is not a transfer: {exc}") from None
        if body.currency != config.currency:
            message = f"currency {body.currency!r} is not paid out here: this operator pays out in {config.currency}"
            raise BadRequest("INVALID_CURRENCY", message)
        if body.payee.party_id_type.upper() != "MSISDN":
            raise BadRequest("INVALID_PAYEE", "payee.partyIdType must be MSISDN")
        accepted = TransferRequest(
            reference_id=reference_id,
            amount_minor=parse_amount_text(body.amount, body.currency),
            currency=body.currency,
            msisdn=check_msisdn(body.payee.party_id),
            external_id=check_text("externalId", body.external_id, EXTERNAL_ID_CHARS_MAX),
            payer_message=check_text("payerMessage", body.payer_message, MESSAGE_CHARS_MAX),
            payee_note=check_text("payeeNote", body.payee_note, MESSAGE_CHARS_MAX),
            callback_url=_callback_url(request.headers.get("X-Callback-Url")),
        )
        if accepted.callback_url is not None and httpx.URL(accepted.callback_url).host not in config.callback_hosts:
            message = f"the callback host must be one of {list(config.callback_hosts)}"
            return JSONResponse(error_body("INVALID_CALLBACK_URL_HOST", message), status_code=500)
        processor.accept(accepted)
        return Response(status_code=202)

    @router.get("/v1_0/transfer/{reference_id}")
    async def transfer_status(reference_id: str, request: Request) -> Response:
        refused = refusal(request)
        if refused is not None:
            return refused
        found = store.transfer(check_reference_id(reference_id))
        processor.status_reads += 1
        if found is None:
            return JSONResponse(_NOT_FOUND, status_code=404)
        return JSONResponse(status_body(found))

    @router.get("/v1_0/accountholder/{id_type}/{holder_id}/active")
    async def active(id_type: str, holder_id: str, request: Request) -> Response:
        refused = refusal(request)
        if refused is not None:
            return refused
        if id_type.lower() != "msisdn":
            raise BadRequest("INVALID_PAYEE", "accountHolderIdType must be msisdn")
        wallet = store.wallet(check_msisdn(holder_id))
        return JSONResponse({"result": wallet is not None and wallet.active})

    @router.get("/v1_0/accountholder/msisdn/{msisdn}/basicuserinfo")
    async def basic_user_info(msisdn: str, request: Request) -> Response:
        refused = refusal(request)
        if refused is not None:
            return refused
        wallet = store.wallet(check_msisdn(msisdn))
        if wallet is None:
            return JSONResponse(_NOT_FOUND, status_code=404)
        name = f"{wallet.given_name} {wallet.family_name}".strip()
        return JSONResponse({"given_name": wallet.given_name, "family_name": wallet.family_name, "name": name})

    @router.get("/v1_0/account/balance")
    async def balance(request: Request) -> Response:
        refused = refusal(request)
        if refused is not None:
            return refused
        available = amount_text(store.float_minor(), config.currency)
        return JSONResponse({"availableBalance": available, "currency": config.currency})

    return router


def _callback_url(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        url = httpx.URL(check_text("X-Callback-Url", text, URL_CHARS_MAX))
    except httpx.InvalidURL:
        raise BadRequest("INVALID_CALLBACK_URL", f"X-Callback-Url {text!r} is not a URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise BadRequest("INVALID_CALLBACK_URL", "X-Callback-Url must be an absolute http or https URL")
    return text
