"""Configuration of the MTN MoMo-style HTTP payout adapter: a real operator plugs in by these values alone."""

from __future__ import annotations

from typing import Annotated

import msgspec

_Ms = Annotated[int, msgspec.Meta(ge=1, le=600_000)]
_Text = Annotated[str, msgspec.Meta(min_length=1, max_length=512)]
_Message = Annotated[str, msgspec.Meta(max_length=160)]  # MTN refuses longer payerMessage / payeeNote


class MomoHttpConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Fields of ``{"kind": "momo-http", ...}``.

    ``base_url`` is the API root (https://sandbox.momodeveloper.mtn.com for MTN's sandbox, the simulator's
    URL locally); ``api_user`` / ``api_key`` are the Basic credentials for /disbursement/token/;
    ``subscription_key`` is the Disbursement product's Ocp-Apim-Subscription-Key; ``target_environment`` is
    X-Target-Environment ("mtnrwanda" in Rwanda, "sandbox" in MTN's sandbox). ``callback_url``, when set, is
    sent as X-Callback-Url with "{reference_id}" replaced by the payout's reference id.
    """

    base_url: _Text
    subscription_key: _Text
    api_user: _Text
    api_key: _Text
    target_environment: _Text
    callback_url: str | None = None
    payer_message: _Message = "Inzira remittance"
    payee_note: _Message = "Inzira remittance"
    connect_timeout_ms: _Ms = 2_000
    request_timeout_ms: _Ms = 10_000
    retries_max: Annotated[int, msgspec.Meta(ge=0, le=10)] = 3
    retry_backoff_ms: _Ms = 100
    retry_backoff_max_ms: _Ms = 2_000
    token_refresh_margin_ms: Annotated[int, msgspec.Meta(ge=0, le=3_600_000)] = 60_000
    connections_max: Annotated[int, msgspec.Meta(ge=1, le=1_000)] = 20

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        if self.callback_url is not None and not self.callback_url.startswith(("http://", "https://")):
            raise ValueError("callback_url must start with http:// or https://")
        if self.retry_backoff_ms > self.retry_backoff_max_ms:
            raise ValueError("retry_backoff_ms must not exceed retry_backoff_max_ms")
