"""Payout through an MTN MoMo Disbursement-style HTTP API (MTN itself, or the local simulator).

Retries are safe by construction: GETs change nothing, a token request only mints a token, and a transfer is
always resent under the same X-Reference-Id, which the operator refuses to execute twice (409
RESOURCE_ALREADY_EXIST). On a 409 the adapter reads the existing transfer and compares it with what it asked
for, so a resend returns the original payout's state and a different payout under the same id is a conflict.
"""

from __future__ import annotations

import asyncio
import base64
import random
import re
import time
from collections.abc import Mapping
from typing import Any

import msgspec

from inzira.decoding import decode_json
from inzira.http import Answer, AsyncHttpClient, HttpProblem
from inzira.money import format_decimal
from inzira.remit.payout.adapter import PayoutAdapter
from inzira.remit.payout.momo_config import MomoHttpConfig
from inzira.remit.payout.momo_wire import (
    Active,
    Balance,
    Token,
    TransferResult,
    UserInfo,
    canonical_reference,
    decode,
    error_code,
    expect_ok,
    payout_state,
    read_amount,
)
from inzira.remit.payout.types import (
    AccountHolder,
    OperatorBalance,
    PayoutConfigError,
    PayoutConflictError,
    PayoutError,
    PayoutNotFoundError,
    PayoutState,
    PayoutStatus,
    PayoutUnavailableError,
)

_MSISDN_RE = re.compile(r"\+?([1-9][0-9]{7,14})")
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# 500 codes that name a setup mistake: retrying cannot help.
_CONFIG_CODES = frozenset({"NOT_ALLOWED_TARGET_ENVIRONMENT", "NOT_ALLOWED", "INVALID_CALLBACK_URL_HOST"})
# 500 codes that refuse this one payout for good.
_REFUSAL_CODES = frozenset({"INVALID_CURRENCY"})
_TRANSFER_PATH = "/disbursement/v1_0/transfer"


class MomoHttpAdapter(PayoutAdapter):
    def __init__(self, config: MomoHttpConfig) -> None:
        self._config = config
        # The one HTTP client (inzira.http), without its own retries: this adapter retries what is safe itself
        # (a transfer too: it is resent under the same X-Reference-Id), with its configured backoff.
        self._http = AsyncHttpClient(
            config.base_url,
            timeout_ms=config.request_timeout_ms,
            connect_timeout_ms=config.connect_timeout_ms,
            connections_max=config.connections_max,
            headers={"Ocp-Apim-Subscription-Key": config.subscription_key},
        )
        self._basic = "Basic " + base64.b64encode(f"{config.api_user}:{config.api_key}".encode()).decode()
        self._token: str | None = None
        self._token_expiry = 0.0  # time.monotonic() after which the token is renewed before use
        self._token_lock = asyncio.Lock()

    @classmethod
    def from_config(cls, fields: Mapping[str, Any]) -> MomoHttpAdapter:
        try:
            return cls(msgspec.convert(dict(fields), MomoHttpConfig))
        except msgspec.ValidationError as exc:
            raise PayoutConfigError(f"momo-http configuration: {exc}") from None

    async def aclose(self) -> None:
        await self._http.aclose()

    async def lookup(self, msisdn: str) -> AccountHolder | None:
        match = _MSISDN_RE.fullmatch(msisdn)
        if match is None:
            return None
        number = match[1]
        response = await self._call("GET", f"/disbursement/v1_0/accountholder/msisdn/{number}/basicuserinfo")
        if response.status in (400, 404):
            return None
        info = decode(expect_ok(response), UserInfo)
        active_response = await self._call("GET", f"/disbursement/v1_0/accountholder/msisdn/{number}/active")
        active = decode(expect_ok(active_response), Active)
        name = info.name or f"{info.given_name} {info.family_name}".strip()
        return AccountHolder(msisdn=number, name=name, active=active.result)

    async def start(
        self, reference_id: str, msisdn: str, amount_minor: int, currency: str, external_id: str,
        callback_url: str | None = None, deadline_ms: int | None = None,
    ) -> PayoutState:
        # MTN's disbursement API has no expiry: the receiving FSP stops polling at its deadline.
        reference_id = canonical_reference(reference_id)
        party_id = msisdn.removeprefix("+")
        body = {
            "amount": format_decimal(amount_minor, currency, grouping=False),
            "currency": currency,
            "externalId": external_id,
            "payee": {"partyIdType": "MSISDN", "partyId": party_id},
            "payerMessage": self._config.payer_message,
            "payeeNote": self._config.payee_note,
        }
        headers = {"X-Reference-Id": reference_id, "Content-Type": "application/json"}
        if callback_url is not None:
            headers["X-Callback-Url"] = callback_url
        elif self._config.callback_url is not None:
            headers["X-Callback-Url"] = self._config.callback_url.replace("{reference_id}", reference_id)
        response = await self._call("POST", _TRANSFER_PATH, headers=headers, content=msgspec.json.encode(body))
        if response.status == 202:
            return PayoutState(reference_id, PayoutStatus.PENDING)
        if response.status == 409:
            existing = payout_state(reference_id, await self._transfer(reference_id))
            differs = existing.not_as_asked(msisdn, amount_minor, currency, external_id)
            if differs is not None:
                raise PayoutConflictError(f"reference id {reference_id} is already used by another payout: {differs}")
            return existing
        code = error_code(response)
        if response.status == 400 or code in _REFUSAL_CODES:
            return PayoutState(reference_id, PayoutStatus.FAILED, reason=code or "REQUEST_REJECTED")
        raise PayoutError(f"unexpected answer to the transfer: {response.status} {response.text[:200]}")

    def callback_state(self, reference_id: str, body: bytes) -> PayoutState:
        """MTN posts the body of GET /transfer/{referenceId} once the transfer is final."""
        reference_id = canonical_reference(reference_id)
        try:
            result = decode_json(body, TransferResult)
        except msgspec.DecodeError as exc:
            raise PayoutError(f"the operator's callback does not parse: {exc}") from None
        state = payout_state(reference_id, result)
        if not state.final:
            raise PayoutError(f"the callback for {reference_id} reports no final state ({result.status})")
        return state

    async def status(self, reference_id: str) -> PayoutState:
        reference_id = canonical_reference(reference_id)
        return payout_state(reference_id, await self._transfer(reference_id))

    async def balance(self) -> OperatorBalance:
        body = decode(expect_ok(await self._call("GET", "/disbursement/v1_0/account/balance")), Balance)
        return OperatorBalance(read_amount(body.available_balance, body.currency), body.currency)

    async def _transfer(self, reference_id: str) -> TransferResult:
        response = await self._call("GET", f"{_TRANSFER_PATH}/{reference_id}")
        if response.status == 404:
            raise PayoutNotFoundError(f"the operator has no payout {reference_id}")
        return decode(expect_ok(response), TransferResult)

    async def _call(
        self, method: str, path: str, *, headers: Mapping[str, str] | None = None, content: bytes | None = None
    ) -> Answer:
        """One API call with a fresh-enough token: transport errors and passing 5xx are retried with backoff,
        a 401 renews the token once. Other answers are returned to the caller."""
        failures = 0
        renewed = False
        last_problem = "no attempt"
        # Bounded: each pass either returns, raises, renews the token (once) or counts a failure.
        for _ in range(self._config.retries_max + 2):
            token = await self._bearer()
            request_headers = {
                **(headers or {}),
                "Authorization": f"Bearer {token}",
                "X-Target-Environment": self._config.target_environment,
            }
            try:
                response = await self._http.send(method, path, headers=request_headers, content=content,
                                                 idempotent=False)
            except HttpProblem as exc:  # no answer at all
                last_problem = exc.detail
            else:
                code = error_code(response)
                if response.status == 401 and not renewed:
                    renewed = True
                    self._forget(token)
                    continue
                if response.status in (401, 403) or code in _CONFIG_CODES:
                    raise PayoutConfigError(f"{method} {path} refused: {response.status} {response.text[:200]}")
                if response.status not in _RETRY_STATUSES or code in _REFUSAL_CODES:
                    return response
                last_problem = f"HTTP {response.status} {response.text[:200]}"
            failures += 1
            if failures > self._config.retries_max:
                break
            await asyncio.sleep(self._backoff_s(failures))
        raise PayoutUnavailableError(f"{method} {path} failed after {failures} attempts: {last_problem}")

    async def _bearer(self) -> str:
        async with self._token_lock:
            if self._token is not None and time.monotonic() < self._token_expiry:
                return self._token
            response = await self._token_request()
            token = decode(response, Token)
            # Renew ahead of expiry, but never spend more than half a short-lived token's life on the margin.
            margin_s = min(self._config.token_refresh_margin_ms / 1000, token.expires_in / 2)
            self._token = token.access_token
            self._token_expiry = time.monotonic() + token.expires_in - margin_s
            return self._token

    async def _token_request(self) -> Answer:
        last_problem = "no attempt"
        for attempt in range(self._config.retries_max + 1):
            if attempt:
                await asyncio.sleep(self._backoff_s(attempt))
            try:
                response = await self._http.send("POST", "/disbursement/token/", headers={"Authorization": self._basic},
                                                 idempotent=False)
            except HttpProblem as exc:  # no answer at all
                last_problem = exc.detail
                continue
            if response.status in (401, 403):
                detail = f"{response.status} {response.text[:200]}"
                raise PayoutConfigError(f"the operator refused the credentials: {detail}")
            if response.is_success:
                return response
            last_problem = f"HTTP {response.status} {response.text[:200]}"
        raise PayoutUnavailableError(f"no access token: {last_problem}")

    def _forget(self, token: str) -> None:
        if self._token == token:
            self._token = None

    def _backoff_s(self, failures: int) -> float:
        """Doubling delay with jitter, so many clients retrying together spread out."""
        base_ms = min(self._config.retry_backoff_max_ms, self._config.retry_backoff_ms * 2 ** (failures - 1))
        return base_ms * (0.5 + random.random() / 2) / 1000
