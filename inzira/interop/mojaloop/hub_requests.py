"""A payer FSP's requests to the Mojaloop hub: FSPIOP headers, a JWS signature, and the hub's immediate answer.

The hub answers a request at once, with 200/202 (taken: the real answer comes later as a callback) or with an
error status. Here that immediate answer becomes data, None (taken) or a ``Failure`` with a Mojaloop code, so
the payer's steps never see HTTP. Kept apart from ``payer``, which waits for callbacks: this only sends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from inzira.http import Answer, AsyncHttpClient, HttpProblem
from inzira.interop.mojaloop import jws
from inzira.interop.mojaloop.headers import outbound
from inzira.interop.mojaloop.payer_answers import Failure

if TYPE_CHECKING:
    from inzira.interop.mojaloop.payer import PayerConfig

VERSION = (1, 1)
HUB_UNREACHABLE = "1001"  # Mojaloop "Communication error"
REFUSED = "1000"  # the hub answered the request itself with an error status
# A Mojaloop error code: four ASCII digits. Whatever else an answer calls its code is no code (REFUSED): callers
# read a code as a number, and "²" or twenty digits would not be one they can answer with.
_ERROR_CODE = re.compile(r"[1-9][0-9]{3}")


class HubRequests:
    """Sends with the payer's config as it stands at each request (``config``), so a changed config holds at once."""

    def __init__(self, config: Callable[[], PayerConfig], clock: Callable[[], datetime]) -> None:
        self.config = config
        self.clock = clock
        self.client = AsyncHttpClient()  # no retries of its own: a payer's step has its own bound

    async def aclose(self) -> None:
        await self.client.aclose()

    def _headers(self, config: PayerConfig, resource: str, destination: str | None, body: bytes | None,
                 method: str, url: str) -> dict[str, str]:
        # FSPIOP wants Content-Type on every request, a GET without a body included.
        headers = outbound(resource, VERSION, config.fsp_id, destination or "", now=self.clock(),
                           with_accept=True, method=method, uri=jws.fspiop_uri(url))
        if body and config.signing_key is not None:
            headers.update(jws.sign(config.signing_key, method, url, headers, body).headers())
        return headers

    async def send(self, method: str, path: str, resource: str, destination: str | None,
                   payload: dict[str, Any] | None) -> Failure | None:
        """None when the hub took the request; otherwise why not, as a ``Failure``."""
        config = self.config()
        url = config.hub_url.rstrip("/") + path
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode() if payload else None
        headers = self._headers(config, resource, destination, body, method, url)
        try:
            answer = await self.client.send(method, url, content=body, headers=headers,
                                            timeout_ms=config.request_timeout_ms)
        except HttpProblem as exc:
            # No usable answer (none, or one past the size limit): whether the hub took the request is unknown.
            return Failure(HUB_UNREACHABLE, f"the hub could not be reached: {exc.detail}")
        if answer.status in (200, 202):
            return None
        code, description = _error_of(answer)
        return Failure(code or REFUSED, description or f"the hub answered {answer.status}")


def _error_of(answer: Answer) -> tuple[str | None, str | None]:
    try:
        body = answer.json()
    except HttpProblem:
        return None, None
    info = body.get("errorInformation") if isinstance(body, dict) else None
    if not isinstance(info, dict):
        return None, None
    code, description = info.get("errorCode"), info.get("errorDescription")
    return (code if isinstance(code, str) and _ERROR_CODE.fullmatch(code) else None), \
        (description if isinstance(description, str) else None)
